"""Tests of siting.land.membership: criterion values mapped to scores in [0, 1]."""

from __future__ import annotations

import math

import dask
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from siting.errors import ParameterError
from siting.land import membership

from .rasters import assert_lazy, raster

MEMBERSHIPS = {
    "linear": {"low": 5.0, "high": 15.0},
    "sigmoid": {"midpoint": 10.0, "width": 3.0},
    "trapezoid": {"a": 0.0, "b": 5.0, "c": 10.0, "d": 20.0},
    "gaussian": {"mean": 10.0, "sd": 4.0},
    "categorical": {"scores": {0: 0.1, 5: 1.0, 10: 0.5}, "default": 0.0},
}

# --------------------------------------------------------------------------------------------
# Membership: hand-computed values
# --------------------------------------------------------------------------------------------


def test_linear_increasing_by_hand():
    out = membership.linear(np.array([0.0, 5.0, 7.5, 10.0, 15.0, 20.0, np.nan]), low=5, high=15)
    np.testing.assert_array_equal(out, np.array([0, 0, 0.25, 0.5, 1, 1, np.nan], np.float32))


def test_linear_decreasing_when_low_above_high():
    # Slope: 1 up to 10 degrees, 0 from 20 degrees ("less is better").
    out = membership.linear(np.array([0.0, 10.0, 12.5, 15.0, 20.0, 40.0]), low=20, high=10)
    np.testing.assert_allclose(out, [1, 1, 0.75, 0.5, 0, 0])


def test_sigmoid_by_hand():
    x = np.array([10.0, 13.0, 7.0, 16.0])
    expected = [0.5, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1)), 1 / (1 + math.exp(-2))]
    np.testing.assert_allclose(membership.sigmoid(x, midpoint=10, width=3), expected, rtol=1e-6)
    # Negative width mirrors the curve.
    np.testing.assert_allclose(
        membership.sigmoid(x, midpoint=10, width=-3), 1 - np.array(expected), rtol=1e-6
    )


def test_sigmoid_extreme_values_saturate_without_warnings():
    with np.errstate(all="raise"):
        out = membership.sigmoid(np.array([-1e308, 1e308, -np.inf, np.inf]), midpoint=0, width=1e-3)
    np.testing.assert_array_equal(out, [0, 1, 0, 1])


def test_trapezoid_by_hand():
    x = np.array([0.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 55.0, 60.0, 70.0])
    out = membership.trapezoid(x, a=10, b=20, c=40, d=60)
    np.testing.assert_allclose(out, [0, 0, 0.5, 1, 1, 1, 0.5, 0.25, 0, 0])


def test_trapezoid_vertical_sides_and_triangle():
    x = np.array([9.99, 10.0, 15.0, 20.0, 20.01])
    # a == b: vertical rise at 10; c == d: vertical fall after 20.
    np.testing.assert_allclose(membership.trapezoid(x, 10, 10, 20, 20), [0, 1, 1, 1, 0])
    # b == c: a triangle peaking at 15.
    np.testing.assert_allclose(membership.trapezoid(x, 10, 15, 15, 20), [0, 0, 1, 0, 0])


def test_gaussian_by_hand():
    out = membership.gaussian(np.array([1300.0, 1400.0, 1100.0, np.nan]), mean=1300, sd=100)
    np.testing.assert_allclose(out, [1, math.exp(-0.5), math.exp(-2), np.nan], rtol=1e-6)


def test_categorical_by_hand():
    scores = {10: 1.0, 20: 0.6, 30: 0.2}
    out = membership.categorical(np.array([10, 20, 30, 40, -5]), scores)
    np.testing.assert_allclose(out, [1, 0.6, 0.2, 0, 0], rtol=1e-6)
    # Float class rasters with NaN nodata; fractional values are not a class.
    out = membership.categorical(np.array([30.0, np.nan, 20.0, 20.5]), scores, default=0.3)
    np.testing.assert_allclose(out, [0.2, np.nan, 0.6, 0.3], rtol=1e-6)
    # default=None marks unlisted classes as nodata.
    out = membership.categorical(np.array([10, 99]), scores, default=None)
    np.testing.assert_array_equal(np.isnan(out), [False, True])


def test_membership_dispatcher_matches_functions():
    x = np.linspace(-5, 25, 31)
    for kind, params in MEMBERSHIPS.items():
        expected = getattr(membership, kind)(x, **params)
        np.testing.assert_array_equal(membership.membership(x, kind, **params), expected)
    np.testing.assert_array_equal(
        membership.membership(x, " Linear ", low=0, high=10), membership.linear(x, 0, 10)
    )


# --------------------------------------------------------------------------------------------
# Membership: metadata, laziness, backends
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MEMBERSHIPS))
def test_membership_keeps_grid_and_sets_metadata(kind):
    values = raster([[0.0, 5.0, np.nan], [10.0, 15.0, 20.0]], name="slope", units="degree")
    out = membership.membership(values, kind, **MEMBERSHIPS[kind])
    assert out.name == "slope_score"
    assert out.attrs["units"] == "1"
    assert out.dtype == np.float32
    assert out.rio.crs == values.rio.crs
    xr.testing.assert_equal(out.coords.to_dataset(), values.coords.to_dataset())
    assert np.isnan(out.values[0, 2])
    assert values.attrs == {"units": "degree"}  # the input is untouched


