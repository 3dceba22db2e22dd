"""Field exports of candidate sites (and wind turbines): GeoJSON, GeoPackage, KML and GPX.

Each format carries what a field team needs to find and judge a site: its id, rank, area, what
it is for (species, or turbines and megawatts), the soum, and access (nearest settlement and
distance, distance to the grid connection or road), with the caveat that these are screening
estimates. GPX gives each site as a waypoint at a point guaranteed to lie inside its polygon
(``shapely.point_on_surface``) with a map symbol, its boundary as a track, and each turbine as
a waypoint. KML outlines sites in a colour per use and names its fields in words.

Text from input data (soum and settlement names) is text in every format: characters XML 1.0
cannot carry (control characters) are dropped, and KML descriptions, which Google Earth renders
as HTML, are HTML-escaped.
"""

from __future__ import annotations

import html
import re
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

#: The caveat every exported description ends with.
CAVEAT = "Screening estimate from regional data: check on the ground."

#: Garmin waypoint symbols (``<sym>``) per use; most GPS units and apps know these names.
GPX_SYMBOLS = {"reforestation": "Forest", "wind": "Flag, Blue", "wind turbine": "Tall Tower"}

#: KML styles per use (OGR feature style strings): site outlines green or blue, unfilled so that
#: the imagery underneath stays visible; turbines keep the viewer's default pin (no online icon).
KML_STYLES = {
    "reforestation": "PEN(c:#1b5e20,w:3px)",
    "wind": "PEN(c:#0d47a1,w:3px)",
    "wind turbine": None,
}

#: Site columns a KML placemark shows, with the label Google Earth displays.
KML_FIELDS = {
    "use": "Use",
    "rank": "Rank",
    "area_ha": "Area (ha)",
    "score_mean": "Suitability (0-1)",
    "species": "Species",
    "n_turbines": "Turbines",
    "capacity_mw": "Capacity (MW)",
    "soum": "Soum",
    "nearest_settlement": "Nearest settlement",
    "settlement_distance_km": "Settlement distance (km)",
    "grid_distance_km": "Grid connection distance (km)",
    "road_distance_km": "Road distance (km)",
    "turbine_id": "Turbine",
    "model": "Model",
    "hub_height_m": "Hub height (m)",
}

# XML 1.0 allows tab, newline, carriage return and U+0020 upwards, except the surrogates and
# U+FFFE/U+FFFF (XML 1.0, 5th ed., sec. 2.2).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry: control characters and non-characters dropped."""
    return _NOT_XML.sub("", str(value))


def _species_name(key: str) -> str:
    """The common name of a species key (the key itself when it is not in the library)."""
    from siting.io.species import known_species, load_species

    return load_species(key).common_name if key in known_species() else key


def _present(site, column: str) -> bool:
    value = site.get(column) if hasattr(site, "get") else None
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""


def field_notes(site, use: str = "") -> str:
    """What a field team reads about a site, in words with units.

    Parameters
    ----------
    site : mapping or pandas.Series
        One site: ``site_id``, ``rank``, ``area_ha`` and any of ``score_mean``, ``species``,
        ``n_turbines``, ``capacity_mw``, ``soum``, ``nearest_settlement`` with
        ``settlement_distance_km``, ``grid_distance_km``, ``road_distance_km``.
    use : str
        ``"reforestation"`` or ``"wind"`` (empty: a generic "Site").
    """
    label = {"reforestation": "Reforestation site", "wind": "Wind site"}.get(use, "Site")
    what = [f"{site['area_ha']:,.0f} ha"]
    if _present(site, "species"):
        what.append(_species_name(str(site["species"])))
    if _present(site, "n_turbines") and int(site["n_turbines"]) > 0:
        megawatts = f" ({site['capacity_mw']:,.0f} MW)" if _present(site, "capacity_mw") else ""
        what.append(f"{int(site['n_turbines'])} turbines{megawatts}")
    if _present(site, "score_mean"):
        what.append(f"suitability {site['score_mean']:.2f}")
    access = []
    if _present(site, "soum"):
        access.append(f"soum {site['soum']}")
    if _present(site, "nearest_settlement"):
        access.append(f"{site['settlement_distance_km']:.1f} km from {site['nearest_settlement']}")
    if _present(site, "grid_distance_km"):
        access.append(f"{site['grid_distance_km']:.1f} km to the grid connection")
    if _present(site, "road_distance_km"):
        access.append(f"{site['road_distance_km']:.1f} km to a road")
    text = f"{label} {site['site_id']} (rank {site['rank']}): {', '.join(what)}."
    if access:
        joined = "; ".join(access)
        text += f" {joined[0].upper()}{joined[1:]}."
    return xml_text(f"{text} {CAVEAT}")


def turbine_notes(turbine) -> str:
    """What a field team reads about one turbine position."""
    return xml_text(
        f"Wind turbine {turbine['turbine_id']} of site {turbine['site_id']}: {turbine['model']}, "
        f"{turbine['rated_kw'] / 1000:,.1f} MW at {turbine['hub_height_m']:.0f} m hub height, "
        f"about {turbine['aep_mwh']:,.0f} MWh a year (P50). {CAVEAT}"
    )


