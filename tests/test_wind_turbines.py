"""Turbine library lookups, custom YAML turbines and the thrust curve from momentum theory."""

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from siting.errors import ConfigError, ParameterError
from siting.io.turbines import available_turbines, load_turbine
from siting.wind.turbines import thrust_from_power


def test_v90_from_the_oedb_library():
    turbine = load_turbine("V90/2000")
    assert turbine.rated_kw == 2000.0
    assert turbine.rotor_diameter_m == 90.0
    # OEDB curve: 884.5 kW at 8 m/s (windpowerlib oedb/power_curves.csv).
    assert turbine.power_at(8.0) == pytest.approx(884.5)
    # The OEDB curve stops at 16.5 m/s: held to the 25 m/s cut-out, nothing beyond.
    assert turbine.power_at(24.9) == pytest.approx(2006.5)
    assert turbine.power_at(25.5) == 0.0
    assert 0.7 < turbine.thrust_coefficient.max() <= 0.8 + 1e-12
    assert "OEDB" in turbine.source


@pytest.mark.parametrize("name", ["V112/3450", "E-126/4200", "GE120/2500"])
def test_issue_turbines_are_in_the_library(name):
    turbine = load_turbine(name)
    assert turbine.rated_kw > 0 and turbine.power_at(12.0) > 0


def test_unknown_name_lists_close_matches():
    with pytest.raises(ParameterError) as err:
        load_turbine("V90-2.0")
    message = str(err.value)
    assert "unknown turbine 'V90-2.0'" in message and "V90/2000" in message
    assert "wind_yield.turbine.model" in message


def test_custom_salkhit_turbine_from_yaml():
    assert "GE 1.6-82.5" in available_turbines()
    turbine = load_turbine("GE 1.6-82.5")
    assert turbine.rated_kw == 1600 and turbine.rotor_diameter_m == 82.5
    assert turbine.power_at(11.0) == pytest.approx(1600.0)
    assert turbine.power_at(7.0) == pytest.approx(659.1)  # GE 1.5xle value (NREL SAM)
    assert "SAM" in turbine.source and "[estimate]" in turbine.source


def test_custom_turbine_by_path_and_bad_files(tmp_path):
    good = {
        "name": "Test 1MW",
        "rotor_diameter_m": 60,
        "rated_kw": 1000,
        "wind_speed_ms": [0, 3, 12, 25, 25.01],
        "power_kw": [0, 0, 1000, 1000, 0],
        "source": "hand-made test curve",
    }
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(good), "utf-8")
    assert load_turbine(str(path)).power_at(7.5) == pytest.approx(500.0)
    bad = dict(good)
    del bad["source"]
    path.write_text(yaml.safe_dump(bad), "utf-8")
    with pytest.raises(ConfigError, match="source"):
        load_turbine(str(path))
    with pytest.raises(ConfigError, match="not found"):
        load_turbine(str(tmp_path / "missing.yaml"))


def test_thrust_by_hand():
    # Aerodynamic Cp = 0.5 (electrical 0.5 x 0.94): 4a(1-a)^2 = 0.5 at a = 0.190983,
    # Ct = 4a(1-a) = 0.618034 (1-D momentum theory).
    speed = 10.0
    area = np.pi * 50.0**2 / 4
    power_kw = 0.5 * 0.94 * 0.5 * 1.225 * area * speed**3 / 1e3
    ct = thrust_from_power([speed], [power_kw], rotor_diameter_m=50.0, peak_thrust_coefficient=None)
    assert ct[0] == pytest.approx(0.618034, abs=1e-5)


@given(st.floats(0.01, 0.59))
def test_thrust_inverts_momentum_theory(cp):
    speed, diameter = 8.0, 80.0
    area = np.pi * diameter**2 / 4
    power_kw = cp * 1.0 * 0.5 * 1.225 * area * speed**3 / 1e3
    ct = thrust_from_power(
        [speed],
        [power_kw],
        rotor_diameter_m=diameter,
        drivetrain_efficiency=1.0,
        peak_thrust_coefficient=None,
    )[0]
    a = (1 - np.sqrt(1 - ct)) / 2  # induction from Ct, root below 1/2
    assert 4 * a * (1 - a) ** 2 == pytest.approx(cp, rel=1e-6)
    assert a <= 1 / 3 + 1e-9


def test_default_turbine_is_low_specific_power_and_the_old_ones_stay_selectable():
    """N131/3000: 3,000 kW / (pi 131^2 / 4 = 13,478 m2) = 222.6 W/m2 (Nordex: 13,478 m2)."""
    from siting.io.turbines import load_chosen_turbine, load_turbine
    from siting.scenario.wind import WindYieldSpec

    default = load_chosen_turbine(WindYieldSpec().turbine)
    area = np.pi * 131.0**2 / 4
    assert area == pytest.approx(13478, abs=1)
    assert default.name == "N131/3000" and default.rated_kw == 3000
    specific = default.rated_kw * 1e3 / (np.pi * default.rotor_diameter_m**2 / 4)
    assert specific == pytest.approx(222.6, abs=0.1) and 200 <= specific <= 250
    assert default.power_at(20.0) == 3000 and default.power_at(20.5) == 0  # cut-out 20 m/s
    v90 = load_turbine("V90/2000")
    v90_specific = v90.rated_kw * 1e3 / (np.pi * v90.rotor_diameter_m**2 / 4)
    assert v90_specific == pytest.approx(314.4, abs=0.1)
    assert load_turbine("GE 1.6-82.5").rated_kw == 1600
