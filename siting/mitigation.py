"""The wind and forest stages' outputs as one tidy mitigation table for the credit stage.

Columns: ``project_id``, ``project_type``, ``kind`` (``reduction`` or ``removal``), ``year``,
``statistic`` (``p10``/``p50``/``p90``/``mean``) and ``tco2e``. Wind P90 is the generation
exceeded in 90 % of years (the conservative, lower one); forest ``p10`` is the 10th percentile
of removals (the conservative, lower one).
"""

from __future__ import annotations

import pandas as pd

from siting.config_wind import EmissionsSpec

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
    ef = grid_ef_tco2_per_mwh or emissions.grid_ef_tco2_per_mwh
    energy = generation[generation["quantity"].isin(WIND_ENERGY)]
    energy = energy[energy["value"] > 0]
    reductions = (
        energy["value"] * ef
        - emissions.project_emissions_tco2e_per_year
        - emissions.leakage_tco2e_per_year
    ).clip(lower=0.0)
    return pd.DataFrame(
        {
            "project_id": energy["site_id"].to_numpy(),
            "project_type": "wind",
            "kind": "reduction",
            "year": energy["year"].astype(int).to_numpy(),
            "statistic": energy["quantity"].map(WIND_ENERGY).to_numpy(),
            "tco2e": reductions.to_numpy(),
        }
    )[COLUMNS]


def forest_removals(sequestration: pd.DataFrame) -> pd.DataFrame:
    """Net removals per reforestation site and year from ``sequestration.csv`` rows.

    A year whose statistic shows a net loss (a fire) is entered as zero removal: reversals are
    what the non-permanence buffer of the credit stage covers.
    """
    return pd.DataFrame(
        {
            "project_id": sequestration["site_id"].to_numpy(),
            "project_type": "reforestation",
            "kind": "removal",
            "year": sequestration["year"].astype(int).to_numpy(),
            "statistic": sequestration["quantile"].to_numpy(),
            "tco2e": sequestration["tco2e_annual"].clip(lower=0.0).to_numpy(),
        }
    )[COLUMNS]
