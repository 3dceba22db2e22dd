"""Shear, air density and power-curve density correction against published numbers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from windpowerlib import power_output
from windpowerlib import wind_speed as wpl_wind_speed

from siting.errors import ParameterError
from siting.wind.physics import (
    air_density_kg_m3,
    barometric_pressure_pa,
    density_corrected_speeds,
    hellman_exponent,
    log_law_speed,
    power_law_speed,
    shear_factor,
    temperature_at_c,
)

# windpowerlib docs and tests (wind_speed.logarithmic_profile, hellman): hub-height example,
# 10 m -> 100 m, z0 = 0.15 m, 5.0 m/s.
LOG_LAW_100M = 7.74136523
HELLMAN_100M = 7.12462437


def test_log_law_reproduces_windpowerlib_number():
    assert log_law_speed(5.0, 10.0, 100.0, 0.15) == pytest.approx(LOG_LAW_100M, abs=1e-8)
    theirs = wpl_wind_speed.logarithmic_profile(5.0, 10.0, 100.0, 0.15)
    assert theirs == pytest.approx(LOG_LAW_100M, abs=1e-8)


def test_hellman_with_roughness_reproduces_windpowerlib_number():
    exponent = hellman_exponent(100.0, 0.15)
    assert power_law_speed(5.0, 10.0, 100.0, exponent) == pytest.approx(HELLMAN_100M, abs=1e-8)
    theirs = wpl_wind_speed.hellman(5.0, 10.0, 100.0, roughness_length=0.15)
    assert theirs == pytest.approx(HELLMAN_100M, abs=1e-8)


def test_power_law_by_hand_and_shear_factor():
    # 6 m/s at 100 m to 80 m with alpha = 0.2: 6 * 0.8 ** 0.2 = 5.73640...
    assert power_law_speed(6.0, 100.0, 80.0, 0.2) == pytest.approx(6.0 * 0.8**0.2)
    assert shear_factor(10, 100, model="log_law", exponent=0.2, roughness_length_m=0.15) == (
        pytest.approx(LOG_LAW_100M / 5.0)
    )
    with pytest.raises(ParameterError, match="roughness_length_m"):
        log_law_speed(5.0, 0.1, 100.0, 0.15)


def test_isa_pressure_table_values():
    # ICAO standard atmosphere: 101,325 Pa at sea level, 89,874.6 Pa at 1,000 m,
    # 79,495.2 Pa at 2,000 m (ICAO Doc 7488/3 table).
    assert barometric_pressure_pa(0.0) == pytest.approx(101_325.0)
    assert barometric_pressure_pa(1000.0) == pytest.approx(89_874.6, abs=1.0)
    assert barometric_pressure_pa(2000.0) == pytest.approx(79_495.2, abs=1.0)


@pytest.mark.parametrize(
    ("temperature_c", "expected"),
    [
        (-0.8, 1.108),  # annual mean (NOAA 1961-90 normals for Moron)
        ((-14.5 - 28.8) / 2, 1.200),  # January mean of daily high and low
        ((23.4 + 10.1) / 2, 1.041),  # July
    ],
)
def test_air_density_at_moron_matches_reference(temperature_c, expected):
    assert air_density_kg_m3(1300.0, temperature_c) == pytest.approx(expected, abs=0.001)


def test_sea_level_standard_density():
    assert air_density_kg_m3(0.0, 15.0) == pytest.approx(1.225, abs=0.0005)


def test_temperature_lapse():
    assert temperature_at_c(2300.0, reference_temperature_c=-0.8, reference_elevation_m=1300.0) == (
        pytest.approx(-7.3)
    )


def test_iec_density_correction_matches_windpowerlib_below_7_5_ms():
    # windpowerlib's correction (Svenningsen 2010) uses the IEC exponent 1/3 up to 7.5 m/s.
    speeds = np.arange(0.0, 26.0, 0.5)
    power = np.clip((speeds - 3.0) / 9.0, 0, 1) ** 3 * 2000.0
    power[speeds > 25] = 0
    density = 1.05
    site_speeds = density_corrected_speeds(speeds, density)
    query = np.array([4.0, 5.0, 6.0, 7.0])
    ours = np.interp(query, site_speeds, power)
    theirs = power_output.power_curve_density_correction(
        query, speeds, power, np.full(query.size, density)
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


@given(st.floats(0.7, 1.4), st.floats(0.5, 30.0))
def test_density_correction_scales_speeds_by_cube_root(density, speed):
    moved = density_corrected_speeds(np.array([speed]), density)[0]
    assert moved == pytest.approx(speed * (1.225 / density) ** (1 / 3))
    assert (moved > speed) == (density < 1.225) or moved == pytest.approx(speed)
