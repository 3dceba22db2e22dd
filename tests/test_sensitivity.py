"""Tests of siting.land.sensitivity: weight draws, score spread and rank stability."""

from __future__ import annotations

import dask
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siting.errors import ParameterError
from siting.land import sensitivity
from siting.land.overlay import weighted_overlay

from .rasters import assert_lazy, raster

WEIGHTS = {"slope": 0.5, "road": 0.3, "river": 0.2}


def test_weight_draws_scheme():
    draws = sensitivity.weight_draws({**WEIGHTS, "zero": 0.0}, n_draws=500, spread=0.2, seed=1)
    assert list(draws.columns) == ["river", "road", "slope", "zero"]
    assert draws.index.name == "draw" and len(draws) == 500
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    assert (draws["zero"] == 0).all()
    ratio = draws[["river", "road", "slope"]] / pd.Series(WEIGHTS)
    assert ratio.to_numpy().min() >= 0.8 / 1.2 - 1e-12
    assert ratio.to_numpy().max() <= 1.2 / 0.8 + 1e-12
    np.testing.assert_allclose(draws.mean()[list(WEIGHTS)], list(WEIGHTS.values()), atol=0.01)
    # Same seed, any mapping order -> identical; other seed -> different; spread 0 -> base.
    reordered = {"river": 0.2, "zero": 0.0, "slope": 0.5, "road": 0.3}
    pd.testing.assert_frame_equal(draws, sensitivity.weight_draws(reordered, 500, 0.2, seed=1))
    assert not draws.equals(sensitivity.weight_draws(reordered, 500, 0.2, seed=2))
    fixed = sensitivity.weight_draws(WEIGHTS, n_draws=3, spread=0.0)
    np.testing.assert_allclose(fixed[["river", "road", "slope"]], [[0.2, 0.3, 0.5]] * 3)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"n_draws": 1}, "n_draws"),
        ({"n_draws": 2.5}, "n_draws"),
        ({"spread": 1.0}, "spread"),
        ({"spread": -0.1}, "spread"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_draw_parameter_errors(kwargs, word):
    with pytest.raises(ParameterError, match=word):
        sensitivity.weight_draws(WEIGHTS, **kwargs)


def _criteria(chunks=None, shape=(7, 9), seed=5):
    rng = np.random.default_rng(seed)
    data = {name: rng.random(shape) for name in WEIGHTS}
    data["road"][1, 2] = np.nan
    return {
        name: raster(v, name=f"{name}_score", units="1", chunks=chunks) for name, v in data.items()
    }


def _brute_force_draws(scores, weights, n_draws, spread, seed):
    draws = sensitivity.weight_draws(weights, n_draws, spread, seed)
    stack = np.stack([scores[n].values for n in draws.columns])  # (k, y, x)
    return np.einsum("dk,kyx->dyx", draws.to_numpy(), stack)  # (draws, y, x)


def test_score_spread_matches_brute_force(monkeypatch):
    # Small sub-blocks so that the block loop runs several times.
    monkeypatch.setattr(sensitivity, "SPREAD_BLOCK_BYTES", 10 * 64 * 4)  # 10 cells x 64 draws
    scores = _criteria()
    out = sensitivity.score_spread(scores, WEIGHTS, n_draws=64, spread=0.3, seed=7)
    sample = _brute_force_draws(scores, WEIGHTS, 64, 0.3, 7)
    np.testing.assert_allclose(out["score_mean"], sample.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(out["score_std"], sample.std(axis=0, ddof=1), atol=1e-6)
    np.testing.assert_allclose(out["score_p05"], np.quantile(sample, 0.05, axis=0), atol=1e-6)
    np.testing.assert_allclose(out["score_p95"], np.quantile(sample, 0.95, axis=0), atol=1e-6)
    for name, var in out.data_vars.items():
        assert var.dtype == np.float32 and var.attrs["units"] == "1", name
        assert var.rio.crs == scores["slope"].rio.crs
        assert np.isnan(var.values[1, 2])
    assert out.attrs["seed"] == 7 and out.attrs["n_draws"] == 64


def test_score_spread_without_spread_is_the_overlay():
    scores = _criteria()
    overlay = weighted_overlay(scores, WEIGHTS)
    out = sensitivity.score_spread(scores, WEIGHTS, n_draws=10, spread=0.0)
    for var in ("score_mean", "score_p05", "score_p95"):
        np.testing.assert_allclose(out[var], overlay, atol=1e-6)
    std = out["score_std"].values
    assert np.isnan(std[1, 2])
    np.testing.assert_allclose(np.nan_to_num(std), 0.0, atol=1e-7)


def test_score_spread_dask_is_lazy_and_equals_numpy():
    eager = sensitivity.score_spread(_criteria(), WEIGHTS, n_draws=50, seed=3)
    with assert_lazy():
        lazy = sensitivity.score_spread(
            _criteria(chunks={"y": 3, "x": 4}), WEIGHTS, n_draws=50, seed=3
        )
    assert all(isinstance(v.data, dask.array.Array) for v in lazy.data_vars.values())
    xr.testing.assert_allclose(lazy.compute(), eager, atol=1e-7)


def test_score_spread_seed_reproducible():
    scores = _criteria()
    a = sensitivity.score_spread(scores, WEIGHTS, n_draws=40, seed=11)
    b = sensitivity.score_spread(scores, WEIGHTS, n_draws=40, seed=11)
    c = sensitivity.score_spread(scores, WEIGHTS, n_draws=40, seed=12)
    xr.testing.assert_identical(a, b)
    assert not np.array_equal(a["score_p95"], c["score_p95"], equal_nan=True)


def _labels(chunks=None):
    labels = np.zeros((7, 9), dtype=np.int32)
    labels[0:3, 0:3] = 1
    labels[0:2, 5:9] = 2
    labels[4:7, 1:4] = 3
    labels[5:7, 6:9] = 7  # labels need not be consecutive
    labels[1, 2] = 1  # the NaN road cell lies in site 1
    return raster(labels, name="site", units="1", chunks=chunks)


def _brute_force_ranks(scores, weights, labels, n_draws, spread, seed):
    sample = _brute_force_draws(scores, weights, n_draws, spread, seed)
    ids = [1, 2, 3, 7]
    lab = labels.values
    site = np.array([[np.nanmean(d[lab == i]) for i in ids] for d in sample])  # (draws, sites)
    ranks = np.array([pd.Series(-row).rank(method="min").to_numpy() for row in site])
    return ids, site, ranks


def test_rank_stability_matches_brute_force():
    scores, labels = _criteria(), _labels()
    table = sensitivity.rank_stability(scores, WEIGHTS, labels, n_draws=80, spread=0.4, seed=2)
    ids, site, ranks = _brute_force_ranks(scores, WEIGHTS, labels, 80, 0.4, 2)
    overlay = weighted_overlay(scores, WEIGHTS).values
    base = {i: np.nanmean(overlay[labels.values == i]) for i in ids}
    base_order = sorted(ids, key=lambda i: -base[i])
    assert table["site_label"].tolist() == base_order
    assert table["base_rank"].tolist() == [1, 2, 3, 4]
    by_label = table.set_index("site_label")
    for j, i in enumerate(ids):
        row = by_label.loc[i]
        assert row["base_score"] == pytest.approx(base[i], abs=1e-6)
        assert row["mean_rank"] == pytest.approx(ranks[:, j].mean())
        assert row["p_same_rank"] == pytest.approx((ranks[:, j] == row["base_rank"]).mean())
        assert row["p_top_quartile"] == pytest.approx((ranks[:, j] <= 1).mean())
        q = np.quantile(ranks[:, j], [0.05, 0.95], method="inverted_cdf")
        assert (row["rank_p05"], row["rank_p95"]) == tuple(q)
        np.testing.assert_allclose(
            [row["score_p05"], row["score_p95"]], np.quantile(site[:, j], [0.05, 0.95])
        )
    assert by_label.loc[1, "n_cells"] == 8  # 9 cells, one with a NaN criterion
    assert by_label.loc[7, "n_cells"] == 6


def test_rank_stability_dask_equals_numpy_and_is_seeded():
    scores, labels = _criteria(), _labels()
    eager = sensitivity.rank_stability(scores, WEIGHTS, labels, n_draws=60, seed=4)
    lazy = sensitivity.rank_stability(
        _criteria(chunks={"y": 3, "x": 4}), WEIGHTS, _labels(chunks={"y": 2}), n_draws=60, seed=4
    )
    pd.testing.assert_frame_equal(lazy, eager, atol=1e-9)
    again = sensitivity.rank_stability(scores, WEIGHTS, labels, n_draws=60, seed=4)
    pd.testing.assert_frame_equal(again, eager, check_exact=True)
    other = sensitivity.rank_stability(scores, WEIGHTS, labels, n_draws=60, seed=5)
    assert not other["score_p05"].equals(eager["score_p05"])


def test_rank_stability_without_spread_keeps_the_ranking():
    table = sensitivity.rank_stability(_criteria(), WEIGHTS, _labels(), n_draws=5, spread=0.0)
    assert (table["p_same_rank"] == 1).all()
    assert (table["mean_rank"] == table["base_rank"].astype(float)).all()


def test_rank_stability_site_without_data_comes_last():
    scores = _criteria()
    scores["slope"] = scores["slope"].where(_labels() != 7)
    labels = _labels().astype(float).where(lambda x: x != 0)  # NaN = no site
    table = sensitivity.rank_stability(scores, WEIGHTS, labels, n_draws=20)
    assert table["site_label"].iloc[-1] == 7 and table["n_cells"].iloc[-1] == 0
    assert pd.isna(table["base_rank"].iloc[-1]) and np.isnan(table["base_score"].iloc[-1])
    assert table["base_rank"].iloc[:-1].tolist() == [1, 2, 3]
    assert str(table["base_rank"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("labels", "word"),
    [
        (np.full((7, 9), 1.5), "whole numbers"),
        (np.full((7, 9), -1), "negative"),
    ],
)
def test_rank_stability_label_errors(labels, word):
    with pytest.raises(ParameterError, match=word):
        sensitivity.rank_stability(_criteria(), WEIGHTS, raster(labels), n_draws=5)
    with pytest.raises(ParameterError, match="shape"):
        sensitivity.rank_stability(_criteria(), WEIGHTS, raster(np.ones((2, 2), int)), n_draws=5)


def test_rank_stability_without_sites_gives_an_empty_table():
    for chunks in (None, {"y": 3}):
        labels = raster(np.zeros((7, 9), dtype=np.int32), chunks=chunks)
        table = sensitivity.rank_stability(_criteria(), WEIGHTS, labels, n_draws=5)
        assert table.empty and "p_same_rank" in table.columns
        nan_labels = raster(np.full((7, 9), np.nan), chunks=chunks)
        assert sensitivity.rank_stability(_criteria(), WEIGHTS, nan_labels, n_draws=5).empty


def test_rank_stability_refuses_labels_off_the_grid_or_too_large():
    labels = _labels().assign_coords(x=_labels().x + 50.0)
    with pytest.raises(ParameterError, match="grid"):
        sensitivity.rank_stability(_criteria(), WEIGHTS, labels, n_draws=5)
    huge = _labels().copy(data=np.full((7, 9), sensitivity.MAX_SITE_LABEL + 1))
    with pytest.raises(ParameterError, match="number the sites"):
        sensitivity.rank_stability(_criteria(), WEIGHTS, huge, n_draws=5)


def test_sensitivity_accepts_mixed_backends_and_chunks():
    scores = _criteria()
    mixed = {
        "slope": scores["slope"].chunk({"y": 2}),
        "road": scores["road"],
        "river": scores["river"].chunk({"x": 5}),
    }
    xr.testing.assert_allclose(
        sensitivity.score_spread(mixed, WEIGHTS, n_draws=30).compute(),
        sensitivity.score_spread(scores, WEIGHTS, n_draws=30),
        atol=1e-7,
    )
    pd.testing.assert_frame_equal(
        sensitivity.rank_stability(mixed, WEIGHTS, _labels(), n_draws=30),
        sensitivity.rank_stability(scores, WEIGHTS, _labels(), n_draws=30),
        atol=1e-9,
    )


def test_score_spread_memory_is_bounded_by_bytes_not_cells():
    # 4,096 cells x 20,000 draws: a fixed 16,384-cell block held all 4,096 x 20,000 x 4 B =
    # 328 MB of draws at once; the byte budget (64 MiB) caps the block at 838 cells (67 MB).
    import tracemalloc

    rng = np.random.default_rng(0)
    scores = {
        name: xr.DataArray(rng.uniform(size=(64, 64)).astype(np.float32), dims=("y", "x"))
        for name in ("a", "b", "c")
    }
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    tracemalloc.start()
    sensitivity.score_spread(scores, weights, n_draws=20_000, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sensitivity.spread_block_cells(20_000) == 838
    # measured peak 2.0 x the budget (the draws and numpy's partition work space); was ~660 MB
    assert peak < 2.5 * sensitivity.SPREAD_BLOCK_BYTES


def test_spread_without_percentiles_is_the_same_mean_and_std_in_closed_form():
    rng = np.random.default_rng(5)
    scores = {
        name: xr.DataArray(rng.random((20, 30)).astype("float32"), dims=("y", "x"))
        for name in ("a", "b", "c")
    }
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    full = sensitivity.score_spread(scores, weights, n_draws=300, seed=2)
    fast = sensitivity.score_spread(scores, weights, n_draws=300, seed=2, percentiles=False)
    assert set(fast.data_vars) == {"score_mean", "score_std"}
    np.testing.assert_array_equal(fast["score_mean"].values, full["score_mean"].values)
    np.testing.assert_array_equal(fast["score_std"].values, full["score_std"].values)
    # and the closed form equals the std over the explicit draws
    draws = sensitivity.weight_draws(weights, n_draws=300, seed=2).to_numpy()
    stack = np.stack([scores[n].values for n in ("a", "b", "c")]).astype(np.float64)
    sample = np.einsum("dk,kyx->dyx", draws, stack)
    np.testing.assert_allclose(fast["score_std"].values, sample.std(axis=0, ddof=1), atol=1e-6)
