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
Two Tier 1 numbers fix the curve for a given shape ``p`` (species file):

* the maximum stock: ``B_max`` = the Tier 1 above-ground biomass of the stand type;
* the mean growth over the first ``T`` years (``T = 20``, the IPCC young-stand class):
  ``B(T) = G * T`` with ``G`` the Tier 1 growth rate, so that::

      k = -ln(1 - (G * T / B_max) ** (1 / p)) / T

Hence after ``T`` years the curve holds exactly the stock of ``T`` years of Tier 1 growth
(larch: 20 × 4.0 = 80 t/ha of 112.9 t/ha), while its annual increments rise and fall. This
needs ``G * T < B_max``; where the Tier 1 numbers contradict that, the species file uses a
shorter ``T`` and says so (Scots pine).

Uncertainty in growth is a *clock* multiplier ``m``: a draw grows as ``B(m * a)``, reaching the
calibrated stock after ``T / m`` years but never more than ``B_max``.

Site quality
------------
``q = (floor + (1 - floor) * suitability) * climate_factor`` scales the whole curve (see
:class:`siting.scenario.forest.SiteQualitySpec` for the mapping and its sources).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from siting.errors import ParameterError, describe
from siting.forest.species import Species
from siting.scenario.forest import KOPPEN_MAIN_GROUPS, SiteQualitySpec


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


@dataclass(frozen=True)
class GrowthCurve:
    """A species' calibrated Chapman–Richards curve of above-ground biomass (t d.m./ha)."""

    agb_max_t_dm_per_ha: float
    rate_per_year: float
    shape: float
    mean_growth_t_dm_per_ha_per_year: float
    calibration_years: float

    @classmethod
    def from_species(cls, species: Species) -> GrowthCurve:
        """Calibrate the curve to the species' Tier 1 growth and maximum stock."""
        growth = species.growth
        mean = growth.agb_growth_t_dm_per_ha_per_year.value
        cap = growth.agb_max_t_dm_per_ha.value
        years = growth.calibration_years.value
        shape = growth.shape.value
        return cls(cap, calibrate_rate(mean, cap, years, shape), shape, mean, years)

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


def climate_factor(climate_class: int | None, spec: SiteQualitySpec) -> float:
    """Growth factor of a Köppen main-group code (1–5; None or unknown: the ``other`` factor)."""
    name = KOPPEN_MAIN_GROUPS.get(int(climate_class)) if climate_class is not None else None
    return float(spec.climate_factor.get(name, spec.other_climate_factor))


def site_quality(
    suitability: np.ndarray,
    climate_classes: np.ndarray | None,
    spec: SiteQualitySpec,
) -> np.ndarray:
    """Site-quality factor ``q`` in [0, 1] from suitability and climate.

    Parameters
    ----------
    suitability : array_like
        Mean suitability of each site, 0–1.
    climate_classes : array_like of int, optional
        Majority Köppen main-group code of each site; None: every site gets
        ``spec.other_climate_factor``.
    spec : SiteQualitySpec
        The mapping.

    Returns
    -------
    numpy.ndarray
        ``(floor + (1 - floor) * suitability) * climate_factor`` per site.

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
    factor = (
        np.full(score.shape, spec.other_climate_factor)
        if climate_classes is None
        else np.array([climate_factor(c, spec) for c in climate_classes], dtype=float)
    )
    return (spec.suitability_floor + (1.0 - spec.suitability_floor) * score) * factor


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
