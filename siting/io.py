"""Disk access: read rasters onto the grid, read vectors, write results atomically.

This is the only module that opens files. Readers turn every problem with an input (missing,
unreadable, no CRS, no overlap with the AOI) into an :class:`~siting.errors.InputDataError`
naming the file, the problem and the fix. Writers never modify inputs; whole output folders
are staged beside their destination and moved into place only when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import rioxarray
import shapely
import xarray as xr
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.vrt import WarpedVRT

from siting.errors import InputDataError, InputNotFoundError, MissingCRSError, describe
from siting.grid import WGS84, Grid, reproject_geometry

#: Marker file of a complete results folder; a folder holding it may be replaced by a new run.
RUN_MANIFEST = "run.json"

_METRES_PER_DEGREE = 111_320.0  # length of one degree of latitude (and longitude at the equator)


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Rasters


def choose_resampling(kind: str, source_cell_m: float, target_cell_m: float) -> Resampling:
    """Resampling for aligning a raster onto a grid.

    Categorical layers keep their classes: the most frequent class (mode) when several
    source cells fall in one target cell, else the nearest one. Continuous layers are
    averaged when coarsened and interpolated bilinearly when refined.

    Parameters
    ----------
    kind : {"continuous", "categorical"}
        Kind of layer.
    source_cell_m, target_cell_m : float
        Cell sizes in metres of the source raster and the grid.
    """
    coarsening = source_cell_m < target_cell_m
    if kind == "categorical":
        return Resampling.mode if coarsening else Resampling.nearest
    return Resampling.average if coarsening else Resampling.bilinear


def _cell_size_m(src: rasterio.DatasetReader, grid: Grid) -> float:
    """Approximate source cell size in metres (the smaller edge), for choosing resampling."""
    xres, yres = (abs(r) for r in src.res)
    if src.crs.is_geographic:
        lat = math.radians(sum(grid.bounds_lonlat()[1::2]) / 2)
        return min(xres * _METRES_PER_DEGREE * math.cos(lat), yres * _METRES_PER_DEGREE)
    return min(xres, yres) * src.crs.linear_units_factor[1]


def open_raster_on_grid(
    path: str | Path,
    grid: Grid,
    *,
    kind: str = "continuous",
    band: int = 1,
    name: str = "layer",
    units: str = "",
) -> xr.DataArray:
    """Open a raster aligned onto the grid, lazily, in dask chunks.

    GDAL warps each chunk on demand through a WarpedVRT (the source file is read, never
    written). The source's own CRS is used as it is, whatever its ellipsoid and axis order.

    Parameters
    ----------
    path : str or pathlib.Path
        A raster file GDAL can read.
    grid : Grid
        Target grid.
    kind : {"continuous", "categorical"}
        Continuous layers come back as float32 with NaN for nodata; categorical ones keep
        their integer dtype with the nodata value in ``attrs["nodata"]``.
    band : int
        1-based band number.
    name, units : str
        Name and units of the returned array.

    Returns
    -------
    xarray.DataArray
        Dims ``("y", "x")`` on the grid, dask-backed.

    Raises
    ------
    InputDataError
        Missing or unreadable file, no CRS, missing band, or no overlap with the AOI.
    """
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(
            what=str(path),
            problem="file not found",
            fix=f"check layers.rasters.{name}.path in the scenario",
        )
    try:
        src = rasterio.open(path)
    except RasterioIOError as err:
        raise InputDataError(
            describe(
                str(path),
                f"cannot be read as a raster ({err})",
                "give a GeoTIFF or another format GDAL reads",
            )
        ) from None
    with src:
        _check_source(src, path, grid, band, name)
        resampling = choose_resampling(kind, _cell_size_m(src, grid), grid.cell_size_m)
        nodata = src.nodatavals[band - 1]
        if nodata is None:
            nodata = np.nan if kind == "continuous" else _default_nodata(src.dtypes[band - 1])
        vrt = WarpedVRT(
            src,
            crs=grid.crs,
            transform=grid.transform,
            width=grid.width,
            height=grid.height,
            resampling=resampling,
            src_nodata=nodata,
            nodata=nodata,
        )
        with vrt:
            da = rioxarray.open_rasterio(
                vrt, chunks=grid.chunk_cells, masked=kind == "continuous", lock=False
            )
    da = da.sel(band=band, drop=True)
    if kind == "continuous":
        da = da.astype("float32")
        da.attrs.pop("_FillValue", None)
    da.encoding = {}
    da.attrs = {
        "units": units,
        "kind": kind,
        "resampling": resampling.name,
        "source_file": str(path),
    }
    if kind == "categorical":
        da.attrs["nodata"] = nodata
    # Exact grid coordinates (avoid rounding drift from the VRT's own transform).
    da = da.assign_coords(x=grid.x, y=grid.y).rename(name)
    return da.rio.write_crs(grid.crs).rio.write_transform(grid.transform)


def _default_nodata(dtype: str) -> int:
    return int(np.iinfo(np.dtype(dtype)).max)


def _check_source(src, path: Path, grid: Grid, band: int, name: str) -> None:
    if src.crs is None:
        raise MissingCRSError(
            what=str(path),
            problem="has no CRS",
            fix="assign one without changing the data, e.g. "
            "`gdal_edit.py -a_srs EPSG:4326 FILE` on a copy",
        )
    if band > src.count:
        raise InputDataError(
            describe(
                str(path),
                f"has {src.count} band(s), band {band} was asked for",
                f"set layers.rasters.{name}.band to 1..{src.count}",
            )
        )
    footprint = reproject_geometry(shapely.box(*src.bounds), CRS(src.crs), grid.crs)
    if not footprint.intersects(grid.aoi):
        lon_lat = reproject_geometry(shapely.box(*src.bounds), CRS(src.crs), WGS84).bounds
        raise InputDataError(
            describe(
                str(path),
                f"covers lon/lat {_fmt_bounds(lon_lat)}, which does not overlap the AOI "
                f"{_fmt_bounds(grid.bounds_lonlat())}",
                "give a raster covering the AOI, or move aoi.bbox_lonlat onto the data",
            )
        )


def _fmt_bounds(bounds) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in bounds) + "]"


# --------------------------------------------------------------------------------------------
# Vectors


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


# --------------------------------------------------------------------------------------------
# Writers (into a staging folder; see staged_output_dir)


def write_cog(da: xr.DataArray, path: str | Path) -> Path:
    """Write a raster as a Cloud-Optimized GeoTIFF (deflate, internal overviews).

    Parameters
    ----------
    da : xarray.DataArray
        Raster with CRS; booleans are written as uint8 (1 = true).
    path : str or pathlib.Path
        Destination ``.tif``.
    """
    path = Path(path)
    data = da.astype("uint8") if da.dtype == bool else da.copy()
    for key in ("nodata", "_FillValue"):
        data.attrs.pop(key, None)
    data.encoding = {}
    data = data.rio.write_nodata(np.nan if data.dtype.kind == "f" else None, encoded=False)
    data.rio.to_raster(path, driver="COG", compress="DEFLATE", blocksize=512)
    return path


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path, layer: str = "sites") -> Path:
    """Write RFC 7946 GeoJSON: WGS84 lon/lat, counter-clockwise exterior rings.

    GDAL's ``RFC7946=YES`` layer option reprojects to WGS84, fixes the winding order, writes
    at most 7 decimals and no ``crs`` member.
    """
    path = Path(path)
    frame.to_crs(WGS84).to_file(
        path, layer=layer, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "YES"}
    )
    return path


def write_geopackage(layers: Mapping[str, gpd.GeoDataFrame], path: str | Path) -> Path:
    """Write several layers into one GeoPackage (one table per layer)."""
    path = Path(path)
    for layer, frame in layers.items():
        frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def write_json(data: object, path: str | Path) -> Path:
    """Write indented UTF-8 JSON."""
    path = Path(path)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")
    return path


@contextlib.contextmanager
def staged_output_dir(out_dir: str | Path, protected: list[Path] = ()) -> Iterator[Path]:
    """Yield an empty staging folder that replaces ``out_dir`` only if the block succeeds.

    The staging folder sits beside ``out_dir`` (same file system), so the final move is a
    rename. A failed or interrupted run leaves ``out_dir`` as it was and removes the staging
    folder. An existing ``out_dir`` is replaced only if it is a previous results folder
    (it holds ``run.json``) or is empty.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Final results folder.
    protected : list of pathlib.Path
        Input files and folders the results folder must not contain or replace.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    check_output_dir(out_dir, protected)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        yield staging
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_output_dir(out_dir: str | Path, protected=()) -> None:
    """Refuse a results folder that would overwrite inputs or a folder that is not ours.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Intended results folder.
    protected : iterable of pathlib.Path
        Input files the folder must not contain or be.

    Raises
    ------
    InputDataError
        When the folder holds an input, is a file, or is a non-empty folder without ``run.json``.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    for item in protected:
        item = Path(item).resolve()
        if out_dir == item or out_dir in item.parents:
            raise InputDataError(
                describe(
                    str(out_dir),
                    f"would overwrite the input {item}",
                    "choose another output folder (--out)",
                )
            )
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists())
    if existing != out_dir and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        raise InputDataError(
            describe(str(out_dir), f"cannot be created under {existing}",
                     "choose a folder you can write to for --out")
        )  # fmt: skip
    if out_dir.exists():
        if not out_dir.is_dir():
            raise InputDataError(
                describe(str(out_dir), "exists and is a file", "choose a folder for --out")
            )
        if any(out_dir.iterdir()) and not (out_dir / RUN_MANIFEST).exists():
            raise InputDataError(
                describe(
                    str(out_dir),
                    "is not empty and holds no earlier siting results",
                    "choose a new or empty folder for --out",
                )
            )


def _replace_dir(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, retired / out_dir.name)
    os.replace(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


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


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds.

    A failed or interrupted write leaves no half-written file under the final name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    os.unlink(temporary)  # writers (GDAL) create the file themselves
    temporary = Path(temporary)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_kml(frame: gpd.GeoDataFrame, path: str | Path, layer: str = "sites") -> Path:
    """Write KML 2.2 (WGS84) with GDAL: ``Name`` and ``Description`` become placemark texts."""
    path = Path(path)
    frame.to_crs(WGS84).to_file(path, layer=layer, driver="KML", engine="pyogrio")
    return path


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text."""
    path = Path(path)
    path.write_text(text, "utf-8")
    return path


def read_layer(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a vector file written by siting."""
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as err:
        raise InputDataError(
            describe(str(path), f"cannot read layer {layer!r} ({err})", "rerun `siting run`")
        ) from None


def open_raster(path: str | Path) -> xr.DataArray:
    """Open a single-band raster written by siting (floats: nodata as NaN)."""
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(what=str(path), problem="file not found", fix="rerun `siting run`")
    da = rioxarray.open_rasterio(path, masked=True).squeeze("band", drop=True)
    return da.rename(path.stem)


def raster_description(path: str | Path) -> str:
    """Short description of a raster file's grid, e.g. ``0.0833 x 0.0833 degree, 42 x 39``."""
    with rasterio.open(path) as src:
        units = "degree" if src.crs and src.crs.is_geographic else "m"
        xres, yres = (abs(r) for r in src.res)
        crs = CRS(src.crs) if src.crs else None
        if crs is None:
            label = "no CRS"
        elif crs.to_epsg():
            label = f"EPSG:{crs.to_epsg()}"
        else:
            label = f"{crs.type_name}, {crs.ellipsoid.name} ellipsoid"
        return f"{xres:.4g} x {yres:.4g} {units} cells, {src.width} x {src.height}, {label}"
