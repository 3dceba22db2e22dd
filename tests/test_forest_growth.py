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
    calibrate_to_path,
    chapman_richards,
    climate_classes_for,
    site_quality,
)
from siting.io.species import known_species, load_species
from siting.scenario.forest import SiteQualitySpec

ZONES = ("boreal", "temperate_continental")


def larch(zone: str = "boreal"):
    return load_species("larix_sibirica").stand(zone)


def test_temperate_larch_rate_matches_a_hand_computation():
    # B(20) = 20 * 4.0 = 80 t/ha of B_max = 112.9 t/ha, p = 3:
    # k = -ln(1 - (80 / 112.9) ** (1/3)) / 20
    ratio = 80.0 / 112.9  # 0.708592
    k = -math.log(1.0 - ratio ** (1.0 / 3.0)) / 20.0
    curve = GrowthCurve.from_species(larch("temperate_continental"))
    assert curve.rate_per_year == pytest.approx(k, rel=1e-14)
    assert k == pytest.approx(0.1110603, abs=1e-7)
    assert curve.peak_age_years() == pytest.approx(math.log(3.0) / k)  # ~9.9 years
    # the front-loaded temperate path: 90 % of the stock by -ln(1 - 0.9^(1/3)) / k = 30.3 years
    assert curve.age_at_share_years(0.9) == pytest.approx(30.31, abs=0.01)


def test_boreal_larch_follows_the_two_stage_tier1_path():
    """Boreal mountain system, IPCC 2019 Refinement Vol. 4 Ch. 4 Tables 4.7 and 4.9.

    Tier 1: 1.0 t d.m./ha/yr for 20 years, 1.3 t/ha/yr after, up to 100 t/ha: the linear path
    reaches 20 t/ha at 20 years and the stock at 20 + 80 / 1.3 = 81.54 years. The curve holds
    20 t/ha at 20 years and 90 t/ha at 81.5 years. Hand solution (bisection of
    ln(1 - e^(-20k)) / ln(1 - e^(-81.5k)) = ln 0.2 / ln 0.9 = 15.2755): k = 0.040040/yr,
    p = ln 0.2 / ln(1 - e^(-0.80080)) = 2.7006.
    """
    assert 20 + 80 / 1.3 == pytest.approx(81.54, abs=0.01)
    curve = GrowthCurve.from_species(larch())
    assert curve.rate_per_year == pytest.approx(0.040040, abs=2e-6)
    assert curve.shape == pytest.approx(2.7006, abs=1e-4)
    assert curve.agb(20.0) == pytest.approx(20.0, rel=1e-10)
    assert curve.agb(81.5) == pytest.approx(90.0, rel=1e-10)
    assert curve.age_at_share_years(0.9) == pytest.approx(81.5, rel=1e-10)
    assert 20 <= curve.peak_age_years() <= 30  # the largest increment at ~25 years
    assert curve.agb(120.0) > 95.0  # still accumulating past a century


def test_boreal_pine_at_25_years_is_near_the_khentii_plantations():
    """Scots pine plantations of the western Khentii, northern Mongolia, at age 25: 21.8 m3/ha of
    tree volume, the stem 47.8 % of the above-ground phytomass (Tsogt, Dugarjav, Lobanov,
    Gerelbaatar & Bulgan-Erdene, Lesnoy Zhurnal, "Age-related dynamics of above-ground
    phytomass structure of Scots pine plantations aged up to 25 in the western Khentii").
    With 0.42 g/cm3 (IPCC 2006 Table 4.14): 21.8 x 0.42 / 0.478 = 19.2 t d.m./ha. The boreal
    curve gives 29 t/ha at the best site and 23 t/ha at a median site quality of 0.8; the
    temperate curve 106 t/ha, five times the measurement.
    """
    measured = 21.8 * 0.42 / 0.478
    assert measured == pytest.approx(19.15, abs=0.01)
    pine = load_species("pinus_sylvestris")
    boreal = GrowthCurve.from_species(pine.stand("boreal")).agb(25.0)
    temperate = GrowthCurve.from_species(pine.stand("temperate_continental")).agb(25.0)
    assert 0.5 < 0.8 * boreal / measured < 1.5
    assert temperate / measured > 2.5


def test_anchors_that_need_a_fast_start_are_refused():
    # temperate larch: 71 % of the stock after 20 years cannot wait until 80 years for 90 %
    with pytest.raises(ParameterError, match="exponent"):
        calibrate_to_path(4.0, 112.9, 20.0, 80.0)
    with pytest.raises(ParameterError, match="below 90%"):
        calibrate_to_path(4.0, 80.0, 20.0, 80.0)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("name", ["larix_sibirica", "pinus_sylvestris", "betula_platyphylla"])
def test_calibrated_curve_holds_tier1_growth_and_cap(name, zone):
    species = load_species(name).stand(zone)
    curve = GrowthCurve.from_species(species)
    years = species.growth.calibration_years.value
    growth = species.growth.agb_growth_t_dm_per_ha_per_year.value
    cap = species.growth.agb_max_t_dm_per_ha.value
    assert curve.agb(years) == pytest.approx(growth * years, rel=1e-12)
    assert curve.agb(0.0) == 0.0
    assert curve.agb(1000.0) == pytest.approx(cap, rel=1e-12)


def test_increments_start_slowly_peak_and_saturate():
    curve = GrowthCurve.from_species(larch("temperate_continental"))
    increments = np.diff(curve.agb(np.arange(0, 101)))
    peak = int(np.argmax(increments))
    assert 5 <= peak <= 12
    assert np.all(increments > 0)
    assert np.all(np.diff(increments[: peak + 1]) > 0)  # rising
    assert np.all(np.diff(increments[peak + 1 :]) < 0)  # falling
    assert increments[0] < 0.5 < increments[peak]  # slow first year
    assert increments[-1] < 0.01  # saturated


def test_growth_clock_reaches_the_calibrated_stock_sooner():
    curve = GrowthCurve.from_species(larch())
    # twice as fast: 20 t/ha after 10 years
    assert curve.agb(10.0, clock=2.0) == pytest.approx(20.0, rel=1e-12)
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
    zone=st.sampled_from(ZONES),
    ages=st.lists(st.floats(-5, 500, allow_nan=False), min_size=2, max_size=20),
    clock=st.floats(0.1, 5.0),
)
def test_biomass_is_monotone_non_negative_and_capped(name, zone, ages, clock):
    curve = GrowthCurve.from_species(load_species(name).stand(zone))
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
    # floor 0.5: q = 0.5 + 0.5 suitability; climate no longer multiplies it a second time
    quality = site_quality(np.array([1.0, 0.0, 0.6]), SiteQualitySpec())
    np.testing.assert_allclose(quality, [1.0, 0.5, 0.8])


def test_site_quality_refuses_bad_suitability():
    with pytest.raises(ParameterError, match="score_mean"):
        site_quality(np.array([0.5, np.nan]), SiteQualitySpec())
    with pytest.raises(ParameterError, match="score_mean"):
        site_quality(np.array([1.2]), SiteQualitySpec())


def test_climate_mapping_must_cover_every_site():
    assert climate_classes_for(["R1"], None) is None
    np.testing.assert_array_equal(climate_classes_for(["R1", "R2"], {"R1": 4, "R2": 2}), [4, 2])
    with pytest.raises(ParameterError, match="R2"):
        climate_classes_for(["R1", "R2"], {"R1": 4})
