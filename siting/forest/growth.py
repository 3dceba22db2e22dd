"""Chapman–Richards biomass curves calibrated to IPCC Tier 1 numbers, and site quality.

Growth model
------------
Above-ground biomass (t d.m./ha) of a stand of age ``a`` years::

    B(a) = B_max * (1 - exp(-k * a)) ** p

(Richards 1959, J. Exp. Bot. 10:290–300, doi:10.1093/jxb/10.2.290; Pienaar & Turnbull 1973,
For. Sci. 19:2–22). With ``p > 1`` growth starts slowly, peaks at age ``ln(p) / k`` and
saturates at ``B_max``, instead of IPCC Tier 1's constant growth that stops at a cap.

Calibration
-----------
Two anchors fix the curve for a species in one ecological zone (species file, per zone):

* the maximum stock: ``B_max`` = the zone's Tier 1 above-ground biomass of the stand type;
* the mean growth over the first ``T`` years (``T = 20``, the IPCC young-stand class):
  ``B(T) = G * T`` with ``G`` the zone's Tier 1 growth rate;

and the shape from one of

* the **age–biomass path**: the age ``A`` at which the stand holds 90 % of ``B_max``
  (``age_at_90_percent_of_max_years``), from a published path or IPCC's own two-stage Tier 1
  path. ``k`` solves ``ln(1 - e^(-kT)) / ln(1 - e^(-kA)) = ln(G T / B_max) / ln(0.9)`` (one
  root, found by bracketing) and ``p = ln(G T / B_max) / ln(1 - e^(-kT))``. Boreal larch
  (``G`` = 1.0, ``B_max`` = 100, ``A`` = 81.5): ``k`` = 0.040/yr, ``p`` = 2.70, the largest
  increment at age 25 and 90 % of the stock at 81.5 years;
* a fixed **exponent** ``p`` (``shape``): ``k = -ln(1 - (G T / B_max) ** (1 / p)) / T``. Used where
  the Tier 1 numbers leave no room for a slow path (temperate continental larch holds 71 % of
  its stock after 20 years of Tier 1 growth).

Either way, after ``T`` years the curve holds exactly the stock of ``T`` years of Tier 1 growth,
while its annual increments rise and fall. This needs ``G * T < B_max``.

Uncertainty in growth is a *clock* multiplier ``m``: a draw grows as ``B(m * a)``, reaching the
calibrated stock after ``T / m`` years but never more than ``B_max``.

Site quality
------------
``q = floor + (1 - floor) * suitability`` scales the whole curve (see
:class:`siting.scenario.forest.SiteQualitySpec` for the mapping and its sources).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from siting.errors import ParameterError, describe
from siting.forest.species import Stand
from siting.scenario.forest import SiteQualitySpec

#: Share of the maximum stock the age-biomass anchor names (``age_at_90_percent_of_max_years``).
ANCHOR_SHARE = 0.9


def chapman_richards(
    age_years: np.ndarray | float, agb_max: float, rate_per_year: float, shape: float
) -> np.ndarray:
    """Chapman–Richards biomass ``B_max * (1 - exp(-k a)) ** p``; zero at and before age 0.

    Parameters
    ----------
    age_years : array_like
        Stand age in years (may be scaled by a growth-clock multiplier).
    agb_max : float
        Asymptotic above-ground biomass, t d.m./ha.
    rate_per_year : float
        Rate ``k``, 1/year.
    shape : float
        Exponent ``p`` (> 0; > 1 gives a sigmoid curve).

    Returns
    -------
    numpy.ndarray
        Above-ground biomass, t d.m./ha.
    """
    age = np.maximum(np.asarray(age_years, dtype=float), 0.0)
    return agb_max * (-np.expm1(-rate_per_year * age)) ** shape


def calibrate_rate(
    mean_growth_t_per_ha_per_year: float, agb_max: float, years: float, shape: float
) -> float:
    """The rate ``k`` for which ``B(years) = mean_growth * years``.

    Parameters
    ----------
    mean_growth_t_per_ha_per_year : float
        Tier 1 mean above-ground growth over the first ``years``, t d.m./ha/yr.
    agb_max : float
        Maximum above-ground biomass, t d.m./ha.
    years : float
        Calibration period, years.
    shape : float
        Chapman–Richards exponent ``p``.

    Returns
    -------
    float
        ``k = -ln(1 - (G T / B_max) ** (1/p)) / T``, 1/year.

    Raises
    ------
    ParameterError
        If ``G * T`` is not strictly between 0 and ``B_max``.
    """
    fraction = mean_growth_t_per_ha_per_year * years / agb_max
    if not 0 < fraction < 1:
        raise ParameterError(
            describe(
                "growth calibration",
                f"{years:g} years at {mean_growth_t_per_ha_per_year:g} t/ha/yr give "
                f"{fraction:.3g} of the maximum stock {agb_max:g} t/ha, which must be in (0, 1)",
                "shorten the calibration period or check the growth and maximum stock",
            )
        )
    return float(-np.log1p(-(fraction ** (1.0 / shape))) / years)


def calibrate_to_path(
    mean_growth_t_per_ha_per_year: float,
    agb_max: float,
    years: float,
    age_at_anchor_years: float,
    anchor_share: float = ANCHOR_SHARE,
) -> tuple[float, float]:
    """Rate ``k`` and exponent ``p`` with ``B(years) = G * years`` and ``B(A) = share * B_max``.

    Parameters
    ----------
    mean_growth_t_per_ha_per_year : float
        Tier 1 mean above-ground growth over the first ``years``, t d.m./ha/yr.
    agb_max : float
        Maximum above-ground biomass, t d.m./ha.
    years : float
        Calibration period ``T``, years.
    age_at_anchor_years : float
        Age ``A`` at which the stand holds ``anchor_share`` of ``agb_max``, years.
    anchor_share : float
        Share of the maximum at ``A`` (0.9).

    Returns
    -------
    (float, float)
        ``k`` (1/year) and ``p``.

    Raises
    ------
    ParameterError
        If no curve with ``p >= 1`` (a start no faster than later growth) meets both anchors.
    """
    young = mean_growth_t_per_ha_per_year * years / agb_max
    target = np.log(young) / np.log(anchor_share)

    def mismatch(log_k: float) -> float:
        k = np.exp(log_k)
        return np.log(-np.expm1(-k * years)) / np.log(-np.expm1(-k * age_at_anchor_years)) - target

    problem = None
    if not (0 < young < anchor_share and age_at_anchor_years > years):
        problem = (
            f"the Tier 1 stand holds {young:.0%} of its maximum after {years:g} years, which must "
            f"be below {anchor_share:.0%}, reached later, at {age_at_anchor_years:g} years"
        )
    else:
        try:
            # k A <= 30 keeps 1 - e^(-kA) distinguishable from 1 in float64
            upper = np.log(30.0 / age_at_anchor_years)
            log_k = optimize.brentq(mismatch, np.log(1e-6), upper, xtol=1e-12)
        except ValueError:
            log_k = None
        if log_k is None:
            problem = "no growth rate meets both anchors"
        else:
            rate = float(np.exp(log_k))
            shape = float(np.log(young) / np.log(-np.expm1(-rate * years)))
            if shape >= 1.0:
                return rate, shape
            problem = (
                f"the anchors need an exponent of {shape:.2f} < 1: a stand growing fastest in "
                "its first year"
            )
    raise ParameterError(
        describe(
            "growth calibration",
            f"{problem} ({mean_growth_t_per_ha_per_year:g} t/ha/yr for {years:g} years, maximum "
            f"{agb_max:g} t/ha, {anchor_share:.0%} at {age_at_anchor_years:g} years)",
            "give a later age_at_90_percent_of_max_years, or a shape instead",
        )
    )


@dataclass(frozen=True)
class GrowthCurve:
    """A species' calibrated Chapman–Richards curve of above-ground biomass (t d.m./ha)."""

    agb_max_t_dm_per_ha: float
    rate_per_year: float
    shape: float
    mean_growth_t_dm_per_ha_per_year: float
    calibration_years: float

    @classmethod
    def from_species(cls, stand: Stand) -> GrowthCurve:
        """Calibrate the curve to a stand's Tier 1 growth, maximum stock and growth path."""
        growth = stand.growth
        mean = growth.agb_growth_t_dm_per_ha_per_year.value
        cap = growth.agb_max_t_dm_per_ha.value
        years = growth.calibration_years.value
        if growth.shape is not None:
            shape = growth.shape.value
            return cls(cap, calibrate_rate(mean, cap, years, shape), shape, mean, years)
        rate, shape = calibrate_to_path(
            mean, cap, years, growth.age_at_90_percent_of_max_years.value
        )
        return cls(cap, rate, shape, mean, years)

    def age_at_share_years(self, share: float) -> float:
        """Age at which the (clock 1) curve holds ``share`` of its maximum stock, years."""
        return float(-np.log1p(-(share ** (1.0 / self.shape))) / self.rate_per_year)

    def agb(self, age_years: np.ndarray | float, clock: np.ndarray | float = 1.0) -> np.ndarray:
        """Above-ground biomass at ``age_years`` for a growth-clock multiplier (t d.m./ha).

        ``clock`` and ``age_years`` broadcast against each other (e.g. draws × ages).
        """
        return chapman_richards(
            np.multiply(clock, age_years), self.agb_max_t_dm_per_ha, self.rate_per_year, self.shape
        )

    def peak_age_years(self) -> float:
        """Age of the largest annual increment, ``ln(p) / k`` (0 when ``p <= 1``)."""
        return float(max(np.log(self.shape), 0.0) / self.rate_per_year)


