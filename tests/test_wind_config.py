"""The wind_yield scenario section: defaults, validation, path resolution."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from siting.scenario.wind import WindYieldSpec


def test_defaults_are_the_moron_scenario():
    spec = WindYieldSpec()
    assert spec.turbine.model == "N131/3000" and spec.turbine.hub_height_m == 114
    assert spec.climate.source == "estimate" and spec.climate.prevailing_direction_deg == 315
    assert spec.emissions.grid_ef_tco2_per_mwh == 0.797
    assert spec.emissions.grid_ef_high_tco2_per_mwh == 1.19
    assert spec.air.temperature_c == -0.8 and spec.shear.exponent == 0.2
    assert (spec.commissioning_year, spec.commissioning_month) == (2029, 10)
    assert spec.operating_life_years == 25 and spec.uncertainty.long_term_years == 10


def test_non_wake_losses_multiply_to_the_reported_total():
    """prod(1 - loss_i) by hand: 0.97 x 0.98 x 0.97 x 0.99 x 0.93 x 1.0 = 0.84896..."""
    losses = WindYieldSpec().losses
    given = (
        losses.availability,
        losses.electrical,
        losses.icing_cold_climate,
        losses.environmental,
        losses.curtailment,
        losses.other,
    )
    assert given == (0.03, 0.02, 0.03, 0.01, 0.07, 0.0)
    hand = 0.97 * 0.98 * 0.97 * 0.99 * 0.93
    assert hand == pytest.approx(0.8489609, abs=1e-7)
    assert losses.kept_fraction() == pytest.approx(hand, rel=1e-12)
    assert losses.total_fraction() == pytest.approx(0.1510391, abs=1e-7)
    # Within the 10-15 % typical of non-wake losses (Brower 2012 ch. 14), at its top edge.
    assert 0.10 <= round(losses.total_fraction(), 2) <= 0.15


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
