"""Scenario models of the ``forest`` section: what is planted, when, and how sure we are.

``siting/scenario/species/*.yaml`` holds the species parameters (growth, root:shoot, carbon
fraction, survival); this section holds the project's choices and the site conditions. Every
section here is a :class:`~siting.scenario.defaults.Section`: a field a scenario omits takes the
value of the embedded ``siting/scenario/moron.yaml`` (Siberian larch planted from 2027 under a
shared nursery capacity, projected to 2060 with a seeded Monte Carlo), where each number
carries its source or is marked as an estimate.

A parameter with a range is an :class:`~siting.scenario.base.Uncertain` value: the central
``value`` drives the deterministic path, and with its uncertainty switched on
(``forest.uncertainty``) the Monte Carlo draws it from ``distribution`` between ``low`` and
``high``. A scenario giving such a parameter gives all of it: it is not merged with the default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from siting.io.species import check_species_name
from siting.scenario.base import Uncertain
from siting.scenario.defaults import Section

#: Köppen–Geiger main groups of the climate layer (Beck et al. 2018, Sci. Data 5:180214,
#: doi:10.1038/sdata.2018.214; codes as in ``KG_simplified``; 0 = no data).
KOPPEN_MAIN_GROUPS: dict[int, str] = {
    1: "tropical",
    2: "arid",
    3: "temperate",
    4: "cold",
    5: "polar",
}

ClimateName = Literal["tropical", "arid", "temperate", "cold", "polar"]


def _check_fraction(name: str, parameter: Uncertain, *, allow_zero: bool = True) -> Uncertain:
    low, high = parameter.bounds
    if parameter.distribution == "lognormal":
        raise ValueError(f"{name} is a fraction: use a triangular, uniform or fixed distribution")
    if low < 0 or high > 1 or (not allow_zero and low <= 0):
        interval = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(f"{name} must lie in {interval} (value, low and high)")
    return parameter


class FireSpec(Section):
    """Fire as an annual probability per site and the share of the site's stock it destroys."""

    yaml_path = "forest.fire"

    probability_per_year: Uncertain = Field(description="chance of a fire per site and year")
    loss_fraction: Uncertain = Field(description="share of the site's stock a fire destroys")

    @field_validator("probability_per_year", "loss_fraction")
    @classmethod
    def _fractions(cls, value: Uncertain, info) -> Uncertain:
        return _check_fraction(info.field_name, value)


class SiteQualitySpec(Section):
    """How a site's suitability scales the biomass curve of its zone's stand.

    Site quality ``q = floor + (1 - floor) * suitability``, between 0 and 1, multiplies the
    stand's biomass at every age (growth and maximum stock alike, as a site index would).
    ``q = 1`` is the IPCC Tier 1 default stand of the site's ecological zone (see
    :class:`ClimateZoneSpec`): the best-scoring site grows at its zone's Tier 1 rate, poorer
    ones slower. Climate enters once: through the zone's Tier 1 values and through the
    climate criterion of the suitability score, not again as a separate factor. Suitability
    also counts access and seed sources, so it is a proxy for site productivity: replace it
    by measured site index when one is known.
    """

    yaml_path = "forest.site_quality"

    suitability_floor: float = Field(
        ge=0, le=1, description="share of the Tier 1 stand that eligible land scoring 0 grows"
    )


class ClimateZoneSpec(Section):
    """The station climate from which each site's FAO ecological zone is derived.

    A site's zone (:mod:`siting.forest.zones`) counts the months whose mean, moved from the
    station to the site's mean elevation by the lapse rate, is at least 10 °C.
    """

    yaml_path = "forest.climate_zone"

    station: str = Field(description="the climate station and period of the normals")
    station_monthly_mean_c: tuple[float, ...] = Field(
        description="mean temperature of each month, January first, °C"
    )
    station_elevation_m: float = Field(ge=-500, le=9000, description="station elevation, m")
    lapse_rate_c_per_km: float = Field(
        ge=0, le=10, description="temperature decrease with height, K/km"
    )

    @field_validator("station_monthly_mean_c")
    @classmethod
    def _twelve_months(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) != 12 or any(not -80 < t < 60 for t in value):
            raise ValueError("give 12 monthly means in °C, January first")
        return value


class PoolsSpec(Section):
    """Optional carbon pools beyond living biomass."""

    yaml_path = "forest.pools"

    dead_wood: bool = Field(description="count dead wood as a share of tree carbon")
    litter: bool = Field(description="count litter as a share of tree carbon")
    dead_wood_fraction_of_tree_carbon: float = Field(ge=0, le=1)
    litter_fraction_of_tree_carbon: float = Field(ge=0, le=1)
    soil_tc_per_ha_per_year: float = Field(
        description="soil organic carbon change per planted hectare for soil_years, tC/ha/yr"
    )
    soil_years: int = Field(ge=1, description="years after planting the soil change lasts")


