"""Tests of siting.forest.carbon: root:shoot classes, CO2 conversion, caps and optional pools."""

from __future__ import annotations

import numpy as np
import pytest

from siting.forest.carbon import (
    CO2_PER_C,
    biomass_tco2e,
    dead_organic_matter_fraction,
    linear_pool_tco2e_per_ha,
    max_tco2e_per_ha,
    root_shoot_ratio,
)
from siting.io.species import load_species
from siting.scenario.forest import PoolsSpec


def test_co2_per_carbon():
    assert CO2_PER_C == pytest.approx(3.666667, abs=1e-6)


def test_root_shoot_class_boundary_is_inclusive_below():
    ratio = root_shoot_ratio(np.array([0.0, 124.9, 125.0, 125.01, 300.0]), 0.48, 0.19, 125.0)
    np.testing.assert_array_equal(ratio, [0.48, 0.48, 0.48, 0.19, 0.19])


def test_biomass_tco2e_hand_computation():
    # 80 t d.m./ha AGB: BGB 0.48 x 80 = 38.4; (118.4 t d.m.) x 0.47 = 55.648 t C; x 44/12
    value = biomass_tco2e(80.0, 80.0, below=0.48, above=0.19, threshold=125.0, carbon_fraction=0.47)
    assert value == pytest.approx(55.648 * 44 / 12, rel=1e-14)  # 204.0427 tCO2e/ha
    # above the threshold the other ratio applies: 200 x 1.19 x 0.47 x 44/12
    value = biomass_tco2e(
        200.0, 200.0, below=0.48, above=0.19, threshold=125.0, carbon_fraction=0.47
    )
    assert value == pytest.approx(200 * 1.19 * 0.47 * 44 / 12)


def test_class_is_chosen_by_density_not_total():
    # 1,000 ha holding 80,000 t: 80 t/ha, below the threshold
    value = biomass_tco2e(
        80_000.0, 80.0, below=0.48, above=0.19, threshold=125.0, carbon_fraction=0.47
    )
    assert value == pytest.approx(1000 * 80 * 1.48 * 0.47 * 44 / 12)


def test_boreal_larch_cap_takes_the_larger_side_of_the_root_shoot_step():
    """Boreal: 100 t/ha x (1 + 0.24) = 124 t/ha above 75 t/ha beats 75 x 1.39 = 104.25 below."""
    larch = load_species("larix_sibirica").stand("boreal")
    assert max_tco2e_per_ha(larch) == pytest.approx(100 * 1.24 * 0.47 * 44 / 12)  # 213.7
    assert max_tco2e_per_ha(larch) == pytest.approx(213.69, abs=0.01)


def test_larch_cap():
    larch = load_species("larix_sibirica").stand("temperate_continental")
    assert max_tco2e_per_ha(larch) == pytest.approx(112.9 * 1.48 * 0.47 * 44 / 12)
    assert max_tco2e_per_ha(larch, upper=True) == pytest.approx(112.9 * 1.62 * 0.49 * 44 / 12)
    pools = PoolsSpec(dead_wood=True, litter=True)
    assert max_tco2e_per_ha(larch, pools) == pytest.approx(max_tco2e_per_ha(larch) * 1.12)


def test_dead_organic_matter_off_by_default():
    assert dead_organic_matter_fraction(PoolsSpec()) == 0.0
    assert dead_organic_matter_fraction(PoolsSpec(dead_wood=True)) == pytest.approx(0.08)
    assert dead_organic_matter_fraction(PoolsSpec(litter=True)) == pytest.approx(0.04)


def test_linear_pool_stops_after_its_transition_time():
    pool = linear_pool_tco2e_per_ha(np.array([-1, 0, 1, 20, 30]), 0.5, 20)
    np.testing.assert_allclose(pool, [0, 0, 0.5, 10, 10])
