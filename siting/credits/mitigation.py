"""The wind and forest stages' outputs as one tidy mitigation table for the credit stage.

Columns: ``project_id``, ``project_type``, ``kind`` (``reduction`` or ``removal``), ``year``,
``statistic`` (``p10``/``p50``/``p90``/``mean``) and ``tco2e``. Wind P90 is the generation
exceeded in 90 % of years (the conservative, lower one); forest ``p10`` is the 10th percentile
of the carbon stock (the conservative, lower one).
"""

from __future__ import annotations

import pandas as pd

from siting.scenario.wind import EmissionsSpec
from siting.wind.generation import emission_reductions

COLUMNS = ["project_id", "project_type", "kind", "year", "statistic", "tco2e"]

#: Wind generation quantities and the statistic each stands for.
WIND_ENERGY = {"aep_p50_mwh": "p50", "aep_p90_mwh": "p90"}


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
