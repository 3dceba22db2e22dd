"""Vectors: read input layers near the grid, the AOI polygon, and siting's own vector files.

Every problem with an input (missing, unreadable, no CRS) becomes an
:class:`~siting.errors.InputDataError` naming the file, the problem and the fix.
"""

from __future__ import annotations

import warnings
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
    layer: str | None = None,
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
    layer : str, optional
        Layer of a file holding several (``layers.vectors.<name>.layer``); required then.

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
        layer = choose_layer(path, layer, f"layers.vectors.{name}.layer")
        info = pyogrio.read_info(path, layer=layer)
    except InputDataError:
        raise
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
        frame = gpd.read_file(path, engine="pyogrio", bbox=bbox, where=where, layer=layer)
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


def choose_layer(path: Path, layer: str | None, field: str) -> str | None:
    """The layer to read: ``layer`` if the file holds it; refused when several and none named."""
    names = [str(row[0]) for row in pyogrio.list_layers(path)]
    if layer is not None:
        if layer not in names:
            raise InputDataError(
                describe(
                    f"{field} ({path})",
                    f"no layer {layer!r}; it holds {names}",
                    f"set {field} to one of them",
                )
            )
        return layer
    if len(names) > 1:
        raise InputDataError(
            describe(
                f"{path}", f"holds {len(names)} layers {names}", f"name the one to read in {field}"
            )
        )
    return None


def _check_lonlat(aoi: shapely.Geometry, path: Path) -> None:
    """Refuse AOI coordinates outside lon [-180, 180], lat [-90, 90] (mislabelled WGS84)."""
    left, bottom, right, top = aoi.bounds
    if left < -180 or right > 180 or bottom < -90 or top > 90:
        raise InputDataError(
            describe(
                str(path),
                f"its coordinates ({left:.6g}, {bottom:.6g}, {right:.6g}, {top:.6g}) are not "
                "longitude/latitude although its CRS says so",
                "save the AOI with the CRS its coordinates are really in (e.g. its UTM zone)",
            )
        )


def points_frame(points: list[tuple[str, float, float]], grid: Grid) -> gpd.GeoDataFrame:
    """Named lon/lat points as a GeoDataFrame in the grid CRS."""
    names, lons, lats = zip(*points, strict=True) if points else ((), (), ())
    frame = gpd.GeoDataFrame(
        {"name": list(names)}, geometry=gpd.points_from_xy(lons, lats), crs=WGS84
    )
    return frame.to_crs(grid.crs)


def read_aoi_polygon(path: str | Path, layer: str | None = None) -> shapely.Geometry:
    """Union of the polygons in a vector file, in WGS84 lon/lat (for the AOI).

    An invalid polygon (e.g. self-intersecting) is repaired with :func:`shapely.make_valid`
    and a warning; coordinates that cannot be lon/lat in a file labelled WGS84 are refused.
    """
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(what=str(path), problem="file not found", fix="check aoi.polygon")
    layer = choose_layer(path, layer, "aoi.layer")
    try:
        frame = gpd.read_file(path, engine="pyogrio", layer=layer)
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
    if CRS.from_user_input(polygons.crs).is_geographic:
        _check_lonlat(shapely.union_all(polygons.geometry.values), path)
    geometries = polygons.to_crs(WGS84).geometry.values
    invalid = ~shapely.is_valid(geometries)
    if invalid.any():
        reason = shapely.is_valid_reason(geometries[invalid][0])
        warnings.warn(
            f"{path}: {int(invalid.sum())} invalid AOI polygon(s) ({reason}) repaired with "
            "shapely.make_valid; check the AOI on the map",
            UserWarning,
            stacklevel=2,
        )
        geometries = shapely.make_valid(geometries)
    aoi = shapely.union_all(geometries)
    if aoi.is_empty or aoi.area == 0:
        raise InputDataError(describe(str(path), "its AOI polygon has no area", "redraw the AOI"))
    return aoi


def read_layer(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a vector file written by siting."""
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as err:
        raise InputDataError(
            describe(str(path), f"cannot read layer {layer!r} ({err})", "rerun `siting run`")
        ) from None
