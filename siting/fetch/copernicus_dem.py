"""Copernicus DEM GLO-30 / GLO-90: the 1 x 1 degree COG tiles covering an AOI, clipped.

Tiles are named by their south-west corner (``Copernicus_DSM_COG_10_N49_00_E100_00_DEM`` covers
49-50 N, 100-101 E; ``_10_`` is GLO-30, ``_30_`` GLO-90), in folders of the same name on the
AWS open-data buckets (``copernicus-dem-30m``, ``copernicus-dem-90m``; see their readme.html).
There are no tiles over the open sea: such tiles are left out (their cells stay nodata) and
said so. North of 50 degrees the tiles have wider cells in longitude (1.5 arcsec at 50-60 N);
the mosaic takes the finest grid and resamples the others bilinearly.
"""

from __future__ import annotations

import math

from siting.errors import ParameterError
from siting.fetch.product import FetchContext, Product, raster_product

#: Source entry of each resolution (metres) in sources.yaml.
SOURCE_OF = {30: "copernicus_dem_30", 90: "copernicus_dem_90"}


def hemisphere_lat(lat: int) -> str:
    """``N49`` / ``S14``: a tile's latitude label."""
    return f"{'N' if lat >= 0 else 'S'}{abs(lat):02d}"


def hemisphere_lon(lon: int) -> str:
    """``E100`` / ``W172``: a tile's longitude label."""
    return f"{'E' if lon >= 0 else 'W'}{abs(lon):03d}"


def tiles_for_bounds(
    bounds: tuple[float, float, float, float], size_deg: int = 1
) -> list[tuple[int, int]]:
    """South-west corners (lat, lon) of the tiles of ``size_deg`` degrees covering ``bounds``.

    A bound on a tile edge does not pull in the tile beyond it; bounds are clipped to
    -180..180 and -90..90 and must not cross the antimeridian (west < east).

    Examples
    --------
    >>> tiles_for_bounds((99.5, 49.2, 101.0, 50.1))
    [(49, 99), (49, 100), (50, 99), (50, 100)]
    """
    west, south, east, north = bounds
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -90.0), min(north, 90.0)
    if not (west < east and south < north):
        raise ParameterError(
            what=f"AOI bounds {bounds}",
            problem="need west < east and south < north (an AOI across the antimeridian is "
            "not supported)",
            fix="split the AOI at 180 degrees into two fetches",
        )

    def edges(low: float, high: float) -> range:
        first = math.floor(low / size_deg) * size_deg
        last = math.ceil(high / size_deg) * size_deg
        return range(first, last, size_deg)

    return [(lat, lon) for lat in edges(south, north) for lon in edges(west, east)]


def tile_urls(bounds: tuple[float, float, float, float], spec: dict) -> list[str]:
    """URLs of the tiles covering ``bounds`` from a source entry with a ``tile_template``."""
    return [
        spec["tile_template"].format(
            base=spec["base_url"], lat=hemisphere_lat(lat), lon=hemisphere_lon(lon)
        )
        for lat, lon in tiles_for_bounds(bounds)
    ]


def fetch_dem(
    ctx: FetchContext, bounds: tuple[float, float, float, float], *, resolution_m: int = 30
) -> Product:
    """Elevation (m, EGM2008 heights) over ``bounds`` as one COG.

    Parameters
    ----------
    ctx : FetchContext
        Cache and transfer settings.
    bounds : tuple of float
        West, south, east, north, degrees (the AOI plus a margin).
    resolution_m : {30, 90}
        GLO-30 or GLO-90.
    """
    if resolution_m not in SOURCE_OF:
        raise ParameterError(
            what="--dem-resolution", problem=f"{resolution_m} m is not offered", fix="use 30 or 90"
        )
    source = SOURCE_OF[resolution_m]
    urls = tile_urls(bounds, ctx.sources[source])
    path, cached, details = raster_product(
        ctx,
        name=f"elevation_copernicus_glo{resolution_m}.tif",
        urls=urls,
        bounds=bounds,
        kind="continuous",
        label=f"DEM GLO-{resolution_m}",
        what=f"Copernicus DEM GLO-{resolution_m}",
    )
    notes = []
    if details.get("tiles_missing"):
        notes.append(
            f"{len(details['tiles_missing'])} DEM tile(s) not on the server (open sea, or not "
            "released as GLO-30 Public): their cells are nodata"
        )
    return Product("dem", source, {"elevation": path}, urls, cached, notes, details)
