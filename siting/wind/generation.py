"""Yearly generation and emission reductions of wind sites over their operating life.

Emission reductions per CDM ACM0002: ``ER_y = EG_y x EF_grid - PE_y - LE_y`` (tCO2e), with
the net generation faded by the annual degradation from the commissioning year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.scenario.wind import EmissionsSpec, WindYieldSpec

__all__ = ["GENERATION_QUANTITIES", "emission_reductions", "generation_table"]

GENERATION_QUANTITIES = {
    "aep_p50_mwh": "MWh",
    "aep_p75_mwh": "MWh",
    "aep_p90_mwh": "MWh",
    "tco2e_p50": "tCO2e",
    "tco2e_p90": "tCO2e",
    "tco2e_p50_high_ef": "tCO2e",
}


def emission_reductions(net_mwh, emissions: EmissionsSpec, grid_ef_tco2_per_mwh=None):
    """Emission reductions, tCO2e, of net generation (CDM ACM0002: ER = EG x EF - PE - LE).

    Parameters
    ----------
    net_mwh : float or array_like
        Net electricity delivered to the grid, MWh (per year).
    emissions : EmissionsSpec
        Grid emission factor, project emissions and leakage (tCO2e per year).
    grid_ef_tco2_per_mwh : float, optional
        Another grid emission factor, tCO2/MWh (default: ``emissions.grid_ef_tco2_per_mwh``).

    Returns
    -------
    float or numpy.ndarray
        tCO2e (per year), as the inputs.
    """
    ef = emissions.grid_ef_tco2_per_mwh if grid_ef_tco2_per_mwh is None else grid_ef_tco2_per_mwh
    return (
        net_mwh * ef - emissions.project_emissions_tco2e_per_year - emissions.leakage_tco2e_per_year
    )


def generation_table(sites: pd.DataFrame, spec: WindYieldSpec) -> pd.DataFrame:
    """Tidy yearly generation and emission reductions over the operating life.

    Parameters
    ----------
    sites : pandas.DataFrame
        The per-site table of :func:`siting.wind.energy.assess_wind_sites` (index ``site_id``).
    spec : WindYieldSpec
        Commissioning year, life, degradation, emission factors.

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``year``, ``quantity``, ``value``, ``unit``; ER per ACM0002 with the
        default and the high grid emission factor (project emissions and leakage subtracted).
    """
    e = spec.emissions
    years = np.arange(spec.commissioning_year, spec.commissioning_year + spec.operating_life_years)
    frames = []
    for site, row in sites.iterrows():
        fade = (1.0 - spec.annual_degradation_fraction) ** (years - spec.commissioning_year)
        values = {
            "aep_p50_mwh": row["aep_p50_mwh"] * fade,
            "aep_p75_mwh": row["aep_p75_mwh"] * fade,
            "aep_p90_mwh": row["aep_p90_mwh"] * fade,
            "tco2e_p50": emission_reductions(row["aep_p50_mwh"] * fade, e),
            "tco2e_p90": emission_reductions(row["aep_p90_mwh"] * fade, e),
            "tco2e_p50_high_ef": emission_reductions(
                row["aep_p50_mwh"] * fade, e, e.grid_ef_high_tco2_per_mwh
            ),
        }
        for quantity, series in values.items():
            frames.append(
                pd.DataFrame(
                    {
                        "site_id": site,
                        "year": years,
                        "quantity": quantity,
                        "value": np.asarray(series, dtype=float),
                        "unit": GENERATION_QUANTITIES[quantity],
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["site_id", "year", "quantity", "value", "unit"])
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["site_id", "year"], kind="stable").reset_index(drop=True)
