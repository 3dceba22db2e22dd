"""Results of a run on disk: the results folder, its map, report and provenance manifest.

:func:`write_results` writes every file of a completed run into a (staging) folder;
:func:`rebuild_map` rebuilds ``map.html`` of an existing results folder.
"""

from __future__ import annotations

import platform
import time
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import io
from siting.forest.zones import WARM_MONTH_C
from siting.land import terrain
from siting.land.exclusions import describe_rule
from siting.layers import load_layers, load_vectors, scenario_grid
from siting.outputs import maps, report
from siting.outputs.results import open_results
from siting.outputs.screen import at_screen_resolution
from siting.outputs.tables import describe_membership
from siting.result import RunResult
from siting.scenario.land import UseSpec
from siting.scenario.load import scenario_from_dict
from siting.scenario.model import LAND_USES, Scenario

#: Packages whose versions are recorded in run.json.
RECORDED_PACKAGES = (
    "siting", "numpy", "pandas", "xarray", "dask", "rasterio", "rioxarray", "geopandas",
    "shapely", "pyproj", "pyogrio", "exactextract", "scipy", "numba", "pydantic", "folium",
    "py_wake", "windpowerlib", "gpxpy", "matplotlib",
)  # fmt: skip


def write_results(result: RunResult, folder: Path, inputs: list[Path], total_s: float) -> None:
    """Write every result file of a run into ``folder``."""
    inside = result.grid.aoi_mask()  # outside the AOI: nodata in every raster (lazy, chunked)
    for name, use in result.uses.items():
        io.write_cog(use.suitability.score, folder / f"suitability_{name}.tif", inside)
        io.write_cog(use.eligibility.eligible, folder / f"eligible_{name}.tif", inside)
        io.write_cog(use.spread["score_std"], folder / f"suitability_sd_{name}.tif", inside)
        io.write_geojson(use.sites, folder / f"sites_{name}.geojson")
        use.eligibility.table.to_csv(folder / f"eligibility_{name}.csv", index=False)
    io.write_geopackage(
        {name: use.sites for name, use in result.uses.items()}, folder / "sites.gpkg"
    )
    if result.wind is not None:
        io.write_geojson(result.wind.turbines, folder / "turbines.geojson", layer="turbines")
        result.wind.generation.to_csv(folder / "generation.csv", index=False)
    if result.forest is not None:
        result.forest.sequestration.to_csv(folder / "sequestration.csv", index=False)
        result.forest.portfolio.to_csv(folder / "sequestration_portfolio.csv", index=False)
        result.forest.planting.to_csv(folder / "planting_schedule.csv", index=False)
    if result.credits is not None:
        projection = result.credits.projection
        projection.ledger.to_csv(folder / "credits.csv", index=False)
        projection.summary.to_csv(folder / "credits_summary.csv", index=False)
        projection.corresponding_adjustments.to_csv(
            folder / "corresponding_adjustments.csv", index=False
        )
        projection.revenue.to_csv(folder / "credits_revenue.csv", index=False)
        projection.portfolio_checks.to_csv(folder / "portfolio_checks.csv", index=False)
        result.credits.comparison.to_csv(folder / "credits_comparison.csv", index=False)
    maps.site_map(map_content(result)).save(str(folder / "map.html"))
    io.write_text(report.render_report(report_content(result)), folder / "report.html")
    result.timings_s["total"] = round(total_s, 3)
    record = manifest(result, inputs)
    # What this run wrote: a rerun replaces these and keeps everything else.
    record[io.MANIFEST_FILES_KEY] = sorted({p.name for p in folder.iterdir()} | {io.RUN_MANIFEST})
    io.write_json(record, folder / io.RUN_MANIFEST)


