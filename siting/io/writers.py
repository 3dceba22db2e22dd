"""Writers of result files: COG rasters, GeoJSON, GeoPackage, KML, JSON and text.

They write where they are told (a staging folder, see :mod:`siting.io.results_dir`) and never
modify inputs; :func:`atomic_path` gives a single file the same all-or-nothing guarantee.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import xarray as xr

from siting.grid import WGS84


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


#: Nodata of written rasters of booleans: cells outside the area of interest.
BOOLEAN_NODATA = 255


def write_cog(da: xr.DataArray, path: str | Path, inside: xr.DataArray | None = None) -> Path:
    """Write a raster as a Cloud-Optimized GeoTIFF (deflate, 512 px tiles, overviews).

    The band carries the raster's ``units`` and ``long_name`` (GDAL band unit and
    description); its other attributes become dataset tags. Written with rasterio's COG driver
    directly because rioxarray stores ``units`` as a tag only, which GIS tools do not show.

    Parameters
    ----------
    da : xarray.DataArray
        Raster with CRS; booleans are written as uint8 (1 = true, 0 = false).
    path : str or pathlib.Path
        Destination ``.tif``.
    inside : xarray.DataArray of bool, optional
        Cells that hold data (the area of interest); the others are written as nodata
        (NaN for floats, :data:`BOOLEAN_NODATA` for booleans).
    """
    import rasterio

    path = Path(path)
    if _is_dask(da.data) and da.size > IN_MEMORY_WRITE_CELLS:
        return _write_cog_streamed(da, path, inside)
    values = np.asarray(da.values)
    nodata = _nodata_for(values.dtype, inside)
    if values.dtype == bool:
        values = values.astype("uint8")
    if inside is not None:
        outside = ~np.asarray(inside.values, dtype=bool)
        values = values.copy()
        values[outside] = nodata if nodata is not None else 0
    attrs = {k: v for k, v in da.attrs.items() if k not in ("nodata", "_FillValue")}
    profile = {
        "driver": "COG", "width": values.shape[1], "height": values.shape[0], "count": 1,
        "dtype": values.dtype.name, "crs": da.rio.crs, "transform": da.rio.transform(),
        "nodata": nodata, "compress": "DEFLATE", "blocksize": 512,
        "num_threads": COMPRESS_THREADS,
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as target:
        target.write(values, 1)
        _describe_band(target, attrs)
    return path


#: Threads GDAL's COG driver compresses tiles with (its NUM_THREADS creation option); the
#: pixels do not change, only the wall time of the DEFLATE pass.
COMPRESS_THREADS = "ALL_CPUS"

#: Rasters of more cells than this (dask-backed) are written chunk by chunk, not in one array.
#: A design bound, not a literature value: 16 Mpx of float32 is 64 MB held at once (plus the
#: mask), the size above which a run streams by default (``pipeline.STREAMING_AUTO_CELLS``).
IN_MEMORY_WRITE_CELLS = 16_000_000


def _is_dask(data) -> bool:
    return type(data).__module__.startswith("dask.")


def _write_cog_streamed(da: xr.DataArray, path: Path, inside: xr.DataArray | None) -> Path:
    """:func:`write_cog` chunk by chunk: a tiled GeoTIFF beside ``path``, copied to a COG.

    GDAL's COG driver builds the overviews and the tile order from the tiled file, block by
    block, so memory follows the chunks; the band unit, description and tags are set on the
    tiled file and carried over by the copy.
    """
    import rasterio
    import rasterio.shutil

    nodata = _nodata_for(da.dtype, inside)
    values = da.astype("uint8") if da.dtype == bool else da
    if inside is not None:
        values = values.where(inside, nodata if nodata is not None else 0).astype(values.dtype)
    values = values.rio.write_crs(da.rio.crs)
    values.attrs, values.encoding = {}, {}
    if nodata is not None:
        values = values.rio.write_nodata(nodata, encoded=False)
    attrs = {k: v for k, v in da.attrs.items() if k not in ("nodata", "_FillValue")}
    tiled = path.with_name(f".{path.stem}.tiled.tif")
    try:
        values.rio.to_raster(
            tiled, tiled=True, blockxsize=512, blockysize=512, compute=True, BIGTIFF="IF_SAFER"
        )
        with rasterio.open(tiled, "r+") as target:
            _describe_band(target, attrs)
        rasterio.shutil.copy(
            tiled,
            path,
            driver="COG",
            COMPRESS="DEFLATE",
            BLOCKSIZE=512,
            BIGTIFF="IF_SAFER",
            NUM_THREADS=COMPRESS_THREADS,
        )
    finally:
        tiled.unlink(missing_ok=True)
    return path


def _nodata_for(dtype: np.dtype, inside: xr.DataArray | None):
    """Nodata of a written raster: NaN for floats, :data:`BOOLEAN_NODATA` for masked booleans."""
    if dtype.kind == "b":
        return BOOLEAN_NODATA if inside is not None else None
    return np.nan if dtype.kind == "f" else None


def _describe_band(target, attrs: dict) -> None:
    """Dataset tags from ``attrs``; band unit and description from ``units`` and ``long_name``."""
    target.update_tags(**{k: str(v) for k, v in attrs.items()})
    if attrs.get("units"):
        target.units = (str(attrs["units"]),)
    if attrs.get("long_name"):
        target.set_band_description(1, str(attrs["long_name"]))


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


def write_kml(frame: gpd.GeoDataFrame, path: str | Path, layer: str = "sites") -> Path:
    """Write KML 2.2 (WGS84) with GDAL: ``Name`` and ``Description`` become placemark texts."""
    path = Path(path)
    frame.to_crs(WGS84).to_file(path, layer=layer, driver="KML", engine="pyogrio")
    return path


def write_json(data: object, path: str | Path) -> Path:
    """Write indented UTF-8 JSON."""
    path = Path(path)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")
    return path


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text."""
    path = Path(path)
    path.write_text(text, "utf-8")
    return path
