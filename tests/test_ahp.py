"""Tests of siting.land.ahp: weights and consistency of pairwise comparisons."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.errors import ParameterError
from siting.land import ahp

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
    assert list(ahp.SAATY_RANDOM_INDEX) == list(range(1, 11))
    assert list(ahp.SAATY_RANDOM_INDEX.values()) == [
        0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49
    ]  # fmt: skip
    assert ahp.AHP_CONSISTENCY_RATIO_LIMIT == 0.10


def test_ahp_reproduces_saaty_2008_drinks_example():
    matrix = ahp.ahp_matrix_from_upper(DRINKS, DRINK_JUDGEMENTS)
    result = ahp.ahp_weights(matrix, DRINKS)
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
    result = ahp.ahp_weights(w[:, None] / w[None, :], names)
    np.testing.assert_allclose([result.weights[n] for n in names], w, rtol=1e-9, atol=1e-12)
    assert result.lambda_max == pytest.approx(w.size, rel=1e-9)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)


def test_ahp_small_matrices_are_consistent():
    r1 = ahp.ahp_weights([[1.0]], ["only"])
    assert r1.weights == {"only": 1.0} and r1.consistency_ratio == 0
    r2 = ahp.ahp_weights([[1, 4], [0.25, 1]], ["a", "b"])
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
        ahp.ahp_weights(matrix, names)
    message = str(err.value)
    assert f"CR = {cr:.2f} ≥ 0.10" in message
    assert "revisit" in message and "max_consistency_ratio" in message
    assert "'slope' vs 'river'" in message or "'road' vs 'river'" in message
    accepted = ahp.ahp_weights(matrix, names, max_consistency_ratio=math.inf)
    assert accepted.consistency_ratio == pytest.approx(cr)


def test_ahp_names_the_most_inconsistent_judgement():
    names = ["a", "b", "c", "d"]
    w = np.array([0.4, 0.3, 0.2, 0.1])
    matrix = w[:, None] / w[None, :]
    matrix[0, 3], matrix[3, 0] = 1 / 9, 9.0  # a vs d reversed and exaggerated
    with pytest.raises(ParameterError, match="'a' vs 'd'"):
        ahp.ahp_weights(matrix, names)


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
        ahp.ahp_weights(matrix, names)
    for word in words:
        assert word in str(err.value)


def test_ahp_result_is_frozen():
    result = ahp.ahp_weights([[1, 2], [0.5, 1]], ["a", "b"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.consistency_ratio = 1.0  # type: ignore[misc]


def test_ahp_matrix_from_upper():
    matrix = ahp.ahp_matrix_from_upper(
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
        ahp.ahp_matrix_from_upper(["a", "b", "c"], judgements)
    for word in words:
        assert word in str(err.value)