def map_content(result: RunResult):
    """What the planner's map shows for a run (see :class:`siting.outputs.maps.MapContent`)."""
    scenario = result.scenario
    notes = [f"{name}: {spec.note}" for name, spec in scenario.layers.vectors.items() if spec.note]
    if scenario.wind_resource.layer is None:
        notes.insert(0, "Wind resource is an ESTIMATE from terrain exposure, not measured wind")
    points = {name: result.vectors[name] for name in maps.POINT_LAYERS if name in result.vectors}
    aoi = gpd.GeoDataFrame(geometry=[result.grid.aoi], crs=result.grid.crs)
    return maps.MapContent(
        title=scenario.display_title,
        subtitle=time.strftime("run of %Y-%m-%d %H:%M UTC", time.gmtime())
        + f" | {result.grid.crs.to_string()}, {result.grid.cell_size_m:g} m cells",
        caveats=notes,
        suitability={name: use.suitability.score for name, use in result.uses.items()},
        eligible={name: use.eligibility.eligible for name, use in result.uses.items()},
        sites={name: use.sites for name, use in result.uses.items()},
        hillshade=screen_hillshade(result.rasters[scenario.layers.elevation]),
        points=points,
        turbines=result.wind.turbines if result.wind is not None else None,
        aoi=aoi,
        context={n: result.vectors[n] for n in maps.CONTEXT_LAYERS if n in result.vectors},
        attribution=attribution(scenario),
    )


def screen_hillshade(elevation):
    """Hillshade for the map, computed from the elevation at screen resolution.

    Grids up to :data:`~siting.outputs.screen.SCREEN_PX` cells on the long side are shaded at
    full resolution; larger ones from block means, so a 100-Mpx grid is not shaded whole.
    """
    return terrain.hillshade(at_screen_resolution(elevation)).compute()


def attribution(scenario: Scenario) -> str:
    """The data attribution of the map: the layers' ``attribution`` lines, each once.

    A scenario whose layers give none shows their sources instead (the report lists them all).
    """
    specs = [*scenario.layers.rasters.values(), *scenario.layers.vectors.values()]
    texts = [spec.attribution for spec in specs if spec.attribution]
    texts = texts or [spec.source for spec in specs if spec.source]
    return "Data: " + " | ".join(dict.fromkeys(texts)) if texts else ""


def report_content(result: RunResult):
    """What the planner's report shows for a run (:class:`siting.outputs.report.ReportContent`)."""
    scenario = result.scenario
    rows = [
        {
            "layer": name,
            "file": Path(spec.path).name,
            "kind": spec.kind,
            "grid": io.raster_description(scenario.resolve(spec.path)),
            "source": spec.source,
        }
        for name, spec in scenario.layers.rasters.items()
    ]
    rows += [
        {
            "layer": name,
            "file": Path(spec.path).name if spec.path else "(in the scenario)",
            "kind": "vector",
            "grid": f"{len(result.vectors[name])} features near the AOI",
            "source": spec.source + (f" ({spec.note})" if spec.note else ""),
        }
        for name, spec in scenario.layers.vectors.items()
    ]
    assumptions = []
    for name in LAND_USES:
        use: UseSpec = getattr(scenario, name)
        for rule in use.exclusions:
            assumptions.append(
                {
                    "use": name,
                    "kind": "exclusion",
                    "what": describe_rule(rule),
                    "reason": rule.reason,
                    "source": rule.source,
                }  # fmt: skip
            )
        for key, criterion in use.criteria.items():
            assumptions.append(
                {
                    "use": name,
                    "kind": f"criterion ({criterion.membership.kind})",
                    "what": f"{key.replace('_', ' ')}: "
                    + describe_membership(criterion.layer, criterion.membership),
                    "reason": criterion.reason,
                    "source": criterion.source,
                }  # fmt: skip
            )
    weights = {}
    for name, use in result.uses.items():
        weights[name] = dict(use.suitability.weights)
        if use.suitability.ahp is not None:
            weights[name]["consistency_ratio"] = use.suitability.ahp.consistency_ratio
    return report.ReportContent(
        title=scenario.display_title,
        created=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        description=scenario.description,
        caveats=caveats(scenario),
        data=pd.DataFrame(rows),
        suitability={name: use.suitability.score for name, use in result.uses.items()},
        sites={name: use.sites for name, use in result.uses.items()},
        eligibility={name: use.eligibility.table for name, use in result.uses.items()},
        assumptions=pd.DataFrame(assumptions),
        weights=weights,
        forest_summary=forest_summary(result.forest),
        **stage_tables(result),
    )


