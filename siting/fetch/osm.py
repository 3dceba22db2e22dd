"""OpenStreetMap themes for an AOI through the Overpass API, written as GeoPackage layers.

One Overpass query per theme (roads, power lines, substations, protected areas) over the AOI's
vector bounds (the AOI plus the scenario's ``vector_margin_m``, so that the nearest substation
beyond the edge still counts). The JSON answer is kept in the cache; :func:`elements_to_frame`
turns it into a GeoDataFrame (nodes -> points, ways -> lines or polygons, multipolygon and
boundary relations -> polygons assembled from their member ways, substations -> their centre
point), written as one GeoPackage per theme (layer named after the theme, WGS84). The grid
connection layer joins the substations and the transmission lines (``power=line``).
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely

from siting.errors import describe
from siting.fetch.cache import product_key, read_record, write_record
from siting.fetch.http import DownloadError, download
from siting.fetch.product import PRODUCT_VERSION, FetchContext, Product
from siting.grid import WGS84


@dataclass(frozen=True)
class Theme:
    """One OSM theme: its Overpass selectors, the output it asks for and the geometry kept."""

    selectors: tuple[str, ...]
    out: str
    geometry: str
    kind_key: str


#: Overpass QL selectors per theme (OSM wiki: Key:highway, Key:power, Tag:boundary=protected_area).
THEMES = {
    "roads": Theme(
        ('way["highway"~"^(motorway|trunk|primary|secondary|tertiary|unclassified)(_link)?$"]',),
        "geom",
        "LineString",
        "highway",
    ),
    "power_lines": Theme(
        ('way["power"~"^(line|minor_line|cable)$"]',), "geom", "LineString", "power"
    ),
    "substations": Theme(('nwr["power"="substation"]',), "center", "Point", "power"),
    "protected_areas": Theme(
        (
            'way["boundary"="protected_area"]',
            'relation["boundary"="protected_area"]',
            'way["leisure"="nature_reserve"]',
            'relation["leisure"="nature_reserve"]',
        ),
        "geom",
        "MultiPolygon",
        "protect_class",
    ),
}

#: Tags kept as columns (besides ``osm_id``, ``name`` and ``kind``).
KEPT_TAGS = ("voltage", "operator", "ref", "surface", "protect_class", "protection_title")


def overpass_query(theme: str, bounds: tuple[float, float, float, float], timeout_s: int) -> str:
    """Overpass QL of a theme over lon/lat ``bounds`` (west, south, east, north).

    Examples
    --------
    >>> print(overpass_query("substations", (99.0, 49.0, 101.5, 50.5), 180))
    [out:json][timeout:180];(nwr["power"="substation"](49.0,99.0,50.5,101.5););out center tags;
    """
    west, south, east, north = bounds
    box = f"({south},{west},{north},{east})"
    body = "".join(f"{selector}{box};" for selector in THEMES[theme].selectors)
    out = "out center tags;" if THEMES[theme].out == "center" else "out geom;"
    return f"[out:json][timeout:{timeout_s}];({body});{out}"


def _coords(points: list[dict]) -> list[tuple[float, float]]:
    return [(p["lon"], p["lat"]) for p in points if p is not None]


def _relation_polygon(element: dict) -> shapely.Geometry | None:
    """Polygons of a multipolygon/boundary relation from its member ways' geometry."""
    rings = {"outer": [], "inner": []}
    for member in element.get("members", []):
        if member.get("type") == "way" and member.get("geometry"):
            line = _coords(member["geometry"])
            if len(line) >= 2:
                rings["inner" if member.get("role") == "inner" else "outer"].append(
                    shapely.LineString(line)
                )
    if not rings["outer"]:
        return None
    outer = shapely.union_all(shapely.get_parts(shapely.polygonize(rings["outer"])))
    if rings["inner"]:
        inner = shapely.union_all(shapely.get_parts(shapely.polygonize(rings["inner"])))
        outer = outer.difference(inner)
    return None if outer.is_empty else outer


def _geometry(element: dict, theme: Theme) -> shapely.Geometry | None:
    kind = element.get("type")
    if theme.out == "center":
        point = element if kind == "node" else element.get("center")
        return shapely.Point(point["lon"], point["lat"]) if point else None
    if kind == "node":
        return shapely.Point(element["lon"], element["lat"])
    if kind == "way":
        line = _coords(element.get("geometry", []))
        if len(line) < 2:
            return None
        if theme.geometry == "MultiPolygon":
            if len(line) < 4 or line[0] != line[-1]:
                return None
            return shapely.Polygon(line)
        return shapely.LineString(line)
    if kind == "relation" and theme.geometry == "MultiPolygon":
        return _relation_polygon(element)
    return None


