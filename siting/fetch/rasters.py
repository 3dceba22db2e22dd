"""Raster layers from tiled Cloud-Optimized GeoTIFFs: read the AOI window, mosaic, clip, COG.

Each source tile is probed first (:func:`siting.fetch.http.probe`): a tile the server does not
have (404, e.g. open sea) is left out, and a server that serves byte ranges is read through
GDAL's ``/vsicurl/`` so that only the blocks of the AOI's window are transferred (a COG keeps
its blocks in order with an index in its header). With ``whole_files`` (or a server without
range support) each tile is instead downloaded whole into the cache, resumably, and read from
disk; a tile already in the cache's ``files/`` folder, downloaded earlier or put there by hand,
is always read from there. The window of every tile is mosaicked on the finest tile grid
(each tile warped onto it), snapped outwards to it so that no cell is shifted, and written as a
Cloud-Optimized GeoTIFF (deflate, internal overviews).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
import rasterio.windows
from affine import Affine
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.io import MemoryFile
from rasterio.vrt import WarpedVRT

from siting.errors import describe
from siting.fetch.cache import Cache, read_record, write_record
from siting.fetch.http import DownloadError, Retry, download, probe
from siting.fetch.progress import NullProgress, Progress


def gdal_options(retry: Retry) -> dict[str, str]:
    """GDAL settings for reading remote COGs through ``/vsicurl/``.

    No directory listing on open (``GDAL_DISABLE_READDIR_ON_OPEN``), GDAL's own retries of
    failed range requests with the same patience as ours, the request timeout, and consecutive
    block ranges merged into one request.
    """
    return {
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "GDAL_HTTP_MAX_RETRY": str(max(retry.attempts - 1, 0)),
        "GDAL_HTTP_RETRY_DELAY": str(retry.backoff_s),
        "GDAL_HTTP_TIMEOUT": str(int(math.ceil(retry.timeout_s))),
        "GDAL_HTTP_CONNECTTIMEOUT": str(int(math.ceil(retry.timeout_s))),
        "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
        "GDAL_HTTP_USERAGENT": "siting-fetch",
        "VSI_CACHE": "TRUE",
    }


@dataclass
class TileSet:
    """Where each tile of a layer is read from.

    Attributes
    ----------
    paths : list of str
        GDAL paths: ``/vsicurl/<url>`` or files in the cache.
    urls : list of str
        The tiles' URLs, in the same order.
    missing : list of str
        URLs the server does not have (404, or 403 from a bucket that hides missing keys).
    whole_bytes : int
        Size of the tiles read, bytes (what a whole-file download would transfer).
    downloaded : int
        Bytes downloaded whole in this call.
    """

    paths: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    whole_bytes: int = 0
    downloaded: int = 0


def locate_tiles(
    urls: Sequence[str],
    cache: Cache,
    *,
    whole_files: bool,
    retry: Retry,
    progress: Progress,
    label: str,
) -> TileSet:
    """Decide, tile by tile, where to read from: the cache, a window over HTTP, or a download."""
    tiles = TileSet()
    for url in urls:
        local = cache.file_for(url)
        by_hand = f"or download {url} by hand and save it as {local}"
        if local.is_file():
            record = read_record(local) or write_record(local, url=url, note="put in by hand")
            tiles.paths.append(str(local))
            tiles.urls.append(url)
            tiles.whole_bytes += int(record["bytes"])
            continue
        found = probe(url, retry=retry, by_hand=by_hand, missing=(403, 404))
        if found is None:
            tiles.missing.append(url)
            continue
        if whole_files or not found.ranges:
            transfer = download(
                url,
                local,
                retry=retry,
                progress=progress,
                label=f"{label}: {local.name}",
                by_hand=by_hand,
            )
            write_record(local, url=url)
            tiles.paths.append(str(local))
            tiles.downloaded += transfer.transferred
            tiles.whole_bytes += transfer.size
        else:
            tiles.paths.append(f"/vsicurl/{found.final_url}")
            tiles.whole_bytes += found.size or 0
        tiles.urls.append(url)
    return tiles


def _snap(bounds, transform) -> tuple[float, float, float, float]:
    """Widen lon/lat bounds to whole cells of a tile grid."""
    west, south, east, north = bounds
    x0, y0, dx, dy = transform.c, transform.f, transform.a, -transform.e
    return (
        x0 + math.floor((west - x0) / dx) * dx,
        y0 - math.ceil((y0 - south) / dy) * dy,
        x0 + math.ceil((east - x0) / dx) * dx,
        y0 - math.floor((y0 - north) / dy) * dy,
    )


def mosaic_window(
    tiles: TileSet,
    bounds: tuple[float, float, float, float],
    dest: Path,
    *,
    kind: str,
    retry: Retry,
    progress: Progress | None = None,
    label: str = "raster",
    by_hand: str = "",
) -> Path:
    """Read the window of each tile, mosaic them and write a COG at ``dest`` (atomically).

    Parameters
    ----------
    tiles : TileSet
        Where to read from (see :func:`locate_tiles`).
    bounds : tuple of float
        West, south, east, north in the tiles' CRS (degrees).
    dest : pathlib.Path
        The COG to write.
    kind : {"continuous", "categorical"}
        Continuous: float32, NaN nodata, bilinear where tiles differ in cell size, average
        overviews. Categorical: the tiles' integer type, nodata 0, nearest neighbour.
    retry : Retry
        GDAL's retries and timeout for remote windows.
    progress : Progress, optional
        A bar counting the tiles read.
    label, by_hand : str
        Name on the progress bar; how to get the data without this tool (for errors).
    """
    progress = progress or NullProgress()
    task = progress.task(f"{label}: reading the AOI window", total=len(tiles.paths), unit="tiles")
    categorical = kind == "categorical"
    with rasterio.Env(**gdal_options(retry)):
        datasets = []
        try:
            for path, url in zip(tiles.paths, tiles.urls, strict=True):
                datasets.append(_open(path, url, by_hand))
            finest = min(datasets, key=lambda d: abs(d.transform.a * d.transform.e))
            crs = finest.crs
            for ds, url in zip(datasets, tiles.urls, strict=True):
                if ds.crs != crs:
                    raise DownloadError(describe(url, f"has CRS {ds.crs}, not {crs}", by_hand))
            window = _snap(bounds, finest.transform)
            nodata = 0 if categorical else np.nan
            dtype = finest.dtypes[0] if categorical else "float32"
            try:
                array, transform = _mosaic(
                    datasets, window, finest, nodata=nodata, dtype=dtype,
                    resampling=Resampling.nearest if categorical else Resampling.bilinear,
                )  # fmt: skip
            except RasterioIOError as err:
                raise DownloadError(
                    describe(label, f"a tile window could not be read ({err})", by_hand)
                ) from None
            task.advance(len(datasets))
        finally:
            for ds in datasets:
                ds.close()
    _write_cog(array, transform, crs, dest, nodata=nodata, categorical=categorical)
    task.finish()
    return dest


def _is_nan(nodata) -> bool:
    """True for a float NaN nodata value (NaN never equals itself)."""
    return isinstance(nodata, float) and math.isnan(nodata)


def _mosaic(datasets, window, finest, *, nodata, dtype, resampling):
    """Warp every tile onto the finest tile's grid over ``window``; the first tile wins.

    Each tile is read through a WarpedVRT on the output grid, only over its own footprint, so
    that tiles of coarser cells (north of 50 degrees) are resampled at the output cells'
    centres, and tiles on the output grid are copied cell for cell. Where two tiles of coarser
    cells meet, the output cells within half a source cell of the seam have no source cell
    beyond them to interpolate with and take the nearest edge value (an error of at most half
    a source cell's change, e.g. 0.3 m on a slope of 200 m per degree at 1.5 arcsec).
    """
    dx, dy = abs(finest.transform.a), abs(finest.transform.e)
    transform = Affine(dx, 0.0, window[0], 0.0, -dy, window[3])
    width = round((window[2] - window[0]) / dx)
    height = round((window[3] - window[1]) / dy)
    out = np.full((height, width), nodata, dtype=dtype)
    filled = np.zeros((height, width), dtype=bool)
    # Bilinear needs a source cell on both sides: first the output cells between a tile's
    # outer cell centres, then (seams between tiles of coarser cells) those up to its edge.
    insets = (0.0,) if resampling == Resampling.nearest else (0.5, 0.0)
    for inset in insets:  # in source cells
        for ds in datasets:
            left, bottom, right, top = ds.bounds
            ix, iy = inset * abs(ds.transform.a), inset * abs(ds.transform.e)
            col0 = max(math.ceil((left + ix - window[0]) / dx - 0.5), 0)
            row0 = max(math.ceil((window[3] - top + iy) / dy - 0.5), 0)
            col1 = min(math.floor((right - ix - window[0]) / dx - 0.5) + 1, width)
            row1 = min(math.floor((window[3] - bottom - iy) / dy - 0.5) + 1, height)
            if col1 <= col0 or row1 <= row0 or filled[row0:row1, col0:col1].all():
                continue
            part = rasterio.windows.Window(col0, row0, col1 - col0, row1 - row0)
            with WarpedVRT(
                ds, crs=finest.crs, transform=transform, width=width, height=height,
                resampling=resampling, nodata=nodata, dtype=dtype,
            ) as vrt:  # fmt: skip
                values = vrt.read(1, window=part)
            rows, cols = part.toslices()
            holds_data = ~np.isnan(values) if _is_nan(nodata) else values != nodata
            valid = ~filled[rows, cols] & holds_data
            out[rows, cols][valid] = values[valid]
            filled[rows, cols] |= valid
    return out, transform


def _open(path: str, url: str, by_hand: str):
    try:
        return rasterio.open(path)
    except RasterioIOError as err:
        raise DownloadError(
            describe(
                url, f"cannot be read as a GeoTIFF ({err})", f"rerun `siting fetch`; {by_hand}"
            )
        ) from None


def _write_cog(array, transform, crs, dest: Path, *, nodata, categorical: bool) -> None:
    """Write a 1-band array as a COG through a temporary name beside ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(f".{dest.name}.tmp.tif")
    profile = {
        "driver": "GTiff",
        "width": array.shape[-1],
        "height": array.shape[-2],
        "count": 1,
        "dtype": array.dtype,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
    }
    options = {
        "COMPRESS": "DEFLATE",
        "BLOCKSIZE": "512",
        "PREDICTOR": "YES",
        "OVERVIEW_RESAMPLING": "NEAREST" if categorical else "AVERAGE",
    }
    try:
        with MemoryFile() as memory:
            with memory.open(**profile) as staged:
                staged.write(array.reshape(1, *array.shape[-2:]))
            with memory.open() as staged:
                rasterio.shutil.copy(staged, temporary, driver="COG", **options)
        os.replace(temporary, dest)
    finally:
        temporary.unlink(missing_ok=True)
