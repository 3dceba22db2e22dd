"""Scenario models of the credit stage: Article 6 settings, project types, portfolio, prices.

The ``credits`` section of a scenario says how mitigation (tCO2e per project and year) becomes
Internationally Transferred Mitigation Outcomes (ITMOs): which mechanism (Article 6.2
bilateral or the Article 6.4 mechanism) and its deductions, the crediting period and
deductions of each project type, the host country's share, the portfolio projects entered
by hand, the price scenarios, and the comparison cases run side by side.

The section and its parts with fixed places (the two mechanisms' settings, ``finance``) are
:class:`~siting.scenario.defaults.Section` models: a field a scenario omits takes the value of
the embedded ``siting/scenario/moron.yaml`` (the Mörön / Gyeongbuk–Mongolia scenario), where
every literature value carries its source; "(verify)" marks values from a secondary source,
"estimate" marks assumptions to replace with the agreed or measured value. A list or mapping
given (project types, portfolio, bands, periods, cases) replaces the default's as a whole; its
entries keep the generic defaults below. Fractions are shares of 1 (``0.05`` = 5 %).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from siting.errors import ConfigError
from siting.scenario.base import Model, deep_merge, format_validation_error
from siting.scenario.defaults import Section

#: Statistics a mitigation table may hold (see :mod:`siting.credits.ledger`).
STATISTICS = ("p10", "p50", "p75", "p90", "mean")

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


class MechanismSettings(Section):
    """Deductions and default crediting periods of one Article 6 route (6.2 or 6.4).

    ``share_of_proceeds_fraction`` and ``omge_fraction`` are both taken from the units issued
    (same base), so together they must not exceed 1. Used for ``credits.article_6_2`` and
    ``credits.article_6_4``: a field missing from either takes that mechanism's default.
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
    source: str

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


# --------------------------------------------------------------------------------------------
# Uncertainty


class UncertaintyBand(Model):
    """Deduct ``deduction_fraction`` when the relative uncertainty is at most the bound.

    The relative uncertainty is the half-width of the 90 % confidence interval divided by the
    central estimate.
    """

    max_relative_uncertainty: float = Field(gt=0)
    deduction_fraction: Fraction


class UncertaintyDeductionSpec(Model):
    """How a project type's uncertainty deduction is made: a named method.

    The relative uncertainty ``U`` is the half-width of the 90 % confidence interval over the
    central estimate, derived from the conservative statistic when the input has one (normal
    approximation), else ``relative_uncertainty_90``.

    ``vm0047``: the Verra VM0047 / CDM A/R approach (CDM AR-TOOL14): no deduction when
    ``U <= credits.vm0047_uncertainty.no_deduction_max`` (10 %), else the excess
    ``U - 0.10`` of the creditable amount is deducted (see :mod:`siting.credits.ledger`).
    ``fcpf_bands`` (alias ``band``): the FCPF Carbon Fund conservativeness factors of
    ``credits.uncertainty_bands``. ``quantile``: credit the conservative statistic itself
    (the deduction is central minus conservative): explicitly more conservative than either
    standard. ``none``: no ex-ante deduction (e.g. wind under ACM0002, credited on metered
    generation).

    ``statistic_convention`` says how the input names its quantiles: ``percentile`` (p10 is
    the 10th percentile, the low side: forest removals) or ``exceedance`` (P90 is exceeded
    with 90 % probability, also the low side: wind energy). The conservative statistic must
    be the low side under that convention.
    """

    method: Literal["vm0047", "fcpf_bands", "band", "quantile", "none"] = "quantile"
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
    def _consistent(self) -> UncertaintyDeductionSpec:
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
    uncertainty: UncertaintyDeductionSpec = UncertaintyDeductionSpec()
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


class Vm0047Uncertainty(Model):
    """Settings of the ``vm0047`` uncertainty deduction (Verra VM0047 / CDM AR-TOOL14)."""

    no_deduction_max: Fraction = Field(
        description="no deduction up to this relative uncertainty (90 % CI half-width / mean)"
    )
    source: str = ""


