"""Weight sensitivity: how much the suitability and the ranking of sites move with the weights.

Criterion weights are judgements, so their effect is tested by Monte Carlo: every weight is
perturbed by its own random factor and the weights renormalised (:func:`weight_draws`, after
the one-at-a-time perturbation of Chen, Yu & Khan 2010). For each draw the weighted overlay of
:mod:`siting.land.overlay` is formed again; this module gives the per-cell spread of the
suitability (:func:`score_spread`) and the stability of the ranking of candidate sites
(:func:`rank_stability`). Since the overlay is linear in the weights, neither forms the
suitability raster of every draw.

Rasters are :class:`xarray.DataArray` objects with dims ``("y", "x")``; their coordinates and
the CRS (rioxarray's ``spatial_ref`` coordinate) are carried to every output, and NaN marks
nodata. :func:`score_spread` is lazy on dask-backed scores (it builds a graph and computes
nothing); :func:`rank_stability` returns a table and so must compute.

References
----------
Chen, Y., Yu, J., Khan, S. (2010). Spatial sensitivity analysis of multi-criteria weights in
GIS-based land suitability evaluation. Environmental Modelling & Software 25(12), 1582-1591.
https://doi.org/10.1016/j.envsoft.2010.06.001
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import dask
import dask.array as da
import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from siting.errors import ParameterError, describe
from siting.land._checks import finite_float, score_attrs
from siting.land.overlay import check_scores_and_weights, check_weights

__all__ = ["rank_stability", "score_spread", "weight_draws"]

#: Bytes of Monte Carlo draws held in memory at once by :func:`score_spread`: a block holds
#: ``cells x n_draws`` float32 suitabilities, so the number of cells per block is this budget
#: divided by ``4 n_draws`` (16,384 cells at 1,000 draws; 167 cells at 100,000 draws). A fixed
#: cell count (16,384) allocated 16,384 x 100,000 x 4 B = 6.5 GB per thread at 100,000 draws
#: (tracemalloc peak 6,256 MiB); with this budget the peak is 131 MiB (about twice the budget:
#: the draws and the work space of the partial sort).
SPREAD_BLOCK_BYTES = 64 * 2**20


def spread_block_cells(n_draws: int, budget_bytes: int = SPREAD_BLOCK_BYTES) -> int:
    """Cells per block of :func:`score_spread` so that a block's draws fit ``budget_bytes``.

    Parameters
    ----------
    n_draws : int
        Monte Carlo draws per cell.
    budget_bytes : int
        Memory for one block's float32 draws, bytes.

    Returns
    -------
    int
        ``max(1, budget_bytes // (4 n_draws))``.

    >>> spread_block_cells(1000)
    16777
    >>> spread_block_cells(100_000)
    167
    """
    return max(1, budget_bytes // (4 * int(n_draws)))


#: Largest site label accepted by :func:`rank_stability` (labels index per-site arrays).
MAX_SITE_LABEL = 10_000_000


def _is_dask(data: Any) -> bool:
    """Whether an array (or a DataArray's data) is a dask array."""
    return isinstance(data, da.Array)


def _check_draw_parameters(n_draws: int, spread: float, seed: int) -> tuple[int, float, int]:
    """The draw parameters as (int, float, int), refused unless n_draws >= 2, 0 <= spread < 1."""
    if isinstance(n_draws, bool) or not isinstance(n_draws, numbers.Integral) or n_draws < 2:
        raise ParameterError(
            describe("n_draws", f"{n_draws!r} is not an integer >= 2", "use e.g. 200 draws")
        )
    s = finite_float(spread, "spread")
    if not 0.0 <= s < 1.0:
        raise ParameterError(
            describe(
                "spread",
                f"{s:g} is outside [0, 1)",
                "give the relative half-width of the weight perturbation, e.g. 0.2 for ±20 %",
            )
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ParameterError(
            describe("seed", f"{seed!r} is not a non-negative integer", "give e.g. seed=0")
        )
    return int(n_draws), s, int(seed)


def _draw_matrix(w: np.ndarray, n_draws: int, spread: float, seed: int) -> np.ndarray:
    """Perturbed weights, shape (n_draws, len(w)), each row summing to 1."""
    rng = np.random.default_rng(seed)
    factors = 1.0 + spread * rng.uniform(-1.0, 1.0, size=(n_draws, w.size))
    draws = w[np.newaxis, :] * factors
    return draws / draws.sum(axis=1, keepdims=True)


def weight_draws(
    weights: Mapping[str, float], n_draws: int = 200, spread: float = 0.2, seed: int = 0
) -> pd.DataFrame:
    r"""Monte Carlo draws of perturbed criterion weights.

    Every weight is multiplied by its own independent uniform factor, then the draw is
    renormalised to sum 1:

    .. math:: w'_i = \frac{w_i (1 + \mathrm{spread}\, u_i)}{\sum_k w_k (1 + \mathrm{spread}\,
              u_k)}, \qquad u_i \sim U(-1, 1)

    This is a simultaneous, random version of the one-at-a-time perturbation of Chen, Yu &
    Khan (2010), who vary each AHP weight by up to ±20 % and rescale the others so the
    weights still sum to 1; ``spread = 0.2`` matches their range. Weights of 0 stay 0.
    The draw order is fixed (criteria sorted by name), so the same weights and seed give the
    same draws whatever the order of the mapping.

    Parameters
    ----------
    weights : Mapping[str, float]
        Base weights, >= 0, summing to 1.
    n_draws : int, default 200
        Number of draws, >= 2.
    spread : float, default 0.2
        Relative half-width of the perturbation of each weight, in [0, 1) (0.2 = ±20 %).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    pandas.DataFrame
        One row per draw (index ``draw``), one column per criterion (sorted by name).
    """
    n_draws, spread, seed = _check_draw_parameters(n_draws, spread, seed)
    names, w = check_weights(weights)
    draws = _draw_matrix(w, n_draws, spread, seed)
    return pd.DataFrame(draws, columns=names, index=pd.RangeIndex(n_draws, name="draw"))


def _stack(arrays: Sequence[xr.DataArray]) -> Any:
    """Stack criterion rasters into one (k, ...) array: numpy, or dask with k in one chunk."""
    if any(_is_dask(a.data) for a in arrays):
        stacked = da.stack([da.asarray(a.data) for a in arrays])
        return stacked.rechunk({0: -1})
    return np.stack([np.asarray(a.data) for a in arrays])


def _spread_kernel(stack: np.ndarray, draws: np.ndarray, percentiles: bool = True) -> np.ndarray:
    """Per-cell mean, std (ddof=1) and, with ``percentiles``, 5th and 95th percentile.

    ``stack`` is (k, ...) criterion scores, ``draws`` (n_draws, k) weights. The suitability
    of a cell is linear in the weights, so its mean and variance over the draws are exactly
    ``s . mean(w)`` and ``s' C s`` with ``C`` the sample covariance of the draws; only the
    percentiles need the individual draws. Those are formed (in float32) and partially sorted
    (:func:`numpy.partition`) :func:`spread_block_cells` cells at a time, so a block's draws
    stay within :data:`SPREAD_BLOCK_BYTES` whatever the number of draws. Without
    ``percentiles`` no draw is formed: two planes (mean, std) in closed form.
    """
    k = stack.shape[0]
    shape = stack.shape[1:]
    flat = stack.reshape(k, -1)
    out = np.full((4 if percentiles else 2, flat.shape[1]), np.nan, dtype=np.float32)
    valid = np.flatnonzero(np.all(np.isfinite(flat), axis=0))
    n_draws = draws.shape[0]
    mean_w = draws.mean(axis=0)
    cov_w = np.atleast_2d(np.cov(draws, rowvar=False, ddof=1))
    weights_t = np.ascontiguousarray(draws.T, dtype=np.float32)  # (k, n_draws)
    # Percentiles as numpy.quantile's default ("linear", Hyndman & Fan 1996 type 7).
    positions = (n_draws - 1) * np.array([0.05, 0.95])
    lower = np.floor(positions).astype(np.int64)
    upper = np.minimum(lower + 1, n_draws - 1)
    fraction = positions - lower
    kth = np.unique(np.concatenate([lower, upper]))
    block_cells = spread_block_cells(n_draws, SPREAD_BLOCK_BYTES)
    for start in range(0, valid.size, block_cells):
        cells = valid[start : start + block_cells]
        block = flat[:, cells].T.astype(np.float64)  # (m, k)
        out[0, cells] = block @ mean_w
        variance = ((block @ cov_w) * block).sum(axis=1)
        out[1, cells] = np.sqrt(np.maximum(variance, 0.0))
        if not percentiles:
            continue
        sample = block.astype(np.float32) @ weights_t  # (m, n_draws) suitability per draw
        sample.partition(kth, axis=1)  # order statistics at kth in place, no copy
        low = sample[:, lower].astype(np.float64)
        high = sample[:, upper].astype(np.float64)
        out[2:, cells] = (low + fraction * (high - low)).T
    return out.reshape((out.shape[0], *shape))


def score_spread(
    scores: Mapping[str, xr.DataArray],
    weights: Mapping[str, float],
    n_draws: int = 200,
    spread: float = 0.2,
    seed: int = 0,
    percentiles: bool = True,
) -> xr.Dataset:
    """Per-cell spread of the weighted-overlay suitability under perturbed weights.

    For each draw of :func:`weight_draws` the suitability of a cell is
    ``sum_i w'_i s_i``; this returns, per cell, the mean, standard deviation and 5th / 95th
    percentiles over the draws. Since the suitability is linear in the weights, the mean and
    standard deviation follow exactly from the mean vector and covariance matrix of the
    draws; the percentiles need the draws, which are formed and sorted block by block (dask
    chunks, and within a chunk :func:`spread_block_cells` cells at a time), so memory stays
    bounded (:data:`SPREAD_BLOCK_BYTES` per block) for millions of cells and any draw count.
    Lazy on dask-backed scores. Nodata as in
    :func:`~siting.land.overlay.weighted_overlay`.

    Parameters
    ----------
    scores : Mapping[str, xarray.DataArray]
        Score rasters in [0, 1] on one grid, by criterion name.
    weights : Mapping[str, float]
        Base weights, as for :func:`~siting.land.overlay.weighted_overlay`.
    n_draws : int, default 200
        Number of Monte Carlo draws, >= 2.
    spread : float, default 0.2
        Relative half-width of the weight perturbation (see :func:`weight_draws`).
    seed : int, default 0
        Seed of the draws; the same seed gives identical results.
    percentiles : bool, default True
        Also the 5th and 95th percentiles (which need every draw); False gives the mean and
        standard deviation alone, in closed form, without forming or sorting draws.

    Returns
    -------
    xarray.Dataset
        ``score_mean``, ``score_std`` (ddof = 1), and with ``percentiles`` ``score_p05``,
        ``score_p95``: float32,
        units ``"1"``, on the grid of the scores. The percentiles interpolate linearly
        between order statistics (the :func:`numpy.quantile` default; Hyndman & Fan 1996,
        Am. Stat. 50(4):361-365, definition 7), computed from float32 draws.
    """
    n_draws, spread, seed = _check_draw_parameters(n_draws, spread, seed)
    names, w, active, arrays, _ = check_scores_and_weights(scores, weights)
    draws = _draw_matrix(w, n_draws, spread, seed)[:, w > 0]
    stacked = _stack(arrays)
    if _is_dask(stacked):
        result = da.map_blocks(
            _spread_kernel,
            stacked,
            draws=draws,
            percentiles=percentiles,
            chunks=((4 if percentiles else 2,), *stacked.chunks[1:]),
            dtype=np.float32,
        )
    else:
        result = _spread_kernel(stacked, draws, percentiles)
    template = arrays[0]
    described = {"score_mean": "mean", "score_std": "standard deviation"}
    if percentiles:
        described |= {"score_p05": "5th percentile", "score_p95": "95th percentile"}
    data_vars = {}
    for i, (var, text) in enumerate(described.items()):
        array = template.copy(data=result[i])
        array.name = var
        array.attrs = score_attrs(
            template, f"{text} of the suitability over {n_draws} weight draws"
        )
        data_vars[var] = array
    out = xr.Dataset(data_vars)
    out.attrs = {
        "n_draws": n_draws,
        "spread": spread,
        "seed": seed,
        "weights": ", ".join(f"{n}: {wi:.4g}" for n, wi in zip(names, w, strict=True)),
        "perturbation": "w_i (1 + spread u_i), u_i ~ U(-1, 1), renormalised to sum 1 "
        "(after Chen, Yu & Khan 2010, Environ. Model. Softw. 25:1582-1591)",
    }
    return out


def _site_sums(stack: np.ndarray, labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Per-label sums of each criterion over valid cells, valid-cell count, all-cell count.

    Returns an array of shape (k + 2, n_labels + 1) indexed by label.
    """
    k = stack.shape[0]
    flat = stack.reshape(k, -1)
    lab = np.asarray(labels).reshape(-1)
    if np.issubdtype(lab.dtype, np.floating):
        in_site = np.isfinite(lab) & (lab > 0)
        if np.any(lab[in_site] != np.round(lab[in_site])):
            raise ParameterError(
                describe(
                    "site_labels",
                    "some labels are not whole numbers",
                    "label sites with integers (0 = no site); rasterise with nearest "
                    "neighbour, not bilinear resampling",
                )
            )
    else:
        in_site = lab > 0
    if np.any(lab < 0):  # NaN < 0 is False
        raise ParameterError(
            describe("site_labels", "some labels are negative", "use 0 for no site, 1.. for sites")
        )
    site_lab = lab[in_site].astype(np.int64)
    valid = np.all(np.isfinite(flat[:, in_site]), axis=0)
    good_lab = site_lab[valid]
    out = np.empty((k + 2, n_labels + 1), dtype=np.float64)
    for i in range(k):
        out[i] = np.bincount(good_lab, weights=flat[i, in_site][valid], minlength=n_labels + 1)
    out[k] = np.bincount(good_lab, minlength=n_labels + 1)
    out[k + 1] = np.bincount(site_lab, minlength=n_labels + 1)
    return out


def _all_site_sums(stacked: Any, labels: Any) -> np.ndarray:
    """:func:`_site_sums` over the whole raster, block by block on dask."""
    lazy = _is_dask(stacked) or _is_dask(labels)
    if lazy:
        stacked = da.asarray(stacked).rechunk({0: -1})
        labels = da.asarray(labels).rechunk(stacked.chunks[1:])
        top = float(da.nanmax(labels).compute()) if labels.size else 0.0
    else:
        with np.errstate(invalid="ignore"):
            top = float(np.nanmax(labels, initial=0)) if np.size(labels) else 0.0
    n_labels = int(top) if math.isfinite(top) and top > 0 else 0
    if n_labels > MAX_SITE_LABEL:
        raise ParameterError(
            describe(
                "site_labels",
                f"the largest label is {n_labels}; labels index per-site tables, so they "
                f"must be at most {MAX_SITE_LABEL:,}",
                "number the sites 1, 2, ... (e.g. the row number of the site table)",
            )
        )
    if not lazy:
        return _site_sums(stacked, labels, n_labels)
    stack_blocks = stacked.to_delayed()
    label_blocks = labels.to_delayed()
    parts = [
        dask.delayed(_site_sums)(stack_blocks[(0, *ij)], label_blocks[ij], n_labels)
        for ij in np.ndindex(label_blocks.shape)
    ]
    (total,) = dask.compute(dask.delayed(sum)(parts))
    return np.asarray(total)


def rank_stability(
    scores: Mapping[str, xr.DataArray],
    weights: Mapping[str, float],
    site_labels: xr.DataArray,
    n_draws: int = 200,
    spread: float = 0.2,
    seed: int = 0,
) -> pd.DataFrame:
    """How stable the ranking of candidate sites is under perturbed weights.

    Sites are ranked by their mean suitability (mean of
    :func:`~siting.land.overlay.weighted_overlay` over the site's cells; cells with nodata in a
    weighted criterion are left out). Because the overlay is linear, a site's mean suitability for
    weights ``w`` is ``sum_i w_i m_i``, where ``m_i`` is the site's mean of criterion ``i``: the
    per-site means are computed once (one pass over the rasters, ``numpy.bincount``), and each draw
    of :func:`weight_draws` is then a small matrix product. This function computes (it returns a
    table); on dask it makes one pass for the largest label and one for the sums.

    Parameters
    ----------
    scores : Mapping[str, xarray.DataArray]
        Score rasters in [0, 1] on one grid, by criterion name.
    weights : Mapping[str, float]
        Base weights, as for :func:`~siting.land.overlay.weighted_overlay`.
    site_labels : xarray.DataArray
        Site id of each cell on the same grid, integers 1 ... (at most
        :data:`MAX_SITE_LABEL`; number the sites consecutively); 0 (or NaN) = no site.
    n_draws : int, default 200
        Number of Monte Carlo draws, >= 2.
    spread : float, default 0.2
        Relative half-width of the weight perturbation (see :func:`weight_draws`).
    seed : int, default 0
        Seed of the draws; the same seed gives an identical table.

    Returns
    -------
    pandas.DataFrame
        One row per site label present in ``site_labels``, sorted by ``base_rank``:

        - ``site_label`` (int): the label.
        - ``n_cells`` (int): cells of the site with data in every weighted criterion.
        - ``base_score`` (float, [0, 1]): mean suitability with the base weights.
        - ``base_rank`` (Int64): rank with the base weights, 1 = best; ties share the
          lowest rank.
        - ``mean_rank`` (float): mean rank over the draws.
        - ``rank_p05``, ``rank_p95`` (Int64): 5th and 95th percentile of the rank over the
          draws (observed ranks, inverted-CDF percentiles).
        - ``p_same_rank`` (float): fraction of draws in which the site keeps its base rank.
        - ``p_top_quartile`` (float): fraction of draws in which the rank is within the top
          quarter of the sites, rank <= ceil(n_sites / 4).
        - ``score_p05``, ``score_p95`` (float): 5th and 95th percentile of the site's mean
          suitability over the draws.

        Sites with no valid cell get NaN / missing values and come last.
    """
    n_draws, spread, seed = _check_draw_parameters(n_draws, spread, seed)
    names, w, active, arrays, w_active = check_scores_and_weights(scores, weights)
    if not isinstance(site_labels, xr.DataArray):
        raise ParameterError(
            describe(
                "site_labels",
                f"it is a {type(site_labels).__name__}, not an xarray.DataArray",
                "pass a label raster on the analysis grid (0 = no site)",
            )
        )
    template = arrays[0]
    if site_labels.dims != template.dims or site_labels.shape != template.shape:
        raise ParameterError(
            describe(
                "site_labels",
                f"dims {site_labels.dims} shape {site_labels.shape} differ from the scores' "
                f"{template.dims} {template.shape}",
                "rasterise the sites onto the analysis grid",
            )
        )
    try:
        xr.align(template, site_labels, join="exact", copy=False)
    except ValueError as err:
        raise ParameterError(
            describe(
                "site_labels",
                f"the label raster is not on the grid of the scores ({err})",
                "rasterise the sites onto the analysis grid",
            )
        ) from err
    draws = _draw_matrix(w, n_draws, spread, seed)[:, w > 0]
    k = len(active)
    sums = _all_site_sums(_stack(arrays), site_labels.data)
    present = np.flatnonzero(sums[k + 1] > 0)
    present = present[present > 0]
    n_valid = sums[k, present]
    with np.errstate(invalid="ignore", divide="ignore"):
        site_means = (sums[:k, present] / n_valid).T  # (n_sites, k)
    base = site_means @ w_active
    sampled = site_means @ draws.T  # (n_sites, n_draws)

    n_sites = present.size
    ok = np.isfinite(base)
    base_rank = np.full(n_sites, np.nan)
    mean_rank = np.full(n_sites, np.nan)
    rank_q = np.full((2, n_sites), np.nan)
    p_same = np.full(n_sites, np.nan)
    p_top = np.full(n_sites, np.nan)
    score_q = np.full((2, n_sites), np.nan)
    if ok.any():
        base_rank[ok] = stats.rankdata(-base[ok], method="min")
        ranks = stats.rankdata(-sampled[ok], method="min", axis=0)  # (n_ok, n_draws)
        mean_rank[ok] = ranks.mean(axis=1)
        rank_q[:, ok] = np.quantile(ranks, [0.05, 0.95], axis=1, method="inverted_cdf")
        p_same[ok] = (ranks == base_rank[ok][:, np.newaxis]).mean(axis=1)
        top = math.ceil(int(ok.sum()) / 4)
        p_top[ok] = (ranks <= top).mean(axis=1)
        score_q[:, ok] = np.quantile(sampled[ok], [0.05, 0.95], axis=1)

    table = pd.DataFrame(
        {
            "site_label": present.astype(np.int64),
            "n_cells": n_valid.astype(np.int64),
            "base_score": base,
            "base_rank": pd.array(np.where(ok, base_rank, 0).astype(np.int64), dtype="Int64"),
            "mean_rank": mean_rank,
            "rank_p05": pd.array(np.where(ok, rank_q[0], 0).astype(np.int64), dtype="Int64"),
            "rank_p95": pd.array(np.where(ok, rank_q[1], 0).astype(np.int64), dtype="Int64"),
            "p_same_rank": p_same,
            "p_top_quartile": p_top,
            "score_p05": score_q[0],
            "score_p95": score_q[1],
        }
    )
    for column in ("base_rank", "rank_p05", "rank_p95"):
        table.loc[~ok, column] = pd.NA
    table = table.sort_values(
        ["base_rank", "site_label"], na_position="last", kind="stable"
    ).reset_index(drop=True)
    table.attrs = {"n_draws": n_draws, "spread": spread, "seed": seed}
    return table
