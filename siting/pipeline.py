"""The run: every stage from scenario to results folder, wired together.

The pipeline only wires: it loads the layers, calls the domain functions (``siting.land``,
``siting.wind``, ``siting.forest``, ``siting.credits``) in order and passes each stage's tables
to the next. The domains decide; every stage returns new tables and none is changed in place.
``run()`` chains the stages and writes the results; notebooks can call the stages one by one
(:func:`derive_terrain`, :func:`derive_distances`, :func:`score_use`) on their own data.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import xarray as xr

from siting import io
from siting.credits import ledger as credits
from siting.credits import mitigation, per_site
from siting.errors import ConfigError
from siting.errors import describe as message
from siting.forest import sequestration as forest
from siting.forest.sequestration import ForestAssessment
from siting.grid import Grid
from siting.io.era5 import read_era5
from siting.io.scratch import ScratchFolder, bounded_block_cache, scratch_folder
from siting.io.species import load_species_library
from siting.io.turbines import load_chosen_turbine
from siting.land import describe, distance, sensitivity, terrain
from siting.land import sites as site_tools
from siting.land.classes import class_value
from siting.land.exclusions import Eligibility, eligibility
from siting.land.scoring import Suitability, suitability
from siting.layers import load_layers, load_vectors, persist_layers, scenario_grid
from siting.outputs import folder as outputs
from siting.preflight import available_memory_bytes, check_writable, estimate_cost, preflight
from siting.result import CreditStage, RunResult, UseResult
from siting.scenario.base import Uncertain
from siting.scenario.land import BufferRule, UseSpec
from siting.scenario.load import load_scenario
from siting.scenario.model import (
    LAND_USES,
    ClassDistance,
    Scenario,
    WindResource,
    distance_layer_name,
)
from siting.wind import energy as wind_yield
from siting.wind import resource as wind_resource
from siting.wind.energy import WindAssessment

# --------------------------------------------------------------------------------------------
# Stages


def derive_terrain(elevation: xr.DataArray, *, tpi_radius_m: float) -> xr.Dataset:
    """Terrain derivatives of an elevation raster on the grid.

    Parameters
    ----------
    elevation : xarray.DataArray
        Elevation in metres on a projected grid.
    tpi_radius_m : float
        Radius of the topographic position index neighbourhood, metres.

    Returns
    -------
    xarray.Dataset
        ``slope_deg``, ``aspect_deg``, ``northness``, ``tpi_m``, ``tri_m``.
    """
    cell_m = float(abs(elevation.x[1] - elevation.x[0]))
    radius_cells = max(1, round(tpi_radius_m / cell_m))
    if radius_cells >= min(elevation.shape):  # say it in the scenario's terms, not the kernel's
        raise ConfigError(
            message(
                "terrain.tpi_radius_m",
                f"{tpi_radius_m:g} m is {radius_cells} cells of {cell_m:g} m, not smaller than "
                f"the grid ({elevation.shape[0]} x {elevation.shape[1]} cells)",
                f"use a radius below {(min(elevation.shape) - 1) * cell_m:g} m or a larger aoi",
            )
        )
    aspect = terrain.aspect(elevation)
    return xr.Dataset(
        {
            "slope_deg": terrain.slope(elevation),
            "aspect_deg": aspect,
            "northness": terrain.northness(aspect),
            "tpi_m": terrain.tpi(elevation, radius_cells=radius_cells),
            "tri_m": terrain.tri(elevation),
        }
    )


def derive_distances(
    vectors: Mapping[str, gpd.GeoDataFrame], template: xr.DataArray, names: Iterable[str]
) -> xr.Dataset:
    """Distance rasters (``dist_<layer>_m``, metres) to the named vector layers."""
    return xr.Dataset(
        {
            distance_layer_name(name): distance.distance_to(vectors[name], template, name=name)
            for name in sorted(set(names))
        }
    )


def derive_class_distances(rasters: xr.Dataset, specs: Mapping[str, ClassDistance]) -> xr.Dataset:
    """Distance rasters (``dist_<name>_m``, metres) to cells of chosen classes of a layer."""
    out = {}
    for name, spec in specs.items():
        layer = rasters[spec.layer]
        values = [class_value(layer, cls) for cls in spec.classes]
        out[distance_layer_name(name)] = distance.distance_to_cells(layer.isin(values), name=name)
    return xr.Dataset(out)


def derive_wind_speed(rasters: xr.Dataset, spec: WindResource) -> xr.DataArray:
    """Mean wind speed (m/s) for screening: the scenario's wind layer, else the estimate."""
    if spec.layer is not None:
        return wind_resource.given_mean_speed(rasters[spec.layer], height_m=spec.height_m)
    estimate = spec.estimate
    return wind_resource.estimated_mean_speed(
        rasters["tpi_m"],
        mean_speed_ms=estimate.mean_speed_ms,
        height_m=estimate.height_m,
        valley_factor=estimate.valley_factor,
        ridge_factor=estimate.ridge_factor,
        tpi_scale_m=estimate.tpi_scale_m,
        source=estimate.source,
    )


