"""Rasters: open an input raster aligned onto the grid, open and describe siting's own rasters.

Every problem with an input raster (missing, unreadable, no CRS, missing band, no overlap with
the AOI) becomes an :class:`~siting.errors.InputDataError` naming the file, the problem and the
fix. Inputs are read, never written.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
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

_METRES_PER_DEGREE = 111_320.0  # length of one degree of latitude (and longitude at the equator)


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
        if kind == "categorical" and np.dtype(src.dtypes[band - 1]).kind == "f":
            raise InputDataError(
                describe(
                    f"layers.rasters.{name} ({path})",
                    f"is declared categorical but holds {src.dtypes[band - 1]} values",
                    f"set layers.rasters.{name}.kind: continuous, or give an integer class raster",
                )
            )
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
