"""P50/P75/P90 of a site's annual energy: the normal approximation with a combined uncertainty.

``P_x = P50 (1 - z_x sigma)`` with ``z`` the standard normal quantile of the exceedance
probability (0.674 for P75, 1.282 for P90) and ``sigma`` the quadrature sum of inter-annual
variability, wind-resource and model uncertainty (the speed terms times the site's
energy-to-speed sensitivity, :func:`siting.wind.energy.energy_sensitivity`).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from siting.scenario.wind import EnergyUncertaintySpec

__all__ = ["exceedance_aep_mwh", "uncertainty_fraction"]


def uncertainty_fraction(
    uncertainty: EnergyUncertaintySpec, sensitivity: float, estimate: bool
) -> float:
    """Combined standard uncertainty of the annual energy, as a fraction (quadrature sum).

    Parameters
    ----------
    uncertainty : EnergyUncertaintySpec
        The ``wind_yield.uncertainty`` section (fractions of speed or energy).
    sensitivity : float
        Relative change of energy per relative change of wind speed.
    estimate : bool
        The wind resource is the scenario's estimate (its larger resource uncertainty applies).

    Returns
    -------
    float
    """
    u = uncertainty
    resource = u.resource_speed_fraction_estimate if estimate else u.resource_speed_fraction
    return float(
        np.sqrt(
            (sensitivity * u.interannual_speed_fraction) ** 2
            + (sensitivity * resource) ** 2
            + u.model_energy_fraction**2
        )
    )


def exceedance_aep_mwh(p50_mwh: float, uncertainty: float, probability: float) -> float:
    """Annual energy exceeded with ``probability`` (0.75: P75, 0.9: P90), MWh, at least 0.

    Parameters
    ----------
    p50_mwh : float
        Median annual energy, MWh.
    uncertainty : float
        Combined standard uncertainty as a fraction (:func:`uncertainty_fraction`).
    probability : float
        Exceedance probability, 0.5-1.
    """
    return max(p50_mwh * (1 - stats.norm.ppf(probability) * uncertainty), 0.0)