def vector_layers_used(scenario: Scenario) -> set[str]:
    """Vector layers whose distance raster a rule or criterion needs."""
    used = set()
    for use_name in LAND_USES:
        use: UseSpec = getattr(scenario, use_name)
        used |= {rule.layer for rule in use.exclusions if isinstance(rule, BufferRule)}
        used |= {
            name
            for name in scenario.layers.vectors
            if any(c.layer == distance_layer_name(name) for c in use.criteria.values())
        }
    return used


def score_use(
    name: str,
    use: UseSpec,
    rasters: xr.Dataset,
    vectors: Mapping[str, gpd.GeoDataFrame],
    grid: Grid,
    *,
    seed: int = 0,
    keep: Keeper | None = None,
) -> UseResult:
    """Exclusions, suitability, candidate sites and weight sensitivity of one land use.

    Parameters
    ----------
    name : str
        ``"reforestation"`` or ``"wind"`` (its section in the scenario).
    use : UseSpec
        That section.
    rasters : xarray.Dataset
        Input and derived rasters on the grid.
    vectors : mapping of str to geopandas.GeoDataFrame
        Vector layers in the grid CRS.
    grid : Grid
        The analysis grid.
    seed : int
        Seed of the weight-sensitivity draws.
    keep : Keeper, optional
        Where computed rasters are kept: in memory (default) or on disk (a streaming run).
    """
    keep = keep or InMemory()
    allowed = eligibility(use.exclusions, rasters, vectors, grid)
    scored = suitability(use, rasters, name)
    in_aoi = grid.aoi_mask()
    score = keep.keep(scored.score.where(in_aoi), f"suitability_{name}")
    eligible = keep.keep(allowed.eligible, f"eligible_{name}")
    found = site_tools.candidate_sites(
        score,
        eligible,
        threshold=use.sites.threshold,
        min_area_ha=use.sites.min_area_ha,
        max_sites=use.sites.max_sites,
        max_area_ha=use.sites.max_area_ha,
        prefix=name[0].upper(),
        keep=lambda layer: keep.keep(layer, f"{layer.name}_{name}"),
    )
    frame = describe.describe_sites(found.sites, score, rasters, vectors)
    criteria = {c: scored.criteria[c] for c in scored.criteria.data_vars}
    draws = {"n_draws": use.sensitivity.n_draws, "spread": use.sensitivity.spread, "seed": seed}
    stability = sensitivity.rank_stability(criteria, scored.weights, found.labels, **draws)
    frame = describe.with_rank_stability(frame, stability)
    # Only the standard deviation is written (suitability_sd_*.tif): closed form, no draws sorted.
    spread = keep.keep_all(
        sensitivity.score_spread(criteria, scored.weights, **draws, percentiles=False).where(
            in_aoi
        ),
        suffix=f"_{name}",
    )
    scored = Suitability(score, scored.criteria, scored.weights, scored.ahp)
    allowed = Eligibility(eligible, allowed.table)
    return UseResult(name, allowed, scored, frame, found.labels, spread)


