"""Tests of siting.forest.growth: Chapman–Richards calibration to Tier 1 numbers, site quality."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.errors import ParameterError
from siting.forest.growth import (
    GrowthCurve,
    calibrate_rate,
    chapman_richards,
    climate_classes_for,
    site_quality,
)
from siting.io.species import known_species, load_species
from siting.scenario.forest import SiteQualitySpec


def test_larch_rate_matches_a_hand_computation():
    # B(20) = 20 * 4.0 = 80 t/ha of B_max = 112.9 t/ha, p = 3:
    # k = -ln(1 - (80 / 112.9) ** (1/3)) / 20
    ratio = 80.0 / 112.9  # 0.708592
    k = -math.log(1.0 - ratio ** (1.0 / 3.0)) / 20.0
    curve = GrowthCurve.from_species(load_species("larix_sibirica"))
    assert curve.rate_per_year == pytest.approx(k, rel=1e-14)
    assert k == pytest.approx(0.1110603, abs=1e-7)
    assert curve.peak_age_years() == pytest.approx(math.log(3.0) / k)  # ~9.9 years


@pytest.mark.parametrize("name", ["larix_sibirica", "pinus_sylvestris", "betula_platyphylla"])
def test_calibrated_curve_holds_tier1_growth_and_cap(name):
    species = load_species(name)
    curve = GrowthCurve.from_species(species)
    years = species.growth.calibration_years.value
    growth = species.growth.agb_growth_t_dm_per_ha_per_year.value
    cap = species.growth.agb_max_t_dm_per_ha.value
    assert curve.agb(years) == pytest.approx(growth * years, rel=1e-12)
    assert curve.agb(0.0) == 0.0
    assert curve.agb(1000.0) == pytest.approx(cap, rel=1e-12)


def test_increments_start_slowly_peak_and_saturate():
    curve = GrowthCurve.from_species(load_species("larix_sibirica"))
    increments = np.diff(curve.agb(np.arange(0, 101)))
    peak = int(np.argmax(increments))
    assert 5 <= peak <= 12
    assert np.all(increments > 0)
    assert np.all(np.diff(increments[: peak + 1]) > 0)  # rising
    assert np.all(np.diff(increments[peak + 1 :]) < 0)  # falling
    assert increments[0] < 0.5 < increments[peak]  # slow first year
    assert increments[-1] < 0.01  # saturated


def test_growth_clock_reaches_the_calibrated_stock_sooner():
    curve = GrowthCurve.from_species(load_species("larix_sibirica"))
    # twice as fast: 80 t/ha after 10 years
    assert curve.agb(10.0, clock=2.0) == pytest.approx(80.0, rel=1e-12)
    clocks = np.array([0.5, 1.0, 1.9])[:, None]
    table = curve.agb(np.arange(60)[None, :], clocks)
    assert table.shape == (3, 60)
    assert np.all(np.diff(table, axis=0) >= 0)


def test_impossible_calibration_is_refused():
    with pytest.raises(ParameterError, match="calibration"):
        calibrate_rate(4.0, 58.6, 20.0, 3.0)  # 80 t/ha > 58.6 t/ha


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(known_species()),
    ages=st.lists(st.floats(-5, 500, allow_nan=False), min_size=2, max_size=20),
    clock=st.floats(0.1, 5.0),
)
def test_biomass_is_monotone_non_negative_and_capped(name, ages, clock):
    curve = GrowthCurve.from_species(load_species(name))
    ages = np.sort(np.array(ages))
    agb = curve.agb(ages, clock)
    assert np.all(agb >= 0)
    assert np.all(agb <= curve.agb_max_t_dm_per_ha * (1 + 1e-12))
    assert np.all(np.diff(agb) >= 0)
    assert np.all(agb[ages <= 0] == 0)


def test_chapman_richards_reference_values():
    # B_max (1 - e^{-k a})^p at a = 10, k = 0.1, p = 2: 100 (1 - e^{-1})^2 = 39.9576...
    assert chapman_richards(10.0, 100.0, 0.1, 2.0) == pytest.approx(100 * (1 - math.exp(-1)) ** 2)


def test_site_quality_mapping():
    spec = SiteQualitySpec()
    quality = site_quality(np.array([1.0, 0.0, 0.6, 1.0]), np.array([4, 2, 5, 3]), spec)
    # cold at best suitability = Tier 1 stand; arid 0.5 x floor 0.5; polar 0.3 x 0.8; other 1
    np.testing.assert_allclose(quality, [1.0, 0.25, 0.3 * 0.8, 1.0])
    np.testing.assert_allclose(site_quality(np.array([0.5]), None, spec), [0.75])


def test_site_quality_refuses_bad_suitability():
    with pytest.raises(ParameterError, match="score_mean"):
        site_quality(np.array([0.5, np.nan]), None, SiteQualitySpec())
    with pytest.raises(ParameterError, match="score_mean"):
        site_quality(np.array([1.2]), None, SiteQualitySpec())


def test_climate_mapping_must_cover_every_site():
    assert climate_classes_for(["R1"], None) is None
    np.testing.assert_array_equal(climate_classes_for(["R1", "R2"], {"R1": 4, "R2": 2}), [4, 2])
    with pytest.raises(ParameterError, match="R2"):
        climate_classes_for(["R1", "R2"], {"R1": 4})
