"""Monte Carlo sequestration of reforestation sites: stock and annual removals with ranges.

For each site (in rank order) the planting plan (:mod:`siting.forest.planting`) sets the hectares
planted per year; each draw of the Monte Carlo takes one value of every uncertain parameter
(growth clock, survival, background mortality, root:shoot, carbon fraction, fire probability
and loss) and its own fire events per site and year, then the stock of every site and year
follows from the growth curve (:mod:`siting.forest.growth`) and the carbon pools
(:mod:`siting.forest.carbon`).

* Each site's FAO ecological zone (:mod:`siting.forest.zones`, from its mean elevation and
  Köppen class) picks the species' Tier 1 growth, stock and root:shoot values of that zone;
  sites in a zone the species has no values for (polar, warmer) are left unplanted, with a
  warning.
* Parameter draws are shared by all sites of a species within a draw (they are systematic:
  the same growth table and root:shoot ratio apply everywhere), so the spread of a sum over
  sites is not understated; fire events are drawn per site and year.
* Planting survival is drawn per planting year and shared by every site planted that year
  (first-year survival follows the spring's drought), correlated across years by
  ``forest.survival_year_correlation`` (a Gaussian copula: a programme-wide and a yearly part).
* The project's spread (``ForestAssessment.portfolio``) is taken over the draws of the SUM over
  all sites, per year: a quantile of a sum, not the sum of the sites' quantiles, which would
  overstate the spread wherever sites are not perfectly correlated.
* Draws are vectorised (arrays of draws × sites × years); sites are processed in blocks so
  that memory stays bounded (``forest.block_mib``), and each site's quantiles are exact.
* Every random stream is keyed by the seed and by what it drives (a parameter and species, or
  a site's fire events), so switching one uncertainty off or adding a site leaves the other
  draws unchanged, and the same seed gives identical tables.
* With all uncertainty off every draw equals the deterministic path (central values,
  expected fire loss).
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import special, stats

from siting.errors import InputDataError, ParameterError, describe
from siting.forest.carbon import (
    CO2_PER_C,
    biomass_tco2e,
    dead_organic_matter_fraction,
    linear_pool_tco2e_per_ha,
)
from siting.forest.growth import GrowthCurve, climate_classes_for, site_quality
from siting.forest.planting import (
    PlantingSchedule,
    draw_fire_events,
    establishment,
    expected_fire_survival,
    fire_survival,
    fully_planted_year,
    mortality_survival,
    planting_table,
    schedule_planting,
)
from siting.forest.species import Species, Stand
from siting.forest.zones import site_zones
from siting.scenario.base import Uncertain
from siting.scenario.forest import (
    KOPPEN_MAIN_GROUPS,
    DrawnParametersSpec,
    ForestSpec,
    quantile_label,
)

REQUIRED_COLUMNS = ("site_id", "area_ha", "score_mean")
#: Years whose median stock the site table reports.
REPORT_YEARS = (2030, 2050)
#: 2.5–97.5 % of a standard normal: the lognormal ``low``/``high`` convention.
Z_975 = float(special.ndtri(0.975))

_STREAMS = {
    "growth": 1,
    "survival": 2,
    "mortality": 3,
    "root_shoot": 4,
    "carbon_fraction": 5,
    "fire_probability": 6,
    "fire_loss": 7,
    "fire_events": 8,
    "fire_events_per_ha": 9,
    "survival_year": 10,
}
#: Key of the yearly survival stream: one for all species (the weather of a planting year).
_PLANTING_YEARS_KEY = "planting years"


@dataclass(frozen=True)
class ForestAssessment:
    """Sequestration of every reforestation site, per year and quantile.

    Attributes
    ----------
    sequestration : pandas.DataFrame
        Tidy: ``site_id``, ``species``, ``year``, ``quantile`` (``"p10"``, ``"p50"``,
        ``"p90"``, ``"mean"``), ``tco2e_stock`` (net stock at the end of the year, tCO2e) and
        ``tco2e_annual`` (net removal during the year, tCO2e). Each quantile is taken over
        the draws of that quantity, so ``p10`` annual removals are not differences of
        ``p10`` stocks.
    sites : pandas.DataFrame or geopandas.GeoDataFrame
        Indexed by ``site_id`` (a GeoDataFrame with the polygons when the input sites had
        them): ``species``, ``climate_zone`` (FAO ecological zone) and
        ``warm_months`` (months with a mean >= 10 °C), ``area_planted_ha``
        (new land planted up to the
        horizon), ``first_planting_year``, ``last_planting_year`` (may lie past the horizon),
        ``site_quality``, ``tco2e_2030_p50`` and ``tco2e_2050_p50`` (median stock at the end
        of those years), and ``tco2e_per_ha_per_year_p50``: median over draws of the mean
        annual removal of one hectare over its first ``removal_rate_years`` (20) years after
        planting, at the site's quality, survival, replanting, mortality and fire.
    portfolio : pandas.DataFrame
        The whole project (all sites): ``year``, ``quantile``, ``tco2e_stock`` and
        ``tco2e_annual``, each quantile over the draws of the sum over sites
        (``sequestration_portfolio.csv``); what the credit ledger's spread reads.
    planting : pandas.DataFrame
        The planting plan per year (:func:`siting.forest.planting.planting_table`): hectares
        new and replanted, seedlings, the capacity in ha and seedlings, cumulative share.
    """

    sequestration: pd.DataFrame
    sites: pd.DataFrame
    portfolio: pd.DataFrame
    planting: pd.DataFrame

    @property
    def fully_planted_year(self) -> int | None:
        """Year the last new land is planted (None when nothing is planted)."""
        return fully_planted_year(self.planting)

    def summary_line(self) -> str:
        """One line on the planting plan and the project's stock by 2050 (joint draws)."""
        planting = self.planting
        done = self.fully_planted_year
        line = (
            f"reforestation: {self.sites['area_planted_ha'].sum():,.0f} ha planted"
            + (f" by {done}" if done is not None else "")
            + f" ({planting['capacity_ha'].iloc[0]:,.0f} ha = "
            f"{planting['capacity_seedlings'].iloc[0] / 1e6:,.1f} M seedlings a year)"
        )
        stock = self.project_stock(2050)
        if "p50" in stock:
            spread = (
                f"; P10-P90 {stock['p10'] / 1e6:,.2f}-{stock['p90'] / 1e6:,.2f}"
                if {"p10", "p90"} <= set(stock)
                else ""
            )
            line += f", {stock['p50'] / 1e6:,.2f} Mt CO2e stored by 2050 (P50{spread})"
        return line

    def project_stock(self, year: int) -> dict[str, float]:
        """The project's stock at the end of ``year`` by quantile label, tCO2e (joint draws).

        Empty when ``year`` lies outside the projection.
        """
        rows = self.portfolio[self.portfolio["year"] == year]
        return dict(zip(rows["quantile"], rows["tco2e_stock"].astype(float), strict=True))