class BaselineSpec(Section):
    """The pre-project land use and its carbon change, subtracted from the project's."""

    yaml_path = "forest.baseline"

    land: Literal["grassland"]
    tco2e_per_ha_per_year: float = Field(
        description="baseline carbon change per planted hectare (degrading or recovering land)"
    )


class DrawnParametersSpec(Section):
    """Which parameters the Monte Carlo draws; all off gives the deterministic path."""

    yaml_path = "forest.uncertainty"

    growth: bool
    survival: bool
    mortality: bool
    root_shoot: bool
    carbon_fraction: bool
    disturbance: bool = Field(
        description="fire probability and loss draws, and fire as random events "
        "(off: expected annual loss)"
    )

    @property
    def any(self) -> bool:
        """Whether any parameter is drawn."""
        return any(self.model_dump().values())


class ForestSpec(Section):
    """The ``forest`` section: species, planting plan, site quality, pools and Monte Carlo."""

    yaml_path = "forest"

    species: str = Field(description="species key (a file in siting/scenario/species)")
    # Köppen main group -> species planted there instead of ``species``
    # (e.g. arid: pinus_sylvestris); needs the climate_class of each site.
    species_by_climate: dict[ClimateName, str] = {}
    first_planting_year: int = Field(ge=1900, le=2200)
    horizon_year: int = Field(ge=1900, le=2300, description="last year projected")
    planting_capacity_ha_per_year: float = Field(
        gt=0,
        description="seedlings and crews for new planting plus replanting, shared across "
        "sites in rank order, ha/yr",
    )
    # Planting survival; omitted: the species file's value.
    survival: Uncertain | None = None
    survival_year_correlation: float = Field(
        ge=0,
        le=1,
        description="correlation of the survival draws of different planting years: 1 = one "
        "survival for the whole programme, 0 = each planting year's weather independent",
    )
    replanting_fraction: float = Field(
        ge=0,
        le=1,
        description="share of the failed seedlings replanted once, the year after planting",
    )
    background_mortality_per_year: Uncertain = Field(
        description="mortality of established trees beyond the Tier 1 stand's self-thinning"
    )
    fire: FireSpec
    site_quality: SiteQualitySpec
    climate_zone: ClimateZoneSpec
    pools: PoolsSpec
    baseline: BaselineSpec
    uncertainty: DrawnParametersSpec
    n_draws: int = Field(ge=1, le=100_000, description="Monte Carlo draws")
    quantiles: tuple[float, ...] = Field(description="quantiles reported per site and year")
    removal_rate_years: int = Field(
        ge=1, le=200, description="years after planting tco2e_per_ha_per_year averages over"
    )
    # Size of one draws × sites × years float64 array per block of sites; peak memory of the
    # Monte Carlo is about eight times this, whatever the number of sites.
    block_mib: float = Field(default=8.0, gt=0)

    @field_validator("survival")
    @classmethod
    def _survival_fraction(cls, value: Uncertain | None) -> Uncertain | None:
        return None if value is None else _check_fraction("survival", value, allow_zero=False)

    @field_validator("background_mortality_per_year")
    @classmethod
    def _mortality_fraction(cls, value: Uncertain) -> Uncertain:
        return _check_fraction("background_mortality_per_year", value)

    @field_validator("quantiles")
    @classmethod
    def _quantiles_in_unit_interval(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(not 0 < q < 1 for q in value) or len(set(value)) != len(value):
            raise ValueError("quantiles must be distinct numbers strictly between 0 and 1")
        return tuple(sorted(value))

    @field_validator("species")
    @classmethod
    def _species_known(cls, value: str) -> str:
        check_species_name(value)
        return value

    @field_validator("species_by_climate")
    @classmethod
    def _climate_species_known(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value.values():
            check_species_name(name)
        return value

    @model_validator(mode="after")
    def _horizon_after_start(self) -> ForestSpec:
        if self.horizon_year < self.first_planting_year:
            raise ValueError(
                f"horizon_year ({self.horizon_year}) is before first_planting_year "
                f"({self.first_planting_year})"
            )
        return self


def quantile_label(q: float) -> str:
    """The label of a quantile in output tables: 0.1 -> ``"p10"``, 0.025 -> ``"p2.5"``."""
    return f"p{q * 100:.6g}"
