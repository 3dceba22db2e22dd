"""Copies of rasters at screen resolution for the map and the report figures.

A map overlay or a report figure cannot show more than a screen's pixels, so they are drawn
from a copy whose long side is at most :data:`SCREEN_PX` cells: block means over ``f x f``
cells (the fraction of true cells for a mask). The full resolution stays in the COGs.
"""

from __future__ import annotations

import math

import rioxarray  # noqa: F401  (registers the .rio accessor used below)
import xarray as xr

#: Longest side, in cells, of a raster drawn on the map or in the report.
SCREEN_PX = 2048


def at_screen_resolution(raster: xr.DataArray, max_px: int = SCREEN_PX) -> xr.DataArray:
    """``raster`` itself when small enough, else its block means with the long side <= max_px.

    Parameters
    ----------
    raster : xarray.DataArray
        Dims ``("y", "x")`` with a CRS (booleans become the fraction of true cells, 0-1).
    max_px : int
        Longest side of the copy, cells.

    Returns
    -------
    xarray.DataArray
        float32 block means (NaN cells skipped) on cells ``f`` times larger, same CRS and
        attributes; a partial last block is dropped.
    """
    factor = math.ceil(max(raster.sizes["y"], raster.sizes["x"]) / max_px)
    if factor <= 1:
        return raster
    coarse = (
        raster.astype("float32")
        .coarsen(y=factor, x=factor, boundary="trim")
        .mean()
        .astype("float32")
    )
    coarse.attrs = dict(raster.attrs)
    return coarse.rio.write_crs(raster.rio.crs)
