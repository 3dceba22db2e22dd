"""Planting schedule under a shared capacity, and what happens to the planted trees.

Schedule
--------
Sites are planted in rank order from a nursery/crew capacity in ha/year shared by all of them:
each year the capacity first replants the previous year's failures (``replanting_fraction``
of the area that did not survive, at the *planned* survival), and the rest plants new land,
filling the best-ranked unfinished site first. A site larger than a year's capacity is phased
over several years. The plan is a decision made before planting: the Monte Carlo varies how
many seedlings survive, not the plan.

Stand fate (per planted hectare)
--------------------------------
* establishment: a share ``s`` of the seedlings survives; failures are replanted once, a year
  later, and survive at the same rate, so the stand holds ``s`` trees of age ``a`` and
  ``rho (1 - s) s`` of age ``a - 1``;
* background mortality: a share ``mu`` of the established trees dies each year after the first;
* fire: each year a fire occurs with probability ``p`` and destroys a share ``L`` of the stand.
  Drawn as events in the Monte Carlo; as the expected factor ``(1 - p L)`` per year when
  disturbance uncertainty is off. Burnt stands are not replanted (conservative).

Ages count growing seasons: trees planted in spring of year ``j`` have age ``y - j + 1`` at
the end of year ``y``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from siting.errors import ParameterError, describe


@dataclass(frozen=True)
class PlantingSchedule:
    """Hectares planted per site and year; sites in rank order, years from ``first_year``."""

    first_year: int
    capacity_ha_per_year: float
    new_ha: np.ndarray  # (sites, years): new land planted
    replant_ha: np.ndarray  # (sites, years): failed area replanted

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the schedule's columns."""
        return self.first_year + np.arange(self.new_ha.shape[1])

    @property
    def planted_ha_per_year(self) -> np.ndarray:
        """New planting plus replanting per year, all sites (never above the capacity)."""
        return self.new_ha.sum(axis=0) + self.replant_ha.sum(axis=0)

    def first_planting_year(self) -> np.ndarray:
        """Year each site is first planted."""
        return self.first_year + np.argmax(self.new_ha > 0, axis=1)

    def last_planting_year(self) -> np.ndarray:
        """Year each site's last new land is planted."""
        n = self.new_ha.shape[1]
        return self.first_year + n - 1 - np.argmax(self.new_ha[:, ::-1] > 0, axis=1)

    def planted_by(self, year: int) -> np.ndarray:
        """New land planted at each site up to and including ``year``, ha."""
        n = int(np.clip(year - self.first_year + 1, 0, self.new_ha.shape[1]))
        return self.new_ha[:, :n].sum(axis=1)

    def new_ha_until(self, n_years: int) -> np.ndarray:
        """New planting in the first ``n_years`` years, zero-padded when the plan is shorter."""
        out = np.zeros((self.new_ha.shape[0], n_years))
        m = min(n_years, self.new_ha.shape[1])
        out[:, :m] = self.new_ha[:, :m]
        return out


def schedule_planting(
    area_ha: np.ndarray,
    *,
    capacity_ha_per_year: float,
    first_year: int,
    replanting_fraction: float = 0.0,
    planned_survival: np.ndarray | float = 1.0,
) -> PlantingSchedule:
    """Phase the planting of sites (in rank order) under a shared annual capacity.

    Parameters
    ----------
    area_ha : array_like
        Area to plant at each site, ha, best-ranked first.
    capacity_ha_per_year : float
        Hectares the nursery and crews can plant per year (new land plus replanting).
    first_year : int
        Calendar year of the first planting.
    replanting_fraction : float
        Share of the failed area replanted the following year.
    planned_survival : float or array_like
        Survival the plan expects (per site or one for all), 0–1.

    Returns
    -------
    PlantingSchedule
        Runs until every site is planted and its failures replanted (possibly past any
        projection horizon).

    Raises
    ------
    ParameterError
        If the capacity is not positive, an area is negative or not finite, or a fraction is
        outside [0, 1].
    """
    area = np.asarray(area_ha, dtype=float)
    survival = np.broadcast_to(np.asarray(planned_survival, dtype=float), area.shape)
    if not capacity_ha_per_year > 0:
        raise ParameterError(
            describe(
                "forest.planting_capacity_ha_per_year", "must be positive", "give a capacity > 0"
            )
        )
    if np.any(~np.isfinite(area)) or np.any(area < 0):
        raise ParameterError(
            describe("site area_ha", "must be finite and non-negative", "check the sites table")
        )
    if not 0 <= replanting_fraction <= 1 or np.any((survival < 0) | (survival > 1)):
        raise ParameterError(
            describe("replanting fraction or survival", "must lie in [0, 1]", "fix the scenario")
        )
    replant_share = replanting_fraction * (1.0 - survival)  # < 1 whenever survival > 0
    remaining = area.copy()
    previous = np.zeros_like(area)
    new_columns, replant_columns = [], []
    # A loop over years (not draws): each year's new planting depends on last year's.
    # New planting averages at least capacity / 2 a year (replanting takes at most the rest).
    max_years = int(np.ceil(2 * area.sum() / capacity_ha_per_year)) + 2
    while remaining.any() or (replant_share * previous).any():
        if len(new_columns) > max_years:  # cannot happen; guards against a float trap
            raise ParameterError(describe("planting schedule", "does not terminate", "report this"))
        replant = replant_share * previous
        free = max(capacity_ha_per_year - replant.sum(), 0.0)
        # Area of better-ranked unfinished sites: an exclusive prefix sum (not cumsum - remaining,
        # whose rounding could hand a lower-ranked site a sliver before a better one).
        ahead = np.concatenate(([0.0], np.cumsum(remaining)[:-1]))
        new = np.clip(free - ahead, 0.0, remaining)
        remaining = np.where(new >= remaining, 0.0, remaining - new)
        new_columns.append(new)
        replant_columns.append(replant)
        previous = new
    if not new_columns:
        new_columns, replant_columns = [np.zeros_like(area)], [np.zeros_like(area)]
    return PlantingSchedule(
        first_year=int(first_year),
        capacity_ha_per_year=float(capacity_ha_per_year),
        new_ha=np.stack(new_columns, axis=1),
        replant_ha=np.stack(replant_columns, axis=1),
    )


