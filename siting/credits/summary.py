"""The credits summary: per project, project type and in total, what the ledger gives.

Rows (``level``): one per project, one per project type and the total. Columns: the sums of
every ledger step (tCO2e), the ITMOs of each accounting period (cumulative) and, for a
single-year target such as Korea's 37.5 Mt in 2030, the period's annual average (the
averaging approach of Decision 2/CMA.3 annex para 7(a)(ii)) and the target year's vintage,
each with its share of the target (a cumulative total is never divided by a single-year
target), the P10/P50/P90 of those ITMOs, and the net present value per price scenario and party
(:mod:`siting.credits.finance`). P10/P50/P90 are percentiles of the outcome: the ITMOs if the
mitigation turned out at that percentile in every year, with every deduction but the ex-ante
uncertainty deduction (:func:`percentile_mitigation` gives that mitigation; the ledger takes it
through its steps). Totals add percentiles over projects and years, i.e. assume fully
correlated outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from siting.credits import finance
from siting.scenario.credits import CreditsSpec

#: Percentiles of the outcome reported in the summary.
PERCENTILES = (10, 50, 90)

#: z(0.95): the 90 % confidence interval's half-width in standard deviations.
_Z95 = float(norm.ppf(0.95))

#: Columns naming a summary row.
KEYS = ("project_id", "project_type", "kind")


# --------------------------------------------------------------------------------------------
# Percentile outcomes


def percentile_mitigation(rows: pd.DataFrame) -> tuple[dict[int, np.ndarray], pd.Series]:
    """Mitigation per ledger row at the 10th, 50th and 90th percentile, and where each came from.

    A project's own statistics where it gives them (under its ``statistic_convention``), else
    the other side mirrored about the central value, else the normal approximation of
    ``relative_uncertainty_90``, else the central value (no spread).

    Parameters
    ----------
    rows : pandas.DataFrame
        The prepared ledger rows (one per project and year, with ``central``, the statistics
        and the project attributes).

    Returns
    -------
    gross : dict of int to numpy.ndarray
        tCO2e per row, by percentile (10, 50, 90).
    source : pandas.Series
        Per row: ``"input"``, ``"input, one side mirrored"``,
        ``"relative_uncertainty_90 (normal)"`` or ``"none"``.
    """
    central = rows["central"].to_numpy(float)
    exceedance = (rows["statistic_convention"] == "exceedance").to_numpy()
    # Input statistic standing for each percentile under the project's convention.
    by_percentile = {
        10: np.where(exceedance, rows["p90"], rows["p10"]).astype(float),
        50: rows["p50"].to_numpy(float),
        90: np.where(exceedance, rows["p10"], rows["p90"]).astype(float),
    }
    given = rows["relative_uncertainty_given"].to_numpy(float)
    low, high = by_percentile[10], by_percentile[90]
    z90 = float(norm.ppf(0.90))
    out = {50: np.where(np.isnan(by_percentile[50]), central, by_percentile[50])}
    for q, own, other, sign in ((10, low, high, -1.0), (90, high, low, 1.0)):
        mirrored = 2.0 * central - other
        normal = central * (1.0 + sign * z90 / _Z95 * given)
        value = np.where(
            ~np.isnan(own),
            own,
            np.where(~np.isnan(other), mirrored, np.where(np.isnan(given), central, normal)),
        )
        out[q] = np.clip(value, 0, None)
    # Where each project's percentiles came from (a side counts when the project gives it).
    low_given = _project_has(rows, low)
    high_given = _project_has(rows, high)
    source = np.where(
        low_given & high_given,
        "input",
        np.where(
            low_given | high_given,
            "input, one side mirrored",
            np.where(np.isnan(given), "none", "relative_uncertainty_90 (normal)"),
        ),
    )
    return out, pd.Series(source, index=rows.index)


def _project_has(rows: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    present = pd.Series(~np.isnan(values), index=rows.index)
    return present.groupby(rows["project_id"]).transform("any").to_numpy(bool)


# --------------------------------------------------------------------------------------------
# The summary


def credits_summary(
    ledger: pd.DataFrame,
    revenue: pd.DataFrame,
    spec: CreditsSpec,
    percentile_itmos: Mapping[int, np.ndarray],
    quantile_source: np.ndarray,
) -> pd.DataFrame:
    """Per project, project type and total: step sums, periods, percentiles, NPV.

    Parameters
    ----------
    ledger : pandas.DataFrame
        The credit ledger (one row per project and vintage).
    revenue : pandas.DataFrame
        Its revenue per party (:func:`siting.credits.finance.revenue_by_party`).
    spec : CreditsSpec
        Accounting periods, buyer targets and price scenarios.
    percentile_itmos : mapping of int to numpy.ndarray
        Transferable ITMOs per ledger row of the outcome at each of :data:`PERCENTILES`.
    quantile_source : numpy.ndarray of str
        Where each row's percentiles came from (:func:`percentile_mitigation`).

    Returns
    -------
    pandas.DataFrame
        ``level`` (``"project"``, ``"project_type"``, ``"total"``), the keys, the crediting start,
        ``quantile_source`` and the tonne, period and NPV columns.
    """
    projects = project_rows(ledger, revenue, spec, percentile_itmos, quantile_source)
    summary = pd.concat([projects, type_rows(projects), total_row(projects)], ignore_index=True)
    return _tidy(_with_shares_of_target(summary, spec))


@dataclass(frozen=True)
class _Projects:
    """The ledger's projects: each row's project number, the ids in sorted order, first rows."""

    codes: np.ndarray
    ids: pd.Index
    first_row: np.ndarray

    @classmethod
    def of(cls, ledger: pd.DataFrame) -> _Projects:
        # Rows and ledger share their order; projects are numbered in sorted order.
        codes, ids = pd.factorize(ledger["project_id"], sort=True)
        first_row = np.unique(codes, return_index=True)[1] if len(ids) else np.array([], dtype=int)
        return cls(codes, ids, first_row)

    def sum(self, values) -> np.ndarray:
        """Sum of each project's rows (np.bincount: one pass, no pandas groupby per column)."""
        return np.bincount(self.codes, weights=np.asarray(values, float), minlength=len(self.ids))


