"""The scenario of a fetched folder: a base scenario with its layers pointed at the new data.

Starting from a base scenario (the embedded Mörön one, or the user's), :func:`fetched_scenario`
replaces what the fetch brought and leaves every other choice (rules, weights, stages) as it
was:

* ``dem``: the elevation raster is the Copernicus DEM;
* ``landcover``: the land-cover raster is ESA WorldCover, its rules translated from the IGBP
  names through the crosswalk (:func:`siting.fetch.worldcover.translate_rules`);
* ``wind``: the Global Wind Atlas rasters at the height nearest the hub become
  ``wind_resource.layer`` (screening speed) and the ``weibull_rasters`` wind climate of the
  energy stage, so the run no longer uses (nor flags) the terrain estimate;
* ``osm``: roads, power lines, substations and protected areas become vector layers, the
  grid connection is the nearest OSM substation or transmission line instead of the town
  centre, and wind farms are kept out of protected areas;
* ``era5``: without wind-atlas rasters, the wind climate is the ERA5 time series.

Layers not fetched keep their files, written as absolute paths; fetched ones are relative to
the folder (``data_dir: .``), so the folder can be moved on the same machine.
"""

from __future__ import annotations

from pathlib import Path

import rasterio
import shapely
from rasterio.errors import RasterioIOError

from siting.fetch.product import Product
from siting.fetch.worldcover import translate_rules
from siting.grid import WGS84, reproject_geometry
from siting.scenario.model import Scenario

HEADER = """\
# Scenario written by `siting fetch` for {name}: the layers below marked "fetched" are in this
# folder (see manifest.json for their sources and checksums, LICENCES.md for licences and
# attribution); everything else is the base scenario's ({base}). Run it with
#   siting run --config {path}
"""


def _source(spec: dict) -> str:
    return f"{spec['title']}; {spec['licence']}; {spec['attribution']}"


def _absolute_paths(data: dict, base: Scenario) -> None:
    for section in ("rasters", "vectors"):
        for spec in data["layers"].get(section, {}).values():
            if spec.get("path"):
                spec["path"] = str(base.resolve(spec["path"]))
    if base.wind_yield.climate.era5_path:
        climate = data["wind_yield"]["climate"]
        climate["era5_path"] = str(base.resolve(climate["era5_path"]))


def nearest_height(heights: list[int], hub_height_m: float) -> int:
    """The wind-atlas height closest to the hub (the lower one on a tie).

    Examples
    --------
    >>> nearest_height([50, 100, 150], 80)
    100
    """
    return min(sorted(heights), key=lambda h: abs(h - hub_height_m))


def fetched_scenario(
    base: Scenario,
    products: dict[str, Product],
    files: dict[str, dict[str, str]],
    sources: dict,
    *,
    name: str,
    aoi: dict,
) -> tuple[dict, list[str]]:
    """The scenario (as YAML-ready data) of a fetched folder, and warnings for the user.

    Parameters
    ----------
    base : Scenario
        The scenario to start from.
    products : dict of str to Product
        What was fetched, by layer (``dem``, ``landcover``, ``wind``, ``osm``, ``era5``).
    files : dict
        Per layer, role to the file name in the fetched folder.
    sources : dict
        The source catalogue.
    name : str
        Scenario name (the folder's name).
    aoi : dict
        The ``aoi`` section (``bbox_lonlat`` or ``polygon``).
    """
    data = base.to_dict()
    _absolute_paths(data, base)
    data.update(name=name, data_dir=".", aoi=aoi)
    data["output"] = {"dir": f"results/{name}"}
    layers = data["layers"]
    rasters = layers["rasters"]
    fetched = []
    if "dem" in products:
        product = products["dem"]
        rasters[layers["elevation"]] = {
            "path": files["dem"]["elevation"],
            "kind": "continuous",
            "units": "m",
            "source": f"fetched: {_source(sources[product.source])}",
        }
        fetched.append("Copernicus DEM")
    if "landcover" in products and "landcover" in rasters:
        rasters["landcover"] = {
            "path": files["landcover"]["landcover"],
            "kind": "categorical",
            "classes": {},
            "source": f"fetched: {_source(sources['worldcover'])}",
        }
        data = translate_rules(data, "landcover")
        fetched.append("ESA WorldCover")
    if "wind" in products:
        _use_wind_atlas(data, products["wind"], files["wind"], sources["wind_atlas"])
        fetched.append("Global Wind Atlas")
    elif "era5" in products:
        climate = data["wind_yield"]["climate"]
        climate.update(source="era5", era5_path=files["era5"]["era5"])
        fetched.append("ERA5")
    if "osm" in products:
        _use_osm(data, products["osm"], files["osm"], sources["osm"])
        fetched.append("OpenStreetMap")
    for spec in data["layers"]["rasters"].values():
        if spec.get("classes"):
            spec["classes"] = {int(value): label for value, label in spec["classes"].items()}
    data["description"] = (
        f"{base.description.strip()} Site-level data fetched by `siting fetch`: "
        f"{', '.join(fetched)}."
    ).strip()
    return data, _coverage_warnings(data, base, aoi)


