"""Tests of the forest scenario section: defaults, the YAML block, clear refusals."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from siting.scenario.forest import ForestSpec, Uncertain, quantile_label

# The block proposed for siting/scenario/moron.yaml (kept here so it stays valid).
MORON_BLOCK = """
forest:
  # Siberian larch, ~80 % of Mongolia's growing stock (REFERENCE.md)
  species: larix_sibirica
  first_planting_year: 2027              # project start (scenario choice)
  horizon_year: 2060                     # end of the projection (scenario choice)
  planting_capacity_ha_per_year: 2000    # nursery + crews, new planting and replanting (estimate)
  # survival omitted: the species file's (larch 65 %, range 40-90 %; REFERENCE.md, estimate)
  replanting_fraction: 1.0               # failed area replanted once, the next year (estimate)
  background_mortality_per_year:         # losses beyond Tier 1 self-thinning (estimate)
    value: 0.005
    low: 0.0
    high: 0.015
    distribution: triangular
    estimate: true
    source: "estimate: losses of planted larch to drought and browsing in the steppe"
  fire:
    # Hessl et al. 2012 (doi:10.1071/WF10108): fire return 7-16 yr in forest-steppe stands;
    # Hessl et al. 2016 (doi:10.1002/2016GL069059): little fire lately under heavy grazing
    probability_per_year:
      value: 0.02
      low: 0.005
      high: 0.07
      distribution: triangular
      estimate: true
      source: >-
        estimate from Hessl et al. 2012 (doi:10.1071/WF10108) and 2016
        (doi:10.1002/2016GL069059): fire return 7-16 yr historically, low under grazing
    loss_fraction:                       # share of the site's stock a fire destroys (estimate)
      value: 0.5
      low: 0.2
      high: 1.0
      distribution: triangular
      estimate: true
      source: "estimate: surface fires kill young larch; mature larch is fire-tolerant"
  site_quality:
    suitability_floor: 0.5               # q = (0.5 + 0.5 suitability) x climate (estimate)
    # cold: IPCC temperate continental as is; polar: IPCC 2019 boreal mountain 1.0 /
    # temperate continental 3.3 t/ha/yr (REFERENCE.md, verify); arid: estimate
    climate_factor: {cold: 1.0, arid: 0.5, polar: 0.3}
    other_climate_factor: 1.0            # classes not listed keep the Tier 1 stand
  pools:                                 # living biomass only by default (conservative)
    dead_wood: false                     # when on: AR-TOOL12 8 % of tree carbon (verify)
    litter: false                        # when on: AR-TOOL12 4 % of tree carbon (verify)
    soil_tc_per_ha_per_year: 0.0         # IPCC Tier 1: no SOC change grassland -> forest
  baseline:
    land: grassland
    tco2e_per_ha_per_year: 0.0           # IPCC 2006 Vol. 4 Ch. 6 Tier 1: biomass unchanged
  uncertainty: {growth: true, survival: true, mortality: true, root_shoot: true,
                carbon_fraction: true, disturbance: true}
  n_draws: 500                           # P10/P50/P90 per site and year
  quantiles: [0.1, 0.5, 0.9]
  removal_rate_years: 20                 # tco2e_per_ha_per_year: mean of the first 20 years
"""


def _strip_sources(data):
    if isinstance(data, dict):
        return {k: _strip_sources(v) for k, v in data.items() if k != "source"}
    return data


def test_the_moron_block_validates_and_equals_the_defaults():
    spec = ForestSpec.model_validate(yaml.safe_load(MORON_BLOCK)["forest"])
    assert _strip_sources(spec.model_dump()) == _strip_sources(ForestSpec().model_dump())


def test_defaults_are_the_moron_scenario():
    spec = ForestSpec()
    assert spec.species == "larix_sibirica"
    assert spec.first_planting_year == 2027 and spec.horizon_year == 2060
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
        ({"site_quality": {"climate_factor": {"arid": 2.0}}}, "climate factors"),
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
