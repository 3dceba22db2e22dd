"""Scenario models of the credit stage: Article 6 settings, project types, portfolio, prices.

The ``credits`` section of a scenario says how mitigation (tCO2e per project and year) becomes
Internationally Transferred Mitigation Outcomes (ITMOs): which mechanism (Article 6.2
bilateral or the Article 6.4 mechanism) and its deductions, the crediting period and
deductions of each project type, the host country's share, the portfolio projects entered
by hand, the price scenarios, and the comparison cases run side by side.

Every default is the Mörön / Gyeongbuk–Mongolia scenario. Fractions are shares of 1
(``0.05`` = 5 %). Every literature value carries its source; "(verify)" marks values from a
secondary source, "estimate" marks assumptions to replace with the agreed or measured value.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from siting.errors import ConfigError
from siting.scenario.base import Model

#: Statistics a mitigation table may hold (see :mod:`siting.credits.ledger`).
STATISTICS = ("p10", "p50", "p90", "mean")

#: What a project does to the atmosphere: avoids emissions or removes CO2.
KINDS = ("reduction", "removal")

Fraction = Annotated[float, Field(ge=0, le=1)]
Kind = Literal["reduction", "removal"]


# --------------------------------------------------------------------------------------------
# Crediting periods and mechanisms


class CreditingPeriod(Model):
    """A crediting period: ``renewable`` (``period_years`` x ``max_periods``) or ``fixed``.

    A renewable period is assumed to be renewed each time up to ``max_periods`` (renewal needs
    an updated baseline in practice); a fixed period is one period without renewal.
    """

    scheme: Literal["renewable", "fixed"] = "renewable"
    period_years: int = Field(ge=1, description="length of one crediting period, years")
    max_periods: int | None = Field(
        default=None, ge=1, description="renewable: number of periods (default 3); fixed: 1"
    )
    source: str = ""

    @model_validator(mode="after")
    def _fixed_is_one_period(self) -> CreditingPeriod:
        if self.scheme == "fixed" and self.max_periods not in (None, 1):
            raise ValueError(
                f"max_periods is {self.max_periods} but a fixed crediting period is not "
                "renewed: remove max_periods or use scheme: renewable"
            )
        return self

    @property
    def periods(self) -> int:
        """Number of crediting periods (renewable default: 3, i.e. renewed twice)."""
        if self.scheme == "fixed":
            return 1
        return 3 if self.max_periods is None else self.max_periods

    @property
    def total_years(self) -> int:
        """Years from the start of the first period to the end of the last one."""
        return self.period_years * self.periods


class MechanismSettings(Model):
    """Deductions and default crediting periods of one Article 6 route (6.2 or 6.4).

    ``share_of_proceeds_fraction`` and ``omge_fraction`` are both taken from the units issued
    (same base), so together they must not exceed 1.
    """

    share_of_proceeds_fraction: Fraction = Field(
        description="share of issued units to the Adaptation Fund"
    )
    omge_fraction: Fraction = Field(
        description="share of issued units cancelled for overall mitigation (OMGE)"
    )
    crediting: dict[Kind, CreditingPeriod] = Field(
        description="default crediting period per kind (reduction, removal)"
    )
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> MechanismSettings:
        total = self.share_of_proceeds_fraction + self.omge_fraction
        if total > 1:
            raise ValueError(
                f"share_of_proceeds_fraction + omge_fraction = {total:g} exceeds 1: both are "
                "taken from the same issued units; give shares of 1 (0.05 = 5 %)"
            )
        missing = [kind for kind in KINDS if kind not in self.crediting]
        if missing:
            raise ValueError(f"crediting must give a period for every kind; missing {missing}")
        return self


# Article 6.4 mechanism: Decision 3/CMA.3, annex (rules, modalities and procedures).
#   Share of proceeds: 5 % of A6.4ERs at issuance to the Adaptation Fund (chapter VII);
#   OMGE: at least 2 % of A6.4ERs cancelled at issuance (chapter VIII) (verify paragraphs).
#   Crediting: reductions 5 yr renewable twice (or 10 yr fixed); removals 15 yr renewable
#   twice (REFERENCE.md "Crediting periods"; verify against the annex, section V).
ARTICLE_6_4 = MechanismSettings(
    share_of_proceeds_fraction=0.05,
    omge_fraction=0.02,
    crediting={
        "reduction": CreditingPeriod(scheme="renewable", period_years=5, max_periods=3),
        "removal": CreditingPeriod(scheme="renewable", period_years=15, max_periods=3),
    },
    source="Decision 3/CMA.3 annex (SOP 5 %, OMGE 2 %, crediting periods) (verify paragraphs)",
)

# Article 6.2 (cooperative approaches): Decision 2/CMA.3 only *encourages* a share of proceeds
# and OMGE (REFERENCE.md). The Korea–Mongolia implementing arrangement (3 May 2023) publishes
# neither, so the default takes none of either: an estimate to replace with the agreed terms
# (Singapore's agreements take 5 % + 2 %, the 6.4 values). Crediting periods default to the CDM
# rules the bilateral arrangements build on: Decision 3/CMP.1 annex para 49 (7 yr renewable
# twice, or 10 yr fixed) and, for A/R removals, Decision 5/CMP.1 annex para 23 (20 yr renewable
# twice, or 30 yr fixed) (verify).
ARTICLE_6_2 = MechanismSettings(
    share_of_proceeds_fraction=0.0,
    omge_fraction=0.0,
    crediting={
        "reduction": CreditingPeriod(scheme="renewable", period_years=7, max_periods=3),
        "removal": CreditingPeriod(scheme="renewable", period_years=20, max_periods=3),
    },
    source="Decision 2/CMA.3 (SOP/OMGE encouraged, not mandatory); CDM crediting periods "
    "(Decision 3/CMP.1 annex para 49; Decision 5/CMP.1 annex para 23) (verify); estimate",
)


# --------------------------------------------------------------------------------------------
# Uncertainty


class UncertaintyBand(Model):
    """Deduct ``deduction_fraction`` when the relative uncertainty is at most the bound.

    The relative uncertainty is the half-width of the 90 % confidence interval divided by the
    central estimate.
    """

    max_relative_uncertainty: float = Field(gt=0)
    deduction_fraction: Fraction


# FCPF Carbon Fund Methodological Framework (rev. 2016), Criterion 22: conservativeness factor
# by the half-width of the 90 % confidence interval relative to the median: <= 15 % -> 0,
# <= 30 % -> 4 %, <= 60 % -> 8 %, <= 100 % -> 12 %, above -> 15 % (the same bands as the FCPF
# ER Monitoring Report calculation tool) (verify against the framework text).
FCPF_BANDS = (
    UncertaintyBand(max_relative_uncertainty=0.15, deduction_fraction=0.0),
    UncertaintyBand(max_relative_uncertainty=0.30, deduction_fraction=0.04),
    UncertaintyBand(max_relative_uncertainty=0.60, deduction_fraction=0.08),
    UncertaintyBand(max_relative_uncertainty=1.00, deduction_fraction=0.12),
)
FCPF_ABOVE_BANDS = 0.15


class UncertaintySpec(Model):
    """How a project type's uncertainty deduction is made.

    ``quantile``: credit the conservative statistic; the deduction is central minus
    conservative. ``band``: deduct the fraction of the band that the relative uncertainty
    falls in (derived from the conservative statistic when the input has it, else
    ``relative_uncertainty_90``). ``none``: no deduction.

    ``statistic_convention`` says how the input names its quantiles: ``percentile`` (p10 is
    the 10th percentile, the low side: forest removals) or ``exceedance`` (P90 is exceeded
    with 90 % probability, also the low side: wind energy). The conservative statistic must
    be the low side under that convention.
    """

    method: Literal["quantile", "band", "none"] = "quantile"
    conservative_statistic: Literal["p10", "p90"] | None = "p10"
    statistic_convention: Literal["percentile", "exceedance"] = "percentile"
    relative_uncertainty_90: float | None = Field(
        default=None,
        ge=0,
        description="half-width of the 90 % confidence interval / central estimate, when the "
        "input has no conservative statistic",
    )
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> UncertaintySpec:
        if self.method == "quantile" and self.conservative_statistic is None:
            raise ValueError("method quantile needs conservative_statistic (p10 or p90)")
        low_side = "p10" if self.statistic_convention == "percentile" else "p90"
        if self.conservative_statistic not in (None, low_side):
            raise ValueError(
                f"conservative_statistic {self.conservative_statistic} is the high side under "
                f"the {self.statistic_convention} convention; the conservative (low) side is "
                f"{low_side}"
            )
        return self

    def percentile_of(self, statistic: str) -> float | None:
        """Percentile (0-100) of the outcome that an input statistic stands for.

        Parameters
        ----------
        statistic : str
            ``p10``, ``p50``, ``p90`` or ``mean``.

        Returns
        -------
        float or None
            E.g. 10 for ``p10`` (percentile convention) or for ``p90`` (exceedance
            convention); None for ``mean``.
        """
        if statistic == "mean":
            return None
        level = float(statistic[1:])
        return level if self.statistic_convention == "percentile" else 100.0 - level


# --------------------------------------------------------------------------------------------
# Project types


class ProjectType(Model):
    """Credit rules of one project type (wind, reforestation, a portfolio type)."""

    kind: Kind
    central_statistic: Literal["p50", "mean"] = Field(
        default="p50", description="input statistic taken as the gross mitigation"
    )
    uncertainty: UncertaintySpec = UncertaintySpec()
    leakage_fraction: Fraction = 0.0
    buffer_fraction: Fraction = Field(
        default=0.0, description="non-permanence buffer withheld (removals only)"
    )
    buffer_release_fraction: Fraction = Field(
        default=0.0, description="share of the withheld buffer released to the project later"
    )
    buffer_release_after_years: int = Field(
        default=5, ge=0, description="years after the vintage when released buffer units issue"
    )
    crediting: CreditingPeriod | None = Field(
        default=None, description="omitted: the mechanism's default period for the kind"
    )
    source: str = ""

    @model_validator(mode="after")
    def _buffer_for_removals(self) -> ProjectType:
        if self.kind == "reduction" and (self.buffer_fraction or self.buffer_release_fraction):
            raise ValueError(
                "buffer_fraction: a non-permanence buffer applies to removals only; set it to 0 "
                "for a reduction project type (or set kind: removal)"
            )
        return self


DEFAULT_PROJECT_TYPES: dict[str, ProjectType] = {
    # Wind (CDM ACM0002 logic): leakage is not considered for grid-connected renewables
    # (ACM0002, "Leakage") (verify version). Energy estimates come as P50/P90 exceedance
    # values; P90 (the lower generation) is the conservative statistic.
    "wind": ProjectType(
        kind="reduction",
        uncertainty=UncertaintySpec(
            method="quantile", conservative_statistic="p90", statistic_convention="exceedance"
        ),
        leakage_fraction=0.0,
        source="CDM ACM0002: no leakage for grid-connected renewables (verify)",
    ),
    # Reforestation (ARR): leakage from displaced grazing, VM0047 needs VMD0054 and sets no
    # fixed share: 10 % (range 0-20 %) is an estimate (REFERENCE.md). Non-permanence buffer:
    # Verra AFOLU Non-Permanence Risk Tool v4.2, typically 10-20 % withheld (verify floor); the
    # top of that range for the fire- and drought-prone Khövsgöl forest-steppe (estimate).
    # Verra keeps buffer units, so nothing is released by default.
    "reforestation": ProjectType(
        kind="removal",
        uncertainty=UncertaintySpec(
            method="quantile", conservative_statistic="p10", statistic_convention="percentile"
        ),
        leakage_fraction=0.10,
        buffer_fraction=0.20,
        source="leakage: estimate (Verra VM0047/VMD0054); buffer: Verra AFOLU risk tool v4.2 "
        "typical 10-20 % (verify)",
    ),
    # Portfolio types from the Gyeongbuk–Mongolia agreements: one annual figure each, with a
    # relative uncertainty for the band deduction (estimates: replace with monitoring data).
    "solar_thermal_heat": ProjectType(
        kind="reduction",
        uncertainty=UncertaintySpec(
            method="band", conservative_statistic=None, relative_uncertainty_90=0.20
        ),
        source="heat plant conversion, ~50 kt CO2/yr (nocutnews, news1, Oct 2025); "
        "uncertainty 20 %: estimate",
    ),
    "e_bus": ProjectType(
        kind="reduction",
        uncertainty=UncertaintySpec(
            method="band", conservative_statistic=None, relative_uncertainty_90=0.20
        ),
        source="60 e-buses, ~2 kt CO2/yr (news1, Oct 2025); uncertainty 20 %: estimate",
    ),
    "ger_insulation": ProjectType(
        kind="reduction",
        uncertainty=UncertaintySpec(
            method="band", conservative_statistic=None, relative_uncertainty_90=0.40
        ),
        source="~7.6 tCO2e per ger household-year (2018 surveys, verify); uncertainty 40 %: "
        "estimate (household coal use varies widely)",
    ),
}


class ProjectSettings(Model):
    """Per-project crediting dates (by ``project_id``), overriding those from the data.

    Without ``crediting_start_year`` a project's crediting starts in its first year with
    mitigation; without ``crediting_end_year`` it ends with its last crediting period.
    """

    crediting_start_year: int | None = None
    crediting_end_year: int | None = Field(
        default=None, description="last year credited (inclusive), e.g. a registration limit"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ProjectSettings:
        start, end = self.crediting_start_year, self.crediting_end_year
        if start is not None and end is not None and end < start:
            raise ValueError(
                f"crediting_end_year {end} is before crediting_start_year {start}: a crediting "
                "period must end in or after the year it starts"
            )
        return self


# --------------------------------------------------------------------------------------------
# Targets and money


class AccountingPeriod(Model):
    """Vintages ``first_year``..``last_year`` counted towards a target of the buyer."""

    name: str = Field(pattern=r"^[A-Za-z0-9_]+$", description="used in column names")
    first_year: int
    last_year: int
    buyer_target_tco2e: float = Field(gt=0, description="the buyer's target for the period")
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> AccountingPeriod:
        if self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        return self


# Korea's 2030 NDC counts 37.5 Mt CO2e of international reductions (1st National Carbon
# Neutrality Basic Plan, 2023); ITMOs from 2021 vintages on (Decision 2/CMA.3) count towards it.
# Korea has set no overseas figure for 2031-2035: the same 37.5 Mt is used as a yardstick
# (estimate).
DEFAULT_ACCOUNTING_PERIODS = (
    AccountingPeriod(
        name="to_2030",
        first_year=2021,
        last_year=2030,
        buyer_target_tco2e=37_500_000,
        source="1st National Carbon Neutrality Basic Plan (2023): 37.5 Mt international",
    ),
    AccountingPeriod(
        name="2031_2035",
        first_year=2031,
        last_year=2035,
        buyer_target_tco2e=37_500_000,
        source="no 2031-2035 overseas target published: the 2030 figure as yardstick (estimate)",
    ),
)


class PriceScenario(Model):
    """An ITMO price path: ``price_usd_per_tco2`` in the base year, growing geometrically."""

    price_usd_per_tco2: float = Field(ge=0)
    growth_per_year: float = Field(default=0.0, gt=-1, description="0.03 = +3 % a year")
    source: str = ""


class FinanceSpec(Model):
    """Price scenarios and discounting of the credit revenue.

    Units of a vintage are sold ``sale_lag_years`` after it (verification and issuance), at
    that year's price; values are discounted to ``base_year`` at ``discount_rate``.
    """

    price_scenarios: dict[str, PriceScenario] = Field(min_length=1)
    base_year: int = 2025
    discount_rate: float = Field(default=0.08, ge=0, lt=1)
    sale_lag_years: int = Field(default=1, ge=0)

    @field_validator("price_scenarios")
    @classmethod
    def _names(cls, scenarios: dict[str, PriceScenario]) -> dict[str, PriceScenario]:
        bad = [name for name in scenarios if not name.replace("_", "").isalnum()]
        if bad:
            raise ValueError(f"price scenario names {bad} must be letters, digits and _")
        return scenarios


DEFAULT_FINANCE = FinanceSpec(
    price_scenarios={
        # Estimates bracketing the prices seen (REFERENCE.md): Swiss–Thai e-bus ITMOs "more
        # than US$30" (RFA 2024); Singapore carbon tax S$25 (2024-25), S$45 (2026-27),
        # S$50-80 by 2030 (NEA), i.e. about US$37-60 (verify exchange rate).
        "low": PriceScenario(
            price_usd_per_tco2=10.0, growth_per_year=0.0, source="estimate: weak demand"
        ),
        "mid": PriceScenario(
            price_usd_per_tco2=30.0,
            growth_per_year=0.03,
            source="Swiss-Thai e-bus ITMOs > US$30 (RFA 2024); growth estimate",
        ),
        "high": PriceScenario(
            price_usd_per_tco2=50.0,
            growth_per_year=0.05,
            source="Singapore carbon tax S$50-80 by 2030 (NEA) ~ US$37-60 (verify); estimate",
        ),
    },
    base_year=2025,
    # Real discount rate for project finance in Mongolia: estimate.
    discount_rate=0.08,
    # One year from the vintage to verification, issuance and sale: estimate.
    sale_lag_years=1,
)


# --------------------------------------------------------------------------------------------
# Portfolio items (projects entered by hand rather than computed by siting)


class _PortfolioItem(Model):
    project_id: str = Field(min_length=1)
    project_type: str
    start_year: int = Field(description="first operating year")
    ramp_up_years: int = Field(
        default=0,
        ge=0,
        description="years before full output; operating year k of n gives k/(n+1)",
    )
    lifetime_years: int = Field(ge=1, description="operating years from start_year")
    source: str = ""

    def annual_tco2e(self) -> float:
        """Mitigation at full output, tCO2e per year."""
        raise NotImplementedError


class HeatPlantConversion(_PortfolioItem):
    """A coal heat-only plant converted to solar thermal: a fixed annual reduction."""

    item: Literal["heat_plant_conversion"]
    project_type: str = "solar_thermal_heat"
    tco2e_per_year: float = Field(gt=0, description="reduction at full output")

    def annual_tco2e(self) -> float:  # noqa: D102 (documented on the base class)
        return self.tco2e_per_year


class EBusFleet(_PortfolioItem):
    """Electric buses replacing diesel ones: buses x tCO2e per bus-year."""

    item: Literal["e_bus_fleet"]
    project_type: str = "e_bus"
    n_buses: int = Field(ge=1)
    tco2e_per_bus_year: float = Field(gt=0)

    def annual_tco2e(self) -> float:  # noqa: D102
        return self.n_buses * self.tco2e_per_bus_year


class GerHouseholds(_PortfolioItem):
    """Ger insulation / stove replacement: households x tCO2e per household-year x saving."""

    item: Literal["ger_households"]
    project_type: str = "ger_insulation"
    households: int = Field(ge=1)
    baseline_tco2e_per_household_year: float = Field(gt=0)
    reduction_fraction: Fraction = Field(
        description="share of the household's baseline emissions avoided"
    )

    def annual_tco2e(self) -> float:  # noqa: D102
        return self.households * self.baseline_tco2e_per_household_year * self.reduction_fraction


class FixedAnnual(_PortfolioItem):
    """Any other project: a fixed annual mitigation."""

    item: Literal["fixed_annual"]
    tco2e_per_year: float = Field(gt=0, description="mitigation at full output")

    def annual_tco2e(self) -> float:  # noqa: D102
        return self.tco2e_per_year


PortfolioItem = Annotated[
    HeatPlantConversion | EBusFleet | GerHouseholds | FixedAnnual, Field(discriminator="item")
]

DEFAULT_PORTFOLIO: tuple[PortfolioItem, ...] = (
    # Gyeongbuk MoU (27 Oct 2025): the Mörön heat plant's 50 MW of heat to solar thermal,
    # ~3,000 households, ~50 kt CO2/yr (nocutnews, news1, Oct 2025). Start, ramp-up and a
    # 20-year collector life are estimates.
    HeatPlantConversion(
        item="heat_plant_conversion",
        project_id="heat_plant",
        tco2e_per_year=50_000,
        start_year=2027,
        ramp_up_years=1,
        lifetime_years=20,
        source="Gyeongbuk MoU 27 Oct 2025, ~50 kt CO2/yr (news1, nocutnews); dates: estimate",
    ),
    # Ulaanbaatar e-buses (Gyeongbuk MoU): 60 buses, ~2 kt CO2/yr (news1, Oct 2025), i.e.
    # 2,000 / 60 = 33.3 tCO2e per bus-year. 12-year bus life and start: estimates.
    EBusFleet(
        item="e_bus_fleet",
        project_id="ub_ebus",
        n_buses=60,
        tco2e_per_bus_year=2000 / 60,
        start_year=2026,
        ramp_up_years=0,
        lifetime_years=12,
        source="Gyeongbuk MoU: 60 buses, ~2 kt CO2/yr (news1, Oct 2025); dates: estimate",
    ),
    # Ger households burn ~5 t coal, ~7.6 tCO2e a year (2018 surveys, verify). Household count
    # (the agreements give none) and the 40 % saving from insulation and a cleaner stove are
    # estimates: replace with the programme's figures.
    GerHouseholds(
        item="ger_households",
        project_id="ger_insulation",
        households=1000,
        baseline_tco2e_per_household_year=7.6,
        reduction_fraction=0.40,
        start_year=2026,
        ramp_up_years=2,
        lifetime_years=10,
        source="7.6 tCO2e per household-year (2018 surveys, verify); households, saving, "
        "dates: estimate",
    ),
)


# --------------------------------------------------------------------------------------------
# Comparison cases


class ComparisonCase(Model):
    """A named variant of the scenario, run side by side with the others.

    ``credits`` overrides fields of the ``credits`` section (nested mappings are merged, other
    values replaced). ``grid_ef_tco2_per_mwh`` and ``forest_survival_fraction`` are applied
    upstream (wind emission reductions, forest survival) before the credit stage runs.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    credits: dict[str, Any] = {}
    grid_ef_tco2_per_mwh: float | None = Field(default=None, gt=0)
    forest_survival_fraction: float | None = Field(default=None, gt=0, le=1)

    @field_validator("credits")
    @classmethod
    def _no_nested_cases(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        if "comparison_cases" in overrides:
            raise ValueError("a comparison case cannot override comparison_cases")
        return overrides


DEFAULT_COMPARISON_CASES = (
    ComparisonCase(
        name="article_6_2",
        description="bilateral Article 6.2 settings (the scenario default)",
        credits={"mechanism": "6.2"},
    ),
    ComparisonCase(
        name="article_6_4",
        description="Article 6.4 mechanism: 5 % share of proceeds, 2 % OMGE, 6.4 crediting",
        credits={"mechanism": "6.4"},
    ),
    # Grid emission factor of Mongolia's Central Energy System (REFERENCE.md): conservative
    # 0.797 tCO2/MWh (JCM methodology MN_AM003) vs 1.19 implied by Salkhit's claim (derived).
    ComparisonCase(
        name="grid_ef_0.797",
        description="conservative grid emission factor (JCM MN_AM003)",
        grid_ef_tco2_per_mwh=0.797,
    ),
    ComparisonCase(
        name="grid_ef_1.19",
        description="grid emission factor implied by Salkhit's claim (derived)",
        grid_ef_tco2_per_mwh=1.19,
    ),
    # Planting survival: default 65 %, range 40-90 % (estimate; Gradel et al. 2019 find limited
    # success where official claims say > 90 %).
    ComparisonCase(
        name="survival_low",
        description="40 % planting survival (low end of the estimated range)",
        forest_survival_fraction=0.40,
    ),
    ComparisonCase(
        name="survival_high",
        description="90 % planting survival (official claims)",
        forest_survival_fraction=0.90,
    ),
)


# --------------------------------------------------------------------------------------------
# The credits section


class CreditsSpec(Model):
    """The ``credits`` section of a scenario: how mitigation becomes ITMOs and money."""

    mechanism: Literal["6.2", "6.4"] = Field(
        default="6.2", description="Article 6.2 bilateral (default) or the 6.4 mechanism"
    )
    article_6_2: MechanismSettings = ARTICLE_6_2
    article_6_4: MechanismSettings = ARTICLE_6_4
    # Share of the ITMOs that Mongolia keeps towards its own NDC: the implementing arrangement
    # (3 May 2023) publishes none; 10 % is an estimate to replace with the agreed share.
    host_share_fraction: Fraction = 0.10
    host_party: str = "Mongolia"
    buyer_party: str = "Republic of Korea"
    # ITMOs are mitigation achieved from 2021 on (Decision 2/CMA.3 annex) (verify paragraph).
    first_vintage_year: int = 2021
    accounting_periods: list[AccountingPeriod] = Field(
        default=list(DEFAULT_ACCOUNTING_PERIODS), min_length=1
    )
    uncertainty_bands: list[UncertaintyBand] = Field(default=list(FCPF_BANDS), min_length=1)
    uncertainty_deduction_above_bands: Fraction = FCPF_ABOVE_BANDS
    project_types: dict[str, ProjectType] = Field(
        default_factory=lambda: dict(DEFAULT_PROJECT_TYPES), min_length=1
    )
    projects: dict[str, ProjectSettings] = Field(
        default={}, description="per project_id crediting dates overriding the data"
    )
    portfolio: list[PortfolioItem] = Field(default=list(DEFAULT_PORTFOLIO))
    finance: FinanceSpec = DEFAULT_FINANCE
    comparison_cases: list[ComparisonCase] = Field(default=list(DEFAULT_COMPARISON_CASES))

    @field_validator("mechanism", mode="before")
    @classmethod
    def _mechanism_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 6.2 as a number.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value:g}"
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CreditsSpec:
        problems = []
        bounds = [band.max_relative_uncertainty for band in self.uncertainty_bands]
        cuts = [band.deduction_fraction for band in self.uncertainty_bands]
        if any(later <= earlier for earlier, later in pairwise(bounds)):
            problems.append(
                f"uncertainty_bands: max_relative_uncertainty must increase band by band, got "
                f"{bounds}"
            )
        if any(
            later < earlier
            for earlier, later in pairwise([*cuts, self.uncertainty_deduction_above_bands])
        ):
            problems.append(
                "uncertainty_bands: deduction_fraction must not decrease as the uncertainty "
                f"grows, got {cuts} then {self.uncertainty_deduction_above_bands} above"
            )
        names = [period.name for period in self.accounting_periods]
        if len(set(names)) != len(names):
            problems.append(f"accounting_periods: names must be unique, got {names}")
        ids = [item.project_id for item in self.portfolio]
        if len(set(ids)) != len(ids):
            problems.append(f"portfolio: project_id values must be unique, got {ids}")
        for i, item in enumerate(self.portfolio):
            if item.project_type not in self.project_types:
                problems.append(
                    f"portfolio.{i}.project_type: {item.project_type!r} is not a project type "
                    f"(choose from {', '.join(sorted(self.project_types))}, or add it under "
                    "credits.project_types)"
                )
        case_names = [case.name for case in self.comparison_cases]
        if len(set(case_names)) != len(case_names):
            problems.append(f"comparison_cases: names must be unique, got {case_names}")
        if problems:
            raise ValueError("; ".join(problems))
        for i, case in enumerate(self.comparison_cases):
            try:
                self.for_case(case.name)
            except ConfigError as err:
                raise ValueError(f"comparison_cases.{i}.credits ({case.name}): {err}") from None
        return self

    # ----------------------------------------------------------------------------------------
    @property
    def mechanism_settings(self) -> MechanismSettings:
        """Settings of the chosen mechanism (``article_6_2`` or ``article_6_4``)."""
        return self.article_6_4 if self.mechanism == "6.4" else self.article_6_2

    def crediting_for(self, project_type: str) -> CreditingPeriod:
        """Crediting period of a project type: its own, else the mechanism's for its kind.

        Parameters
        ----------
        project_type : str
            A key of :attr:`project_types`.

        Returns
        -------
        CreditingPeriod
        """
        spec = self.project_types[project_type]
        return spec.crediting or self.mechanism_settings.crediting[spec.kind]

    def band_deduction(self, relative_uncertainty: float) -> float:
        """Deduction fraction for a relative uncertainty (90 % CI half-width / central).

        Parameters
        ----------
        relative_uncertainty : float
            E.g. 0.2 for +-20 %.

        Returns
        -------
        float
            Fraction of the creditable amount deducted.
        """
        if math.isnan(relative_uncertainty):
            raise ValueError("relative uncertainty is NaN")
        for band in self.uncertainty_bands:
            if relative_uncertainty <= band.max_relative_uncertainty:
                return band.deduction_fraction
        return self.uncertainty_deduction_above_bands

    def case(self, name: str) -> ComparisonCase:
        """The comparison case called ``name``.

        Raises
        ------
        ConfigError
            When there is no such case.
        """
        for case in self.comparison_cases:
            if case.name == name:
                return case
        known = ", ".join(case.name for case in self.comparison_cases) or "none"
        raise ConfigError(
            f"credits.comparison_cases: no case named {name!r} (known: {known}). "
            "Fix: use one of the known names or add the case to the scenario"
        )

    def for_case(self, name: str) -> CreditsSpec:
        """These settings with a comparison case's ``credits`` overrides applied.

        Parameters
        ----------
        name : str
            Name of a comparison case.

        Returns
        -------
        CreditsSpec
            The overridden settings (without comparison cases of their own). The case's
            ``grid_ef_tco2_per_mwh`` and ``forest_survival_fraction`` are for the caller to
            apply to the wind and forest stages.

        Raises
        ------
        ConfigError
            When the overrides make the settings invalid; the message names the fields.
        """
        case = self.case(name)
        data = self.model_dump(mode="python", exclude={"comparison_cases"})
        merged = _deep_merge(data, case.credits)
        merged["comparison_cases"] = []
        try:
            return CreditsSpec.model_validate(merged)
        except ValidationError as err:
            raise ConfigError(_validation_lines(err)) from None


def _deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` applied: nested mappings merged, other values replaced."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validation_lines(err: ValidationError) -> str:
    parts = []
    for problem in err.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        parts.append(f"{location}: {message}")
    return "; ".join(parts)


class _CreditsSection(Model):
    credits: CreditsSpec = CreditsSpec()


def credits_from_dict(data: dict[str, Any] | None, *, label: str = "scenario") -> CreditsSpec:
    """Validate a ``credits`` section given as a dictionary (as in the YAML file).

    Parameters
    ----------
    data : dict or None
        The fields of the ``credits`` section; None or empty gives the Mörön defaults.
    label : str
        Name of the source used in error messages.

    Returns
    -------
    CreditsSpec

    Raises
    ------
    ConfigError
        One line per invalid field, named by its dotted path under ``credits``.
    """
    from siting.scenario.model import format_validation_error

    try:
        return _CreditsSection.model_validate({"credits": data or {}}).credits
    except ValidationError as err:
        raise ConfigError(format_validation_error(label, err)) from None