def _use_wind_atlas(data: dict, product: Product, files: dict, spec: dict) -> None:
    heights = sorted({int(role.rsplit("_", 1)[1].rstrip("m")) for role in product.files})
    height = nearest_height(heights, data["wind_yield"]["turbine"]["hub_height_m"])
    rasters = data["layers"]["rasters"]
    names = {}
    for role in ("mean_speed", "weibull_a", "weibull_k"):
        names[role] = f"gwa_{role}_{height}m"
        units = {"mean_speed": "m/s", "weibull_a": "m/s", "weibull_k": ""}[role]
        rasters[names[role]] = {
            "path": files[f"{role}_{height}m"],
            "kind": "continuous",
            "units": units,
            "source": f"fetched: {spec['title']}, {role} at {height} m; {spec['licence']}; "
            f"{spec['citation']}",
        }
    data["wind_resource"]["layer"] = names["mean_speed"]
    data["wind_resource"]["height_m"] = height
    climate = data["wind_yield"]["climate"]
    climate.update(
        source="weibull_rasters",
        weibull_a_layer=names["weibull_a"],
        weibull_k_layer=names["weibull_k"],
        height_m=height,
    )
    criterion = data["wind"]["criteria"].get("wind_speed")
    if criterion is not None:
        criterion["source"] = (
            f"Global Wind Atlas 3 mean speed at {height} m (Davis et al. 2023, "
            "doi:10.1175/BAMS-D-21-0075.1); thresholds are planning defaults"
        )


def _use_osm(data: dict, product: Product, files: dict, spec: dict) -> None:
    vectors = data["layers"]["vectors"]
    source = f"fetched: OpenStreetMap via Overpass ({spec['licence']}, {spec['attribution']})"
    for theme in ("roads", "power_lines", "substations", "protected_areas"):
        vectors[theme] = {"path": files[theme], "source": f"{source}: {theme.replace('_', ' ')}"}
    counts = product.details.get("features", {})
    if counts.get("grid_connection", 0) > 0:
        vectors["grid_connection"] = {
            "path": files["grid_connection"],
            "source": f"{source}: power=substation (centre) and power=line",
        }
        for use in ("reforestation", "wind"):
            criterion = data[use]["criteria"].get("grid_distance")
            if criterion is not None:
                criterion["source"] = (
                    "planning default (estimate); distance to the nearest OpenStreetMap "
                    "substation or transmission line (OSM completeness varies: check with the "
                    "utility)"
                )
    data["wind"]["exclusions"].append(
        {
            "kind": "polygon",
            "layer": "protected_areas",
            "mode": "exclude",
            "reason": "protected areas (OSM boundary=protected_area, leisure=nature_reserve)",
            "source": "Mongolia, Law on Special Protected Areas (1994) restricts construction "
            "in protected areas (verify the zone rules of each area)",
        }
    )


def _coverage_warnings(data: dict, base: Scenario, aoi: dict) -> list[str]:
    """Rasters kept from the base scenario that do not cover the AOI."""
    if aoi.get("bbox_lonlat"):
        area = shapely.box(*aoi["bbox_lonlat"])
    else:
        return []
    warnings = []
    for name, spec in data["layers"]["rasters"].items():
        path = Path(spec["path"])
        if not path.is_absolute():
            continue
        try:
            with rasterio.open(path) as src:
                footprint = reproject_geometry(shapely.box(*src.bounds), src.crs, WGS84)
        except (RasterioIOError, ValueError):
            continue
        if not footprint.contains(area):
            warnings.append(
                f"layers.rasters.{name}: {path.name} covers lon/lat "
                f"{[round(v, 2) for v in footprint.bounds]}, not all of the AOI; point it at "
                "data covering the AOI before `siting run`"
                + (
                    " (Beck et al. 2018 Koppen-Geiger 1 km: https://www.gloh2o.org/koppen/)"
                    if name == "climate"
                    else ""
                )
            )
    return warnings
