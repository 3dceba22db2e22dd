"""Scenario models of the ``forest`` section: what is planted, when, and how sure we are.

The defaults are the Mörön scenario: Siberian larch planted from 2027 under a shared nursery
capacity, projected to 2060 with a seeded Monte Carlo. Every default number carries its source
or is marked as an estimate; ``siting/scenario/species/*.yaml`` holds the species parameters
(growth, root:shoot, carbon fraction, survival) and this section holds the project's choices and the
site conditions.

A parameter with a range is an :class:`Uncertain` value: the central ``value`` drives the
deterministic path, and with its uncertainty switched on (``forest.uncertainty``) the Monte
Carlo draws it from ``distribution`` between ``low`` and ``high``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from siting.scenario.base import Model

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
Distribution = Literal["fixed", "triangular", "uniform", "lognormal"]


class Uncertain(Model):
    """A parameter with a central value and, optionally, a range for the Monte Carlo.

    ``distribution``:

    * ``fixed``: always ``value``;
    * ``triangular``: from ``low`` to ``high`` with its mode at ``value``;
    * ``uniform``: from ``low`` to ``high`` (``value`` is the deterministic choice);
    * ``lognormal``: median ``value``; ``low`` and ``high`` are its 2.5 and 97.5 percentiles
      (a two-piece lognormal when the range is not symmetric in log space).
    """

    value: float
    low: float | None = None
    high: float | None = None
    distribution: Distribution = "fixed"
    source: str = ""
    estimate: bool = Field(default=False, description="true when the value is assumed")

    @model_validator(mode="after")
    def _range_holds_value(self) -> Uncertain:
        if self.distribution == "fixed":
            if self.low is not None and self.high is not None and self.low > self.high:
                raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"a {self.distribution} distribution needs both low and high")
        if not self.low <= self.value <= self.high:
            raise ValueError(
                f"value {self.value} must lie within [low, high] = [{self.low}, {self.high}]"
            )
        if self.low == self.high:
            raise ValueError("low equals high: use distribution: fixed")
        if self.distribution == "lognormal" and self.low <= 0:
            raise ValueError("a lognormal distribution needs low > 0")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take (``value`` twice when fixed)."""
        if self.distribution == "fixed":
            return self.value, self.value
        if self.distribution == "lognormal":
            return 0.0, float("inf")
        return float(self.low), float(self.high)


def _check_fraction(name: str, parameter: Uncertain, *, allow_zero: bool = True) -> Uncertain:
    low, high = parameter.bounds
    if parameter.distribution == "lognormal":
        raise ValueError(f"{name} is a fraction: use a triangular, uniform or fixed distribution")
    if low < 0 or high > 1 or (not allow_zero and low <= 0):
        interval = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(f"{name} must lie in {interval} (value, low and high)")
    return parameter


class FireSpec(Model):
    """Fire as an annual probability per site and the share of the site's stock it destroys."""

    # Historical composite fire return intervals of 7–16 years in central Mongolian forest-steppe
    # stands (Hessl et al. 2012, Int. J. Wildland Fire 21:86–92, doi:10.1071/WF10108) imply
    # 0.06–0.14 fires per year over sampled stands; recent decades saw little fire under heavy
    # grazing (Hessl et al. 2016, Geophys. Res. Lett., doi:10.1002/2016GL069059). A planted
    # site of a few hundred hectares: 2 %/yr, range 0.5–7 % (estimate).
    probability_per_year: Uncertain = Uncertain(
        value=0.02,
        low=0.005,
        high=0.07,
        distribution="triangular",
        source="estimate from Hessl et al. 2012 (doi:10.1071/WF10108) and 2016 "
        "(doi:10.1002/2016GL069059): fire return 7-16 yr historically, low under grazing",
        estimate=True,
    )
    # Young plantations are killed by surface fires that mature larch survives: half the stock
    # on average, from 20 % to all of it (estimate).
    loss_fraction: Uncertain = Uncertain(
        value=0.5,
        low=0.2,
        high=1.0,
        distribution="triangular",
        source="estimate: surface fires kill young larch; mature larch is fire-tolerant",
        estimate=True,
    )

    @field_validator("probability_per_year", "loss_fraction")
    @classmethod
    def _fractions(cls, value: Uncertain, info) -> Uncertain:
        return _check_fraction(info.field_name, value)