def forest_summary(trees) -> str:
    """The forest paragraph of the report: planting plan, stock by 2050 and the sites' zones.

    Parameters
    ----------
    trees : siting.forest.sequestration.ForestAssessment or None
        The forest stage (None: an empty string).
    """
    if trees is None or trees.sites.empty:
        return ""
    counts = trees.sites["climate_zone"].value_counts()
    zones = ", ".join(
        f"{n} site{'s' if n > 1 else ''} {zone.replace('_', ' ')}" for zone, n in counts.items()
    )
    planted = trees.fully_planted_year
    line = trees.summary_line().removeprefix("reforestation: ")
    if planted is not None:  # "... ha planted by YEAR": the whole area is planted then
        line = line.replace(f"planted by {planted}", f"planted, the whole area by {planted}", 1)
    return (
        f"Reforestation: {line}."
        + f" Ecological zone (FAO: months with a mean of at least 10 °C at the site's elevation):"
        f" {zones}; growth, maximum stock and root:shoot are that zone's IPCC 2019 Tier 1 values."
    )


def period_columns(period) -> list[str]:
    """Summary columns of one accounting period, shares of the target included.

    Cumulative ITMOs, and for a single-year target the annual average (averaging approach)
    and the target year's vintage.
    """
    name = period.name
    if period.target_year is None:
        return [f"itmos_{name}_tco2e", f"share_of_target_{name}"]
    year = period.target_year
    return [
        f"itmos_{name}_tco2e",
        f"itmos_{name}_average_tco2e",
        f"share_of_target_{name}_averaging",
        f"itmos_{name}_vintage_{year}_tco2e",
        f"share_of_target_{name}_vintage_{year}",
    ]


def stage_tables(result: RunResult) -> dict:
    """The wind, forest and credit outputs in the report's shapes (absent stages omitted)."""
    tables = {}
    if result.wind is not None:
        generation = result.wind.generation
        # Energy per year (P50, P75, 10-year and single-year P90), partial first year included.
        tables["generation"] = generation[generation["unit"] == "MWh"]
    if result.forest is not None:
        # The project's band from the joint draws (a quantile of the sum over sites).
        tables["sequestration"] = result.forest.portfolio
    if result.credits is not None:
        spec = result.scenario.credits
        price = next(iter(spec.finance.price_scenarios), None)
        columns = ["level", "project_type", "gross_tco2e", "transferable_itmos_tco2e"]
        for period in spec.accounting_periods:
            columns += period_columns(period)
        if price is not None:
            columns.append(f"npv_seller_usd_{price}")
        summary = result.credits.projection.summary
        columns = [c for c in columns if c in summary]
        tables["ledger"] = result.credits.projection.ledger
        tables["credits_summary"] = summary[summary["level"] != "project"][columns]
        tables["target_mt"] = spec.accounting_periods[0].buyer_target_tco2e / 1e6
        comparison = result.credits.comparison
        if not comparison.empty:
            totals = comparison[comparison["level"] == "total"]
            tables["comparison"] = totals[["case", "mechanism"] + columns[2:]]
    return tables