def site_quality(suitability: np.ndarray, spec: SiteQualitySpec) -> np.ndarray:
    """Site-quality factor ``q`` in [0, 1] from suitability.

    Parameters
    ----------
    suitability : array_like
        Mean suitability of each site, 0–1.
    spec : SiteQualitySpec
        The mapping.

    Returns
    -------
    numpy.ndarray
        ``floor + (1 - floor) * suitability`` per site.

    Raises
    ------
    ParameterError
        If a suitability is missing or outside [0, 1].
    """
    score = np.asarray(suitability, dtype=float)
    if np.any(~np.isfinite(score)) or np.any((score < 0) | (score > 1)):
        raise ParameterError(
            describe(
                "site suitability", "must be a number in [0, 1] for every site", "check score_mean"
            )
        )
    return spec.suitability_floor + (1.0 - spec.suitability_floor) * score


def climate_classes_for(
    site_ids: list[str], climate_class: Mapping[str, int] | None
) -> np.ndarray | None:
    """The climate code of each site from a mapping site_id -> Köppen code (None passes through).

    Raises
    ------
    ParameterError
        If the mapping misses some sites.
    """
    if climate_class is None:
        return None
    missing = [s for s in site_ids if s not in climate_class]
    if missing:
        raise ParameterError(
            describe(
                "climate_class",
                f"no climate class for site(s) {', '.join(missing[:5])}"
                + (" ..." if len(missing) > 5 else ""),
                "give the majority Köppen class of every site, or pass None",
            )
        )
    return np.array([int(climate_class[s]) for s in site_ids])