# --------------------------------------------------------------------------------------------
# The whole run


Reporter = Callable[[str], AbstractContextManager]


class InMemory:
    """Computed rasters held in memory, in their dask chunks (a run that is not streaming)."""

    def keep(self, layer: xr.DataArray, name: str | None = None) -> xr.DataArray:
        """The layer computed and held in memory."""
        return layer.persist()

    def keep_all(self, layers: xr.Dataset, suffix: str = "") -> xr.Dataset:
        """Every layer of a dataset computed and held in memory (computed together)."""
        return layers.persist()


#: What keeps a run's computed rasters: :class:`InMemory`, or a
#: :class:`siting.io.scratch.ScratchFolder` (scratch GeoTIFFs on disk) when streaming.
Keeper = InMemory | ScratchFolder


def is_streaming(scenario: Scenario, grid: Grid) -> bool:
    """Whether a run keeps its rasters on disk (``grid.streaming``; see the scenario notes).

    ``auto`` streams grids of more than :data:`STREAMING_AUTO_CELLS` cells, and smaller ones
    whose in-memory estimate (:func:`siting.preflight.estimate_cost`) exceeds half the memory
    available.
    """
    mode = scenario.grid.streaming
    if mode != "auto":
        return mode == "on"
    if grid.shape[0] * grid.shape[1] > STREAMING_AUTO_CELLS:
        return True
    available = available_memory_bytes()
    return available is not None and (
        estimate_cost(scenario, grid).memory_mib * 2**20 > 0.5 * available
    )


#: Cells above which ``streaming: auto`` streams. Measured on the data box (2 cores): at 60 m
#: (24.7 Mpx) streaming took 1.11 x the in-memory time at 0.27 x its memory; at 30 m
#: (98.8 Mpx) 207 s and 1.48 GiB against 434 s and 10.7 GiB in memory.
STREAMING_AUTO_CELLS = 16_000_000


@contextmanager
def _silent(_: str) -> Iterator[None]:
    yield


def analyse(
    scenario: Scenario, stage: Reporter = _silent, *, scratch: ScratchFolder | None = None
) -> RunResult:
    """Compute every stage of a scenario (no results folder is written).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    stage : callable, optional
        Context-manager factory called with each stage's title (progress display).
    scratch : ScratchFolder, optional
        Where a streaming run (``grid.streaming``) keeps its rasters; by default a new folder
        in the system's temporary folder, removed when the result is garbage-collected.

    Returns
    -------
    RunResult
    """
    with bounded_block_cache():
        return _analyse(scenario, stage, scratch)


def _analyse(scenario: Scenario, stage: Reporter, scratch: ScratchFolder | None) -> RunResult:
    timings: dict[str, float] = {}

    @contextmanager
    def timed(title: str) -> Iterator[None]:
        start = time.perf_counter()
        with stage(title):
            yield
        timings[title] = round(time.perf_counter() - start, 3)

    with timed("pre-flight checks"):
        grid = scenario_grid(scenario)
        streaming = is_streaming(scenario, grid)
        # A scratch folder is made only when its first layer is kept.
        keep: Keeper = (scratch or ScratchFolder()) if streaming else InMemory()
        where = keep.parent if streaming else None
        preflight(scenario, grid, streaming=streaming, scratch_dir=where)
    with timed("grid and layers"):
        rasters = load_layers(scenario, grid)
        vectors = load_vectors(scenario, grid)
        rasters = persist_layers(rasters, scenario, keep=keep.keep)
    with timed("terrain and wind resource"):
        elevation = rasters[scenario.layers.elevation]
        derived = derive_terrain(elevation, tpi_radius_m=scenario.terrain.tpi_radius_m)
        rasters = rasters.assign(keep.keep_all(derived).data_vars)
        wind_speed = derive_wind_speed(rasters, scenario.wind_resource)
        rasters["wind_speed_ms"] = keep.keep(wind_speed, "wind_speed_ms")
    with timed("distances"):
        template = grid.template()
        distances = derive_distances(vectors, template, vector_layers_used(scenario))
        rasters = rasters.assign(keep.keep_all(distances).data_vars)
        # Kept like the other distances: every use, criterion and weight draw reads the
        # same computed chunks instead of recomputing the distance transform each time.
        classes = derive_class_distances(rasters, scenario.layers.class_distances)
        rasters = rasters.assign(keep.keep_all(classes).data_vars)
    uses = {}
    for name in LAND_USES:
        with timed(f"{name}: exclusions, suitability, sites, sensitivity"):
            use = getattr(scenario, name)
            uses[name] = score_use(name, use, rasters, vectors, grid, seed=scenario.seed, keep=keep)
    uses = with_sites(uses, describe.competing_use_overlaps(_sites_of(uses)))
    wind = None
    if not uses["wind"].sites.empty:
        with timed("wind: turbines, energy, emission reductions"):
            wind = assess_wind(scenario, uses["wind"], rasters)
    trees = None
    if not uses["reforestation"].sites.empty:
        with timed("reforestation: planting, growth, removals (Monte Carlo)"):
            trees = assess_forest(scenario, uses["reforestation"], rasters)
    with timed("credits: ITMO ledger and comparison cases"):
        ledger = assess_credits(scenario, uses, wind, trees, rasters)
    uses = with_sites(uses, site_tables(scenario, uses, wind, trees, ledger))
    result = RunResult(scenario, grid, rasters, vectors, uses, wind, trees, ledger, timings)
    if streaming and scratch is None:
        weakref.finalize(result, keep.remove)
    return result


