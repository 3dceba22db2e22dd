"""Tests of siting.land.overlay: the weighted linear combination of criterion scores."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from siting.errors import ParameterError
from siting.land.overlay import weighted_overlay

from .rasters import assert_lazy, raster


def test_weighted_overlay_by_hand():
    a = raster([0.2, 1.0, np.nan, 0.0], name="a_score")
    b = raster([0.6, 0.0, 0.5, 0.0], name="b_score")
    out = weighted_overlay({"a": a, "b": b}, {"a": 0.25, "b": 0.75})
    np.testing.assert_allclose(out.values, [[0.5, 0.25, np.nan, 0.0]], rtol=1e-6)
    assert out.name == "suitability"
    assert out.attrs["units"] == "1"
    assert out.dtype == np.float32
    assert out.rio.crs == a.rio.crs


def test_weighted_overlay_ignores_nodata_of_zero_weight_criteria():
    a = raster([0.2, 0.4])
    b = raster([np.nan, np.nan])
    out = weighted_overlay({"a": a, "b": b}, {"a": 1.0, "b": 0.0})
    np.testing.assert_allclose(out.values, [[0.2, 0.4]], rtol=1e-6)


def test_weighted_overlay_dask_is_lazy_and_equals_numpy():
    rng = np.random.default_rng(3)
    data = {k: rng.random((6, 7)) for k in "abc"}
    data["b"][2, 3] = np.nan
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    eager = weighted_overlay({k: raster(v) for k, v in data.items()}, weights)
    with assert_lazy():
        lazy = weighted_overlay(
            {k: raster(v, chunks={"y": 4, "x": 3}) for k, v in data.items()}, weights
        )
    xr.testing.assert_identical(lazy.compute(), eager)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda k: st.tuples(
            hnp.arrays(np.float64, (k, 3, 4), elements=st.floats(0, 1)),
            st.lists(st.floats(0, 1), min_size=k, max_size=k).filter(lambda w: sum(w) > 0.01),
        )
    )
)
def test_weighted_overlay_in_unit_interval(case):
    stack, raw = case
    total = sum(raw)
    weights = {f"c{i}": w / total for i, w in enumerate(raw)}
    scores = {f"c{i}": raster(stack[i]) for i in range(len(raw))}
    out = weighted_overlay(scores, weights).values
    assert np.all((out >= 0) & (out <= 1))


def test_weighted_overlay_names_missing_and_extra_weights():
    scores = {"slope": raster([0.5]), "road": raster([0.5])}
    with pytest.raises(ParameterError) as err:
        weighted_overlay(scores, {"slope": 0.5, "river": 0.5})
    assert "'road'" in str(err.value) and "'river'" in str(err.value)


def test_weighted_overlay_refuses_bad_weights():
    scores = {"a": raster([0.5]), "b": raster([0.5])}
    with pytest.raises(ParameterError) as err:
        weighted_overlay(scores, {"a": 0.5, "b": 0.45})
    assert "0.95" in str(err.value)
    assert "normalise" in str(err.value) and "ahp_weights" in str(err.value)
    with pytest.raises(ParameterError, match="negative"):
        weighted_overlay(scores, {"a": 1.5, "b": -0.5})
    # Within 1e-6 of 1 is accepted.
    weighted_overlay(scores, {"a": 0.5, "b": 0.5000005})


def test_weighted_overlay_refuses_rasters_on_different_grids():
    a = raster([[0.5, 0.5]])
    b = raster([[0.5, 0.5]]).assign_coords(x=[0.0, 1.0])
    with pytest.raises(ParameterError, match="same grid"):
        weighted_overlay({"a": a, "b": b}, {"a": 0.5, "b": 0.5})
    with pytest.raises(ParameterError, match="shape"):
        weighted_overlay({"a": a, "b": raster([[0.5, 0.5, 0.5]])}, {"a": 0.5, "b": 0.5})
