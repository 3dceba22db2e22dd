"""The Article 6 credit ledger: from mitigation per project and year to ITMOs for the buyer.

Input: a tidy mitigation table, one row per project, year and statistic::

    project_id (str), project_type (str), kind ("reduction" | "removal"), year (int),
    statistic ("p10" | "p50" | "p75" | "p90" | "mean"), tco2e (float >= 0)

Wind projects give ``p50`` and, as risk bands, ``p75`` and ``p90`` (exceedance: P90, the
10-year one, is the lower generation; absent bands are tolerated), forest
projects ``p10``, ``p50``, ``p90`` and ``mean`` (percentiles: p10 is the lower removal),
portfolio projects ``p50`` only; each project type's ``uncertainty.statistic_convention``
says which.

The ledger (one row per project and vintage year) takes the gross mitigation through every
step, each a column, in this order; each step takes its share of what the previous steps
left:

1. ``gross_tco2e``: the central statistic (``central_statistic`` of the project type, p50).
2. ``not_creditable_tco2e``: all of it outside the crediting periods, before the project's
   crediting starts, or before ``first_vintage_year``. What is left is ``creditable_tco2e``.
3. ``uncertainty_deduction_tco2e``, by the project type's named method, from the relative
   uncertainty ``U`` (half-width of the 90 % confidence interval over the central value; from
   the conservative statistic under a normal approximation,
   ``U = (central - conservative) / central * z(0.95) / z(1 - q)`` with q the conservative
   percentile, else the type's ``relative_uncertainty_90``):

   - ``vm0047`` (Verra VM0047 v1.0 / CDM AR-TOOL14 v4.2): 0 when ``U <= 10 %``, else
     ``(U - 10 %)`` x creditable (the excess over the allowed precision);
   - ``fcpf_bands`` / ``band`` (FCPF Carbon Fund Methodological Framework, Criterion 22):
     the conservativeness factor of the band ``U`` falls in, x creditable;
   - ``quantile``: central minus the conservative statistic (credit the P10; never below 0),
     explicitly more conservative than both standards;
   - ``none``: no ex-ante deduction (wind under CDM ACM0002 is credited on metered
     generation; its P75/P90 are risk bands only).

   Each risk is counted once: fire and mortality already lower the simulated stock (the
   forest stage draws them), the buffer (step 5) covers reversals, and this step covers the
   estimation uncertainty only. Crediting the P10 *and* withholding a buffer counts the fire
   spread twice; that is why ``quantile`` is no longer the default for forests.
4. ``leakage_deduction_tco2e`` = ``leakage_fraction`` x (creditable - uncertainty).
5. ``buffer_withheld_tco2e`` = ``buffer_fraction`` x (what is left), removals only;
   ``buffer_released_tco2e`` = ``buffer_release_fraction`` x withheld, released units keep
   their vintage and issue in ``buffer_release_year``. ``issued_tco2e`` = left - withheld +
   released.
6. ``share_of_proceeds_tco2e`` and ``omge_cancelled_tco2e``: the mechanism's fractions of the
   issued units (Article 6.4: 5 % and 2 %; Article 6.2: the bilateral settings).
7. ``host_share_tco2e`` = ``host_share_fraction`` x (issued - SOP - OMGE), kept by the host.
8. ``transferable_itmos_tco2e``: what is left, first transferred to the buyer.

So, row by row: gross = not creditable + uncertainty + leakage + (withheld - released) +
SOP + OMGE + host share + transferable.

The summary (:mod:`siting.credits.summary`) gives, per project, project type and in total, the
sums of every step, the ITMOs of each accounting period (vintages to 2030, 2031-2035) and their
share of the buyer's target, the P10/P50/P90 of those ITMOs, and the net present value per price
scenario and party (:mod:`siting.credits.finance`). P10/P50/P90 are percentiles of the
outcome: the ITMOs if the mitigation turned out at that percentile in every year, with every
deduction but the ex-ante uncertainty deduction (the percentile takes its place). Missing
sides come from the other side mirrored about the central value, or from
``relative_uncertainty_90`` (normal approximation); a project without either has no spread
(``quantile_source`` says which). Totals add percentiles over projects and years, i.e. assume
fully correlated outcomes, which makes the total's range wider than that of independent
projects.

The corresponding adjustments (Decision 2/CMA.3 annex, ch. III): each ITMO first transferred
is added to the host's emissions balance and subtracted from the buyer's in the year of first
transfer, here the vintage plus ``finance.sale_lag_years`` (verification, issuance, sale).

Project-level spread: with ``project_statistics`` (:func:`project_credits`) the reforestation
sites' low and high statistics are replaced by their central value times the project's ratio
of that year (from the joint Monte Carlo draws of all sites,
:func:`siting.credits.mitigation.with_project_spread`): the uncertainty deduction and the
summary's P10-P90 then follow the quantiles of the sum, not the sum of site quantiles.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from siting.credits import finance
from siting.credits.mitigation import with_project_spread
from siting.credits.portfolio import (
    MITIGATION_COLUMNS,
    portfolio_mitigation,
    small_scale_checks,
)
from siting.credits.summary import credits_summary, percentile_mitigation
from siting.errors import ParameterError, describe
from siting.scenario.credits import KINDS, STATISTICS, CreditsSpec

#: Columns of the ledger (credits.csv), in order.
LEDGER_COLUMNS = (
    "project_id",
    "project_type",
    "kind",
    "vintage",
    "mechanism",
    "gross_statistic",
    "conservative_statistic",
    "uncertainty_method",
    "relative_uncertainty_90",
    "crediting_start_year",
    "crediting_period",
    "crediting_period_start_year",
    "crediting_period_end_year",
    "in_crediting_period",
    "eligible_vintage",
    "gross_tco2e",
    "not_creditable_tco2e",
    "creditable_tco2e",
    "uncertainty_deduction_tco2e",
    "leakage_deduction_tco2e",
    "buffer_withheld_tco2e",
    "buffer_released_tco2e",
    "buffer_release_year",
    "issued_tco2e",
    "share_of_proceeds_tco2e",
    "omge_cancelled_tco2e",
    "host_share_tco2e",
    "transferable_itmos_tco2e",
)

#: Ledger columns that are tonnes (subtotals ``creditable_tco2e`` and ``issued_tco2e`` too).
TONNE_COLUMNS = tuple(name for name in LEDGER_COLUMNS if name.endswith("_tco2e"))

#: z(0.95): the 90 % confidence interval's half-width in standard deviations.
_Z95 = float(norm.ppf(0.95))


@dataclass(frozen=True)
class CreditProjection:
    """Everything the credit stage computes.

    Attributes
    ----------
    ledger : pandas.DataFrame
        ``credits.csv``: one row per project and vintage, columns :data:`LEDGER_COLUMNS`.
    summary : pandas.DataFrame
        ``credits_summary.csv``: per project, project type and in total (``level``).
    corresponding_adjustments : pandas.DataFrame
        ``corresponding_adjustments.csv``: per year, host +, buyer -.
    revenue : pandas.DataFrame
        Revenue and present value per project, vintage, price scenario and party
        (:func:`siting.credits.finance.revenue_by_party`).
    portfolio_checks : pandas.DataFrame
        ``portfolio_checks.csv``: each portfolio item's size against its small-scale
        methodology's limit (:func:`siting.credits.portfolio.small_scale_checks`).
    """

    ledger: pd.DataFrame
    summary: pd.DataFrame
    corresponding_adjustments: pd.DataFrame
    revenue: pd.DataFrame
    portfolio_checks: pd.DataFrame = field(default_factory=pd.DataFrame)


# --------------------------------------------------------------------------------------------
# Public API


def project_credits(
    mitigation: pd.DataFrame,
    spec: CreditsSpec,
    *,
    include_portfolio: bool = True,
    project_statistics: pd.DataFrame | None = None,
    project_statistics_type: str = "reforestation",
) -> CreditProjection:
    """Ledger, summary, corresponding adjustments and revenue of a set of projects.

    Parameters
    ----------
    mitigation : pandas.DataFrame
        Tidy mitigation table (see the module docstring), tCO2e per project, year, statistic.
    spec : CreditsSpec
        The scenario's ``credits`` section.
    include_portfolio : bool
        Add the portfolio items of ``spec`` (heat plant, e-buses, ger programme) whose
        ``project_id`` is not already in ``mitigation``.
    project_statistics : pandas.DataFrame, optional
        Project-level mitigation statistics of a project type (the forest portfolio's joint
        draws, :func:`siting.credits.mitigation.portfolio_removals`): its sites' spread is
        taken from it (:func:`siting.credits.mitigation.with_project_spread`).
    project_statistics_type : str
        The project type whose sites ``project_statistics`` covers.

    Returns
    -------
    CreditProjection

    Raises
    ------
    ParameterError
        When the table is malformed, names an unknown project type, or lacks a statistic
        the settings need; the message names the column or scenario field.
    """
    if project_statistics is not None:
        mitigation = with_project_spread(mitigation, project_statistics, project_statistics_type)
    if include_portfolio:
        mitigation = with_portfolio(mitigation, spec)
    rows = _prepare(mitigation, spec)
    ledger = _ledger(rows, spec, rows["central"].to_numpy(float), uncertainty=True)
    revenue = finance.revenue_by_party(ledger, spec.finance)
    summary = _summary(rows, ledger, revenue, spec)
    adjustments = corresponding_adjustments(ledger, spec)
    checks = small_scale_checks(spec.portfolio if include_portfolio else [])
    for _, check in checks[checks["exceeded"]].iterrows():
        warnings.warn(
            f"portfolio item {check['project_id']}: {check['quantity']} {check['value']:,.1f} "
            f"{check['unit']} exceeds the {check['methodology']} small-scale limit "
            f"{check['limit']:,.0f} {check['unit']} (use the large-scale methodology)",
            stacklevel=2,
        )
    return CreditProjection(ledger, summary, adjustments, revenue, checks)


def credit_ledger(mitigation: pd.DataFrame, spec: CreditsSpec) -> pd.DataFrame:
    """The ledger alone (no portfolio items added): one row per project and vintage.

    Parameters
    ----------
    mitigation : pandas.DataFrame
        Tidy mitigation table.
    spec : CreditsSpec
        The ``credits`` settings.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEDGER_COLUMNS`.
    """
    rows = _prepare(mitigation, spec)
    return _ledger(rows, spec, rows["central"].to_numpy(float), uncertainty=True)


def with_portfolio(mitigation: pd.DataFrame, spec: CreditsSpec) -> pd.DataFrame:
    """``mitigation`` plus the rows of the portfolio items it does not already hold.

    Parameters
    ----------
    mitigation : pandas.DataFrame
        Tidy mitigation table (wind and forest projects).
    spec : CreditsSpec
        Its ``portfolio`` items are added, unless their ``project_id`` is in ``mitigation``
        (then the given rows stand).

    Returns
    -------
    pandas.DataFrame
    """
    _check_frame(mitigation)
    present = set(mitigation["project_id"].astype(str))
    items = [item for item in spec.portfolio if item.project_id not in present]
    if not items:
        return mitigation
    extra = portfolio_mitigation(items, spec.project_types)
    if mitigation.empty:
        return extra
    return pd.concat([mitigation[list(MITIGATION_COLUMNS)], extra], ignore_index=True)


def corresponding_adjustments(ledger: pd.DataFrame, spec: CreditsSpec) -> pd.DataFrame:
    """Corresponding adjustments per year of first transfer: the host adds, the buyer subtracts.

    An ITMO is first transferred ``finance.sale_lag_years`` after its vintage (verification,
    issuance and sale); the adjustment is booked in that year (Decision 2/CMA.3 annex, ch. III),
    not in the vintage year.

    Parameters
    ----------
    ledger : pandas.DataFrame
        From :func:`credit_ledger`.
    spec : CreditsSpec
        Names of the parties, the accounting periods and the sale lag.

    Returns
    -------
    pandas.DataFrame
        One row per year from ``first_vintage_year`` + lag to the last vintage + lag:
        ``year`` (of first transfer), ``accounting_period`` (the period that year falls in,
        or empty), ``host_party``, ``buyer_party``, ``itmos_first_transferred_tco2e``,
        ``host_adjustment_tco2e`` (+), ``buyer_adjustment_tco2e`` (-),
        ``cumulative_itmos_tco2e``.
    """
    lag = spec.finance.sale_lag_years
    eligible = ledger[ledger["eligible_vintage"]]
    last = int(eligible["vintage"].max()) if not eligible.empty else spec.first_vintage_year - 1
    years = np.arange(spec.first_vintage_year + lag, last + lag + 1, dtype=np.int64)
    transfer_year = eligible["vintage"].astype(np.int64) + lag
    itmos = (
        eligible.groupby(transfer_year)["transferable_itmos_tco2e"]
        .sum()
        .reindex(years, fill_value=0.0)
    ).to_numpy(float)
    period = np.full(years.shape, "", dtype=object)
    for spec_period in spec.accounting_periods:
        inside = (years >= spec_period.first_year) & (years <= spec_period.last_year)
        period[inside & (period == "")] = spec_period.name
    return pd.DataFrame(
        {
            "year": years,
            "accounting_period": pd.Series(period, dtype=str),
            "host_party": spec.host_party,
            "buyer_party": spec.buyer_party,
            "itmos_first_transferred_tco2e": itmos,
            "host_adjustment_tco2e": itmos,
            "buyer_adjustment_tco2e": np.negative(itmos) + 0.0,  # + 0.0: no "-0.0" in the CSV
            "cumulative_itmos_tco2e": np.cumsum(itmos),
        }
    )


def compare_cases(cases: Mapping[str, tuple[pd.DataFrame, CreditsSpec]]) -> pd.DataFrame:
    """One table comparing several cases (e.g. 6.2 vs 6.4, two grid factors, survival).

    Parameters
    ----------
    cases : mapping of str to (mitigation, CreditsSpec)
        Per case name, the mitigation table built for it and its settings (e.g.
        ``spec.for_case(name)``).

    Returns
    -------
    pandas.DataFrame
        The summary's project-type and total rows of every case, with ``case``,
        ``mechanism`` and ``host_share_fraction`` in front.
    """
    frames = []
    for name, (mitigation, spec) in cases.items():
        summary = project_credits(mitigation, spec).summary
        rows = summary[summary["level"] != "project"].drop(columns="project_id")
        rows.insert(0, "host_share_fraction", spec.host_share_fraction)
        rows.insert(0, "mechanism", spec.mechanism)
        rows.insert(0, "case", name)
        frames.append(rows)
    if not frames:
        return pd.DataFrame({"case": pd.Series([], dtype=str)})
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Input checks and per-row attributes


def _check_frame(mitigation: pd.DataFrame) -> None:
    if not isinstance(mitigation, pd.DataFrame):
        raise ParameterError(
            describe("mitigation", f"is a {type(mitigation).__name__}", "pass a pandas DataFrame")
        )
    missing = [name for name in MITIGATION_COLUMNS if name not in mitigation.columns]
    if missing:
        raise ParameterError(
            describe(
                "mitigation table",
                f"lacks the column(s) {missing}",
                f"give the columns {list(MITIGATION_COLUMNS)}",
            )
        )


def _prepare(mitigation: pd.DataFrame, spec: CreditsSpec) -> pd.DataFrame:
    """Validate the table; one row per project and year with statistics and attributes."""
    _check_frame(mitigation)
    table = mitigation[list(MITIGATION_COLUMNS)].copy()
    for column in ("project_id", "project_type", "kind", "statistic"):
        table[column] = table[column].astype(str)
    _check_values(table, spec)
    table["year"] = table["year"].astype(np.int64)
    table["tco2e"] = table["tco2e"].astype(float)

    wide = table.pivot(index=["project_id", "year"], columns="statistic", values="tco2e")
    wide = wide.reindex(columns=list(STATISTICS)).reset_index()
    wide.columns.name = None
    wide = wide.sort_values(["project_id", "year"], kind="stable").reset_index(drop=True)

    projects = _project_attributes(table, spec)
    rows = wide.join(projects, on="project_id")
    central = np.full(len(rows), np.nan)
    conservative = np.full(len(rows), np.nan)
    for statistic in STATISTICS:
        values = rows[statistic].to_numpy(float)
        central = np.where(rows["central_statistic"] == statistic, values, central)
        conservative = np.where(rows["conservative_statistic"] == statistic, values, conservative)
    rows["central"] = central
    rows["conservative"] = conservative
    _check_complete(rows)
    rows["crediting_start_year"] = _crediting_starts(rows, spec)
    return rows


def _check_values(table: pd.DataFrame, spec: CreditsSpec) -> None:
    unknown = sorted(set(table["project_type"]) - set(spec.project_types))
    if unknown:
        raise ParameterError(
            describe(
                "credits.project_types",
                f"the mitigation table has project type(s) {unknown} that the scenario does "
                f"not define (known: {', '.join(sorted(spec.project_types))})",
                "add them under credits.project_types (kind, crediting, deductions) or fix "
                "the project_type column",
            )
        )
    bad = sorted(set(table["statistic"]) - set(STATISTICS))
    if bad:
        raise ParameterError(
            describe("mitigation.statistic", f"unknown value(s) {bad}", f"use {list(STATISTICS)}")
        )
    bad = sorted(set(table["kind"]) - set(KINDS))
    if bad:
        raise ParameterError(describe("mitigation.kind", f"unknown value(s) {bad}", f"use {KINDS}"))
    years = pd.to_numeric(table["year"], errors="coerce")
    if years.isna().any() or (years != np.round(years)).any():
        raise ParameterError(
            describe("mitigation.year", "holds missing or non-integer years", "give whole years")
        )
    tco2e = pd.to_numeric(table["tco2e"], errors="coerce").to_numpy(float)
    if not np.isfinite(tco2e).all() or (tco2e < 0).any():
        where = table.loc[~(np.isfinite(tco2e) & (tco2e >= 0)), ["project_id", "year"]].head(3)
        raise ParameterError(
            describe(
                "mitigation.tco2e",
                "values must be finite and >= 0 (annual reductions or net removals); first "
                f"offending rows: {where.to_dict('records')}",
                "clip negative net removals to 0 upstream or drop the rows",
            )
        )
    per_project = table.groupby("project_id")[["project_type", "kind"]].nunique()
    mixed = per_project.index[(per_project > 1).any(axis=1)].tolist()
    if mixed:
        raise ParameterError(
            describe(
                "mitigation",
                f"project(s) {mixed[:5]} have more than one project_type or kind",
                "give each project_id one type and kind",
            )
        )
    expected = table["project_type"].map({k: v.kind for k, v in spec.project_types.items()})
    wrong = table.loc[expected != table["kind"], ["project_id", "project_type", "kind"]]
    if not wrong.empty:
        first = wrong.iloc[0]
        raise ParameterError(
            describe(
                f"credits.project_types.{first['project_type']}.kind",
                f"is {spec.project_types[first['project_type']].kind!r} but the mitigation "
                f"table says {first['kind']!r} for project {first['project_id']}",
                "make the kinds agree",
            )
        )
    duplicated = table.duplicated(["project_id", "year", "statistic"])
    if duplicated.any():
        first = table.loc[duplicated, ["project_id", "year", "statistic"]].iloc[0].to_dict()
        raise ParameterError(
            describe(
                "mitigation",
                f"has more than one row for {first}",
                "give one value per project, year and statistic",
            )
        )


def _project_attributes(table: pd.DataFrame, spec: CreditsSpec) -> pd.DataFrame:
    """One row per project: its type's rules, crediting period and the statistics it has."""
    firsts = table.groupby("project_id")[["project_type", "kind"]].first()
    given = table.groupby("project_id")["statistic"].agg(lambda s: frozenset(s))
    records = {}
    for project_id, (project_type, kind) in firsts.iterrows():
        rules = spec.project_types[project_type]
        uncertainty = rules.uncertainty
        crediting = spec.crediting_for(project_type)
        central = rules.central_statistic
        has = given[project_id]
        where = f"credits.project_types.{project_type}"
        if central not in has:
            raise ParameterError(
                describe(
                    f"{where}.central_statistic",
                    f"is {central!r} but project {project_id} has only {sorted(has)}",
                    "give that statistic for the project or change central_statistic",
                )
            )
        conservative = uncertainty.conservative_statistic
        if conservative is not None and conservative not in has:
            if uncertainty.method == "quantile":
                raise ParameterError(
                    describe(
                        f"{where}.uncertainty",
                        f"method quantile credits the {conservative!r} statistic but project "
                        f"{project_id} has only {sorted(has)}",
                        "give that statistic, or use method band with relative_uncertainty_90",
                    )
                )
            conservative = None
        if (
            uncertainty.method in _RELATIVE_METHODS
            and conservative is None
            and uncertainty.relative_uncertainty_90 is None
        ):
            raise ParameterError(
                describe(
                    f"{where}.uncertainty.relative_uncertainty_90",
                    f"is needed: project {project_id} has no conservative statistic to derive "
                    "the band from",
                    "give relative_uncertainty_90 (e.g. 0.2 for +-20 %)",
                )
            )
        settings = spec.projects.get(project_id)
        records[project_id] = {
            "project_type": project_type,
            "kind": kind,
            "central_statistic": central,
            "conservative_statistic": conservative or "",
            "uncertainty_method": uncertainty.method,
            "conservative_percentile": (
                uncertainty.percentile_of(conservative) if conservative else np.nan
            ),
            "relative_uncertainty_given": (
                np.nan
                if uncertainty.relative_uncertainty_90 is None
                else uncertainty.relative_uncertainty_90
            ),
            "statistic_convention": uncertainty.statistic_convention,
            "leakage_fraction": rules.leakage_fraction,
            "buffer_fraction": rules.buffer_fraction if kind == "removal" else 0.0,
            "buffer_release_fraction": rules.buffer_release_fraction,
            "buffer_release_after_years": rules.buffer_release_after_years,
            "period_years": crediting.period_years,
            "total_years": crediting.total_years,
            "start_given": np.nan if settings is None else _or_nan(settings.crediting_start_year),
            "end_given": np.nan if settings is None else _or_nan(settings.crediting_end_year),
        }
    if not records:
        return pd.DataFrame(
            {name: pd.Series([], dtype=float) for name in _ATTRIBUTES},
            index=pd.Index([], dtype=str, name="project_id"),
        )
    return pd.DataFrame.from_dict(records, orient="index")


_ATTRIBUTES = (
    "project_type", "kind", "central_statistic", "conservative_statistic", "uncertainty_method",
    "conservative_percentile", "relative_uncertainty_given", "statistic_convention",
    "leakage_fraction", "buffer_fraction", "buffer_release_fraction",
    "buffer_release_after_years", "period_years", "total_years", "start_given", "end_given",
)  # fmt: skip


def _or_nan(value: int | None) -> float:
    return np.nan if value is None else float(value)


def _check_complete(rows: pd.DataFrame) -> None:
    """Every row of a project needs the statistics its settings use."""
    for column in ("central", "conservative"):
        needed = (rows[f"{column}_statistic"] != "").to_numpy()
        gaps = needed & rows[column].isna().to_numpy()
        if gaps.any():
            i = int(np.flatnonzero(gaps)[0])
            raise ParameterError(
                describe(
                    "mitigation",
                    f"project {rows['project_id'].iloc[i]} has no "
                    f"{rows[f'{column}_statistic'].iloc[i]!r} value in {rows['year'].iloc[i]} "
                    "although other years have one",
                    "give every statistic the settings use for every year of the project",
                )
            )


def _crediting_starts(rows: pd.DataFrame, spec: CreditsSpec) -> np.ndarray:
    """Crediting start per row: given, else the project's first year with mitigation."""
    positive = rows[rows["central"] > 0]
    first_positive = positive.groupby("project_id")["year"].min()
    first_year = rows.groupby("project_id")["year"].min()
    derived = first_positive.reindex(first_year.index).fillna(first_year)
    start = rows["start_given"].fillna(rows["project_id"].map(derived)).to_numpy(float)
    end_given = rows["end_given"].to_numpy(float)
    late = ~np.isnan(end_given) & (end_given < start)
    if late.any():
        i = int(np.flatnonzero(late)[0])
        project_id = rows["project_id"].iloc[i]
        raise ParameterError(
            describe(
                f"credits.projects.{project_id}.crediting_end_year",
                f"{int(end_given[i])} is before the crediting start {int(start[i])}",
                "give an end year in or after the start year (or set crediting_start_year)",
            )
        )
    return start.astype(np.int64)


# --------------------------------------------------------------------------------------------
# The ledger


def _ledger(
    rows: pd.DataFrame, spec: CreditsSpec, gross: np.ndarray, *, uncertainty: bool
) -> pd.DataFrame:
    """The ledger table of ``gross`` (one value per row) taken through every step."""
    steps = _steps(rows, spec, gross, uncertainty=uncertainty)
    in_period = steps["in_crediting_period"]
    method = rows["uncertainty_method"].to_numpy(str)
    ledger = pd.DataFrame(
        {
            "project_id": rows["project_id"].to_numpy(str),
            "project_type": rows["project_type"].to_numpy(str),
            "kind": rows["kind"].to_numpy(str),
            "vintage": rows["year"].to_numpy(np.int64),
            "mechanism": spec.mechanism,
            "gross_statistic": rows["central_statistic"].to_numpy(str),
            "conservative_statistic": rows["conservative_statistic"].to_numpy(str),
            "uncertainty_method": method if uncertainty else "none",
            "relative_uncertainty_90": np.where(
                np.isin(method, _RELATIVE_METHODS), steps["relative"], np.nan
            ),
            "crediting_start_year": steps["crediting_start_year"],
            "crediting_period": steps["crediting_period"],
            "crediting_period_start_year": _nullable(steps["period_start"], in_period),
            "crediting_period_end_year": _nullable(steps["period_end"], in_period),
            "in_crediting_period": in_period,
            "eligible_vintage": steps["eligible_vintage"],
            **{name: steps[name] for name in TONNE_COLUMNS},
            "buffer_release_year": _nullable(
                steps["buffer_release_year"], steps["buffer_released_tco2e"] > 0
            ),
        }
    )
    for column in ("project_id", "project_type", "kind", "mechanism", "gross_statistic",
                   "conservative_statistic", "uncertainty_method"):  # fmt: skip
        ledger[column] = ledger[column].astype(str)
    return ledger[list(LEDGER_COLUMNS)]


def _nullable(values: np.ndarray, keep: np.ndarray) -> pd.arrays.IntegerArray:
    """Integer array with missing values where ``keep`` is False."""
    out = pd.array(values.astype(np.int64), dtype="Int64")
    out[~keep] = pd.NA
    return out


def _steps(
    rows: pd.DataFrame, spec: CreditsSpec, gross: np.ndarray, *, uncertainty: bool
) -> dict[str, np.ndarray]:
    """Every ledger step as arrays, one value per row (see the module docstring)."""
    year = rows["year"].to_numpy(np.int64)
    start = rows["crediting_start_year"].to_numpy(np.int64)
    period_years = rows["period_years"].to_numpy(np.int64)
    end = start + rows["total_years"].to_numpy(np.int64) - 1
    end_given = rows["end_given"].to_numpy(float)
    end = np.where(np.isnan(end_given), end, np.minimum(end, np.nan_to_num(end_given)))
    end = end.astype(np.int64)
    in_period = (year >= start) & (year <= end)
    period = np.where(in_period, (year - start) // period_years + 1, 0)
    period_start = start + (period - 1) * period_years
    eligible = year >= spec.first_vintage_year
    creditable_mask = in_period & eligible

    not_creditable = np.where(creditable_mask, 0.0, gross)
    creditable = gross - not_creditable
    relative = _relative_uncertainty(rows, gross)
    if uncertainty:
        method = rows["uncertainty_method"].to_numpy(str)
        conservative = np.nan_to_num(rows["conservative"].to_numpy(float))
        by_quantile = np.clip(gross - conservative, 0, None)
        by_band = _band_fractions(spec, np.nan_to_num(relative)) * creditable
        by_vm0047 = vm0047_fraction(np.nan_to_num(relative), spec) * creditable
        deduction = np.select(
            [method == "quantile", np.isin(method, _BAND_METHODS), method == "vm0047"],
            [by_quantile, by_band, by_vm0047],
            0,
        )
        uncertainty_cut = np.where(creditable_mask, np.minimum(deduction, creditable), 0.0)
    else:
        uncertainty_cut = np.zeros_like(gross)
    left = creditable - uncertainty_cut
    leakage = rows["leakage_fraction"].to_numpy(float) * left
    left = left - leakage
    withheld = rows["buffer_fraction"].to_numpy(float) * left
    released = rows["buffer_release_fraction"].to_numpy(float) * withheld
    issued = left - withheld + released
    mechanism = spec.mechanism_settings
    sop = mechanism.share_of_proceeds_fraction * issued
    omge = mechanism.omge_fraction * issued
    after = issued - sop - omge
    host = spec.host_share_fraction * after
    return {
        "crediting_start_year": start,
        "crediting_period": period.astype(np.int64),
        "period_start": period_start,
        "period_end": np.minimum(period_start + period_years - 1, end),
        "in_crediting_period": in_period,
        "eligible_vintage": eligible,
        "relative": relative,
        "buffer_release_year": year + rows["buffer_release_after_years"].to_numpy(np.int64),
        "gross_tco2e": gross,
        "not_creditable_tco2e": not_creditable,
        "creditable_tco2e": creditable,
        "uncertainty_deduction_tco2e": uncertainty_cut,
        "leakage_deduction_tco2e": leakage,
        "buffer_withheld_tco2e": withheld,
        "buffer_released_tco2e": released,
        "issued_tco2e": issued,
        "share_of_proceeds_tco2e": sop,
        "omge_cancelled_tco2e": omge,
        "host_share_tco2e": host,
        "transferable_itmos_tco2e": after - host,
    }


def _relative_uncertainty(rows: pd.DataFrame, gross: np.ndarray) -> np.ndarray:
    """Half-width of the 90 % CI over the central value, per row (NaN when unknown).

    From the conservative statistic when the project has one (normal approximation:
    ``(central - conservative) / central * z(0.95) / z(1 - q)``), else the type's
    ``relative_uncertainty_90``; 0 where the central value is 0.
    """
    central = rows["central"].to_numpy(float)
    conservative = rows["conservative"].to_numpy(float)
    percentile = rows["conservative_percentile"].to_numpy(float)
    z_low = norm.ppf(1.0 - np.nan_to_num(percentile, nan=10.0) / 100.0)
    spread = np.divide(
        central - conservative,
        central,
        out=np.zeros_like(central),
        where=(central > 0) & ~np.isnan(conservative),
    )
    derived = np.clip(spread, 0, None) * _Z95 / z_low
    given = rows["relative_uncertainty_given"].to_numpy(float)
    relative = np.where(np.isnan(conservative), given, derived)
    return np.where(gross > 0, relative, 0.0)


def vm0047_fraction(relative: np.ndarray, spec: CreditsSpec) -> np.ndarray:
    """VM0047 / CDM AR-TOOL14 uncertainty deduction, as a fraction of the creditable amount.

    No deduction when the half-width of the 90 % confidence interval is at most
    ``no_deduction_max`` (10 %) of the mean; above, the excess ``U - 0.10`` is deducted
    (Verra VM0047 v1.0, 2023, sec. 8; CDM AR-TOOL14 v4.2; verify against the text).

    Parameters
    ----------
    relative : numpy.ndarray
        Relative uncertainty U (90 % CI half-width / mean), e.g. 0.25 for +-25 %.
    spec : CreditsSpec
        ``vm0047_uncertainty.no_deduction_max``.

    Returns
    -------
    numpy.ndarray
        Fractions in [0, 1].
    """
    allowed = spec.vm0047_uncertainty.no_deduction_max
    return np.clip(np.asarray(relative, float) - allowed, 0.0, 1.0)


#: Methods deducting the FCPF conservativeness bands; methods reading a relative uncertainty.
_BAND_METHODS = ("band", "fcpf_bands")
_RELATIVE_METHODS = (*_BAND_METHODS, "vm0047")


def _band_fractions(spec: CreditsSpec, relative: np.ndarray) -> np.ndarray:
    """Deduction fraction of each relative uncertainty under the scenario's bands."""
    bounds = np.array([band.max_relative_uncertainty for band in spec.uncertainty_bands])
    cuts = np.array(
        [band.deduction_fraction for band in spec.uncertainty_bands]
        + [spec.uncertainty_deduction_above_bands]
    )
    # side="left": a value equal to a band's bound belongs to that band ("at most").
    return cuts[np.searchsorted(bounds, relative, side="left")]


# --------------------------------------------------------------------------------------------
# Summary


def _summary(
    rows: pd.DataFrame, ledger: pd.DataFrame, revenue: pd.DataFrame, spec: CreditsSpec
) -> pd.DataFrame:
    """The summary of the ledger, with the ITMOs of each percentile outcome taken through it.

    The mitigation at each percentile (:func:`siting.credits.summary.percentile_mitigation`)
    goes through every step but the uncertainty deduction (the percentile takes its place).
    """
    gross_at, source = percentile_mitigation(rows)
    itmos_at = {
        q: _steps(rows, spec, gross, uncertainty=False)["transferable_itmos_tco2e"]
        for q, gross in gross_at.items()
    }
    return credits_summary(ledger, revenue, spec, itmos_at, source.to_numpy(str))
