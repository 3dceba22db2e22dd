"""Tests of siting.forest.zones: the FAO ecological zone of a site from station normals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from siting.forest.zones import site_zones, warm_months, zone_of_warm_months
from siting.scenario.forest import ClimateZoneSpec

#: Mörön, NOAA 1961-1990 daily means by month (the scenario's default station climate).
MORON = np.array([-22.7, -18.3, -8.0, 1.4, 9.7, 15.2, 16.2, 14.4, 7.9, -0.7, -11.4, -19.8])


def zones_at(elevations, koppen=None):
    return site_zones(np.asarray(elevations, dtype=float), koppen, MORON, 1283.0, 6.5)


def test_moron_is_boreal_by_the_fao_rule():
    """FAO 2012 (FRA Working Paper 179): boreal has at most 3 months with a mean >= 10 degC.
    Mörön's normals reach it in June, July and August only (May 9.7 degC)."""
    assert warm_months(MORON) == 3
    assert zone_of_warm_months(3) == "boreal"
    assert ClimateZoneSpec().station_monthly_mean_c == tuple(MORON)
    # the annual mean of the normals: -1.3 degC (NOAA)
    assert MORON.mean() == pytest.approx(-1.34, abs=0.01)


@pytest.mark.parametrize(
    ("months", "zone"),
    [
        (0, "polar"),
        (1, "boreal"),
        (3, "boreal"),
        (4, "temperate_continental"),
        (8, "temperate_continental"),
        (9, "warmer"),
        (12, "warmer"),
    ],
)
def test_zone_boundaries(months, zone):
    assert zone_of_warm_months(months) == zone


def test_lapse_rate_moves_sites_across_the_boundaries():
    """By hand, 6.5 K/km from 1,283 m:
    1,000 m: +1.84 K, May 11.5 degC -> 4 months, temperate continental;
    1,978 m: -4.52 K, June 10.7, July 11.7, August 9.9 -> 2 months, boreal;
    2,400 m: -7.26 K, July 8.9 -> 0 months, polar."""
    zones, months = zones_at([1000.0, 1283.0, 1978.0, 2400.0, np.nan])
    assert zones == ["temperate_continental", "boreal", "boreal", "polar", "boreal"]
    np.testing.assert_array_equal(months, [4, 3, 2, 0, 3])


def test_koppen_polar_class_overrides_the_lapse_rate():
    zones, months = zones_at([1400.0, 1400.0], koppen=np.array([4, 5]))
    assert zones == ["boreal", "polar"]
    np.testing.assert_array_equal(months, [3, 0])


@given(st.lists(st.floats(0.0, 5000.0), min_size=2, max_size=20))
def test_warm_months_never_increase_with_height(elevations):
    ordered = np.sort(np.array(elevations))
    _, months = zones_at(ordered)
    assert np.all(np.diff(months) <= 0)


def test_the_caveat_names_how_close_the_station_is_to_a_zone_boundary():
    """May at Mörön: 9.7 degC, 0.3 K below 10 degC; at 6.5 K/km that is 46 m of elevation."""
    from siting.outputs.folder import forest_zone_caveat
    from siting.scenario.load import load_scenario

    text = forest_zone_caveat(load_scenario())
    assert "0.3 K from the threshold" in text and "about 46 m" in text
    assert "Moron (WMO 44231)" in text