@pytest.mark.parametrize("kind", list(MEMBERSHIPS))
def test_membership_dask_is_lazy_and_equals_numpy(kind):
    data = np.array([[0.0, 5.0, np.nan, 7.0], [10.0, 15.0, 20.0, 3.0], [1.0, 2.0, 5.0, 10.0]])
    eager = membership.membership(raster(data), kind, **MEMBERSHIPS[kind])
    with assert_lazy():
        lazy = membership.membership(
            raster(data, chunks={"y": 2, "x": 3}), kind, **MEMBERSHIPS[kind]
        )
    assert isinstance(lazy.data, dask.array.Array)
    assert lazy.rio.crs == eager.rio.crs
    xr.testing.assert_identical(lazy.compute(), eager)


def test_categorical_on_integer_dask_raster():
    classes = raster(np.array([[10, 20], [30, 40]], dtype=np.int16), chunks={"y": 1})
    out = membership.categorical(classes, {10: 1.0, 40: 0.25})
    np.testing.assert_allclose(out.values, [[1, 0], [0, 0.25]])


# --------------------------------------------------------------------------------------------
# Membership: properties
# --------------------------------------------------------------------------------------------

values_strategy = hnp.arrays(
    np.float64,
    st.integers(1, 30),
    elements=st.floats(allow_nan=True, allow_infinity=True, width=64),
)
param = st.floats(-1e6, 1e6, allow_nan=False)


def _in_unit_interval_or_nan(out, x):
    out = np.asarray(out)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))
    finite = out[~np.isnan(out)]
    assert np.all((finite >= 0) & (finite <= 1))


@settings(max_examples=60, deadline=None)
@given(values_strategy, param, param)
def test_linear_in_unit_interval(x, low, high):
    if low == high:
        return
    _in_unit_interval_or_nan(membership.linear(x, low, high), x)


@settings(max_examples=60, deadline=None)
@given(values_strategy, param, st.floats(1e-3, 1e6) | st.floats(-1e6, -1e-3))
def test_sigmoid_in_unit_interval(x, midpoint, width):
    _in_unit_interval_or_nan(membership.sigmoid(x, midpoint, width), x)


@settings(max_examples=60, deadline=None)
@given(values_strategy, st.lists(param, min_size=4, max_size=4))
def test_trapezoid_in_unit_interval(x, points):
    a, b, c, d = sorted(points)
    if a == d:
        return
    _in_unit_interval_or_nan(membership.trapezoid(x, a, b, c, d), x)


@settings(max_examples=60, deadline=None)
@given(values_strategy, param, st.floats(1e-3, 1e6))
def test_gaussian_in_unit_interval(x, mean, sd):
    _in_unit_interval_or_nan(membership.gaussian(x, mean, sd), x)


@settings(max_examples=60, deadline=None)
@given(
    values_strategy.map(np.round),
    st.dictionaries(st.integers(-100, 100), st.floats(0, 1), min_size=1, max_size=8),
    st.floats(0, 1),
)
def test_categorical_in_unit_interval(x, scores, default):
    _in_unit_interval_or_nan(membership.categorical(x, scores, default), x)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 30), elements=st.floats(-1e4, 1e4)),
    param,
    param,
)
def test_linear_is_monotonic(x, low, high):
    if low == high:
        return
    x = np.sort(x)
    steps = np.diff(membership.linear(x, low, high).astype(np.float64))
    assert np.all(steps >= 0) if low < high else np.all(steps <= 0)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 30), elements=st.floats(-1e4, 1e4)),
    param,
    st.floats(1e-2, 1e4),
    st.booleans(),
)
def test_sigmoid_is_monotonic(x, midpoint, width, decreasing):
    x = np.sort(x)
    width = -width if decreasing else width
    steps = np.diff(membership.sigmoid(x, midpoint, width).astype(np.float64))
    assert np.all(steps <= 0) if decreasing else np.all(steps >= 0)


# --------------------------------------------------------------------------------------------
# Membership: errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "words"),
    [
        ("linear", {"low": 3, "high": 3}, ["'low' and 'high'", "different"]),
        ("linear", {"low": float("nan"), "high": 3}, ["'low'", "not finite"]),
        ("sigmoid", {"midpoint": 0, "width": 0}, ["'width'", "non-zero"]),
        ("trapezoid", {"a": 0, "b": 5, "c": 3, "d": 9}, ["b = 5 is greater than c = 3"]),
        ("trapezoid", {"a": 4, "b": 2, "c": 5, "d": 9}, ["a = 4 is greater than b = 2"]),
        ("trapezoid", {"a": 2, "b": 2, "c": 2, "d": 2}, ["a = d", "a < d"]),
        ("gaussian", {"mean": 0, "sd": 0}, ["'sd'", "> 0"]),
        ("gaussian", {"mean": 0, "sd": -1}, ["'sd'"]),
        ("categorical", {"scores": {}}, ["no class scores"]),
        ("categorical", {"scores": {1: 1.5}}, ["outside [0, 1]"]),
        ("categorical", {"scores": {2.5: 1.0}}, ["2.5", "not an integer"]),
        ("categorical", {"scores": {1: 1.0}, "default": 2}, ["'default'", "outside [0, 1]"]),
    ],
)
def test_membership_parameter_errors(kind, params, words):
    with pytest.raises(ParameterError) as err:
        membership.membership(np.arange(3.0), kind, **params)
    message = str(err.value)
    assert "Fix:" in message
    for word in words:
        assert word in message


def test_membership_unknown_kind_lists_the_kinds():
    with pytest.raises(ParameterError) as err:
        membership.membership(np.arange(3.0), "cubic", low=0, high=1)
    for kind in membership.MEMBERSHIP_KINDS:
        assert kind in str(err.value)
    assert isinstance(err.value, ValueError)


def test_membership_missing_and_unexpected_parameters_are_named():
    with pytest.raises(ParameterError, match="missing high") as err:
        membership.membership(np.arange(3.0), "linear", low=0, hihg=1)
    assert "unexpected hihg" in str(err.value)