def _sites_of(uses: Mapping[str, UseResult]) -> dict[str, gpd.GeoDataFrame]:
    return {name: use.sites for name, use in uses.items()}


def with_sites(
    uses: Mapping[str, UseResult], sites: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, UseResult]:
    """The uses with their site tables replaced by ``sites`` (new results, none changed)."""
    return {name: replace(use, sites=sites[name]) for name, use in uses.items()}


def site_tables(
    scenario: Scenario,
    uses: Mapping[str, UseResult],
    wind: WindAssessment | None,
    trees: ForestAssessment | None,
    ledger: CreditStage,
) -> dict[str, gpd.GeoDataFrame]:
    """Each use's sites with the wind, forest and per-site ITMO attributes joined on.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its first accounting period names the ITMO column).
    uses : mapping of str to UseResult
        The scored uses.
    wind, trees : WindAssessment or ForestAssessment, optional
        The wind and forest stages (None when a use has no sites).
    ledger : CreditStage
        The credit stage.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        New site tables per use.
    """
    stages = {"wind": wind, "reforestation": trees}
    period = scenario.credits.accounting_periods[0]
    itmos = per_site.itmos_by_project(ledger.projection.ledger, period)
    tables = {}
    for name, use in uses.items():
        sites = use.sites
        assessment = stages.get(name)
        if assessment is not None:
            sites = sites.join(
                pd.DataFrame(assessment.sites).drop(columns="geometry", errors="ignore"),
                on="site_id",
            )
        tables[name] = per_site.with_site_itmos(sites, itmos)
    return tables


def assess_forest(
    scenario: Scenario, use: UseResult, rasters: xr.Dataset, survival_fraction: float | None = None
) -> ForestAssessment:
    """Planting, growth and removals of the reforestation sites.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``forest`` section).
    use : UseResult
        The reforestation use.
    rasters : xarray.Dataset
        The run's rasters (``climate`` gives each site's majority climate class).
    survival_fraction : float, optional
        A fixed planting survival replacing the scenario's (a comparison case).
    """
    spec = scenario.forest
    if survival_fraction is not None:
        survival = Uncertain(value=survival_fraction, source="comparison case")
        spec = spec.model_copy(update={"survival": survival})
    return forest.assess_forest_sites(
        use.sites,
        spec,
        load_species_library(forest.species_needed(spec)),
        climate_class=describe.majority_class(use.sites, use.labels, rasters["climate"]),
        seed=scenario.seed,
    )