def rebuild_map(folder: str | Path) -> Path:
    """Rebuild ``map.html`` of a results folder from its files and the inputs it names.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder written by ``siting run``.

    Returns
    -------
    pathlib.Path
        The rewritten map (replaced atomically).
    """
    results = open_results(folder)
    parameters = dict(results.manifest["parameters"])
    # Relative layer paths were read from this folder when the run was made.
    parameters["data_dir"] = results.manifest.get("data_root", parameters.get("data_dir"))
    scenario = scenario_from_dict(parameters, label=f"{folder}/run.json")
    grid = scenario_grid(scenario)
    vectors = load_vectors(scenario, grid)
    elevation = load_layers(scenario, grid)[scenario.layers.elevation]
    content = maps.MapContent(
        title=scenario.display_title,
        subtitle=f"run of {results.manifest.get('created_utc', '?')}",
        caveats=[c for c in results.manifest.get("caveats", []) if ".criteria." not in c],
        suitability={u: results.raster(f"suitability_{u}") for u in results.uses},
        eligible={u: results.raster(f"eligible_{u}") > 0 for u in results.uses},
        sites={u: results.sites(u) for u in results.uses},
        hillshade=screen_hillshade(elevation),
        points={n: vectors[n] for n in maps.POINT_LAYERS if n in vectors},
        turbines=results.turbines(),
        aoi=gpd.GeoDataFrame(geometry=[grid.aoi], crs=grid.crs),
        context={n: vectors[n] for n in maps.CONTEXT_LAYERS if n in vectors},
        attribution=attribution(scenario),
    )
    target = results.path / "map.html"
    with io.atomic_path(target) as temporary:
        maps.site_map(content).save(str(temporary))
    return target


def manifest(result: RunResult, inputs: list[Path]) -> dict:
    """Provenance of a run: inputs with sha256, parameters, versions, timings, summary."""
    scenario = result.scenario
    return {
        "scenario": scenario.name,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "inputs": [{"path": str(p), "sha256": io.sha256_of(p)} for p in inputs],
        "data_root": str(scenario.data_root),
        "parameters": scenario.model_dump(mode="json"),
        "grid": {
            "crs": result.grid.crs.to_string(),
            "cell_size_m": result.grid.cell_size_m,
            "shape": list(result.grid.shape),
            "bounds_m": list(result.grid.bounds),
        },
        "caveats": caveats(scenario),
        "summary": {
            name: {
                "eligible_ha": use.eligibility.eligible_ha,
                "n_sites": len(use.sites),
                "sites_area_ha": float(use.sites["area_ha"].sum()) if len(use.sites) else 0.0,
                "weights": use.suitability.weights,
            }
            for name, use in result.uses.items()
        },
        "versions": {"python": platform.python_version(), **package_versions()},
        "timings_s": result.timings_s,
    }


def caveats(scenario: Scenario) -> list[str]:
    """Notes that travel with results: approximated layers and estimated values."""
    notes = [f"{name}: {spec.note}" for name, spec in scenario.layers.vectors.items() if spec.note]
    if scenario.wind_resource.layer is None:
        notes.append(
            "wind_speed_ms: ESTIMATE from terrain exposure, not measured wind "
            f"({scenario.wind_resource.estimate.mean_speed_ms} m/s reference at "
            f"{scenario.wind_resource.estimate.height_m:g} m); replace with Global Wind Atlas"
        )
    for use_name in LAND_USES:
        use: UseSpec = getattr(scenario, use_name)
        notes += [
            f"{use_name}.criteria.{name}: {c.source}"
            for name, c in use.criteria.items()
            if "estimate" in c.source.lower()
        ]
    notes.append(forest_zone_caveat(scenario))
    return notes


def forest_zone_caveat(scenario: Scenario) -> str:
    """How the forest's ecological zone is derived, and how close the station is to a boundary."""
    climate = scenario.forest.climate_zone
    months = np.asarray(climate.station_monthly_mean_c)
    margin_k = float(np.min(np.abs(months - WARM_MONTH_C)))
    margin_m = 1000.0 * margin_k / climate.lapse_rate_c_per_km if climate.lapse_rate_c_per_km else 0
    return (
        "forest growth: the IPCC 2019 Tier 1 values of each site's FAO ecological zone (months "
        f"with a mean >= 10 °C), from {climate.station} moved to the site's elevation at "
        f"{climate.lapse_rate_c_per_km:g} K/km; one month lies {margin_k:.1f} K from the "
        f"threshold, so about {margin_m:,.0f} m of elevation can change a site's zone "
        "(climate_zone, warm_months): check it against local knowledge"
    )


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the results."""
    versions = {}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    # the C libraries under rasterio, pyogrio and pyproj
    import pyproj
    import rasterio

    versions["GDAL"] = rasterio.__gdal_version__
    versions["PROJ"] = pyproj.proj_version_str
    return versions
