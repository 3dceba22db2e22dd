"""Weighted overlay: criterion scores and their weights combined into one suitability raster.

The weighted linear combination of GIS-MCDA (Malczewski 1999, ch. 6): score rasters in [0, 1]
(from :mod:`siting.land.membership`) and criterion weights that sum to 1 (set directly, or
derived by :func:`siting.land.ahp.ahp_weights`) give a suitability raster in [0, 1]:
:func:`weighted_overlay`. The checks of the weights and of the score rasters are shared with
:mod:`siting.land.sensitivity`.

Rasters are :class:`xarray.DataArray` objects with dims ``("y", "x")``; their coordinates and
the CRS (rioxarray's ``spatial_ref`` coordinate) are carried to the output, and NaN marks
nodata. On dask-backed scores the overlay is lazy (it builds a graph and computes nothing).

References
----------
Malczewski, J. (1999). GIS and Multicriteria Decision Analysis. Wiley, New York.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from siting.errors import ParameterError, describe
from siting.land._checks import finite_float, score_attrs

__all__ = ["weighted_overlay"]

#: Tolerance on the sum of criterion weights (sum must be 1 within this).
WEIGHT_SUM_TOLERANCE = 1e-6


def check_weights(
    weights: Mapping[str, float], names: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """Validate weights (and their keys against ``names``); return sorted names and weights.

    The returned weights are divided by their sum, which removes rounding (the sum is
    already 1 within :data:`WEIGHT_SUM_TOLERANCE`).

    Parameters
    ----------
    weights : Mapping[str, float]
        Weight of each criterion, >= 0, summing to 1.
    names : Sequence[str], optional
        Criterion names the keys of ``weights`` must match exactly.

    Returns
    -------
    tuple of (list of str, numpy.ndarray)
        The criterion names sorted, and their weights in that order.

    Raises
    ------
    ParameterError
        If there are no weights, keys are missing or extra (both named), a weight is not a
        finite number or is negative, or the weights do not sum to 1.
    """
    if not isinstance(weights, Mapping) or not weights:
        raise ParameterError(
            describe(
                "weights",
                "no weights were given",
                "give a mapping of criterion name to weight, e.g. {'slope': 0.6, 'road': 0.4}",
            )
        )
    if names is not None:
        missing = [n for n in names if n not in weights]
        extra = [n for n in weights if n not in set(names)]
        if missing or extra:
            problems = []
            if missing:
                problems.append(f"no weight for criteria {missing}")
            if extra:
                problems.append(f"weights for criteria that have no score raster {extra}")
            raise ParameterError(
                describe(
                    "weights",
                    "; ".join(problems),
                    "give exactly one weight per score raster, with the same names",
                )
            )
    ordered = sorted(weights, key=str)
    values = np.array([finite_float(weights[n], f"weights[{n!r}]") for n in ordered])
    negative = [n for n, v in zip(ordered, values, strict=True) if v < 0]
    if negative:
        raise ParameterError(
            describe("weights", f"negative weights for {negative}", "use weights >= 0")
        )
    total = float(values.sum())
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise ParameterError(
            describe(
                "weights",
                f"they sum to {total:.6g}, not 1",
                "normalise them (divide each by their sum) or derive them with "
                "ahp_weights(), whose weights sum to 1",
            )
        )
    return ordered, values / total


def _check_scores(scores: Mapping[str, xr.DataArray], names: Sequence[str]) -> list[xr.DataArray]:
    """Check that the score rasters are DataArrays on one grid; return them in ``names`` order."""
    arrays = []
    for name in names:
        array = scores[name]
        if not isinstance(array, xr.DataArray):
            raise ParameterError(
                describe(
                    f"scores[{name!r}]",
                    f"it is a {type(array).__name__}, not an xarray.DataArray",
                    "pass score rasters made by the membership functions",
                )
            )
        arrays.append(array)
    first = arrays[0]
    for name, array in zip(names, arrays, strict=True):
        if array.dims != first.dims or array.shape != first.shape:
            raise ParameterError(
                describe(
                    f"scores[{name!r}]",
                    f"dims {array.dims} shape {array.shape} differ from "
                    f"scores[{names[0]!r}] dims {first.dims} shape {first.shape}",
                    "align all criteria onto the analysis grid first",
                )
            )
    try:
        xr.align(*arrays, join="exact", copy=False)
    except ValueError as err:
        raise ParameterError(
            describe(
                "scores",
                f"the score rasters are not on the same grid ({err})",
                "align all criteria onto the analysis grid first",
            )
        ) from err
    return arrays


def check_scores_and_weights(
    scores: Mapping[str, xr.DataArray], weights: Mapping[str, float]
) -> tuple[list[str], np.ndarray, list[str], list[xr.DataArray], np.ndarray]:
    """Validate score rasters and weights together, as :func:`weighted_overlay` needs them.

    Parameters
    ----------
    scores : Mapping[str, xarray.DataArray]
        Score rasters on one grid, by criterion name.
    weights : Mapping[str, float]
        Weight of each criterion, with exactly the keys of ``scores`` (see
        :func:`check_weights`).

    Returns
    -------
    tuple
        All criterion names (sorted) and their weights; the names with a weight > 0, their
        rasters and their weights.

    Raises
    ------
    ParameterError
        If there are no scores, the weights are invalid, or the rasters with a weight > 0 are
        not DataArrays on one grid.
    """
    if not isinstance(scores, Mapping) or not scores:
        raise ParameterError(
            describe("scores", "no score rasters were given", "give a mapping name -> raster")
        )
    names, w = check_weights(weights, list(scores))
    active = [n for n, wi in zip(names, w, strict=True) if wi > 0]
    arrays = _check_scores(scores, active)
    return names, w, active, arrays, w[w > 0]


def weighted_overlay(
    scores: Mapping[str, xr.DataArray], weights: Mapping[str, float]
) -> xr.DataArray:
    r"""Weighted linear combination of criterion scores into one suitability raster.

    .. math:: S = \sum_i w_i \, s_i, \qquad w_i \ge 0, \quad \sum_i w_i = 1

    (Malczewski 1999, ch. 6, weighted linear combination.) With every score in [0, 1] the
    suitability is in [0, 1] too.

    **Nodata:** a cell is NaN when any criterion with a non-zero weight is NaN there (a cell
    that cannot be judged on every criterion is not scored). Criteria with weight 0 are left
    out, so their nodata does not spread.

    Parameters
    ----------
    scores : Mapping[str, xarray.DataArray]
        Score rasters in [0, 1] on one grid, by criterion name.
    weights : Mapping[str, float]
        Weight of each criterion, >= 0, summing to 1 within 1e-6, with exactly the keys of
        ``scores`` (e.g. ``ahp_weights(...).weights``).

    Returns
    -------
    xarray.DataArray
        ``"suitability"``, float32 in [0, 1], units ``"1"``, on the grid (coordinates, CRS)
        of the scores.

    Raises
    ------
    ParameterError
        If weights are missing for some criteria or given for unknown ones (both named),
        negative, or do not sum to 1; or if the rasters are not on one grid.
    """
    names, w, active, arrays, w_active = check_scores_and_weights(scores, weights)
    total: xr.DataArray | None = None
    for array, wi in zip(arrays, w_active, strict=True):
        term = array.astype(np.float64) * float(wi)
        total = term if total is None else total + term
    assert total is not None  # at least one weight is > 0 because they sum to 1
    result = total.astype(np.float32)
    result.name = "suitability"
    weights_text = ", ".join(f"{n}: {wi:.4g}" for n, wi in zip(names, w, strict=True))
    result.attrs = score_attrs(arrays[0], "weighted-overlay suitability", weights=weights_text)
    return result
