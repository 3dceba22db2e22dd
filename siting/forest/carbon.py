"""Carbon pools of a planted stand, from above-ground biomass to tonnes of CO2 equivalent.

Per hectare::

    BGB   = R(AGB) * AGB                     root:shoot by stock class (IPCC Table 4.4)
    C     = (AGB + BGB) * CF * (1 + f_dw + f_litter)
    tCO2e = C * 44/12 (+ soil) (- baseline)

* ``R`` takes the species' ratio for stands with ``AGB <= threshold`` and another above it,
  as IPCC 2019 Refinement Vol. 4 Ch. 4 Table 4.4 does (larch: 0.48 up to 125 t d.m./ha,
  0.19 above). The step is IPCC's: a stand crossing the threshold loses below-ground stock
  on paper. None of the shipped species' maximum stocks reaches its threshold.
* ``CF`` = 0.47 t C / t d.m. (IPCC 2006 Vol. 4 Ch. 4 Table 4.3), from the species file.
* Dead wood and litter (optional, off by default) are fractions of tree carbon; soil
  (optional, 0 by default) is a rate per planted hectare; the grassland baseline changes by
  nothing under IPCC Tier 1 (see :mod:`siting.scenario.forest`).
"""

from __future__ import annotations

import numpy as np

from siting.forest.species import Species
from siting.scenario.forest import PoolsSpec

#: Molecular mass ratio CO2 / C (44.01 / 12.011, rounded as IPCC does).
CO2_PER_C = 44.0 / 12.0


def root_shoot_ratio(
    agb_t_dm_per_ha: np.ndarray,
    below: np.ndarray | float,
    above: np.ndarray | float,
    threshold: float,
) -> np.ndarray:
    """Root:shoot ratio by above-ground stock class.

    Parameters
    ----------
    agb_t_dm_per_ha : array_like
        Above-ground biomass density, t d.m./ha.
    below, above : float or array_like
        Ratio for stands with AGB at or below / above ``threshold`` (broadcast with AGB).
    threshold : float
        Stock-class boundary, t d.m./ha.

    Returns
    -------
    numpy.ndarray
        Below- to above-ground biomass ratio.
    """
    return np.where(np.asarray(agb_t_dm_per_ha) <= threshold, below, above)


def dead_organic_matter_fraction(pools: PoolsSpec) -> float:
    """Dead wood plus litter carbon as a fraction of tree carbon (0 when both are off)."""
    return pools.dead_wood * pools.dead_wood_fraction_of_tree_carbon + (
        pools.litter * pools.litter_fraction_of_tree_carbon
    )


def biomass_tco2e(
    agb_t_dm: np.ndarray,
    agb_density_t_dm_per_ha: np.ndarray,
    *,
    below: np.ndarray | float,
    above: np.ndarray | float,
    threshold: float,
    carbon_fraction: np.ndarray | float,
    dom_fraction: float = 0.0,
) -> np.ndarray:
    """CO2 equivalent of tree biomass (above + below ground) plus dead organic matter.

    Parameters
    ----------
    agb_t_dm : array_like
        Above-ground biomass, t d.m. (a total or per hectare).
    agb_density_t_dm_per_ha : array_like
        Above-ground biomass per hectare, t d.m./ha, which picks the root:shoot class.
    below, above, threshold
        Root:shoot ratios and class boundary (see :func:`root_shoot_ratio`).
    carbon_fraction : float or array_like
        t C per t d.m.
    dom_fraction : float
        Dead wood and litter carbon as a fraction of tree carbon.

    Returns
    -------
    numpy.ndarray
        tCO2e, ``AGB (1 + R) CF (1 + dom) 44/12``.
    """
    ratio = root_shoot_ratio(agb_density_t_dm_per_ha, below, above, threshold)
    return agb_t_dm * (1.0 + ratio) * carbon_fraction * ((1.0 + dom_fraction) * CO2_PER_C)


def max_tco2e_per_ha(
    species: Species, pools: PoolsSpec | None = None, *, upper: bool = False
) -> float:
    """The largest stock a hectare of the species can hold, tCO2e/ha (its cap).

    The maximum above-ground stock with its below-ground share, or the stock just below the
    root:shoot threshold when that is larger (the class step can make it so).

    Parameters
    ----------
    species : Species
        The species.
    pools : PoolsSpec, optional
        Dead wood and litter, when counted.
    upper : bool
        Use the upper ends of the root:shoot and carbon-fraction ranges (the cap of any draw)
        instead of their central values.
    """
    cap = species.growth.agb_max_t_dm_per_ha.value
    rs = species.root_shoot
    pick = (lambda p: p.bounds[1]) if upper else (lambda p: p.value)
    below, above = pick(rs.below_threshold), pick(rs.above_threshold)
    threshold = rs.threshold_agb_t_dm_per_ha.value
    tree = max(
        cap * (1 + (below if cap <= threshold else above)), min(cap, threshold) * (1 + below)
    )
    dom = 0.0 if pools is None else dead_organic_matter_fraction(pools)
    return tree * pick(species.carbon_fraction) * (1.0 + dom) * CO2_PER_C


def linear_pool_tco2e_per_ha(
    age_years: np.ndarray, rate_tco2e_per_ha_per_year: float, max_years: float | None = None
) -> np.ndarray:
    """A pool changing linearly per planted hectare (soil, baseline), tCO2e/ha at an age.

    Parameters
    ----------
    age_years : array_like
        Years since planting (0 or less: nothing yet).
    rate_tco2e_per_ha_per_year : float
        Annual change, tCO2e/ha/yr.
    max_years : float, optional
        The change stops after this many years (IPCC soil transition time).
    """
    years = np.maximum(np.asarray(age_years, dtype=float), 0.0)
    if max_years is not None:
        years = np.minimum(years, max_years)
    return rate_tco2e_per_ha_per_year * years
