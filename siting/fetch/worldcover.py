"""ESA WorldCover 10 m 2021: the 3 x 3 degree COG tiles of an AOI, and the class crosswalk.

Tiles are named by their south-west corner on multiples of 3 degrees
(``ESA_WorldCover_10m_2021_v200_N48E099_Map.tif`` covers 48-51 N, 99-102 E) under
``v200/2021/map/`` of the ``esa-worldcover`` bucket. The classes and their crosswalk to the
IGBP names of the scenario's rules are in ``worldcover_classes.yaml``;
:func:`translate_rules` turns the rules written for IGBP classes into rules on WorldCover
classes: an exclusion of IGBP classes excludes the WorldCover classes that map onto them, and
a categorical score of a WorldCover class is the score of its IGBP class.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from siting.fetch.copernicus_dem import hemisphere_lat, hemisphere_lon, tiles_for_bounds
from siting.fetch.product import FetchContext, Product, raster_product

CLASSES_FILE = Path(__file__).with_name("worldcover_classes.yaml")


def tile_urls(bounds: tuple[float, float, float, float], spec: dict) -> list[str]:
    """URLs of the 3-degree WorldCover tiles covering ``bounds``.

    Examples
    --------
    >>> spec = {"base_url": "B", "tile_template": "{base}/{lat}{lon}.tif"}
    >>> tile_urls((99.0, 49.0, 101.5, 50.5), spec)
    ['B/N48E099.tif']
    """
    return [
        spec["tile_template"].format(
            base=spec["base_url"], lat=hemisphere_lat(lat), lon=hemisphere_lon(lon)
        )
        for lat, lon in tiles_for_bounds(bounds, size_deg=3)
    ]


def worldcover_classes() -> dict:
    """``{"classes": {value: {"name", "igbp"}}, "source": ...}`` from the data file."""
    return yaml.safe_load(CLASSES_FILE.read_text("utf-8"))


def fetch_landcover(ctx: FetchContext, bounds: tuple[float, float, float, float]) -> Product:
    """WorldCover classes (uint8, 0 = no data) over ``bounds`` as one COG."""
    urls = tile_urls(bounds, ctx.sources["worldcover"])
    path, cached, details = raster_product(
        ctx,
        name="landcover_esa_worldcover_2021.tif",
        urls=urls,
        bounds=bounds,
        kind="categorical",
        label="WorldCover 2021",
        what="ESA WorldCover 2021",
    )
    notes = []
    if details.get("tiles_missing"):
        notes.append(f"{len(details['tiles_missing'])} WorldCover tile(s) not on the server")
    return Product("landcover", "worldcover", {"landcover": path}, urls, cached, notes, details)


def translate_classes(igbp_names: list, crosswalk: dict) -> list[str]:
    """WorldCover class names whose IGBP class is among ``igbp_names`` (order kept)."""
    wanted = set(igbp_names)
    return [c["name"] for c in crosswalk.values() if c["igbp"] in wanted]


def translate_scores(scores: dict, crosswalk: dict) -> dict[str, float]:
    """Score of each WorldCover class = the score of its IGBP class (classes without one drop)."""
    return {c["name"]: scores[c["igbp"]] for c in crosswalk.values() if c["igbp"] in scores}


def translate_rules(scenario: dict, layer: str = "landcover") -> dict:
    """A scenario (as data) with its land-cover layer, rules and criteria on WorldCover classes.

    Parameters
    ----------
    scenario : dict
        Scenario fields whose ``layer`` raster uses the IGBP names.
    layer : str
        The land-cover raster's name.

    Returns
    -------
    dict
        A copy: ``layers.rasters[layer].classes`` are WorldCover's; ``classes`` exclusions,
        categorical criteria and ``class_distances`` on that layer name WorldCover classes.
    """
    data = copy.deepcopy(scenario)
    table = worldcover_classes()
    crosswalk = table["classes"]
    data["layers"]["rasters"][layer]["classes"] = {v: c["name"] for v, c in crosswalk.items()}
    for use in ("reforestation", "wind"):
        for rule in data[use].get("exclusions", []):
            if rule.get("kind") == "classes" and rule.get("layer") == layer:
                rule["exclude"] = translate_classes(rule["exclude"], crosswalk)
                crosswalk_source = f"WorldCover crosswalk ({table['source']})"
                rule["source"] = f"{rule.get('source', '')}; {crosswalk_source}"
        for criterion in data[use].get("criteria", {}).values():
            membership = criterion.get("membership", {})
            if criterion.get("layer") == layer and membership.get("kind") == "categorical":
                membership["scores"] = translate_scores(membership["scores"], crosswalk)
                criterion["source"] = (
                    f"{criterion.get('source', '')}; scores of the IGBP class each WorldCover "
                    "class maps onto"
                )
    for name, spec in data["layers"].get("class_distances", {}).items():
        if spec.get("layer") != layer:
            continue
        spec["classes"] = translate_classes(spec["classes"], crosswalk)
        spec["source"] = f"ESA WorldCover 2021 classes {spec['classes']} (crosswalk)"
        for use in ("reforestation", "wind"):
            for criterion in data[use].get("criteria", {}).values():
                if criterion.get("layer") == f"dist_{name}_m":
                    criterion["source"] = (
                        f"{criterion.get('source', '')}; in this fetched scenario the cells are "
                        f"ESA WorldCover {', '.join(spec['classes'])} (10 m)"
                    )
    return data
