"""Tests of siting.land.mcda: membership functions, weighted overlay, AHP, weight sensitivity."""

from __future__ import annotations

import dataclasses
import math

import dask
import numpy as np
import pandas as pd
import pytest
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from siting.errors import ParameterError
from siting.land import mcda

CRS = "EPSG:32647"


def raster(values, name="criterion", units="m", chunks=None) -> xr.DataArray:
    """A small raster on a UTM 47N grid with 100 m cells."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.integer):
        values = values.astype(float)
    if values.ndim == 1:
        values = values[np.newaxis, :]
    ny, nx = values.shape
    array = xr.DataArray(
        values,
        dims=("y", "x"),
        coords={"y": 5_500_050.0 - 100.0 * np.arange(ny), "x": 450_050.0 + 100.0 * np.arange(nx)},
        name=name,
        attrs={"units": units},
    ).rio.write_crs(CRS)
    return array.chunk(chunks) if chunks is not None else array


def _refuse_compute(*args, **kwargs):
    raise AssertionError("the computation was triggered but should have stayed lazy")


def assert_lazy():
    """Context in which any dask compute fails the test."""
    return dask.config.set(scheduler=_refuse_compute)


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
    out = mcda.linear(np.array([0.0, 5.0, 7.5, 10.0, 15.0, 20.0, np.nan]), low=5, high=15)
    np.testing.assert_array_equal(out, np.array([0, 0, 0.25, 0.5, 1, 1, np.nan], np.float32))


def test_linear_decreasing_when_low_above_high():
    # Slope: 1 up to 10 degrees, 0 from 20 degrees ("less is better").
    out = mcda.linear(np.array([0.0, 10.0, 12.5, 15.0, 20.0, 40.0]), low=20, high=10)
    np.testing.assert_allclose(out, [1, 1, 0.75, 0.5, 0, 0])


def test_sigmoid_by_hand():
    x = np.array([10.0, 13.0, 7.0, 16.0])
    expected = [0.5, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1)), 1 / (1 + math.exp(-2))]
    np.testing.assert_allclose(mcda.sigmoid(x, midpoint=10, width=3), expected, rtol=1e-6)
    # Negative width mirrors the curve.
    np.testing.assert_allclose(
        mcda.sigmoid(x, midpoint=10, width=-3), 1 - np.array(expected), rtol=1e-6
    )


def test_sigmoid_extreme_values_saturate_without_warnings():
    with np.errstate(all="raise"):
        out = mcda.sigmoid(np.array([-1e308, 1e308, -np.inf, np.inf]), midpoint=0, width=1e-3)
    np.testing.assert_array_equal(out, [0, 1, 0, 1])


def test_trapezoid_by_hand():
    x = np.array([0.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 55.0, 60.0, 70.0])
    out = mcda.trapezoid(x, a=10, b=20, c=40, d=60)
    np.testing.assert_allclose(out, [0, 0, 0.5, 1, 1, 1, 0.5, 0.25, 0, 0])


def test_trapezoid_vertical_sides_and_triangle():
    x = np.array([9.99, 10.0, 15.0, 20.0, 20.01])
    # a == b: vertical rise at 10; c == d: vertical fall after 20.
    np.testing.assert_allclose(mcda.trapezoid(x, 10, 10, 20, 20), [0, 1, 1, 1, 0])
    # b == c: a triangle peaking at 15.
    np.testing.assert_allclose(mcda.trapezoid(x, 10, 15, 15, 20), [0, 0, 1, 0, 0])


def test_gaussian_by_hand():
    out = mcda.gaussian(np.array([1300.0, 1400.0, 1100.0, np.nan]), mean=1300, sd=100)
    np.testing.assert_allclose(out, [1, math.exp(-0.5), math.exp(-2), np.nan], rtol=1e-6)


def test_categorical_by_hand():
    scores = {10: 1.0, 20: 0.6, 30: 0.2}
    out = mcda.categorical(np.array([10, 20, 30, 40, -5]), scores)
    np.testing.assert_allclose(out, [1, 0.6, 0.2, 0, 0], rtol=1e-6)
    # Float class rasters with NaN nodata; fractional values are not a class.
    out = mcda.categorical(np.array([30.0, np.nan, 20.0, 20.5]), scores, default=0.3)
    np.testing.assert_allclose(out, [0.2, np.nan, 0.6, 0.3], rtol=1e-6)
    # default=None marks unlisted classes as nodata.
    out = mcda.categorical(np.array([10, 99]), scores, default=None)
    np.testing.assert_array_equal(np.isnan(out), [False, True])


def test_membership_dispatcher_matches_functions():
    x = np.linspace(-5, 25, 31)
    for kind, params in MEMBERSHIPS.items():
        expected = getattr(mcda, kind)(x, **params)
        np.testing.assert_array_equal(mcda.membership(x, kind, **params), expected)
    np.testing.assert_array_equal(
        mcda.membership(x, " Linear ", low=0, high=10), mcda.linear(x, 0, 10)
    )


# --------------------------------------------------------------------------------------------
# Membership: metadata, laziness, backends
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MEMBERSHIPS))
def test_membership_keeps_grid_and_sets_metadata(kind):
    values = raster([[0.0, 5.0, np.nan], [10.0, 15.0, 20.0]], name="slope", units="degree")
    out = mcda.membership(values, kind, **MEMBERSHIPS[kind])
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
    eager = mcda.membership(raster(data), kind, **MEMBERSHIPS[kind])
    with assert_lazy():
        lazy = mcda.membership(raster(data, chunks={"y": 2, "x": 3}), kind, **MEMBERSHIPS[kind])
    assert isinstance(lazy.data, dask.array.Array)
    assert lazy.rio.crs == eager.rio.crs
    xr.testing.assert_identical(lazy.compute(), eager)


def test_categorical_on_integer_dask_raster():
    classes = raster(np.array([[10, 20], [30, 40]], dtype=np.int16), chunks={"y": 1})
    out = mcda.categorical(classes, {10: 1.0, 40: 0.25})
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
    _in_unit_interval_or_nan(mcda.linear(x, low, high), x)


@settings(max_examples=60, deadline=None)
@given(values_strategy, param, st.floats(1e-3, 1e6) | st.floats(-1e6, -1e-3))
def test_sigmoid_in_unit_interval(x, midpoint, width):
    _in_unit_interval_or_nan(mcda.sigmoid(x, midpoint, width), x)


@settings(max_examples=60, deadline=None)
@given(values_strategy, st.lists(param, min_size=4, max_size=4))
def test_trapezoid_in_unit_interval(x, points):
    a, b, c, d = sorted(points)
    if a == d:
        return
    _in_unit_interval_or_nan(mcda.trapezoid(x, a, b, c, d), x)


@settings(max_examples=60, deadline=None)
@given(values_strategy, param, st.floats(1e-3, 1e6))
def test_gaussian_in_unit_interval(x, mean, sd):
    _in_unit_interval_or_nan(mcda.gaussian(x, mean, sd), x)


@settings(max_examples=60, deadline=None)
@given(
    values_strategy.map(np.round),
    st.dictionaries(st.integers(-100, 100), st.floats(0, 1), min_size=1, max_size=8),
    st.floats(0, 1),
)
def test_categorical_in_unit_interval(x, scores, default):
    _in_unit_interval_or_nan(mcda.categorical(x, scores, default), x)


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
    steps = np.diff(mcda.linear(x, low, high).astype(np.float64))
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
    steps = np.diff(mcda.sigmoid(x, midpoint, width).astype(np.float64))
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
        mcda.membership(np.arange(3.0), kind, **params)
    message = str(err.value)
    assert "Fix:" in message
    for word in words:
        assert word in message


def test_membership_unknown_kind_lists_the_kinds():
    with pytest.raises(ParameterError) as err:
        mcda.membership(np.arange(3.0), "cubic", low=0, high=1)
    for kind in mcda.MEMBERSHIP_KINDS:
        assert kind in str(err.value)
    assert isinstance(err.value, ValueError)


def test_membership_missing_and_unexpected_parameters_are_named():
    with pytest.raises(ParameterError, match="missing high") as err:
        mcda.membership(np.arange(3.0), "linear", low=0, hihg=1)
    assert "unexpected hihg" in str(err.value)


# --------------------------------------------------------------------------------------------
# Weighted overlay
# --------------------------------------------------------------------------------------------


def test_weighted_overlay_by_hand():
    a = raster([0.2, 1.0, np.nan, 0.0], name="a_score")
    b = raster([0.6, 0.0, 0.5, 0.0], name="b_score")
    out = mcda.weighted_overlay({"a": a, "b": b}, {"a": 0.25, "b": 0.75})
    np.testing.assert_allclose(out.values, [[0.5, 0.25, np.nan, 0.0]], rtol=1e-6)
    assert out.name == "suitability"
    assert out.attrs["units"] == "1"
    assert out.dtype == np.float32
    assert out.rio.crs == a.rio.crs


def test_weighted_overlay_ignores_nodata_of_zero_weight_criteria():
    a = raster([0.2, 0.4])
    b = raster([np.nan, np.nan])
    out = mcda.weighted_overlay({"a": a, "b": b}, {"a": 1.0, "b": 0.0})
    np.testing.assert_allclose(out.values, [[0.2, 0.4]], rtol=1e-6)


def test_weighted_overlay_dask_is_lazy_and_equals_numpy():
    rng = np.random.default_rng(3)
    data = {k: rng.random((6, 7)) for k in "abc"}
    data["b"][2, 3] = np.nan
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    eager = mcda.weighted_overlay({k: raster(v) for k, v in data.items()}, weights)
    with assert_lazy():
        lazy = mcda.weighted_overlay(
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
    out = mcda.weighted_overlay(scores, weights).values
    assert np.all((out >= 0) & (out <= 1))


def test_weighted_overlay_names_missing_and_extra_weights():
    scores = {"slope": raster([0.5]), "road": raster([0.5])}
    with pytest.raises(ParameterError) as err:
        mcda.weighted_overlay(scores, {"slope": 0.5, "river": 0.5})
    assert "'road'" in str(err.value) and "'river'" in str(err.value)


def test_weighted_overlay_refuses_bad_weights():
    scores = {"a": raster([0.5]), "b": raster([0.5])}
    with pytest.raises(ParameterError) as err:
        mcda.weighted_overlay(scores, {"a": 0.5, "b": 0.45})
    assert "0.95" in str(err.value)
    assert "normalise" in str(err.value) and "ahp_weights" in str(err.value)
    with pytest.raises(ParameterError, match="negative"):
        mcda.weighted_overlay(scores, {"a": 1.5, "b": -0.5})
    # Within 1e-6 of 1 is accepted.
    mcda.weighted_overlay(scores, {"a": 0.5, "b": 0.5000005})


def test_weighted_overlay_refuses_rasters_on_different_grids():
    a = raster([[0.5, 0.5]])
    b = raster([[0.5, 0.5]]).assign_coords(x=[0.0, 1.0])
    with pytest.raises(ParameterError, match="same grid"):
        mcda.weighted_overlay({"a": a, "b": b}, {"a": 0.5, "b": 0.5})
    with pytest.raises(ParameterError, match="shape"):
        mcda.weighted_overlay({"a": a, "b": raster([[0.5, 0.5, 0.5]])}, {"a": 0.5, "b": 0.5})


# --------------------------------------------------------------------------------------------
# AHP
# --------------------------------------------------------------------------------------------

# Saaty, T.L. (2008) Decision making with the analytic hierarchy process. Int. J. Services
# Sciences 1(1):83-98, relative consumption of drinks in the United States: the pairwise
# judgements and the derived priorities (coffee .177, wine .019, tea .042, beer .116,
# sodas .190, milk .129, water .327).
DRINKS = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
DRINK_JUDGEMENTS = {
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2, ("coffee", "soda"): 1,
    ("coffee", "milk"): 1, ("water", "coffee"): 2,
    ("tea", "wine"): 3, ("beer", "wine"): 9, ("soda", "wine"): 9, ("milk", "wine"): 9,
    ("water", "wine"): 9,
    ("beer", "tea"): 3, ("soda", "tea"): 4, ("milk", "tea"): 3, ("water", "tea"): 9,
    ("soda", "beer"): 2, ("beer", "milk"): 1, ("water", "beer"): 3,
    ("soda", "milk"): 2, ("water", "soda"): 2,
    ("water", "milk"): 3,
}  # fmt: skip
DRINK_PRIORITIES = {
    "coffee": 0.177, "wine": 0.019, "tea": 0.042, "beer": 0.116,
    "soda": 0.190, "milk": 0.129, "water": 0.327,
}  # fmt: skip


def _power_iteration(a: np.ndarray) -> tuple[np.ndarray, float]:
    """Principal eigenpair by power iteration (independent of numpy.linalg.eig)."""
    w = np.full(a.shape[0], 1.0 / a.shape[0])
    for _ in range(1000):
        nxt = a @ w
        nxt /= nxt.sum()
        if np.allclose(nxt, w, rtol=0, atol=1e-15):
            break
        w = nxt
    return w, float((a @ w / w).mean())


def test_random_index_table_is_saatys():
    assert list(mcda.SAATY_RANDOM_INDEX) == list(range(1, 11))
    assert list(mcda.SAATY_RANDOM_INDEX.values()) == [
        0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49
    ]  # fmt: skip
    assert mcda.AHP_CONSISTENCY_RATIO_LIMIT == 0.10


def test_ahp_reproduces_saaty_2008_drinks_example():
    matrix = mcda.ahp_matrix_from_upper(DRINKS, DRINK_JUDGEMENTS)
    result = mcda.ahp_weights(matrix, DRINKS)
    assert {k: round(v, 3) for k, v in result.weights.items()} == DRINK_PRIORITIES
    w, lam = _power_iteration(matrix)
    np.testing.assert_allclose([result.weights[n] for n in DRINKS], w, atol=1e-10)
    assert result.lambda_max == pytest.approx(lam, abs=1e-9)
    assert result.consistency_index == pytest.approx((lam - 7) / 6)
    assert result.random_index == 1.32
    assert result.consistency_ratio == pytest.approx((lam - 7) / 6 / 1.32)
    assert round(result.consistency_ratio, 3) == 0.022
    assert sum(result.weights.values()) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.01, 100), min_size=1, max_size=10))
def test_ahp_recovers_weights_of_a_consistent_matrix(raw):
    w = np.array(raw) / sum(raw)
    names = [f"c{i}" for i in range(w.size)]
    result = mcda.ahp_weights(w[:, None] / w[None, :], names)
    np.testing.assert_allclose([result.weights[n] for n in names], w, rtol=1e-9, atol=1e-12)
    assert result.lambda_max == pytest.approx(w.size, rel=1e-9)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)


def test_ahp_small_matrices_are_consistent():
    r1 = mcda.ahp_weights([[1.0]], ["only"])
    assert r1.weights == {"only": 1.0} and r1.consistency_ratio == 0
    r2 = mcda.ahp_weights([[1, 4], [0.25, 1]], ["a", "b"])
    assert r2.weights == pytest.approx({"a": 0.8, "b": 0.2})
    assert r2.consistency_ratio == 0 and r2.random_index == 0


def test_ahp_refuses_inconsistent_matrix_and_shows_cr():
    names = ["slope", "road", "river"]
    # slope = road, road 3x river, yet river = slope: intransitive.
    matrix = np.array([[1, 1, 1], [1, 1, 3], [1, 1 / 3, 1]], dtype=float)
    lam = max(np.linalg.eigvals(matrix).real)
    cr = (lam - 3) / 2 / 0.58
    assert cr > 0.1
    with pytest.raises(ParameterError) as err:
        mcda.ahp_weights(matrix, names)
    message = str(err.value)
    assert f"CR = {cr:.2f} ≥ 0.10" in message
    assert "revisit" in message and "max_consistency_ratio" in message
    assert "'slope' vs 'river'" in message or "'road' vs 'river'" in message
    accepted = mcda.ahp_weights(matrix, names, max_consistency_ratio=math.inf)
    assert accepted.consistency_ratio == pytest.approx(cr)


def test_ahp_names_the_most_inconsistent_judgement():
    names = ["a", "b", "c", "d"]
    w = np.array([0.4, 0.3, 0.2, 0.1])
    matrix = w[:, None] / w[None, :]
    matrix[0, 3], matrix[3, 0] = 1 / 9, 9.0  # a vs d reversed and exaggerated
    with pytest.raises(ParameterError, match="'a' vs 'd'"):
        mcda.ahp_weights(matrix, names)


@pytest.mark.parametrize(
    ("matrix", "names", "words"),
    [
        ([[1, 2, 3], [0.5, 1, 1]], ["a", "b"], ["not square"]),
        ([[1, 2], [0.5, 1]], ["a", "b", "c"], ["2 x 2", "3 names"]),
        ([[1, 0], [0, 1]], ["a", "b"], ["positive", "'a', 'b'"]),
        ([[1, -2], [-0.5, 1]], ["a", "b"], ["positive"]),
        ([[1, np.nan], [1, 1]], ["a", "b"], ["positive and finite"]),
        ([[2, 2], [0.5, 1]], ["a", "b"], ["diagonal", "'a'"]),
        ([[1, 3], [0.3, 1]], ["slope", "road"], ["(0, 1)", "'slope'", "'road'", "reciprocal"]),
        (np.ones((11, 11)), [f"c{i}" for i in range(11)], ["11 criteria", "hierarchy"]),
        ([[1, 2], [0.5, 1]], ["a", "a"], ["appear twice"]),
    ],
)
def test_ahp_validation(matrix, names, words):
    with pytest.raises(ParameterError) as err:
        mcda.ahp_weights(matrix, names)
    for word in words:
        assert word in str(err.value)


def test_ahp_result_is_frozen():
    result = mcda.ahp_weights([[1, 2], [0.5, 1]], ["a", "b"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.consistency_ratio = 1.0  # type: ignore[misc]


def test_ahp_matrix_from_upper():
    matrix = mcda.ahp_matrix_from_upper(
        ["a", "b", "c"], {("a", "b"): 3, ("c", "a"): 2, ("b", "c"): 0.5}
    )
    expected = np.array([[1, 3, 0.5], [1 / 3, 1, 0.5], [2, 2, 1]])
    np.testing.assert_allclose(matrix, expected)


@pytest.mark.parametrize(
    ("judgements", "words"),
    [
        ({("a", "b"): 3}, ["('a', 'c')", "('b', 'c')"]),
        ({("a", "b"): 3, ("b", "a"): 1 / 3, ("a", "c"): 1, ("b", "c"): 1}, ["same pair"]),
        ({("a", "x"): 3}, ["unknown", "'x'"]),
        ({("a", "a"): 1}, ["itself"]),
        ({("a", "b"): 0, ("a", "c"): 1, ("b", "c"): 1}, ["not positive"]),
        ({"ab": 2}, ["not a pair"]),
    ],
)
def test_ahp_matrix_from_upper_errors(judgements, words):
    with pytest.raises(ParameterError) as err:
        mcda.ahp_matrix_from_upper(["a", "b", "c"], judgements)
    for word in words:
        assert word in str(err.value)


# --------------------------------------------------------------------------------------------
# Weight sensitivity
# --------------------------------------------------------------------------------------------

WEIGHTS = {"slope": 0.5, "road": 0.3, "river": 0.2}


def test_weight_draws_scheme():
    draws = mcda.weight_draws({**WEIGHTS, "zero": 0.0}, n_draws=500, spread=0.2, seed=1)
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
    pd.testing.assert_frame_equal(draws, mcda.weight_draws(reordered, 500, 0.2, seed=1))
    assert not draws.equals(mcda.weight_draws(reordered, 500, 0.2, seed=2))
    fixed = mcda.weight_draws(WEIGHTS, n_draws=3, spread=0.0)
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
        mcda.weight_draws(WEIGHTS, **kwargs)


def _criteria(chunks=None, shape=(7, 9), seed=5):
    rng = np.random.default_rng(seed)
    data = {name: rng.random(shape) for name in WEIGHTS}
    data["road"][1, 2] = np.nan
    return {
        name: raster(v, name=f"{name}_score", units="1", chunks=chunks) for name, v in data.items()
    }


def _brute_force_draws(scores, weights, n_draws, spread, seed):
    draws = mcda.weight_draws(weights, n_draws, spread, seed)
    stack = np.stack([scores[n].values for n in draws.columns])  # (k, y, x)
    return np.einsum("dk,kyx->dyx", draws.to_numpy(), stack)  # (draws, y, x)


def test_score_spread_matches_brute_force(monkeypatch):
    # Small sub-blocks so that the block loop runs several times.
    monkeypatch.setattr(mcda, "SPREAD_BLOCK_CELLS", 10)
    scores = _criteria()
    out = mcda.score_spread(scores, WEIGHTS, n_draws=64, spread=0.3, seed=7)
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
    overlay = mcda.weighted_overlay(scores, WEIGHTS)
    out = mcda.score_spread(scores, WEIGHTS, n_draws=10, spread=0.0)
    for var in ("score_mean", "score_p05", "score_p95"):
        np.testing.assert_allclose(out[var], overlay, atol=1e-6)
    std = out["score_std"].values
    assert np.isnan(std[1, 2])
    np.testing.assert_allclose(np.nan_to_num(std), 0.0, atol=1e-7)


def test_score_spread_dask_is_lazy_and_equals_numpy():
    eager = mcda.score_spread(_criteria(), WEIGHTS, n_draws=50, seed=3)
    with assert_lazy():
        lazy = mcda.score_spread(_criteria(chunks={"y": 3, "x": 4}), WEIGHTS, n_draws=50, seed=3)
    assert all(isinstance(v.data, dask.array.Array) for v in lazy.data_vars.values())
    xr.testing.assert_allclose(lazy.compute(), eager, atol=1e-7)


def test_score_spread_seed_reproducible():
    scores = _criteria()
    a = mcda.score_spread(scores, WEIGHTS, n_draws=40, seed=11)
    b = mcda.score_spread(scores, WEIGHTS, n_draws=40, seed=11)
    c = mcda.score_spread(scores, WEIGHTS, n_draws=40, seed=12)
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
    table = mcda.rank_stability(scores, WEIGHTS, labels, n_draws=80, spread=0.4, seed=2)
    ids, site, ranks = _brute_force_ranks(scores, WEIGHTS, labels, 80, 0.4, 2)
    overlay = mcda.weighted_overlay(scores, WEIGHTS).values
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
    eager = mcda.rank_stability(scores, WEIGHTS, labels, n_draws=60, seed=4)
    lazy = mcda.rank_stability(
        _criteria(chunks={"y": 3, "x": 4}), WEIGHTS, _labels(chunks={"y": 2}), n_draws=60, seed=4
    )
    pd.testing.assert_frame_equal(lazy, eager, atol=1e-9)
    again = mcda.rank_stability(scores, WEIGHTS, labels, n_draws=60, seed=4)
    pd.testing.assert_frame_equal(again, eager, check_exact=True)
    other = mcda.rank_stability(scores, WEIGHTS, labels, n_draws=60, seed=5)
    assert not other["score_p05"].equals(eager["score_p05"])


def test_rank_stability_without_spread_keeps_the_ranking():
    table = mcda.rank_stability(_criteria(), WEIGHTS, _labels(), n_draws=5, spread=0.0)
    assert (table["p_same_rank"] == 1).all()
    assert (table["mean_rank"] == table["base_rank"].astype(float)).all()


def test_rank_stability_site_without_data_comes_last():
    scores = _criteria()
    scores["slope"] = scores["slope"].where(_labels() != 7)
    labels = _labels().astype(float).where(lambda x: x != 0)  # NaN = no site
    table = mcda.rank_stability(scores, WEIGHTS, labels, n_draws=20)
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
        mcda.rank_stability(_criteria(), WEIGHTS, raster(labels), n_draws=5)
    with pytest.raises(ParameterError, match="shape"):
        mcda.rank_stability(_criteria(), WEIGHTS, raster(np.ones((2, 2), int)), n_draws=5)


def test_rank_stability_without_sites_gives_an_empty_table():
    for chunks in (None, {"y": 3}):
        labels = raster(np.zeros((7, 9), dtype=np.int32), chunks=chunks)
        table = mcda.rank_stability(_criteria(), WEIGHTS, labels, n_draws=5)
        assert table.empty and "p_same_rank" in table.columns
        nan_labels = raster(np.full((7, 9), np.nan), chunks=chunks)
        assert mcda.rank_stability(_criteria(), WEIGHTS, nan_labels, n_draws=5).empty


def test_rank_stability_refuses_labels_off_the_grid_or_too_large():
    labels = _labels().assign_coords(x=_labels().x + 50.0)
    with pytest.raises(ParameterError, match="grid"):
        mcda.rank_stability(_criteria(), WEIGHTS, labels, n_draws=5)
    huge = _labels().copy(data=np.full((7, 9), mcda.MAX_SITE_LABEL + 1))
    with pytest.raises(ParameterError, match="number the sites"):
        mcda.rank_stability(_criteria(), WEIGHTS, huge, n_draws=5)


def test_sensitivity_accepts_mixed_backends_and_chunks():
    scores = _criteria()
    mixed = {
        "slope": scores["slope"].chunk({"y": 2}),
        "road": scores["road"],
        "river": scores["river"].chunk({"x": 5}),
    }
    xr.testing.assert_allclose(
        mcda.score_spread(mixed, WEIGHTS, n_draws=30).compute(),
        mcda.score_spread(scores, WEIGHTS, n_draws=30),
        atol=1e-7,
    )
    pd.testing.assert_frame_equal(
        mcda.rank_stability(mixed, WEIGHTS, _labels(), n_draws=30),
        mcda.rank_stability(scores, WEIGHTS, _labels(), n_draws=30),
        atol=1e-9,
    )