def project_rows(
    ledger: pd.DataFrame,
    revenue: pd.DataFrame,
    spec: CreditsSpec,
    percentile_itmos: Mapping[int, np.ndarray],
    quantile_source: np.ndarray,
) -> pd.DataFrame:
    """One summary row per project (parameters as :func:`credits_summary`)."""
    projects = _Projects.of(ledger)
    first = projects.first_row
    table = {
        "level": "project",
        **{key: ledger[key].to_numpy(str)[first] for key in KEYS},
        "crediting_start_year": ledger["crediting_start_year"].to_numpy(np.int64)[first],
        "quantile_source": np.asarray(quantile_source, dtype=str)[first],
    }
    tonnes = [column for column in ledger.columns if column.endswith("_tco2e")]
    table.update({column: projects.sum(ledger[column].to_numpy(float)) for column in tonnes})
    table.update(_period_columns(ledger, spec, projects, percentile_itmos))
    table.update(_npv_columns(revenue, spec, projects))
    return pd.DataFrame(table)


def _period_columns(
    ledger: pd.DataFrame,
    spec: CreditsSpec,
    projects: _Projects,
    percentile_itmos: Mapping[int, np.ndarray],
) -> dict[str, np.ndarray]:
    """Per accounting period: cumulative ITMOs, percentiles, single-year target comparisons.

    For a single-year target: the period's annual average and the target year's vintage
    (shares filled later).

    Columns: ``itmos_{p}_tco2e`` (cumulative over the period's vintages, labelled as such in
    the outputs) and ``itmos_{p}_p{q}_tco2e``; with ``target_year``:
    ``itmos_{p}_average_tco2e`` (averaging approach: cumulative / years of the period,
    Decision 2/CMA.3 annex para 7(a)(ii)), ``itmos_{p}_vintage_{year}_tco2e`` (that vintage
    alone) and their percentiles.
    """
    vintage = ledger["vintage"].to_numpy(np.int64)
    transferable = ledger["transferable_itmos_tco2e"].to_numpy(float)
    columns = {}
    for period in spec.accounting_periods:
        first = max(period.first_year, spec.first_vintage_year)
        inside = (vintage >= first) & (vintage <= period.last_year)
        name = period.name
        columns[f"itmos_{name}_tco2e"] = projects.sum(transferable * inside)
        for q in PERCENTILES:
            columns[f"itmos_{name}_p{q}_tco2e"] = projects.sum(percentile_itmos[q] * inside)
        if period.target_year is None:
            # Filled by _with_shares_of_target, after the totals.
            columns[f"share_of_target_{name}"] = np.nan
            continue
        single = vintage == period.target_year
        year = period.target_year
        columns[f"itmos_{name}_average_tco2e"] = columns[f"itmos_{name}_tco2e"] / period.years
        columns[f"itmos_{name}_vintage_{year}_tco2e"] = projects.sum(transferable * single)
        for q in PERCENTILES:
            columns[f"itmos_{name}_average_p{q}_tco2e"] = (
                columns[f"itmos_{name}_p{q}_tco2e"] / period.years
            )
            columns[f"itmos_{name}_vintage_{year}_p{q}_tco2e"] = projects.sum(
                percentile_itmos[q] * single
            )
        columns[f"share_of_target_{name}_averaging"] = np.nan
        columns[f"share_of_target_{name}_vintage_{year}"] = np.nan
    return columns


