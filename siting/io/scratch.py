"""Scratch rasters: a run's intermediate layers kept on disk instead of in memory.

A streaming run writes each layer it would otherwise hold in memory (the aligned inputs,
terrain, distances, suitability, eligibility, site labels) chunk by chunk to a tiled GeoTIFF
in a scratch folder, and reads it back lazily in the same chunks. Memory then follows the chunk
size and the number of workers, not the grid; the result COGs are written from them chunk by
chunk, and exact zonal statistics of large grids read them window by window.

On a dask.distributed cluster the scratch folder must be on storage every worker can reach (the
workers write the chunks they computed; the writes to one file take a cluster-wide lock).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dask
import numpy as np
import rasterio
import rioxarray
import xarray as xr

__all__ = ["ScratchFolder", "bounded_block_cache", "scratch_folder"]

#: GeoTIFF tile edge of scratch files, cells (a divisor of the usual chunk edges).
TILE_CELLS = 256

#: GDAL block cache of a run, MB. GDAL's default is 5 % of the machine's RAM per process
#: (1.2 GB on 24 GiB), which a streaming run fills with tiles it has already used: at 60 m on
#: the data box the peak fell from 2.8 to 1.6 GiB with a 64 MB cache, at the same speed, since
#: every chunk is read once per task and GDAL's cache is not where the reuse happens. The
#: README's streaming figures were measured with this 256 MB.
BLOCK_CACHE_MB = 256


class ScratchFolder:
    """A folder of scratch GeoTIFFs, one per kept layer, made on the first layer kept.

    Parameters
    ----------
    parent : pathlib.Path, optional
        Where the folder is made (default: the system's temporary folder); a run that keeps
        nothing (not streaming) leaves no folder behind. The caller removes it
        (:meth:`remove`); :func:`scratch_folder` does so at the end of a block.
    """

    def __init__(self, parent: str | Path | None = None):
        self.parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
        self._path: Path | None = None
        self._names: set[str] = set()

    @property
    def path(self) -> Path:
        """The folder itself (``.siting-scratch-<pid>-<random>`` in ``parent``), made on use."""
        if self._path is None:
            self.parent.mkdir(parents=True, exist_ok=True)
            prefix = f".siting-scratch-{os.getpid()}-"
            self._path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.parent))
        return self._path

    def keep(self, layer: xr.DataArray, name: str | None = None) -> xr.DataArray:
        """Compute a layer chunk by chunk into a scratch file and return it read back lazily.

        Parameters
        ----------
        layer : xarray.DataArray
            A 2-D raster ``("y", "x")``, usually dask-backed. Booleans are stored as uint8
            and read back as booleans; NaN stays NaN.
        name : str, optional
            File stem (default: the layer's name); a second layer of the same name gets a
            numbered file.

        Returns
        -------
        xarray.DataArray
            The same values, coordinates, name and attributes, dask-backed in the layer's
            chunks (one chunk when it had none), read from ``<name>.tif``.
        """
        (kept,) = self._keep_together({name or str(layer.name or "layer"): layer})
        return kept

    def keep_all(self, layers: xr.Dataset, suffix: str = "") -> xr.Dataset:
        """:meth:`keep` every data variable of a dataset (files ``<name><suffix>.tif``).

        The layers are computed together, so what they share (a criterion read by several, a
        DEM window under every terrain derivative) is computed once.
        """
        named = {f"{name}{suffix}": layer for name, layer in layers.data_vars.items()}
        kept = self._keep_together(named)
        return xr.Dataset(dict(zip(layers.data_vars, kept, strict=True)))

    def _keep_together(self, named: dict[str, xr.DataArray]) -> list[xr.DataArray]:
        writes, paths = [], []
        for stem, layer in named.items():
            path = self.path / f"{self._unique(stem)}.tif"
            writes.append(_write_tiled(layer, path, lock=_write_lock(path.stem)))
            paths.append(path)
        dask.compute(*writes)
        return [_read_back(layer, path) for layer, path in zip(named.values(), paths, strict=True)]

    def remove(self) -> None:
        """Delete the folder and its files (layers read from it can no longer be computed)."""
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)

    def _unique(self, stem: str) -> str:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)
        candidate, n = safe, 2
        while candidate in self._names:
            candidate, n = f"{safe}-{n}", n + 1
        self._names.add(candidate)
        return candidate


def _write_tiled(layer: xr.DataArray, path: Path, lock):
    """The delayed write of a layer to a tiled GeoTIFF (None when it was written at once)."""
    values = layer.astype("uint8") if layer.dtype == bool else layer
    crs = layer.rio.crs  # None for computed layers that lost it: kept as they came
    if crs is not None:
        values = values.rio.write_crs(crs)
    values.attrs = {}
    values.encoding = {}
    if values.dtype.kind == "f":
        values = values.rio.write_nodata(np.nan, encoded=False)
    return values.rio.to_raster(
        path,
        tiled=True,
        blockxsize=TILE_CELLS,
        blockysize=TILE_CELLS,
        lock=lock,
        compute=False,
        BIGTIFF="IF_SAFER",
    )


def _read_back(layer: xr.DataArray, path: Path) -> xr.DataArray:
    """The scratch file of ``layer``, lazily, with its grid, name, attributes and chunks."""
    chunks = layer.chunks or ((layer.shape[0],), (layer.shape[1],))
    opened = rioxarray.open_rasterio(
        path, chunks={"band": 1, "y": chunks[0], "x": chunks[1]}, lock=False, cache=False
    ).squeeze("band", drop=True)
    if layer.dtype == bool:
        opened = opened.astype(bool)
    opened = opened.drop_vars("spatial_ref", errors="ignore")
    # The grid's own coordinates (the file's transform could round them differently).
    opened = opened.assign_coords(x=layer["x"].values, y=layer["y"].values)
    opened.attrs = dict(layer.attrs)
    opened.encoding = {"source": str(path)}
    opened = opened.rename(layer.name)
    crs = layer.rio.crs
    return opened if crs is None else opened.rio.write_crs(crs)


@contextmanager
def scratch_folder(parent: str | Path | None = None) -> Iterator[ScratchFolder]:
    """A new scratch folder under ``parent`` (default: the system's temporary folder).

    The folder and its files are removed when the block ends, whatever happens in it.
    """
    folder = ScratchFolder(parent)
    try:
        yield folder
    finally:
        folder.remove()


@contextmanager
def bounded_block_cache(megabytes: int = BLOCK_CACHE_MB) -> Iterator[None]:
    """GDAL's raster block cache held to ``megabytes`` for the block (process-wide).

    GDAL reads ``GDAL_CACHEMAX`` once; rasterio's environment sets the cache size itself and
    restores the previous one on exit. A ``GDAL_CACHEMAX`` the user set is respected.
    """
    if "GDAL_CACHEMAX" in os.environ:
        yield
        return
    with rasterio.Env(GDAL_CACHEMAX=megabytes):
        yield


def _write_lock(name: str):
    """A lock for writes to one file: cluster-wide under dask.distributed, else a thread lock."""
    try:
        from distributed import Lock, get_client

        get_client()
    except (ImportError, ValueError):
        return threading.Lock()
    return Lock(f"siting-scratch-{name}")