def field_frame(sites: gpd.GeoDataFrame, use: str) -> gpd.GeoDataFrame:
    """Sites with ``use``, ``Name`` and ``Description`` columns, in WGS84."""
    frame = sites.to_crs(WGS84).copy()
    frame.insert(0, "use", use)
    frame["Name"] = [xml_text(s) for s in frame["site_id"]]
    frame["Description"] = [field_notes(row, use) for _, row in frame.iterrows()]
    return frame


def turbine_frame(turbines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turbine positions with ``use``, ``Name`` and ``Description``, in WGS84."""
    frame = turbines.to_crs(WGS84).copy()
    frame.insert(0, "use", "wind turbine")
    frame["Name"] = [xml_text(t) for t in frame["turbine_id"]]
    frame["Description"] = [turbine_notes(row) for _, row in frame.iterrows()]
    return frame


def gpx_document(frames: dict[str, gpd.GeoDataFrame]) -> str:
    """GPX 1.1: a waypoint inside each site, its boundary as a track, turbines as waypoints.

    GDAL's GPX driver writes one layer per pass and cannot append, so waypoints and tracks
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
                    name=site["Name"],
                    description=site["Description"],
                    symbol=GPX_SYMBOLS.get(use),
                    type=use,
                )
            )
            if site.geometry.geom_type == "Point":
                continue
            polygons = getattr(site.geometry, "geoms", [site.geometry])
            track = gpxpy.gpx.GPXTrack(
                name=f"{site['Name']} boundary", description=site["Description"]
            )
            track.type = f"{use} site boundary"
            for polygon in polygons:
                segment = gpxpy.gpx.GPXTrackSegment()
                for lon, lat in polygon.exterior.coords:
                    segment.points.append(
                        gpxpy.gpx.GPXTrackPoint(latitude=round(lat, 7), longitude=round(lon, 7))
                    )
                track.segments.append(segment)
            gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")


def kml_frame(frames: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """One frame for KML: readable field names, an OGR style per use, HTML-escaped texts.

    Google Earth renders a placemark's description as HTML, so the description is escaped for
    HTML here (GDAL then escapes it once more for XML).
    """
    parts = []
    for use, frame in frames.items():
        shown = [c for c in KML_FIELDS if c in frame.columns]
        part = frame[["Name", "Description", *shown, "geometry"]].copy()
        part["Description"] = [html.escape(d) for d in part["Description"]]
        for column in shown:
            if part[column].dtype == object:
                part[column] = [xml_text(v) if isinstance(v, str) else v for v in part[column]]
        if KML_STYLES[use] is not None:
            part["OGR_STYLE"] = KML_STYLES[use]
        parts.append(part.rename(columns=KML_FIELDS))
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)


def format_for(out: str | Path | None, fmt: str | None) -> str:
    """The export format: ``fmt``, or the one the output file's extension names.

    Raises
    ------
    ParameterError
        If neither names a field format, or the file has another extension than ``fmt``'s
        (a file without an extension takes ``fmt``).
    """
    by_suffix = {suffix: name for name, suffix in FORMATS.items()}
    inferred = by_suffix.get(Path(out).suffix.lower()) if out is not None else None
    if fmt is not None and fmt not in FORMATS:
        raise ParameterError(
            describe(
                "--format", f"{fmt!r} is not a field format", f"use one of {', '.join(FORMATS)}"
            )
        )
    if fmt is None and inferred is None:
        raise ParameterError(
            describe(
                str(out) if out is not None else "siting export",
                "names no field format",
                f"give --format ({', '.join(FORMATS)}) or an --out file ending in "
                f"{', '.join(FORMATS.values())}",
            )
        )
    if fmt is not None and out is not None and Path(out).suffix and inferred != fmt:
        raise ParameterError(
            describe(
                str(out),
                f"does not end in {FORMATS[fmt]}, the extension of --format {fmt}",
                f"name the file *{FORMATS[fmt]} or drop --format to use its extension",
            )
        )
    return fmt or inferred


def export_sites(
    sites: dict[str, gpd.GeoDataFrame],
    fmt: str,
    out: str | Path,
    turbines: gpd.GeoDataFrame | None = None,
) -> Path:
    """Write candidate sites (and turbines) for the field in one format, atomically.

    Parameters
    ----------
    sites : dict of str to geopandas.GeoDataFrame
        Sites per land use (any CRS).
    fmt : {"geojson", "gpkg", "kml", "gpx"}
        Output format.
    out : str or pathlib.Path
        Output file.
    turbines : geopandas.GeoDataFrame, optional
        Turbine points (``turbine_id``, ``site_id``, ``model``, ``rated_kw``, ``hub_height_m``,
        ``aep_mwh``); exported with the sites (a ``turbines`` layer in a GeoPackage).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    fmt = format_for(out, fmt)
    frames = {use: field_frame(frame, use) for use, frame in sites.items()}
    if turbines is not None and not turbines.empty:
        frames["wind turbine"] = turbine_frame(turbines)
    out = Path(out)
    with io.atomic_path(out) as temporary:
        if fmt == "gpx":
            io.write_text(gpx_document(frames), temporary)
        elif fmt == "gpkg":
            layers = {
                ("turbines" if use == "wind turbine" else use): f for use, f in frames.items()
            }
            io.write_geopackage(layers, temporary)
        elif fmt == "kml":
            io.write_kml(kml_frame(frames), temporary)
        else:
            combined = gpd.GeoDataFrame(pd.concat(frames.values(), ignore_index=True), crs=WGS84)
            io.write_geojson(combined, temporary)
    return out