class SiteQualitySpec(Model):
    """How a site's suitability and climate scale the species' biomass curve.

    Site quality ``q = (floor + (1 - floor) * suitability) * climate_factor``, between 0 and 1,
    multiplies the stand's biomass at every age (growth and maximum stock alike, as a site
    index would). ``q = 1`` is the IPCC Tier 1 default stand: the best-scoring site in the
    cold (Köppen D) climate grows at the Tier 1 rate, poorer ones slower. Suitability also
    counts access and seed sources, so it is a proxy for site productivity: replace it by
    measured site index when one is known.
    """

    # Eligible land scoring 0 still grows half the Tier 1 stand (estimate).
    suitability_floor: float = Field(default=0.5, ge=0, le=1)
    # Köppen main group -> growth factor. cold (D, Dwc/Dfc forested slopes): IPCC temperate
    # continental defaults apply as they stand. polar (E, alpine): IPCC 2019 boreal mountain
    # natural growth 1.0 / temperate continental natural 3.3 = 0.3 (REFERENCE.md, verify).
    # arid (BSk valley steppe, ~208 mm/yr): drought limits larch growth in the forest-steppe
    # (Dulamsuren, Hauck & Leuschner 2010, Global Change Biol. 16:3024, verify): 0.5 (estimate).
    climate_factor: dict[ClimateName, float] = {"cold": 1.0, "arid": 0.5, "polar": 0.3}
    # Classes not listed above (and sites without a climate class) keep the Tier 1 stand.
    other_climate_factor: float = Field(default=1.0, ge=0, le=1)

    @field_validator("climate_factor")
    @classmethod
    def _factors_are_fractions(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"climate factors must lie in [0, 1], got {bad}")
        return value


class PoolsSpec(Model):
    """Optional carbon pools beyond living biomass: off by default (conservative)."""

    dead_wood: bool = False
    litter: bool = False
    # CDM A/R methodological tool 12 (AR-TOOL12) conservative defaults for temperate and boreal
    # biomes, as a share of tree biomass carbon: dead wood 8 %, litter 4 % (verify the tool's
    # table before relying on them).
    dead_wood_fraction_of_tree_carbon: float = Field(default=0.08, ge=0, le=1)
    litter_fraction_of_tree_carbon: float = Field(default=0.04, ge=0, le=1)
    # Soil organic carbon change per planted hectare, for the first soil_years after planting.
    # IPCC Tier 1 (2006 Vol. 4 Ch. 2.3.3) gives no change from grassland to forest when both
    # stock-change factors are 1, so the default is 0; give a measured rate to count soil.
    soil_tc_per_ha_per_year: float = 0.0
    # IPCC default time to reach the new soil equilibrium (2006 Vol. 4 Ch. 2, D = 20 years).
    soil_years: int = Field(default=20, ge=1)


class BaselineSpec(Model):
    """The pre-project land use and its carbon change, subtracted from the project's."""

    land: Literal["grassland"] = "grassland"
    # IPCC 2006 Vol. 4 Ch. 6.2.1 Tier 1: biomass of grassland remaining grassland does not
    # change; a degrading or recovering baseline can be set per planted hectare.
    tco2e_per_ha_per_year: float = 0.0


class UncertaintySpec(Model):
    """Which parameters the Monte Carlo draws; all off gives the deterministic path."""

    growth: bool = True
    survival: bool = True
    mortality: bool = True
    root_shoot: bool = True
    carbon_fraction: bool = True
    # fire probability and loss draws, and fire as random events (off: expected annual loss)
    disturbance: bool = True

    @property
    def any(self) -> bool:
        """Whether any parameter is drawn."""
        return any(self.model_dump().values())


class ForestSpec(Model):
    """The ``forest`` section: species, planting plan, site quality, pools and Monte Carlo."""

    species: str = "larix_sibirica"
    # Köppen main group -> species planted there instead of ``species``
    # (e.g. arid: pinus_sylvestris); needs the climate_class of each site.
    species_by_climate: dict[ClimateName, str] = {}
    first_planting_year: int = Field(default=2027, ge=1900, le=2200)
    horizon_year: int = Field(default=2060, ge=1900, le=2300)
    # Seedlings and crews for new planting plus replanting, shared across sites in rank order.
    # Khövsgöl nursery output is not published: 2,000 ha/yr (estimate).
    planting_capacity_ha_per_year: float = Field(default=2000.0, gt=0)
    # Planting survival; omitted: the species file's value (larch: 65 %, range 40–90 %).
    survival: Uncertain | None = None
    # Share of the failed seedlings replanted the year after planting ("beating up"), once;
    # replanted seedlings survive at the same rate (estimate).
    replanting_fraction: float = Field(default=1.0, ge=0, le=1)
    # Background mortality of established trees beyond the self-thinning already in the Tier 1
    # stand growth (drought, browsing): 0.5 %/yr, range 0–1.5 % (estimate).
    background_mortality_per_year: Uncertain = Uncertain(
        value=0.005,
        low=0.0,
        high=0.015,
        distribution="triangular",
        source="estimate: losses of planted larch to drought and browsing in the steppe",
        estimate=True,
    )
    fire: FireSpec = FireSpec()
    site_quality: SiteQualitySpec = SiteQualitySpec()
    pools: PoolsSpec = PoolsSpec()
    baseline: BaselineSpec = BaselineSpec()
    uncertainty: UncertaintySpec = UncertaintySpec()
    n_draws: int = Field(default=500, ge=1, le=100_000)
    quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)
    # Years after planting over which tco2e_per_ha_per_year is averaged (IPCC "≤ 20 years").
    removal_rate_years: int = Field(default=20, ge=1, le=200)
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
        from siting.io.species import check_species_name

        check_species_name(value)
        return value

    @field_validator("species_by_climate")
    @classmethod
    def _climate_species_known(cls, value: dict[str, str]) -> dict[str, str]:
        from siting.io.species import check_species_name

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
