"""P50/P75/P90 of a site's energy: the normal approximation with a combined uncertainty.

``P_x = P50 (1 - z_x sigma)`` with ``z`` the standard normal quantile of the exceedance
probability (0.674 for P75, 1.282 for P90) and ``sigma`` the quadrature sum of inter-annual
variability (IAV), wind-resource and model uncertainty (the speed terms times the site's
energy-to-speed sensitivity, :func:`siting.wind.energy.energy_sensitivity`).

One year vs N years: the energy averaged over N years varies less from the expected value
than a single year, because good and bad years offset: the IAV term falls to
``sigma_IAV / sqrt(N)`` (years taken as independent), while the long-term resource and model
uncertainties are the same error in every year and stay whole. So the 1-year P90 (a single
bad year: debt service) is lower than the 10-year P90 (the mean over ten years), which is
the one for multi-year totals (credits over a crediting period). This is how energy yield
assessments report them (IEC 61400-15-2, framework for reporting energy yield assessments,
verify edition; Brower 2012, Wind Resource Assessment, Wiley, ch. 14; consultancy practice,
e.g. Verdigris, "P50 and P90 energy yield estimates": "a 1-year P90 or a 10-year P90", verify).
The P50 is the same for both.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from siting.scenario.wind import EnergyUncertaintySpec

__all__ = ["exceedance_aep_mwh", "uncertainty_fraction"]


def uncertainty_fraction(
    uncertainty: EnergyUncertaintySpec, sensitivity: float, estimate: bool, years: int = 1
) -> float:
    """Combined standard uncertainty of the mean annual energy over ``years``, a fraction.

    ``sqrt((S sigma_IAV)^2 / N + (S sigma_resource)^2 + sigma_model^2)`` with ``S`` the
    energy-to-speed sensitivity and ``N = years``.

    Parameters
    ----------
    uncertainty : EnergyUncertaintySpec
        The ``wind_yield.uncertainty`` section (fractions of speed or energy).
    sensitivity : float
        Relative change of energy per relative change of wind speed.
    estimate : bool
        The wind resource is the scenario's estimate (its larger resource uncertainty applies).
    years : int
        Averaging period N, years (1: one year; ``uncertainty.long_term_years``: 10-year P90).

    Returns
    -------
    float
    """
    u = uncertainty
    resource = u.resource_speed_fraction_estimate if estimate else u.resource_speed_fraction
    return float(
        np.sqrt(
            (sensitivity * u.interannual_speed_fraction) ** 2 / years
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
        Combined standard uncertainty as a fraction (:func:`uncertainty_fraction`), of one
        year or of the mean over N years.
    probability : float
        Exceedance probability, 0.5-1.
    """
    return max(p50_mwh * (1 - stats.norm.ppf(probability) * uncertainty), 0.0)
