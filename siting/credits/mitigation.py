"""The wind and forest stages' outputs as one tidy mitigation table for the credit stage.

Columns: ``project_id``, ``project_type``, ``kind`` (``reduction`` or ``removal``), ``year``,
``statistic`` (``p10``/``p50``/``p75``/``p90``/``mean``) and ``tco2e``. Wind statistics are
exceedance values: P75/P90 are the generation exceeded in 75/90 % of cases (the lower ones);
the 10-year P90 (``aep_p90_10yr_mwh``) is the one for multi-year totals, so it stands for
``p90``; the one-year P90 is a risk band of a single year and is not carried. Under CDM ACM0002
wind is credited on metered generation, i.e. at P50; P75/P90 are risk bands (a missing one is
tolerated). Forest ``p10`` is the 10th percentile of the carbon stock (the lower one).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.errors import ParameterError, describe
from siting.scenario.wind import EmissionsSpec
from siting.wind.generation import emission_reductions

COLUMNS = ["project_id", "project_type", "kind", "year", "statistic", "tco2e"]

#: Wind generation quantities and the statistic each stands for.
WIND_ENERGY = {"aep_p50_mwh": "p50", "aep_p75_mwh": "p75", "aep_p90_10yr_mwh": "p90"}

#: Project id of the reforestation portfolio's project-level statistics.
FOREST_PORTFOLIO_ID = "reforestation_portfolio"


def wind_reductions(
    generation: pd.DataFrame, emissions: EmissionsSpec, grid_ef_tco2_per_mwh: float | None = None
) -> pd.DataFrame:
    """Emission reductions per wind site and year (CDM ACM0002: ER = EG x EF - PE - LE).

    Parameters
    ----------
    generation : pandas.DataFrame
        Tidy ``generation.csv`` rows (site_id, year, quantity, value, unit).
    emissions : EmissionsSpec
        Grid emission factor, project emissions and leakage of the wind stage.
    grid_ef_tco2_per_mwh : float, optional
        Another grid emission factor (a comparison case), tCO2/MWh.

    Returns
    -------
    pandas.DataFrame
        Mitigation rows (only sites that generate).
    """
    energy = generation[generation["quantity"].isin(WIND_ENERGY)]
    energy = energy[energy["value"] > 0]
    reductions = emission_reductions(energy["value"], emissions, grid_ef_tco2_per_mwh)
    return pd.DataFrame(
        {
            "project_id": energy["site_id"].to_numpy(),
            "project_type": "wind",
            "kind": "reduction",
            "year": energy["year"].astype(int).to_numpy(),
            "statistic": energy["quantity"].map(WIND_ENERGY).to_numpy(),
            "tco2e": reductions.clip(lower=0.0).to_numpy(),
        }
    )[COLUMNS]


def forest_removals(sequestration: pd.DataFrame) -> pd.DataFrame:
    """Net removals per reforestation site and year, from each statistic's stock path.

    A removal credited in a year is the rise of the statistic's stock above the highest stock
    it held before (``cummax().diff()``): summed over the years, the credits equal the highest
    stock reached, never more. (Quantiles of each year's increment, summed, would overstate it:
    a quantile of a sum is not the sum of quantiles.) A fall in stock (fire, decline) is a
    reversal, credited as zero until the stock is regained; covering reversals is what the
    credit stage's non-permanence buffer is for.

    Parameters
    ----------
    sequestration : pandas.DataFrame
        Tidy ``sequestration.csv`` rows (site_id, year, quantile, tco2e_stock, ...).

    Returns
    -------
    pandas.DataFrame
        Mitigation rows.
    """
    ordered = sequestration.sort_values(["site_id", "quantile", "year"])
    groups = ["site_id", "quantile"]
    peak = ordered.groupby(groups)["tco2e_stock"].cummax().clip(lower=0.0)
    removal = peak.groupby([ordered[g] for g in groups]).diff().fillna(peak)
    return pd.DataFrame(
        {
            "project_id": ordered["site_id"].to_numpy(),
            "project_type": "reforestation",
            "kind": "removal",
            "year": ordered["year"].astype(int).to_numpy(),
            "statistic": ordered["quantile"].to_numpy(),
            "tco2e": removal.to_numpy(),
        }
    )[COLUMNS]


def portfolio_removals(
    portfolio: pd.DataFrame, project_id: str = FOREST_PORTFOLIO_ID
) -> pd.DataFrame:
    """Project-level removals per year from the forest portfolio's joint Monte Carlo draws.

    Parameters
    ----------
    portfolio : pandas.DataFrame
        ``ForestAssessment.portfolio`` (``sequestration_portfolio.csv``): ``year``,
        ``quantile`` (``p10``/``p50``/``p90``/``mean``), ``tco2e_stock`` and
        ``tco2e_annual``, each quantile taken over the draws of the SUM over all sites (a
        quantile of a sum, not a sum of site quantiles).
    project_id : str
        Id the rows carry.

    Returns
    -------
    pandas.DataFrame
        Mitigation rows (:data:`COLUMNS`), removals as in :func:`forest_removals` (rise of
        each quantile's stock above its previous peak).
    """
    missing = {"year", "quantile", "tco2e_stock"} - set(portfolio.columns)
    if missing:
        raise ParameterError(
            describe(
                "forest portfolio",
                f"lacks the column(s) {sorted(missing)}",
                "give year, quantile and tco2e_stock (sequestration_portfolio.csv)",
            )
        )
    table = portfolio.assign(site_id=project_id)
    return forest_removals(table)


def with_project_spread(
    mitigation: pd.DataFrame,
    project_statistics: pd.DataFrame,
    project_type: str = "reforestation",
) -> pd.DataFrame:
    """Sites of ``project_type`` with their low/high statistics from the project's spread.

    Each site's ``p10`` and ``p90`` of a year become its ``p50`` times the project's ratio
    ``p10 / p50`` (``p90 / p50``) of that year, computed from the joint draws of all sites
    (:func:`portfolio_removals`). The sites' central values and hence the gross credits are
    unchanged; the relative uncertainty that the ledger's deduction reads and the summary's
    P10-P90 become the project-level ones (summed over sites, the percentiles add up to the
    project's quantiles scaled to the sites' central total). Years or statistics the project
    table lacks keep the site values.

    Parameters
    ----------
    mitigation : pandas.DataFrame
        Tidy mitigation table (:data:`COLUMNS`).
    project_statistics : pandas.DataFrame
        Project-level mitigation rows of one project (:func:`portfolio_removals`).
    project_type : str
        The project type whose sites take the project's spread.

    Returns
    -------
    pandas.DataFrame
        ``mitigation`` with those rows replaced (same rows and columns).
    """
    project = project_statistics.pivot_table(
        index="year", columns="statistic", values="tco2e", aggfunc="sum"
    )
    if "p50" not in project:
        return mitigation
    out = mitigation.copy()
    sites = out["project_type"] == project_type
    central = out[sites & (out["statistic"] == "p50")].set_index(["project_id", "year"])["tco2e"]
    for statistic in ("p10", "p90"):
        if statistic not in project:
            continue
        ratio = (project[statistic] / project["p50"]).where(project["p50"] > 0)
        rows = sites & (out["statistic"] == statistic)
        keys = pd.MultiIndex.from_frame(out.loc[rows, ["project_id", "year"]])
        site_central = central.reindex(keys).to_numpy(float)
        year_ratio = ratio.reindex(out.loc[rows, "year"]).to_numpy(float)
        spread = site_central * year_ratio
        out.loc[rows, "tco2e"] = np.where(
            np.isfinite(spread), spread, out.loc[rows, "tco2e"].to_numpy(float)
        )
    return out
