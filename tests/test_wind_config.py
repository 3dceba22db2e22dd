"""The wind_yield scenario section: defaults, validation, path resolution."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from siting.scenario.wind import WindYieldSpec


def test_defaults_are_the_moron_scenario():
    spec = WindYieldSpec()
    assert spec.turbine.model == "V90/2000" and spec.turbine.hub_height_m == 80
    assert spec.climate.source == "estimate" and spec.climate.prevailing_direction_deg == 315
    assert spec.emissions.grid_ef_tco2_per_mwh == 0.797
    assert spec.emissions.grid_ef_high_tco2_per_mwh == 1.19
    assert spec.air.temperature_c == -0.8 and spec.shear.exponent == 0.2
    assert (spec.commissioning_year, spec.operating_life_years) == (2028, 25)


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ({"climate": {"source": "weibull_rasters"}}, "weibull_a_layer"),
        ({"climate": {"source": "era5"}}, "era5_path"),
        ({"losses": {"availability": 1.5}}, "less than 1"),
        ({"turbine": {"hub_heigth_m": 80}}, "Extra inputs"),
    ],
)
def test_invalid_sections_are_refused(section, match):
    with pytest.raises(ValidationError, match=match):
        WindYieldSpec.model_validate(section)


def test_era5_path_resolution():
    spec = WindYieldSpec.model_validate({"climate": {"source": "era5", "era5_path": "a/b.nc"}})
    resolved = spec.with_paths_resolved(lambda p: Path("/data") / p)
    assert resolved.climate.era5_path == "/data/a/b.nc"
    assert WindYieldSpec().with_paths_resolved(lambda p: Path("/x")) == WindYieldSpec()
