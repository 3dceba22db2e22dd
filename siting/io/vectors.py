"""Vectors: read input layers near the grid, the AOI polygon, and siting's own vector files.

Every problem with an input (missing, unreadable, no CRS) becomes an
:class:`~siting.errors.InputDataError` naming the file, the problem and the fix.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from pyproj import CRS

from siting.errors import InputDataError, InputNotFoundError, MissingCRSError, describe
from siting.grid import WGS84, Grid, reproject_geometry


def read_vector(
    path: str | Path,
    grid: Grid,
    *,
    margin_m: float = 0.0,
    where: str | None = None,
    name: str = "layer",
) -> gpd.GeoDataFrame:
    """Read the features of a vector file near the grid, reprojected to the grid CRS.

    Parameters
    ----------
    path : str or pathlib.Path
        Any vector format OGR reads (GeoJSON, GeoPackage, Shapefile, ...).
    grid : Grid
        Analysis grid; features within ``margin_m`` of its bounds are read.
    margin_m : float
        Margin around the grid in metres, so features just outside the AOI still count.
    where : str, optional
        OGR SQL attribute filter.
    name : str
        Layer name used in error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        In the grid CRS; empty when no feature lies near the grid.
    """
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(
            what=str(path),
            problem="file not found",
            fix=f"check layers.vectors.{name}.path in the scenario",
        )
    try:
        info = pyogrio.read_info(path)
    except Exception as err:  # pyogrio raises several DataSourceError subclasses
        raise InputDataError(
            describe(
                str(path),
                f"cannot be read as a vector layer ({err})",
                "give a GeoJSON, GeoPackage or another format OGR reads",
            )
        ) from None
    if info.get("crs") is None:
        raise MissingCRSError(
            what=str(path),
            problem="has no CRS",
            fix="save it with its CRS (GeoJSON is WGS84 by definition)",
        )
    layer_crs = CRS.from_user_input(info["crs"])
    left, bottom, right, top = grid.bounds
    box = shapely.box(left - margin_m, bottom - margin_m, right + margin_m, top + margin_m)
    bbox = reproject_geometry(box, grid.crs, layer_crs).bounds
    try:
        frame = gpd.read_file(path, engine="pyogrio", bbox=bbox, where=where)
    except Exception as err:
        raise InputDataError(
            describe(
                str(path),
                f"cannot be read ({err})",
                f"check the file and layers.vectors.{name}.where",
            )
        ) from None
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return frame.to_crs(grid.crs)


def points_frame(points: list[tuple[str, float, float]], grid: Grid) -> gpd.GeoDataFrame:
    """Named lon/lat points as a GeoDataFrame in the grid CRS."""
    names, lons, lats = zip(*points, strict=True) if points else ((), (), ())
    frame = gpd.GeoDataFrame(
        {"name": list(names)}, geometry=gpd.points_from_xy(lons, lats), crs=WGS84
    )
    return frame.to_crs(grid.crs)


def read_aoi_polygon(path: str | Path) -> shapely.Geometry:
    """Union of the polygons in a vector file, in WGS84 lon/lat (for the AOI)."""
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(what=str(path), problem="file not found", fix="check aoi.polygon")
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as err:
        raise InputDataError(
            describe(str(path), f"cannot be read ({err})", "give a polygon GeoJSON or GeoPackage")
        ) from None
    if frame.crs is None:
        raise MissingCRSError(what=str(path), problem="has no CRS", fix="save the AOI with its CRS")
    polygons = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise InputDataError(
            describe(str(path), "holds no polygon", "give the AOI as a polygon layer")
        )
    return shapely.union_all(polygons.to_crs(WGS84).geometry.values)


def read_layer(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a vector file written by siting."""
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as err:
        raise InputDataError(
            describe(str(path), f"cannot read layer {layer!r} ({err})", "rerun `siting run`")
        ) from None
