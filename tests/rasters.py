"""Small synthetic rasters and a laziness guard, shared by the MCDA tests."""

from __future__ import annotations

import dask
import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr

CRS = "EPSG:32647"


def raster(values, name="criterion", units="m", chunks=None) -> xr.DataArray:
    """A small raster on a UTM 47N grid with 100 m cells."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.integer):
        values = values.astype(float)
    if values.ndim == 1:
        values = values[np.newaxis, :]
    ny, nx = values.shape
    array = xr.DataArray(
        values,
        dims=("y", "x"),
        coords={"y": 5_500_050.0 - 100.0 * np.arange(ny), "x": 450_050.0 + 100.0 * np.arange(nx)},
        name=name,
        attrs={"units": units},
    ).rio.write_crs(CRS)
    return array.chunk(chunks) if chunks is not None else array


def _refuse_compute(*args, **kwargs):
    raise AssertionError("the computation was triggered but should have stayed lazy")


def assert_lazy():
    """Context in which any dask compute fails the test."""
    return dask.config.set(scheduler=_refuse_compute)