@dataclass(frozen=True)
class Draws:
    """One value per draw of every uncertain parameter of a species (arrays of n_draws).

    ``survival`` is the programme-wide draw (its marginal is the survival distribution);
    ``survival_by_year`` (draws, planting years) adds each planting year's own part.
    """

    clock: np.ndarray
    survival: np.ndarray
    survival_by_year: np.ndarray
    mortality: np.ndarray
    root_below: np.ndarray
    root_above: np.ndarray
    carbon_fraction: np.ndarray
    fire_probability: np.ndarray
    fire_loss: np.ndarray


@dataclass(frozen=True)
class SitePlan:
    """Sites in rank order with their species, zone, quality and the shared planting schedule.

    ``stands`` names each site's species in its zone (``"larix_sibirica/boreal"``), the key of
    ``parameters``.
    """

    site_ids: list
    species: list[str]
    quality: np.ndarray
    schedule: PlantingSchedule
    years: np.ndarray  # projection years, first planting year .. horizon
    parameters: dict[str, Stand]  # every stand planted, by stand key, in order of first use
    zones: list[str]
    warm_months: np.ndarray
    stands: list[str]


# ---------------------------------------------------------------------------------------------
# Random draws


def _rng(seed: int, stream: str, key: str) -> np.random.Generator:
    """A generator for one stream (parameter or fire events) and key (species or site)."""
    sequence = np.random.SeedSequence(
        seed, spawn_key=(_STREAMS[stream], zlib.crc32(key.encode("utf-8")))
    )
    return np.random.default_rng(sequence)


def quantile_function(parameter: Uncertain, u: np.ndarray) -> np.ndarray:
    """Values of ``parameter`` at probabilities ``u`` (its inverse cumulative distribution).

    Parameters
    ----------
    parameter : Uncertain
        The parameter and its distribution.
    u : numpy.ndarray
        Probabilities in (0, 1).
    """
    u = np.asarray(u, dtype=float)
    value, low, high = parameter.value, parameter.low, parameter.high
    if parameter.distribution == "fixed":
        return np.full(u.shape, value)
    if parameter.distribution == "uniform":
        return low + u * (high - low)
    if parameter.distribution == "triangular":
        return stats.triang.ppf(u, (value - low) / (high - low), loc=low, scale=high - low)
    # Two-piece lognormal (scipy has none): median `value`, `low`/`high` at 2.5/97.5 %.
    z = special.ndtri(u)
    sigma = np.where(z < 0, np.log(value / low), np.log(high / value)) / Z_975
    return value * np.exp(z * sigma)


