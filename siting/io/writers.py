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