def elements_to_frame(answer: dict, theme: str) -> gpd.GeoDataFrame:
    """An Overpass JSON answer as a GeoDataFrame in WGS84.

    Parameters
    ----------
    answer : dict
        The parsed JSON (``{"elements": [...]}``).
    theme : str
        A key of :data:`THEMES`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``osm_id`` (``way/123``), ``name``, ``kind`` (the theme's main tag) and the tags of
        :data:`KEPT_TAGS`; polygons as MultiPolygons. Elements without usable geometry are left
        out.
    """
    spec = THEMES[theme]
    rows, geometries = [], []
    for element in answer.get("elements", []):
        geometry = _geometry(element, spec)
        if geometry is None or geometry.is_empty:
            continue
        if spec.geometry == "MultiPolygon" and geometry.geom_type == "Polygon":
            geometry = shapely.MultiPolygon([geometry])
        tags = element.get("tags", {})
        row = {
            "osm_id": f"{element['type']}/{element['id']}",
            "name": tags.get("name:en") or tags.get("name", ""),
            "kind": tags.get(spec.kind_key, tags.get("leisure", "")),
        }
        row.update({tag: tags.get(tag, "") for tag in KEPT_TAGS})
        rows.append(row)
        geometries.append(geometry)
    columns = ["osm_id", "name", "kind", *KEPT_TAGS]
    return gpd.GeoDataFrame(rows, columns=columns, geometry=geometries, crs=WGS84)


def write_layer(frame: gpd.GeoDataFrame, path: Path, layer: str, geometry_type: str) -> Path:
    """Write one GeoPackage layer through a temporary file (atomic rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp.gpkg")
    temporary.unlink(missing_ok=True)
    try:
        frame.to_file(
            temporary, layer=layer, driver="GPKG", engine="pyogrio", geometry_type=geometry_type
        )
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _answer(ctx: FetchContext, theme: str, bounds, timeout_s: int) -> tuple[dict, bool, str]:
    """The Overpass answer of a theme: from the cache, or asked now (retried)."""
    url = ctx.sources["osm"]["base_url"]
    query = overpass_query(theme, bounds, timeout_s)
    key = product_key(url=url, query=query)
    local = ctx.cache.files / f"overpass_{theme}_{key}.json"
    query_file = local.with_suffix(".overpassql")
    cached = read_record(local) is not None and not ctx.refresh
    if not cached:
        query_file.parent.mkdir(parents=True, exist_ok=True)
        query_file.write_text(query + "\n", "utf-8")
        download(
            url,
            local,
            data=urllib.parse.urlencode({"data": query}).encode(),
            retry=ctx.retry,
            progress=ctx.progress,
            label=f"OSM {theme}",
            by_hand=f"or run the query in {query_file} on {url} (e.g. curl --data-urlencode "
            f"data@{query_file} {url}) and save the answer as {local}",
        )
        write_record(local, url=url, query=query)
    try:
        answer = json.loads(local.read_text("utf-8"))
    except ValueError as err:
        local.unlink(missing_ok=True)
        raise DownloadError(
            describe(
                url,
                f"answered the {theme} query with something that is not JSON ({err})",
                "rerun `siting fetch` later (the Overpass server may be overloaded)",
            )
        ) from None
    remark = str(answer.get("remark", ""))
    if "error" in remark.lower():
        local.unlink(missing_ok=True)
        raise DownloadError(
            describe(
                url,
                f"could not run the {theme} query: {remark}",
                "rerun later, or fetch a smaller AOI (fewer features per query)",
            )
        )
    return answer, cached, url


def fetch_osm(
    ctx: FetchContext, bounds: tuple[float, float, float, float], *, timeout_s: int = 180
) -> Product:
    """Roads, power lines, substations, protected areas and the grid connection layer.

    Parameters
    ----------
    ctx : FetchContext
        Cache and transfer settings.
    bounds : tuple of float
        West, south, east, north, degrees (the AOI plus the vector margin).
    timeout_s : int
        Overpass server-side timeout of each query, s.
    """
    files, frames, counts, cached_all, url = {}, {}, {}, True, ""
    key = product_key(bounds=bounds, base=ctx.sources["osm"]["base_url"], version=PRODUCT_VERSION)
    folder = ctx.cache.product_dir(key)
    for theme, spec in THEMES.items():
        answer, cached, url = _answer(ctx, theme, bounds, timeout_s)
        cached_all &= cached
        frames[theme] = elements_to_frame(answer, theme)
        counts[theme] = len(frames[theme])
        files[theme] = write_layer(
            frames[theme], folder / f"osm_{theme}.gpkg", theme, spec.geometry
        )
    lines = frames["power_lines"]
    grid = gpd.GeoDataFrame(
        gpd.pd.concat([frames["substations"], lines[lines["kind"] == "line"]], ignore_index=True),
        crs=WGS84,
    )
    counts["grid_connection"] = len(grid)
    files["grid_connection"] = write_layer(
        grid, folder / "osm_grid_connection.gpkg", "grid_connection", "Unknown"
    )
    for path in files.values():
        write_record(path, key=key)
    notes = [f"OSM has no {t.replace('_', ' ')} near the AOI" for t, n in counts.items() if n == 0]
    return Product("osm", "osm", files, [url], cached_all, notes, {"features": counts})
