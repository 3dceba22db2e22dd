"""Field exports of candidate sites: GeoJSON, GeoPackage, KML and GPX.

Each format carries what a field team needs to find and judge a site: its id, rank, area,
score, the soum, and access notes (nearest settlement and distance, distance to the grid
connection or road). GPX gives each site as a waypoint at a point guaranteed to lie inside its
polygon (``shapely.point_on_surface``) and its boundary as a route.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import gpxpy
import gpxpy.gpx
import pandas as pd
import shapely

from siting import io
from siting.errors import ParameterError, describe
from siting.grid import WGS84

FORMATS = {"geojson": ".geojson", "gpkg": ".gpkg", "kml": ".kml", "gpx": ".gpx"}


def field_notes(site: pd.Series) -> str:
    """One-line description of a site for a field team."""
    parts = [f"{site['site_id']}", f"rank {site['rank']}", f"{site['area_ha']:.0f} ha"]
    if "score_mean" in site:
        parts.append(f"score {site['score_mean']:.2f}")
    if site.get("soum"):
        parts.append(f"soum {site['soum']}")
    if site.get("nearest_settlement"):
        parts.append(f"{site['settlement_distance_km']:.1f} km from {site['nearest_settlement']}")
    if "grid_distance_km" in site and pd.notna(site["grid_distance_km"]):
        parts.append(f"{site['grid_distance_km']:.1f} km to grid connection")
    if "road_distance_km" in site and pd.notna(site["road_distance_km"]):
        parts.append(f"{site['road_distance_km']:.1f} km to road")
    return "; ".join(parts)


def field_frame(sites: gpd.GeoDataFrame, use: str) -> gpd.GeoDataFrame:
    """Sites with ``use``, ``Name`` and ``Description`` columns, in WGS84."""
    frame = sites.to_crs(WGS84).copy()
    frame.insert(0, "use", use)
    frame["Name"] = frame["site_id"]
    frame["Description"] = [field_notes(row) for _, row in frame.iterrows()]
    return frame


def gpx_document(frames: dict[str, gpd.GeoDataFrame]) -> str:
    """GPX 1.1: a waypoint inside each site and its boundary as a route.

    GDAL's GPX driver writes one layer per pass and cannot append, so waypoints and routes
    could not share a file through it; gpxpy writes both.
    """
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "siting"
    for use, frame in frames.items():
        for _, site in frame.iterrows():
            inside = shapely.point_on_surface(site.geometry)
            gpx.waypoints.append(
                gpxpy.gpx.GPXWaypoint(
                    latitude=round(inside.y, 7),
                    longitude=round(inside.x, 7),
                    name=site["site_id"],
                    description=site["Description"],
                    type=use,
                )
            )
            polygons = getattr(site.geometry, "geoms", [site.geometry])
            for part, polygon in enumerate(polygons, start=1):
                route = gpxpy.gpx.GPXRoute(
                    name=f"{site['site_id']} boundary" + (f" {part}" if len(polygons) > 1 else ""),
                    description=site["Description"],
                )
                for lon, lat in polygon.exterior.coords:
                    route.points.append(
                        gpxpy.gpx.GPXRoutePoint(latitude=round(lat, 7), longitude=round(lon, 7))
                    )
                gpx.routes.append(route)
    return gpx.to_xml(version="1.1")


def export_sites(sites: dict[str, gpd.GeoDataFrame], fmt: str, out: str | Path) -> Path:
    """Write candidate sites for the field in one format, atomically.

    Parameters
    ----------
    sites : dict of str to geopandas.GeoDataFrame
        Sites per land use (any CRS).
    fmt : {"geojson", "gpkg", "kml", "gpx"}
        Output format.
    out : str or pathlib.Path
        Output file.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    if fmt not in FORMATS:
        raise ParameterError(
            describe(
                "--format", f"{fmt!r} is not a field format", f"use one of {', '.join(FORMATS)}"
            )
        )
    frames = {use: field_frame(frame, use) for use, frame in sites.items()}
    out = Path(out)
    with io.atomic_path(out) as temporary:
        if fmt == "gpx":
            io.write_text(gpx_document(frames), temporary)
        elif fmt == "gpkg":
            io.write_geopackage(frames, temporary)
        else:
            combined = gpd.GeoDataFrame(pd.concat(frames.values(), ignore_index=True), crs=WGS84)
            writer = io.write_geojson if fmt == "geojson" else io.write_kml
            writer(combined, temporary)
    return out