def assess_credits(
    scenario: Scenario,
    uses: Mapping[str, UseResult],
    wind: WindAssessment | None,
    trees: ForestAssessment | None,
    rasters: xr.Dataset,
) -> CreditStage:
    """ITMO ledger of the wind and forest sites plus the portfolio, and the comparison cases."""
    emissions = scenario.wind_yield.emissions

    def mitigation_table(grid_ef: float | None = None, survival: float | None = None):
        parts = [pd.DataFrame(columns=mitigation.COLUMNS)]
        if wind is not None:
            parts.append(mitigation.wind_reductions(wind.generation, emissions, grid_ef))
        if trees is not None:
            variant = trees
            if survival is not None:
                variant = assess_forest(scenario, uses["reforestation"], rasters, survival)
            removals = mitigation.forest_removals(variant.sequestration)
            # The project-level spread of the joint draws (quantiles of the sum over sites).
            project = mitigation.portfolio_removals(variant.portfolio)
            parts.append(mitigation.with_project_spread(removals, project))
        return pd.concat([p for p in parts if not p.empty] or parts, ignore_index=True)

    base = mitigation_table()
    projection = credits.project_credits(base, scenario.credits)
    cases = {
        case.name: (
            mitigation_table(case.grid_ef_tco2_per_mwh, case.forest_survival_fraction),
            scenario.credits.for_case(case.name),
        )
        for case in scenario.credits.comparison_cases
    }
    comparison = credits.compare_cases(cases) if cases else pd.DataFrame()
    return CreditStage(base, projection, comparison)


def assess_wind(scenario: Scenario, use: UseResult, rasters: xr.Dataset) -> WindAssessment:
    """Turbines, energy and emission reductions of the wind sites."""
    spec = scenario.wind_yield.with_paths_resolved(scenario.resolve)
    era5 = read_era5(spec.climate.era5_path) if spec.climate.source == "era5" else None
    return wind_yield.assess_wind_sites(
        use.sites,
        use.eligibility.eligible,
        rasters,
        spec,
        load_chosen_turbine(spec.turbine),
        era5=era5,
        seed=scenario.seed,
    )


def run(
    scenario: Scenario | None = None,
    out_dir: str | Path | None = None,
    *,
    stage: Reporter = _silent,
) -> RunResult:
    """Run a scenario and write its results folder atomically.

    Parameters
    ----------
    scenario : Scenario, optional
        Default: the embedded Mörön scenario.
    out_dir : str or pathlib.Path, optional
        Results folder; default the scenario's ``output.dir``.
    stage : callable, optional
        Context-manager factory called with each stage's title (progress display).

    Returns
    -------
    RunResult
        With ``out_dir`` set to the written folder.
    """
    scenario = scenario or load_scenario()
    out_dir = Path(out_dir or scenario.output.dir)
    inputs = input_files(scenario)
    io.check_output_dir(out_dir, inputs)  # before the work, not after it
    check_writable(out_dir)
    started = time.perf_counter()
    # A streaming run's scratch rasters sit next to the results folder (same storage, which
    # on a cluster must be shared) and are removed once the results are written.
    with scratch_folder(out_dir.resolve().parent) as scratch, bounded_block_cache():
        result = analyse(scenario, stage, scratch=scratch)
        with stage("writing results"):
            with io.staged_output_dir(out_dir, protected=list(inputs)) as staging:
                total = time.perf_counter() - started
                outputs.write_results(result, staging, inputs, total_s=total)
    result.out_dir = out_dir.resolve()
    return result


def input_files(scenario: Scenario) -> list[Path]:
    """Every input file a scenario reads."""
    paths = [scenario.resolve(spec.path) for spec in scenario.layers.rasters.values()]
    paths += [
        scenario.resolve(spec.path)
        for spec in scenario.layers.vectors.values()
        if spec.path is not None
    ]
    if scenario.aoi.polygon:
        paths.append(scenario.resolve(scenario.aoi.polygon))
    climate = scenario.wind_yield.climate
    if climate.source == "era5" and climate.era5_path:
        paths.append(scenario.resolve(climate.era5_path))
    if scenario.source_file is not None:
        paths.append(scenario.source_file)
    return paths
