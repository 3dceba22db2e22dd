"""Yearly generation and emission reductions of wind sites over their operating life.

Emission reductions per CDM ACM0002 (grid-connected renewable electricity, "Baseline
emissions"): ``ER_y = EG_y x EF_grid - PE_y - LE_y`` (tCO2e), with ``EG_y`` the net electricity
the project delivers to the grid in year ``y``: credits follow metered generation, so the
expected (P50) energy is the central projection and P75/P90 are risk bands around it, not
deductions. Operation starts in the
commissioning month: the first calendar year generates ``(13 - month) / 12`` of a year and the
life ends the same fraction later, so a life of ``L`` years spans ``L + 1`` calendar years when
commissioning is after January. Output fades by the annual degradation with age.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.scenario.wind import EmissionsSpec, WindYieldSpec

__all__ = [
    "GENERATION_QUANTITIES",
    "emission_reductions",
    "generation_table",
    "operating_fractions",
]

#: Quantities of the tidy generation table and their units. P75 and the 10-year P90 are the
#: long-term values (the mean over ``uncertainty.long_term_years``), for multi-year totals;
#: the 1-year P90 is the generation of a single bad year.
GENERATION_QUANTITIES = {
    "aep_p50_mwh": "MWh",
    "aep_p75_mwh": "MWh",
    "aep_p90_1yr_mwh": "MWh",
    "aep_p90_10yr_mwh": "MWh",
    "tco2e_p50": "tCO2e",
    "tco2e_p75": "tCO2e",
    "tco2e_p90_1yr": "tCO2e",
    "tco2e_p90_10yr": "tCO2e",
    "tco2e_p50_high_ef": "tCO2e",
}

#: Energy quantity behind each tCO2e quantity.
_REDUCTION_OF = {
    "tco2e_p50": "aep_p50_mwh",
    "tco2e_p75": "aep_p75_mwh",
    "tco2e_p90_1yr": "aep_p90_1yr_mwh",
    "tco2e_p90_10yr": "aep_p90_10yr_mwh",
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


def operating_fractions(spec: WindYieldSpec) -> tuple[np.ndarray, np.ndarray]:
    """Calendar years of operation and the fraction of each year the farm runs.

    Parameters
    ----------
    spec : WindYieldSpec
        ``commissioning_year``, ``commissioning_month``, ``operating_life_years``.

    Returns
    -------
    years : numpy.ndarray of int
    fraction : numpy.ndarray of float
        ``(13 - month) / 12`` in the first year, 1 in between, the rest of the life in the last
        (none when commissioning is in January); the fractions sum to the life in years.
    """
    first = (13 - spec.commissioning_month) / 12.0
    life = spec.operating_life_years
    n_years = life if first == 1.0 else life + 1
    years = np.arange(spec.commissioning_year, spec.commissioning_year + n_years)
    fraction = np.ones(n_years)
    fraction[0] = first
    if first < 1.0:
        fraction[-1] = 1.0 - first
    return years, fraction


def generation_table(sites: pd.DataFrame, spec: WindYieldSpec) -> pd.DataFrame:
    """Tidy yearly generation and emission reductions over the operating life.

    Parameters
    ----------
    sites : pandas.DataFrame
        The per-site table of :func:`siting.wind.energy.assess_wind_sites` (index ``site_id``;
        a full year's ``aep_p50_mwh``, ``aep_p75_mwh``, ``aep_p90_1yr_mwh``,
        ``aep_p90_10yr_mwh``).
    spec : WindYieldSpec
        Commissioning year and month, life, degradation, emission factors.

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``year``, ``quantity`` (:data:`GENERATION_QUANTITIES`), ``value``,
        ``unit``: each year's energy = annual energy x operating fraction x (1 - degradation)
        ^ age; ER per ACM0002 with the default and the high grid emission factor (project
        emissions and leakage subtracted, pro rata of the operating fraction).
    """
    e = spec.emissions
    years, fraction = operating_fractions(spec)
    fade = fraction * (1.0 - spec.annual_degradation_fraction) ** (years - spec.commissioning_year)
    fixed_tco2e = (e.project_emissions_tco2e_per_year + e.leakage_tco2e_per_year) * fraction
    frames = []
    for site, row in sites.iterrows():
        values = {q: row[q] * fade for q in GENERATION_QUANTITIES if q.startswith("aep_")}
        for quantity, energy in _REDUCTION_OF.items():
            values[quantity] = values[energy] * e.grid_ef_tco2_per_mwh - fixed_tco2e
        values["tco2e_p50_high_ef"] = values["aep_p50_mwh"] * e.grid_ef_high_tco2_per_mwh - (
            fixed_tco2e
        )
        for quantity in GENERATION_QUANTITIES:
            frames.append(
                pd.DataFrame(
                    {
                        "site_id": site,
                        "year": years,
                        "quantity": quantity,
                        "value": np.asarray(values[quantity], dtype=float),
                        "unit": GENERATION_QUANTITIES[quantity],
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["site_id", "year", "quantity", "value", "unit"])
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["site_id", "year"], kind="stable").reset_index(drop=True)
