"""Tests of the forest scenario section: defaults, clear refusals."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from siting.scenario.base import Uncertain
from siting.scenario.forest import ForestSpec, quantile_label


def test_defaults_are_the_moron_scenario():
    spec = ForestSpec()
    assert spec.species == "larix_sibirica"
    assert spec.first_planting_year == 2028 and spec.horizon_year == 2060
    assert spec.planting_capacity_ha_per_year == 2000
    assert spec.survival is None  # the species' 65 % (40-90 %)
    assert spec.quantiles == (0.1, 0.5, 0.9)
    assert not spec.pools.dead_wood and not spec.pools.litter
    assert spec.baseline.tco2e_per_ha_per_year == 0
    assert spec.fire.probability_per_year.estimate


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"horizon_year": 2020}, "horizon_year"),
        ({"survival": {"value": 1.2}}, "survival"),
        (
            {"survival": {"value": 0.5, "low": 0.2, "high": 0.9, "distribution": "lognormal"}},
            "survival",
        ),
        ({"quantiles": [0.5, 1.0]}, "quantiles"),
        ({"fire": {"loss_fraction": {"value": 1.5}}}, "loss_fraction"),
        ({"climate_zone": {"station_monthly_mean_c": [1.0, 2.0]}}, "12 monthly means"),
        ({"site_quality": {"climate_factor": {"arid": 0.5}}}, "climate_factor"),
        ({"planting_capacity_ha_per_year": 0}, "planting_capacity_ha_per_year"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_fields_are_refused_by_name(change, message):
    with pytest.raises(ValidationError, match=message):
        ForestSpec.model_validate(change)


def test_uncertain_needs_its_range():
    with pytest.raises(ValidationError, match="needs both low and high"):
        Uncertain(value=1.0, distribution="triangular")
    with pytest.raises(ValidationError, match="within"):
        Uncertain(value=1.0, low=2.0, high=3.0, distribution="uniform")
    with pytest.raises(ValidationError, match="low > 0"):
        Uncertain(value=1.0, low=0.0, high=3.0, distribution="lognormal")


def test_quantile_labels():
    assert [quantile_label(q) for q in (0.1, 0.5, 0.9, 0.025)] == ["p10", "p50", "p90", "p2.5"]