def establishment(
    agb_age: np.ndarray,
    agb_age_minus_one: np.ndarray,
    survival: np.ndarray,
    replanting_fraction: float,
) -> np.ndarray:
    """Biomass per planted hectare after establishment losses and one replanting round.

    ``s * B(a) + rho * (1 - s) * s * B(a - 1)``: survivors of the first planting, plus the
    replanted share of the failures, a year younger, surviving at the same rate.
    """
    return (
        survival * agb_age + replanting_fraction * (1.0 - survival) * survival * agb_age_minus_one
    )


def mortality_survival(age_years: np.ndarray, rate_per_year: np.ndarray | float) -> np.ndarray:
    """Share of established trees alive at an age under annual mortality (from year 2 on)."""
    years = np.maximum(np.asarray(age_years, dtype=float) - 1.0, 0.0)
    return (1.0 - np.asarray(rate_per_year, dtype=float)) ** years


def expected_fire_survival(
    age_years: np.ndarray,
    probability_per_year: np.ndarray | float,
    loss_fraction: np.ndarray | float,
) -> np.ndarray:
    """Expected share of the stand not burnt after ``age`` years: ``(1 - p L) ** age``."""
    years = np.maximum(np.asarray(age_years, dtype=float), 0.0)
    return (1.0 - np.asarray(probability_per_year) * np.asarray(loss_fraction)) ** years


def draw_fire_events(
    rng: np.random.Generator, probability_per_year: np.ndarray, n_years: int
) -> np.ndarray:
    """Fire events (True = a fire that year) for each draw and year, shape (draws, years)."""
    return rng.random((probability_per_year.shape[0], n_years)) < probability_per_year[:, None]


def fire_survival(fires_since_planting: np.ndarray, loss_fraction: np.ndarray) -> np.ndarray:
    """Share of a stand left after ``k`` fires destroying ``L`` each: ``(1 - L) ** k``.

    ``loss_fraction`` must broadcast against ``fires_since_planting``.
    """
    return np.power(1.0 - loss_fraction, fires_since_planting)


def planting_table(
    schedule: PlantingSchedule, seedlings_per_ha: np.ndarray | float, area_ha: float
) -> pd.DataFrame:
    """The planting plan per calendar year: land, seedlings and the capacity they need.

    Parameters
    ----------
    schedule : PlantingSchedule
        From :func:`schedule_planting`.
    seedlings_per_ha : float or array_like
        Planting density of each site's species (or one for all), seedlings/ha; replanting
        uses the same density.
    area_ha : float
        Total area to plant (all sites), ha.

    Returns
    -------
    pandas.DataFrame
        One row per year of the schedule: ``year``, ``new_ha`` (new land), ``replant_ha``
        (failures replanted), ``planted_ha`` (their sum, never above the capacity),
        ``seedlings`` (seedlings planted that year), ``capacity_ha`` and
        ``capacity_seedlings`` (the capacity at the density of the year's planting; the
        mean density of the area when nothing is planted), ``cumulative_new_ha`` and
        ``share_planted`` (of ``area_ha``, 0–1).
    """
    density = np.broadcast_to(
        np.asarray(seedlings_per_ha, dtype=float), (schedule.new_ha.shape[0],)
    )
    new = schedule.new_ha.sum(axis=0)
    replant = schedule.replant_ha.sum(axis=0)
    planted = new + replant
    seedlings = density @ (schedule.new_ha + schedule.replant_ha)
    mean_density = float(density.mean()) if density.size else 0.0
    year_density = np.divide(
        seedlings, planted, out=np.full(planted.shape, mean_density), where=planted > 0
    )
    cumulative = np.cumsum(new)
    return pd.DataFrame(
        {
            "year": schedule.years,
            "new_ha": new,
            "replant_ha": replant,
            "planted_ha": planted,
            "seedlings": seedlings,
            "capacity_ha": schedule.capacity_ha_per_year,
            "capacity_seedlings": schedule.capacity_ha_per_year * year_density,
            "cumulative_new_ha": cumulative,
            "share_planted": cumulative / area_ha if area_ha > 0 else np.zeros_like(cumulative),
        }
    )


def fully_planted_year(planting: pd.DataFrame) -> int | None:
    """The year the last new land of the plan is planted (None when nothing is planted).

    Parameters
    ----------
    planting : pandas.DataFrame
        From :func:`planting_table`.
    """
    planted = planting.loc[planting["new_ha"] > 0, "year"]
    return int(planted.max()) if not planted.empty else None