def sample(
    parameter: Uncertain, n_draws: int, rng: np.random.Generator, enabled: bool
) -> np.ndarray:
    """``n_draws`` values of a parameter, or its central value repeated when not drawn."""
    if not enabled or parameter.distribution == "fixed":
        return np.full(n_draws, float(parameter.value))
    return quantile_function(parameter, rng.random(n_draws))


def _survival(spec: ForestSpec, species: Species) -> Uncertain:
    """The scenario's planting survival, or the species' when the scenario gives none."""
    return species.survival if spec.survival is None else spec.survival


def survival_draws(
    parameter: Uncertain,
    n_draws: int,
    n_years: int,
    *,
    seed: int,
    key: str,
    enabled: bool,
    correlation: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Programme-wide and per-planting-year survival draws (a Gaussian copula).

    Draw ``d`` of planting year ``j`` takes the probability
    ``u = Phi(sqrt(rho) z_d + sqrt(1 - rho) e_dj)``, with ``z_d`` the programme-wide standard
    normal (from the species' survival stream) and ``e_dj`` the year's (one stream for all
    species: the weather of a planting year is the same for every site and species), then
    the value of the survival distribution at ``u``. Every year keeps the survival
    distribution as its marginal; ``rho = 1`` gives one survival for all years (the
    programme-wide draw), ``rho = 0`` independent years.

    Parameters
    ----------
    parameter : Uncertain
        The survival distribution (a fraction).
    n_draws, n_years : int
        Draws and planting years.
    seed : int
        Seed of every stream.
    key : str
        The species (key of the programme-wide stream).
    enabled : bool
        False: the central value everywhere.
    correlation : float
        ``rho`` in [0, 1].

    Returns
    -------
    shared : numpy.ndarray
        Shape (draws,): the programme-wide survival.
    by_year : numpy.ndarray
        Shape (draws, years).
    """
    if not enabled or parameter.distribution == "fixed":
        central = float(parameter.value)
        return np.full(n_draws, central), np.full((n_draws, n_years), central)
    u = _rng(seed, "survival", key).random(n_draws)
    shared = quantile_function(parameter, u)
    if correlation >= 1.0:
        return shared, np.repeat(shared[:, None], n_years, axis=1)
    tiny = np.finfo(float).tiny
    z = special.ndtri(np.clip(u, tiny, 1.0 - 1e-16))[:, None]
    # Year by year (rows of years), so a year's draws do not depend on the horizon.
    rng = _rng(seed, "survival_year", _PLANTING_YEARS_KEY)
    year = rng.standard_normal((n_years, n_draws)).T
    mixed = np.sqrt(correlation) * z + np.sqrt(1.0 - correlation) * year
    return shared, quantile_function(parameter, special.ndtr(mixed))


def draw_parameters(
    species: Species, spec: ForestSpec, n_draws: int, seed: int, n_planting_years: int = 1
) -> Draws:
    """Draw every uncertain parameter of one species (central values where switched off).

    The two root:shoot ratios share one probability per draw (a root-heavy draw is so in both
    stock classes). Survival: see :func:`survival_draws` (``n_planting_years`` columns).
    """
    on: DrawnParametersSpec = spec.uncertainty
    key = species.name
    growth = species.growth.agb_growth_t_dm_per_ha_per_year
    rate = sample(growth, n_draws, _rng(seed, "growth", key), on.growth)
    survival, survival_by_year = survival_draws(
        _survival(spec, species),
        n_draws,
        n_planting_years,
        seed=seed,
        key=key,
        enabled=on.survival,
        correlation=spec.survival_year_correlation,
    )
    rs = species.root_shoot
    if on.root_shoot:
        u = _rng(seed, "root_shoot", key).random(n_draws)
        below = quantile_function(rs.below_threshold, u)
        above = quantile_function(rs.above_threshold, u)
    else:
        below = np.full(n_draws, rs.below_threshold.value)
        above = np.full(n_draws, rs.above_threshold.value)
    return Draws(
        clock=rate / growth.value,
        survival=survival,
        survival_by_year=survival_by_year,
        mortality=sample(
            spec.background_mortality_per_year, n_draws, _rng(seed, "mortality", key), on.mortality
        ),
        root_below=below,
        root_above=above,
        carbon_fraction=sample(
            species.carbon_fraction, n_draws, _rng(seed, "carbon_fraction", key), on.carbon_fraction
        ),
        fire_probability=sample(
            spec.fire.probability_per_year,
            n_draws,
            _rng(seed, "fire_probability", key),
            on.disturbance,
        ),
        fire_loss=sample(
            spec.fire.loss_fraction, n_draws, _rng(seed, "fire_loss", key), on.disturbance
        ),
    )


# ---------------------------------------------------------------------------------------------
# Plan


def species_needed(spec: ForestSpec) -> tuple[str, ...]:
    """Every species the scenario may plant (``species`` and ``species_by_climate``), sorted.

    The species passed to :func:`assess_forest_sites` must include these (load them with
    :func:`siting.io.species.load_species_library`).
    """
    return tuple(sorted({spec.species, *spec.species_by_climate.values()}))


def plan_sites(
    sites: gpd.GeoDataFrame | pd.DataFrame,
    spec: ForestSpec,
    species: Mapping[str, Species],
    climate_class: Mapping[str, int] | None = None,
) -> SitePlan:
    """Order the sites by rank, pick their species and quality, and schedule the planting.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame or pandas.DataFrame
        Candidate sites (see :func:`assess_forest_sites`).
    spec : ForestSpec
        The scenario section.
    species : mapping of str to Species
        The parameters of every species the scenario plants, by name.
    climate_class : mapping of str to int, optional
        Majority Köppen main-group code of each site, keyed by ``str(site_id)``.

    Raises
    ------
    InputDataError
        If a column is missing, a site_id repeats, or an area is not a positive number.
    ParameterError
        If a species the sites are planted with is not in ``species``.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in sites.columns]
    if missing:
        raise InputDataError(
            describe(
                "reforestation sites",
                f"missing column(s) {', '.join(missing)}",
                "pass the candidate sites of `siting run` (site_id, area_ha, score_mean)",
            )
        )
    table = pd.DataFrame(sites.drop(columns="geometry", errors="ignore"))
    if "rank" in table.columns:
        table = table.sort_values("rank", kind="stable")
    if table["site_id"].duplicated().any():
        repeated = table.loc[table["site_id"].duplicated(), "site_id"].tolist()[:5]
        raise InputDataError(
            describe("reforestation sites", f"repeated site_id {repeated}", "make site_id unique")
        )
    area = table["area_ha"].to_numpy(dtype=float)
    if np.any(~np.isfinite(area)) or np.any(area <= 0):
        raise InputDataError(
            describe("reforestation sites", "area_ha must be a positive number", "check area_ha")
        )
    codes = climate_classes_for([str(s) for s in table["site_id"]], climate_class)
    names = _species_of_sites(spec, codes, len(table))
    zones, months = _zones_of_sites(table, codes, spec)
    grows = np.array(
        [
            species[n].grows_in(z) if n in species else True
            for n, z in zip(names, zones, strict=True)
        ]
    )
    if not grows.all():
        left = [
            f"{s} ({z})" for s, z, g in zip(table["site_id"], zones, grows, strict=True) if not g
        ]
        warnings.warn(
            f"reforestation sites {', '.join(left[:5])}{' ...' if len(left) > 5 else ''} lie in "
            "an ecological zone their species has no Tier 1 values for: not planted",
            stacklevel=2,
        )
        table = table[grows]
        codes = None if codes is None else codes[grows]
        names = [n for n, g in zip(names, grows, strict=True) if g]
        zones = [z for z, g in zip(zones, grows, strict=True) if g]
        months = months[grows]
    site_ids = table["site_id"].tolist()
    area = table["area_ha"].to_numpy(dtype=float)
    quality = site_quality(table["score_mean"].to_numpy(dtype=float), spec.site_quality)
    stands = [f"{n}/{z}" for n, z in zip(names, zones, strict=True)]
    parameters = _planted_parameters(names, zones, species)
    planned = np.array([_survival(spec, parameters[key]).value for key in stands])
    schedule = schedule_planting(
        area,
        capacity_ha_per_year=spec.planting_capacity_ha_per_year,
        first_year=spec.first_planting_year,
        replanting_fraction=spec.replanting_fraction,
        planned_survival=planned,
    )
    years = np.arange(spec.first_planting_year, spec.horizon_year + 1)
    return SitePlan(site_ids, names, quality, schedule, years, parameters, zones, months, stands)


def _zones_of_sites(
    table: pd.DataFrame, codes: np.ndarray | None, spec: ForestSpec
) -> tuple[list[str], np.ndarray]:
    """Ecological zone and warm months of each site (station elevation without a column)."""
    climate = spec.climate_zone
    elevation = (
        table["elevation_m_mean"].to_numpy(dtype=float)
        if "elevation_m_mean" in table.columns
        else np.full(len(table), climate.station_elevation_m)
    )
    return site_zones(
        elevation,
        codes,
        np.asarray(climate.station_monthly_mean_c),
        climate.station_elevation_m,
        climate.lapse_rate_c_per_km,
    )


def _species_of_sites(spec: ForestSpec, codes: np.ndarray | None, n_sites: int) -> list[str]:
    """The species planted at each site: by its climate class, else the scenario's species."""
    if codes is None:
        return [spec.species] * n_sites
    by_climate = spec.species_by_climate
    return [by_climate.get(KOPPEN_MAIN_GROUPS.get(int(c)), spec.species) for c in codes]


def _planted_parameters(
    names: list[str], zones: list[str], species: Mapping[str, Species]
) -> dict[str, Stand]:
    """Each species of ``names`` in its site's zone, by stand key, in order of first use."""
    missing = sorted(set(names) - set(species))
    if missing:
        raise ParameterError(
            what="forest species",
            problem=f"{', '.join(missing)} planted but not among the species passed in "
            f"({', '.join(sorted(species)) or 'none'})",
            fix="pass siting.io.species.load_species_library(species_needed(spec))",
        )
    pairs = dict.fromkeys(zip(names, zones, strict=True))
    return {f"{name}/{zone}": species[name].stand(zone) for name, zone in pairs}


# ---------------------------------------------------------------------------------------------
# Stocks


def cohort_agb_per_ha(
    curve: GrowthCurve,
    age_years: np.ndarray,
    draws: Draws,
    replanting_fraction: float,
    *,
    expected_fire: bool,
) -> np.ndarray:
    """Above-ground biomass per planted hectare by draw and age, before site quality.

    Establishment and replanting, background mortality and, when ``expected_fire``, the
    expected fire loss (otherwise fire events are applied per site later).

    Returns
    -------
    numpy.ndarray
        Shape (draws, ages), t d.m./ha.
    """
    age = np.asarray(age_years, dtype=float)[None, :]
    clock = draws.clock[:, None]
    agb = establishment(
        curve.agb(age, clock),
        curve.agb(age - 1.0, clock),
        draws.survival[:, None],
        replanting_fraction,
    )
    agb *= mortality_survival(age, draws.mortality[:, None])
    if expected_fire:
        agb *= expected_fire_survival(
            age, draws.fire_probability[:, None], draws.fire_loss[:, None]
        )
    return agb


def _linear_pools(new_ha: np.ndarray, spec: ForestSpec) -> np.ndarray | None:
    """Soil gain minus baseline change of each site and year, tCO2e (None when both are 0)."""
    soil = spec.pools.soil_tc_per_ha_per_year * CO2_PER_C
    baseline = spec.baseline.tco2e_per_ha_per_year
    if soil == 0 and baseline == 0:
        return None
    n_sites, n_years = new_ha.shape
    total = np.zeros((n_sites, n_years))
    age = np.arange(1, n_years + 1, dtype=float)
    per_ha = linear_pool_tco2e_per_ha(age, soil, spec.pools.soil_years) - linear_pool_tco2e_per_ha(
        age, baseline
    )
    # Loop over planting years (at most the horizon), vectorised over sites.
    for j in range(n_years):
        total[:, j:] += new_ha[:, j : j + 1] * per_ha[None, : n_years - j]
    return total


def _fire_events(
    site_ids: list, seed: int, fire_probability: np.ndarray, n_years: int, stream: str
):
    """Fire events per draw, site and year from each site's own stream, (draws, sites, years)."""
    return np.stack(
        [draw_fire_events(_rng(seed, stream, str(s)), fire_probability, n_years) for s in site_ids],
        axis=1,
    )


def draw_quantiles(values: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """Quantiles over the first axis (draws), numpy's default "linear" method.

    Written out because ``numpy.quantile`` along the draws axis partitions the strided data
    once per level, about three times slower here than one sort shared by all levels.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(levels),) + values.shape[1:]``; equal to ``numpy.quantile(values,
        levels, axis=0)``.
    """
    ordered = np.sort(values, axis=0)
    position = np.asarray(levels, dtype=float) * (values.shape[0] - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, values.shape[0] - 1)
    weight = (position - below).reshape((-1,) + (1,) * (values.ndim - 1))
    return ordered[below] * (1.0 - weight) + ordered[above] * weight


def _block_size(spec: ForestSpec, n_draws: int, n_years: int) -> int:
    return max(1, int(spec.block_mib * 2**20 // (8 * n_draws * n_years)))


def iter_stock_draws(
    plan: SitePlan, spec: ForestSpec, seed: int = 0, n_draws: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Net stock of every draw, site and year, block by block of sites.

    Parameters
    ----------
    plan : SitePlan
        From :func:`plan_sites`.
    spec : ForestSpec
        The scenario section.
    seed : int
        Seed of every random stream.
    n_draws : int, optional
        Overrides ``spec.n_draws``.

    Yields
    ------
    sites : numpy.ndarray of int
        Positions of the block's sites in ``plan.site_ids``.
    stock : numpy.ndarray
        Shape (draws, block sites, years): net stock at the end of each projection year, tCO2e.
    """
    n_draws = spec.n_draws if n_draws is None else n_draws
    n_years = plan.years.size
    new_ha = plan.schedule.new_ha_until(n_years)
    planted_area = np.cumsum(new_ha, axis=1)
    pools = _linear_pools(new_ha, spec)
    dom = dead_organic_matter_fraction(spec.pools)
    stochastic_fire = spec.uncertainty.disturbance
    ages = np.arange(n_years + 1)
    block = _block_size(spec, n_draws, n_years)
    species_of = np.array(plan.stands)
    for name, species in plan.parameters.items():
        curve = GrowthCurve.from_species(species)
        draws = draw_parameters(species, spec, n_draws, seed, n_planting_years=n_years)
        by_year = draws.survival_by_year
        # One cohort for every planting year unless the years' survival draws differ.
        same_every_year = bool(np.all(by_year == by_year[:, :1]))

        def cohort_of(j: int, draws=draws, curve=curve, same_every_year=same_every_year):
            """Biomass per planted ha of the trees planted in year j, by draw and age."""
            if same_every_year:
                year_draws = replace(draws, survival=draws.survival_by_year[:, 0])
                count = n_years + 1
            else:
                year_draws = replace(draws, survival=draws.survival_by_year[:, j])
                count = n_years - j + 1
            return cohort_agb_per_ha(
                curve,
                ages[:count],
                year_draws,
                spec.replanting_fraction,
                expected_fire=not stochastic_fire,
            )

        shared_cohort = cohort_of(0) if same_every_year else None
        members = np.flatnonzero(species_of == name)
        for start in range(0, members.size, block):
            idx = members[start : start + block]
            agb = np.zeros((n_draws, idx.size, n_years))
            counts = None
            if stochastic_fire:
                events = _fire_events(
                    [plan.site_ids[i] for i in idx],
                    seed,
                    draws.fire_probability,
                    n_years,
                    "fire_events",
                )
                counts = np.cumsum(events, axis=2, dtype=np.int16)  # fires so far
                del events
            loss = draws.fire_loss[:, None, None]
            # Loop over planting years (cohorts), vectorised over draws, sites and years.
            for j in range(n_years):
                planted = new_ha[idx, j]
                local = np.flatnonzero(planted > 0)
                if local.size == 0:
                    continue
                cohort = shared_cohort if shared_cohort is not None else cohort_of(j)
                part = planted[local][None, :, None] * cohort[:, None, 1 : n_years - j + 1]
                if counts is not None:
                    since = counts[:, local, j:]
                    if j > 0:
                        since = since - counts[:, local, j - 1 : j]
                    part *= fire_survival(since, loss)
                agb[:, local, j:] += part
            agb *= plan.quality[idx][None, :, None]
            area = planted_area[idx][None, :, :]
            density = np.divide(agb, area, out=np.zeros_like(agb), where=area > 0)
            stock = biomass_tco2e(
                agb,
                density,
                below=draws.root_below[:, None, None],
                above=draws.root_above[:, None, None],
                threshold=species.root_shoot.threshold_agb_t_dm_per_ha.value,
                carbon_fraction=draws.carbon_fraction[:, None, None],
                dom_fraction=dom,
            )
            if pools is not None:
                stock += pools[idx][None, :, :]
            yield idx, stock


def iter_removal_rates(
    plan: SitePlan, spec: ForestSpec, seed: int = 0, n_draws: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Mean annual removal of one hectare over its first ``removal_rate_years``, per draw.

    A single cohort at each site's quality, with survival, replanting, mortality and fire
    (events from the site's own stream, or the expected loss), soil and baseline.

    Yields
    ------
    sites : numpy.ndarray of int
        Positions of the block's sites in ``plan.site_ids``.
    rate : numpy.ndarray
        Shape (draws, block sites), tCO2e/ha/yr.
    """
    n_draws = spec.n_draws if n_draws is None else n_draws
    years = spec.removal_rate_years
    dom = dead_organic_matter_fraction(spec.pools)
    species_of = np.array(plan.stands)
    pools = linear_pool_tco2e_per_ha(
        years, spec.pools.soil_tc_per_ha_per_year * CO2_PER_C, spec.pools.soil_years
    ) - linear_pool_tco2e_per_ha(years, spec.baseline.tco2e_per_ha_per_year)
    stochastic_fire = spec.uncertainty.disturbance
    block = _block_size(spec, n_draws, years)
    for name, species in plan.parameters.items():
        draws = draw_parameters(species, spec, n_draws, seed)
        cohort = cohort_agb_per_ha(
            GrowthCurve.from_species(species),
            np.array([years]),
            draws,
            spec.replanting_fraction,
            expected_fire=not stochastic_fire,
        )
        members = np.flatnonzero(species_of == name)
        for start in range(0, members.size, block):
            idx = members[start : start + block]
            agb = cohort * plan.quality[idx][None, :]
            if stochastic_fire:
                fires = _fire_events(
                    [plan.site_ids[i] for i in idx],
                    seed,
                    draws.fire_probability,
                    years,
                    "fire_events_per_ha",
                ).sum(axis=2, dtype=np.int16)
                agb *= fire_survival(fires, draws.fire_loss[:, None])
            stock = biomass_tco2e(
                agb,
                agb,
                below=draws.root_below[:, None],
                above=draws.root_above[:, None],
                threshold=species.root_shoot.threshold_agb_t_dm_per_ha.value,
                carbon_fraction=draws.carbon_fraction[:, None],
                dom_fraction=dom,
            )
            yield idx, (stock + pools) / years


# ---------------------------------------------------------------------------------------------
# Assessment


def assess_forest_sites(
    sites: gpd.GeoDataFrame | pd.DataFrame,
    spec: ForestSpec,
    species: Mapping[str, Species],
    *,
    climate_class: Mapping[str, int] | None = None,
    seed: int = 0,
) -> ForestAssessment:
    """Sequestration of every reforestation site per year, as quantiles over Monte Carlo draws.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame or pandas.DataFrame
        Candidate sites with ``site_id``, ``area_ha`` and ``score_mean`` (suitability 0–1);
        planted in ``rank`` order when that column exists, else in row order. Their
        ``elevation_m_mean`` (m), when given, places each in its ecological zone (otherwise
        every site is in the zone of the station climate, ``spec.climate_zone``).
    spec : ForestSpec
        The ``forest`` section of the scenario.
    species : mapping of str to Species
        The parameters of every species the scenario plants, by name (at least
        :func:`species_needed`; :func:`siting.io.species.load_species_library` loads them).
    climate_class : mapping of str to int, optional
        Majority Köppen main-group code (2 arid, 4 cold, 5 polar, ...) of each site, keyed by
        ``str(site_id)``: picks ``species_by_climate`` and makes class 5 sites polar; None:
        neither.
    seed : int
        Seed of all draws; the same inputs and seed give identical tables.

    Returns
    -------
    ForestAssessment
        The tidy ``sequestration`` table and the per-site summary ``sites`` (with each site's
        ``climate_zone`` and ``warm_months``).
    """
    plan = plan_sites(sites, spec, species, climate_class)
    levels = tuple(sorted(set(spec.quantiles) | {0.5}))
    n_sites, n_years = len(plan.site_ids), plan.years.size
    stock_q = np.zeros((len(levels) + 1, n_sites, n_years))
    annual_q = np.zeros_like(stock_q)
    total = np.zeros((spec.n_draws, n_years))  # the project's stock, draw by draw
    for idx, stock in iter_stock_draws(plan, spec, seed):
        annual = np.diff(stock, axis=2, prepend=0.0)
        stock_q[:-1, idx] = draw_quantiles(stock, levels)
        stock_q[-1, idx] = stock.mean(axis=0)
        annual_q[:-1, idx] = draw_quantiles(annual, levels)
        annual_q[-1, idx] = annual.mean(axis=0)
        total += stock.sum(axis=1)
    keep = [levels.index(q) for q in spec.quantiles] + [len(levels)]
    labels = [quantile_label(q) for q in spec.quantiles] + ["mean"]
    sequestration = _tidy(plan, stock_q[keep], annual_q[keep], labels)
    median = stock_q[levels.index(0.5)]
    rate = np.zeros(n_sites)
    for idx, rates in iter_removal_rates(plan, spec, seed):
        rate[idx] = draw_quantiles(rates, (0.5,))[0]
    table = _site_table(plan, spec, median, rate)
    if isinstance(sites, gpd.GeoDataFrame):  # like the input: with the site polygons
        geometry = sites.set_index("site_id").geometry.reindex(table.index)
        table = gpd.GeoDataFrame(table, geometry=geometry.values, crs=sites.crs)
    return ForestAssessment(
        sequestration,
        table,
        portfolio_quantiles(total, plan.years, spec.quantiles),
        plan_table(plan),
    )


def portfolio_quantiles(
    total_stock: np.ndarray, years: np.ndarray, quantiles: tuple[float, ...]
) -> pd.DataFrame:
    """Quantiles and mean over draws of the project's stock and annual removal, per year.

    Parameters
    ----------
    total_stock : numpy.ndarray
        Shape (draws, years): the stock summed over all sites, each draw one joint outcome.
    years : numpy.ndarray
        Calendar year of each column.
    quantiles : tuple of float
        Levels in (0, 1).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``quantile`` (``p10`` ..., ``mean``), ``tco2e_stock``, ``tco2e_annual``.
    """
    annual = np.diff(total_stock, axis=1, prepend=0.0)
    labels = [quantile_label(q) for q in quantiles] + ["mean"]
    stock = np.vstack([draw_quantiles(total_stock, quantiles), total_stock.mean(axis=0)[None]])
    removal = np.vstack([draw_quantiles(annual, quantiles), annual.mean(axis=0)[None]])
    n_q = len(labels)
    return pd.DataFrame(
        {
            "year": np.repeat(years, n_q),
            "quantile": np.tile(np.asarray(labels, dtype=object), years.size),
            "tco2e_stock": stock.T.ravel(),
            "tco2e_annual": removal.T.ravel(),
        }
    )


def plan_table(plan: SitePlan) -> pd.DataFrame:
    """The planting plan per year in hectares and seedlings (:func:`planting_table`)."""
    density = np.array(
        [plan.parameters[key].planting_density_seedlings_per_ha.value for key in plan.stands]
    )
    # The schedule plants every site whole: its new land is the total area.
    return planting_table(plan.schedule, density, float(plan.schedule.new_ha.sum()))


def deterministic_sequestration(
    sites: gpd.GeoDataFrame | pd.DataFrame,
    spec: ForestSpec,
    species: Mapping[str, Species],
    *,
    climate_class: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The deterministic path: central values, expected fire loss, one draw.

    Parameters as :func:`assess_forest_sites`.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``site_id``, ``species``, ``year``, ``tco2e_stock``, ``tco2e_annual``.
    """
    fixed = spec.model_copy(
        update={
            "uncertainty": DrawnParametersSpec(
                **dict.fromkeys(DrawnParametersSpec.model_fields, False)
            )
        }
    )
    plan = plan_sites(sites, fixed, species, climate_class)
    stock = np.zeros((1, len(plan.site_ids), plan.years.size))
    for idx, block in iter_stock_draws(plan, fixed, 0, n_draws=1):
        stock[:, idx] = block
    annual = np.diff(stock, axis=2, prepend=0.0)
    return _tidy(plan, stock, annual, ["deterministic"]).drop(columns="quantile")


def _tidy(plan: SitePlan, stock: np.ndarray, annual: np.ndarray, labels: list[str]) -> pd.DataFrame:
    """Rows site × year × quantile from arrays shaped (quantiles, sites, years)."""
    n_q, n_sites, n_years = stock.shape
    order = (1, 2, 0)  # site, year, quantile
    return pd.DataFrame(
        {
            "site_id": np.repeat(np.asarray(plan.site_ids, dtype=object), n_years * n_q),
            "species": np.repeat(np.asarray(plan.species, dtype=object), n_years * n_q),
            "year": np.tile(np.repeat(plan.years, n_q), n_sites),
            "quantile": np.tile(np.asarray(labels, dtype=object), n_sites * n_years),
            "tco2e_stock": stock.transpose(order).ravel(),
            "tco2e_annual": annual.transpose(order).ravel(),
        }
    )


def _site_table(
    plan: SitePlan, spec: ForestSpec, median: np.ndarray, rate: np.ndarray
) -> pd.DataFrame:
    schedule = plan.schedule
    table = pd.DataFrame(
        {
            "species": plan.species,
            "climate_zone": plan.zones,
            "warm_months": plan.warm_months,
            "area_planted_ha": schedule.planted_by(spec.horizon_year),
            "first_planting_year": schedule.first_planting_year(),
            "last_planting_year": schedule.last_planting_year(),
            "site_quality": plan.quality,
        },
        index=pd.Index(plan.site_ids, name="site_id"),
    )
    for year in REPORT_YEARS:
        if year < spec.first_planting_year:
            column = np.zeros(len(plan.site_ids))  # nothing is planted yet
        elif year > spec.horizon_year:
            column = np.full(len(plan.site_ids), np.nan)  # beyond the projection
        else:
            column = median[:, year - spec.first_planting_year]
        table[f"tco2e_{year}_p50"] = column
    table["tco2e_per_ha_per_year_p50"] = rate
    return table