class AccountingPeriod(Model):
    """Vintages ``first_year``..``last_year`` counted towards a target of the buyer.

    With ``target_year`` the target is a single-year quantity (Korea's 37.5 Mt is for 2030):
    the ITMOs are compared with it as Article 6 accounting does for a single-year NDC, by the
    averaging approach (cumulative ITMOs of the period / its years, Decision 2/CMA.3 annex,
    para 7(a)(ii)) and by the ``target_year`` vintage alone; the cumulative total is reported
    as such and never divided by the single-year target. Without ``target_year`` the target
    is a cumulative quantity for the whole period.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9_]+$", description="used in column names")
    first_year: int
    last_year: int
    buyer_target_tco2e: float = Field(gt=0, description="the buyer's target for the period")
    target_year: int | None = Field(
        default=None, description="year of a single-year target; None: a cumulative target"
    )
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> AccountingPeriod:
        if self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        if (
            self.target_year is not None
            and not self.first_year <= self.target_year <= self.last_year
        ):
            raise ValueError(
                f"target_year {self.target_year} is outside {self.first_year}-{self.last_year}"
            )
        return self

    @property
    def years(self) -> int:
        """Years of the period (the averaging approach's divisor)."""
        return self.last_year - self.first_year + 1


class PriceScenario(Model):
    """An ITMO price path: ``price_usd_per_tco2`` in the base year, growing geometrically."""

    price_usd_per_tco2: float = Field(ge=0)
    growth_per_year: float = Field(default=0.0, gt=-1, description="0.03 = +3 % a year")
    source: str = ""


class FinanceSpec(Section):
    """Price scenarios and discounting of the credit revenue.

    Units of a vintage are sold ``sale_lag_years`` after it (verification and issuance), at
    that year's price; values are discounted to ``base_year`` at ``discount_rate``.
    """

    yaml_path = "credits.finance"

    price_scenarios: dict[str, PriceScenario] = Field(min_length=1)
    base_year: int = Field(description="year values are discounted to")
    discount_rate: float = Field(ge=0, lt=1, description="real discount rate per year")
    sale_lag_years: int = Field(ge=0, description="years from a vintage to the sale of its units")

    @field_validator("price_scenarios")
    @classmethod
    def _names(cls, scenarios: dict[str, PriceScenario]) -> dict[str, PriceScenario]:
        bad = [name for name in scenarios if not name.replace("_", "").isalnum()]
        if bad:
            raise ValueError(f"price scenario names {bad} must be letters, digits and _")
        return scenarios


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


class SmallScaleCheck(Model):
    """A portfolio item's size against its small-scale methodology's limit."""

    methodology: str
    quantity: str
    value: float
    limit: float
    unit: str

    @property
    def exceeded(self) -> bool:
        """True when the item is too large for the small-scale methodology."""
        return self.value > self.limit


class HeatPlantConversion(_PortfolioItem):
    """Solar district heat feeding a coal heat-only plant's network (CDM AMS-I.C).

    Reduction = baseline emissions of the plant's heat x ``solar_fraction`` (the share of the
    annual heat the collector field delivers; about 10-20 % with diurnal storage, 40-50 % with
    a seasonal pit store in large Danish plants, IEA SHC Task 55): not a 100 % replacement.
    The collector capacity that fraction needs (heat / specific yield x 0.7 kWth per m2,
    the IEA SHC conversion) is checked against AMS-I.C's 45 MWth small-scale limit.
    """

    item: Literal["heat_plant_conversion"]
    project_type: str = "solar_thermal_heat"
    baseline_tco2e_per_year: float = Field(gt=0, description="the coal plant's emissions")
    heat_emission_factor_tco2_per_mwh: float = Field(
        gt=0, description="baseline emissions per MWh of heat delivered"
    )
    solar_fraction: Fraction = Field(description="share of the annual heat from the sun")
    collector_yield_mwh_per_m2_year: float = Field(gt=0, description="specific solar yield")
    kwth_per_m2: float = Field(gt=0, description="collector thermal capacity per m2")
    small_scale_limit_mwth: float = Field(gt=0, description="AMS-I.C limit")

    def annual_tco2e(self) -> float:  # noqa: D102 (documented on the base class)
        return self.baseline_tco2e_per_year * self.solar_fraction

    def solar_heat_mwh(self) -> float:
        """Heat delivered by the collector field, MWh per year."""
        return self.annual_tco2e() / self.heat_emission_factor_tco2_per_mwh

    def small_scale_check(self) -> SmallScaleCheck:
        """Collector capacity (MWth) against the AMS-I.C limit."""
        area_m2 = self.solar_heat_mwh() / self.collector_yield_mwh_per_m2_year
        return SmallScaleCheck(
            methodology="CDM AMS-I.C", quantity="collector capacity",
            value=area_m2 * self.kwth_per_m2 / 1e3, limit=self.small_scale_limit_mwth,
            unit="MWth",
        )  # fmt: skip


class EBusFleet(_PortfolioItem):
    """Electric buses replacing diesel ones, net of charging emissions (CDM AMS-III.C).

    Per bus-year: baseline ``km x diesel l/km x kg CO2/l`` minus project
    ``km x kWh/km / (1 - grid losses) x grid EF``. On a coal grid the project emissions can
    match or exceed the baseline: the net (:meth:`net_tco2e_per_year`) is reported as is, the
    credited reduction is never below 0. Checked against AMS-III.C's 60 kt CO2e/yr limit.
    """

    item: Literal["e_bus_fleet"]
    project_type: str = "e_bus"
    n_buses: int = Field(ge=1)
    km_per_bus_year: float = Field(gt=0)
    diesel_l_per_km: float = Field(gt=0, description="baseline diesel bus consumption")
    diesel_kgco2_per_l: float = Field(gt=0)
    kwh_per_km: float = Field(gt=0, description="e-bus consumption at the charger")
    grid_loss_fraction: Fraction = Field(description="transmission and distribution losses")
    grid_ef_tco2_per_mwh: float = Field(gt=0, description="emission factor of the charging grid")
    small_scale_limit_tco2e_per_year: float = Field(gt=0, description="AMS-III.C limit")

    def baseline_tco2e_per_year(self) -> float:
        """Diesel buses' emissions, tCO2 per year."""
        return (
            self.n_buses
            * self.km_per_bus_year
            * self.diesel_l_per_km
            * self.diesel_kgco2_per_l
            / 1e3
        )

    def project_tco2e_per_year(self) -> float:
        """Charging emissions at the grid factor, tCO2 per year."""
        mwh = self.n_buses * self.km_per_bus_year * self.kwh_per_km / 1e3
        return mwh / (1.0 - self.grid_loss_fraction) * self.grid_ef_tco2_per_mwh

    def net_tco2e_per_year(self) -> float:
        """Baseline minus project emissions (negative: the e-buses emit more)."""
        return self.baseline_tco2e_per_year() - self.project_tco2e_per_year()

    def annual_tco2e(self) -> float:  # noqa: D102
        return max(self.net_tco2e_per_year(), 0.0)

    def small_scale_check(self) -> SmallScaleCheck:
        """Emission reductions against the AMS-III.C limit."""
        return SmallScaleCheck(
            methodology="CDM AMS-III.C", quantity="emission reductions",
            value=self.annual_tco2e(), limit=self.small_scale_limit_tco2e_per_year,
            unit="tCO2e/yr",
        )  # fmt: skip


class GerHouseholds(_PortfolioItem):
    """Ger insulation and stoves with the 2019 raw-coal ban in the baseline (CDM AMS-II.G/II.E).

    Since May 2019 Ulaanbaatar's ger districts may not burn raw coal; the baseline fuel is the
    refined coal briquettes sold instead. Reduction = households x briquettes (t/yr) x NCV x
    emission factor x ``reduction_fraction``; the energy saved is checked against the
    AMS-II 60 GWh/yr small-scale limit.
    """

    item: Literal["ger_households"]
    project_type: str = "ger_insulation"
    households: int = Field(ge=1)
    baseline_fuel: str = "refined coal briquettes"
    fuel_t_per_household_year: float = Field(gt=0)
    fuel_ncv_gj_per_t: float = Field(gt=0)
    fuel_ef_tco2_per_gj: float = Field(gt=0)
    reduction_fraction: Fraction = Field(
        description="share of the household's baseline fuel avoided"
    )
    small_scale_limit_gwh_per_year: float = Field(gt=0, description="AMS-II limit")

    def baseline_tco2e_per_household_year(self) -> float:
        """Baseline emissions of one ger, tCO2 per year."""
        return self.fuel_t_per_household_year * self.fuel_ncv_gj_per_t * self.fuel_ef_tco2_per_gj

    def annual_tco2e(self) -> float:  # noqa: D102
        return self.households * self.baseline_tco2e_per_household_year() * self.reduction_fraction

    def small_scale_check(self) -> SmallScaleCheck:
        """Fuel energy saved against the AMS-II limit."""
        gj = self.households * self.fuel_t_per_household_year * self.fuel_ncv_gj_per_t
        return SmallScaleCheck(
            methodology="CDM AMS-II (II.E/II.G)", quantity="energy saved",
            value=gj * self.reduction_fraction / 3600.0, limit=self.small_scale_limit_gwh_per_year,
            unit="GWh/yr",
        )  # fmt: skip


class FixedAnnual(_PortfolioItem):
    """Any other project: a fixed annual mitigation."""

    item: Literal["fixed_annual"]
    tco2e_per_year: float = Field(gt=0, description="mitigation at full output")

    def annual_tco2e(self) -> float:  # noqa: D102
        return self.tco2e_per_year


PortfolioItem = Annotated[
    HeatPlantConversion | EBusFleet | GerHouseholds | FixedAnnual, Field(discriminator="item")
]

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


# --------------------------------------------------------------------------------------------
# The credits section


class CreditsSpec(Section):
    """The ``credits`` section of a scenario: how mitigation becomes ITMOs and money."""

    yaml_path = "credits"

    mechanism: Literal["6.2", "6.4"] = Field(
        description="Article 6.2 bilateral or the 6.4 mechanism"
    )
    article_6_2: MechanismSettings
    article_6_4: MechanismSettings
    host_share_fraction: Fraction = Field(
        description="share of the ITMOs the host keeps towards its own NDC"
    )
    host_party: str
    buyer_party: str
    first_vintage_year: int = Field(description="first year whose mitigation can be an ITMO")
    accounting_periods: list[AccountingPeriod] = Field(min_length=1)
    uncertainty_bands: list[UncertaintyBand] = Field(min_length=1)
    uncertainty_deduction_above_bands: Fraction = Field(
        description="deduction when the relative uncertainty is above every band"
    )
    vm0047_uncertainty: Vm0047Uncertainty
    project_types: dict[str, ProjectType] = Field(min_length=1)
    projects: dict[str, ProjectSettings] = Field(
        description="per project_id crediting dates overriding the data"
    )
    portfolio: list[PortfolioItem]
    finance: FinanceSpec
    comparison_cases: list[ComparisonCase]

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
        merged = deep_merge(data, case.credits)
        merged["comparison_cases"] = []
        try:
            return CreditsSpec.model_validate(merged)
        except ValidationError as err:
            raise ConfigError(_validation_lines(err)) from None


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
    credits: CreditsSpec = Field(default_factory=CreditsSpec)


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
    try:
        return _CreditsSection.model_validate({"credits": data or {}}).credits
    except ValidationError as err:
        raise ConfigError(format_validation_error(label, err)) from None