def _npv_columns(
    revenue: pd.DataFrame, spec: CreditsSpec, projects: _Projects
) -> dict[str, np.ndarray]:
    """Net present value per price scenario and party of each project, USD."""
    npv = finance.npv_by(revenue, ["price_scenario", "party", "project_id"])
    lookup = npv.set_index(["price_scenario", "party", "project_id"])["npv_usd"].to_dict()
    return {
        f"npv_{party}_usd_{scenario}": np.array(
            [lookup.get((scenario, party, project_id), 0.0) for project_id in projects.ids],
            dtype=float,
        )
        for scenario in spec.finance.price_scenarios
        for party in finance.PARTIES
    }


def _summed_columns(projects: pd.DataFrame) -> list[str]:
    """The columns that add up over projects (all numbers but the crediting start)."""
    return [
        c
        for c in projects.columns
        if c not in ("level", *KEYS, "quantile_source", "crediting_start_year")
    ]


def type_rows(projects: pd.DataFrame) -> pd.DataFrame:
    """One summary row per project type: sums, the earliest crediting start, the kind."""
    groups = projects.groupby("project_type", sort=True)
    by_type = groups[_summed_columns(projects)].sum()
    by_type["crediting_start_year"] = groups["crediting_start_year"].min()
    by_type["kind"] = groups["kind"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "mixed")
    by_type = by_type.reset_index()
    by_type.insert(0, "level", "project_type")
    return by_type


def total_row(projects: pd.DataFrame) -> pd.DataFrame:
    """The total row: sums over all projects, the earliest crediting start, the kind."""
    total = projects[_summed_columns(projects)].sum().to_frame().T
    total["crediting_start_year"] = projects["crediting_start_year"].min()
    kinds = projects["kind"].unique()
    total["kind"] = kinds[0] if len(kinds) == 1 else ("mixed" if len(kinds) else "")
    total.insert(0, "level", "total")
    return total


def _with_shares_of_target(summary: pd.DataFrame, spec: CreditsSpec) -> pd.DataFrame:
    """Each period's ITMOs over the buyer's target of that period, on every row.

    A single-year target (``target_year``) is compared with the period's annual average
    (averaging approach) and with the target year's vintage, never with the cumulative total;
    a cumulative target with the cumulative ITMOs.
    """
    for period in spec.accounting_periods:
        name, target = period.name, period.buyer_target_tco2e
        if period.target_year is None:
            summary[f"share_of_target_{name}"] = summary[f"itmos_{name}_tco2e"] / target
            continue
        year = period.target_year
        summary[f"share_of_target_{name}_averaging"] = (
            summary[f"itmos_{name}_average_tco2e"] / target
        )
        summary[f"share_of_target_{name}_vintage_{year}"] = (
            summary[f"itmos_{name}_vintage_{year}_tco2e"] / target
        )
    return summary


def _tidy(summary: pd.DataFrame) -> pd.DataFrame:
    """Text columns without NaN, a nullable integer crediting start, naming columns first."""
    for column in ("level", *KEYS, "quantile_source"):
        summary[column] = summary[column].astype("str").where(summary[column].notna(), "")
    summary["crediting_start_year"] = summary["crediting_start_year"].astype("Int64")
    ordered = ["level", *KEYS, "crediting_start_year", "quantile_source"]
    return summary[ordered + [c for c in summary.columns if c not in ordered]]
