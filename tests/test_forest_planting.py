"""Tests of siting.forest.planting: the shared-capacity schedule and the stand's fate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.errors import ParameterError
from siting.forest.planting import (
    draw_fire_events,
    establishment,
    expected_fire_survival,
    fire_survival,
    mortality_survival,
    schedule_planting,
)


def test_schedule_fills_sites_in_rank_order_hand_example():
    schedule = schedule_planting([600, 900, 300], capacity_ha_per_year=1000, first_year=2027)
    # 2027: site 1 whole (600) + 400 of site 2; 2028: the other 500 of site 2, site 3 (300)
    np.testing.assert_allclose(schedule.new_ha, [[600, 0], [400, 500], [0, 300]])
    np.testing.assert_array_equal(schedule.years, [2027, 2028])
    np.testing.assert_array_equal(schedule.first_planting_year(), [2027, 2027, 2028])
    np.testing.assert_array_equal(schedule.last_planting_year(), [2027, 2028, 2028])
    np.testing.assert_allclose(schedule.planted_by(2027), [600, 400, 0])
    np.testing.assert_allclose(schedule.planted_by(2100), [600, 900, 300])


def test_replanting_takes_capacity_first_hand_example():
    schedule = schedule_planting(
        [600, 900, 300],
        capacity_ha_per_year=1000,
        first_year=2027,
        replanting_fraction=1.0,
        planned_survival=0.5,
    )
    # 2027: 1,000 new; 2028: replant 500, new 500 (site 2 done); 2029: replant 250, new 300;
    # 2030: replant 150, nothing new left
    np.testing.assert_allclose(schedule.new_ha.sum(axis=0), [1000, 500, 300, 0])
    np.testing.assert_allclose(schedule.replant_ha.sum(axis=0), [0, 500, 250, 150])
    np.testing.assert_allclose(schedule.replant_ha[:, 1], [300, 200, 0])
    np.testing.assert_allclose(schedule.planted_ha_per_year, [1000, 1000, 550, 150])


def test_schedule_refuses_impossible_parameters():
    with pytest.raises(ParameterError, match="capacity"):
        schedule_planting([10], capacity_ha_per_year=0, first_year=2027)
    with pytest.raises(ParameterError, match="area_ha"):
        schedule_planting([10, np.nan], capacity_ha_per_year=5, first_year=2027)
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        schedule_planting([10], capacity_ha_per_year=5, first_year=2027, replanting_fraction=1.5)


@settings(max_examples=80, deadline=None)
@given(
    areas=st.lists(st.floats(0.0, 5000.0), min_size=1, max_size=12),
    capacity=st.floats(10.0, 4000.0),
    replant=st.floats(0.0, 1.0),
    survival=st.floats(0.0, 1.0),
)
def test_schedule_invariants(areas, capacity, replant, survival):
    schedule = schedule_planting(
        areas,
        capacity_ha_per_year=capacity,
        first_year=2027,
        replanting_fraction=replant,
        planned_survival=survival,
    )
    # never above capacity in any year, new planting and replanting together
    assert np.all(schedule.planted_ha_per_year <= capacity * (1 + 1e-12))
    # every hectare is eventually planted, none twice
    np.testing.assert_allclose(schedule.new_ha.sum(axis=1), areas, rtol=1e-9, atol=1e-9)
    assert np.all(schedule.new_ha >= 0) and np.all(schedule.replant_ha >= 0)
    # replanting is the planned share of last year's failures
    expected = (
        replant
        * (1 - survival)
        * np.concatenate([np.zeros((len(areas), 1)), schedule.new_ha[:, :-1]], axis=1)
    )
    np.testing.assert_allclose(schedule.replant_ha, expected, rtol=1e-12, atol=1e-9)
    # rank order: a site starts no earlier than a better-ranked one
    started = np.array(areas) > 0
    firsts = schedule.first_planting_year()[started]
    assert np.all(np.diff(firsts) >= 0)
    # capacity is used fully in every year after which land remains unplanted
    remaining = np.array(areas).sum() - np.cumsum(schedule.new_ha.sum(axis=0))
    busy = remaining > 1e-6 * max(1.0, np.sum(areas))
    np.testing.assert_allclose(schedule.planted_ha_per_year[busy], capacity, rtol=1e-9)


def test_establishment_with_replanting():
    # s = 0.6, rho = 1: 0.6 B(a) + 0.4 x 0.6 B(a - 1)
    assert establishment(10.0, 8.0, 0.6, 1.0) == pytest.approx(0.6 * 10 + 0.24 * 8)
    assert establishment(10.0, 8.0, 0.6, 0.0) == pytest.approx(6.0)


def test_mortality_and_expected_fire_factors():
    np.testing.assert_allclose(
        mortality_survival(np.array([0, 1, 2, 11]), 0.01), [1, 1, 0.99, 0.99**10]
    )
    np.testing.assert_allclose(
        expected_fire_survival(np.array([0, 1, 10]), 0.02, 0.5), [1, 0.99, 0.99**10]
    )
    np.testing.assert_allclose(fire_survival(np.array([0, 1, 3]), 1.0), [1, 0, 0])


def test_fire_events_follow_their_probability():
    rng = np.random.default_rng(3)
    events = draw_fire_events(rng, np.array([0.0, 0.1, 1.0]), 20_000)
    assert events[0].sum() == 0 and events[2].all()
    assert events[1].mean() == pytest.approx(0.1, abs=0.01)
