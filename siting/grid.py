"""The analysis grid: area of interest, local UTM CRS, cell size, and a template raster.

Every layer is aligned onto one :class:`Grid` so that rasters can be combined cell by cell.
The grid's CRS is the UTM zone holding the AOI's centre (chosen with pyproj's CRS database);
its edges are snapped outwards to whole multiples of the cell size so that two runs over the
same area share cell boundaries.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import rasterio.features
import rioxarray  # noqa: F401  (registers the .rio accessor used below)
import shapely
import xarray as xr
from affine import Affine
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from siting.errors import ParameterError, describe

WGS84 = CRS.from_epsg(4326)

#: Largest cell edge accepted, metres (a degree of latitude; beyond it "cells" are no grid).
MAX_CELL_SIZE_M = 100_000.0

#: Fewest cells along each side of a grid: terrain derivatives need a 3 x 3 window.
MIN_GRID_CELLS = 3


def utm_crs_for(lon: float, lat: float) -> CRS:
    """WGS84 / UTM CRS of the zone holding a point.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in degrees (WGS84).

    Returns
    -------
    pyproj.CRS
        E.g. EPSG:32647 (UTM zone 47N) for Mörön (100.156 E, 49.636 N).
    """
    if not (-180 <= lon <= 180 and -80 <= lat <= 84):
        raise ParameterError(
            describe(
                f"AOI centre ({lon}, {lat})",
                "outside the UTM latitude range 80 S to 84 N",
                "give grid.crs explicitly (e.g. a polar stereographic EPSG code)",
            )
        )
    # Zones are 6 degrees wide from 180 W (Snyder 1987, USGS Prof. Paper 1395, p. 57); the
    # Norway/Svalbard exceptions are not applied.
    zone = min(int((lon + 180) // 6) + 1, 60)
    code = (32600 if lat >= 0 else 32700) + zone
    return CRS.from_epsg(code)


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid in a projected CRS.

    Attributes
    ----------
    crs : pyproj.CRS
        Projected CRS of the grid (metres).
    transform : affine.Affine
        Cell (0, 0) upper-left corner and cell size.
    width, height : int
        Number of columns and rows.
    aoi : shapely.Geometry
        Area of interest in the grid CRS (cells whose centre lies outside are not analysed).
    chunk_cells : int
        Edge of a dask chunk, in cells.
    """

    crs: CRS
    transform: Affine
    width: int
    height: int
    aoi: shapely.Geometry
    chunk_cells: int = 1024

    @property
    def cell_size_m(self) -> float:
        """Cell edge in metres."""
        return float(self.transform.a)

    @property
    def cell_area_ha(self) -> float:
        """Cell area in hectares."""
        return self.transform.a * -self.transform.e / 10_000.0

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in grid CRS metres."""
        left, top = self.transform.c, self.transform.f
        return (
            left,
            top + self.height * self.transform.e,
            left + self.width * self.transform.a,
            top,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (self.height, self.width)

    @property
    def x(self) -> np.ndarray:
        """Cell-centre x coordinates (m), west to east."""
        return self.transform.c + (np.arange(self.width) + 0.5) * self.transform.a

    @property
    def y(self) -> np.ndarray:
        """Cell-centre y coordinates (m), north to south."""
        return self.transform.f + (np.arange(self.height) + 0.5) * self.transform.e

    def bounds_lonlat(self, margin_m: float = 0.0) -> tuple[float, float, float, float]:
        """Grid bounds (optionally widened by ``margin_m``) in WGS84 degrees."""
        left, bottom, right, top = self.bounds
        box = shapely.box(left - margin_m, bottom - margin_m, right + margin_m, top + margin_m)
        return reproject_geometry(box, self.crs, WGS84).bounds

    def template(self, *, chunked: bool = True, name: str = "template") -> xr.DataArray:
        """A zero-filled float32 raster on the grid, with coords and CRS.

        Parameters
        ----------
        chunked : bool
            Back it with a dask array in chunks of :attr:`chunk_cells`.
        name : str
            Name of the returned array.
        """
        if chunked:
            import dask.array as dsa

            data = dsa.zeros(self.shape, dtype="float32", chunks=self.chunk_cells)
        else:
            data = np.zeros(self.shape, dtype="float32")
        return self.wrap(data, name=name, units="")

    def wrap(self, data, *, name: str, units: str, **attrs) -> xr.DataArray:
        """Turn a 2-D array on this grid into a DataArray with coords, CRS, name and units."""
        if tuple(data.shape) != self.shape:
            raise ParameterError(
                describe(
                    name,
                    f"array shape {data.shape} is not the grid shape {self.shape}",
                    "compute it on this grid",
                )
            )
        da = xr.DataArray(data, dims=("y", "x"), coords={"y": self.y, "x": self.x}, name=name)
        da.attrs.update(units=units, **attrs)
        return da.rio.write_crs(self.crs).rio.write_transform(self.transform)

    def aoi_mask(self) -> xr.DataArray:
        """True for cells whose centre lies inside the AOI (dask, in chunks of the grid)."""
        return self.inside([self.aoi], name="in_aoi")

    def inside(self, geometries, *, name: str = "inside") -> xr.DataArray:
        """True for cells whose centre lies inside any of ``geometries`` (grid CRS).

        A dask array in the grid's chunks; each chunk is rasterised on its own window from the
        geometries that reach it, so the mask never holds the grid and a cluster's workers
        draw their chunks themselves.
        """
        import dask.array as dsa

        shapes = np.asarray(list(geometries), dtype=object)
        blocks = dsa.zeros(self.shape, dtype=bool, chunks=self.chunk_cells)
        inside = blocks.map_blocks(_inside_block, shapes, self.transform, dtype=bool)
        return self.wrap(inside, name=name, units="")


#: One rasterio.features call at a time per process: GDAL in-memory datasets created
#: concurrently from threads lose their geotransform (rasterio's NotGeoreferencedWarning, and
#: an identity transform), so threaded callers of rasterize/shapes take this lock.
FEATURES_LOCK = threading.Lock()


def _inside_block(
    block: np.ndarray, shapes: np.ndarray, transform: Affine, block_info=None
) -> np.ndarray:
    """Cells of one chunk whose centre lies inside any of ``shapes``."""
    (row0, row1), (col0, col1) = block_info[None]["array-location"]
    window = transform * Affine.translation(col0, row0)
    west, north = window * (0, 0)
    east, south = window * (col1 - col0, row1 - row0)
    box = shapely.box(min(west, east), min(south, north), max(west, east), max(south, north))
    reaching = shapes[shapely.intersects(shapes, box)] if shapes.size else shapes
    if reaching.size == 0:
        return np.zeros(block.shape, dtype=bool)
    with FEATURES_LOCK:
        return rasterio.features.geometry_mask(
            list(reaching), out_shape=block.shape, transform=window, invert=True
        )


def reproject_geometry(geometry: shapely.Geometry, src: CRS, dst: CRS) -> shapely.Geometry:
    """Reproject a geometry, densifying its edges first so that curved edges stay curved."""
    transformer = Transformer.from_crs(src, dst, always_xy=True)
    dense = shapely.segmentize(geometry, _densify_step(geometry))
    return shapely.transform(dense, lambda xy: np.column_stack(transformer.transform(*xy.T)))


def _densify_step(geometry: shapely.Geometry) -> float:
    left, bottom, right, top = geometry.bounds
    extent = max(right - left, top - bottom)
    return extent / 100 if extent > 0 else 1.0


def grid_for_aoi(
    aoi_lonlat: shapely.Geometry,
    cell_size_m: float,
    *,
    crs: str | CRS = "auto",
    chunk_cells: int = 1024,
) -> Grid:
    """Build the analysis grid covering an AOI given in WGS84 lon/lat.

    Parameters
    ----------
    aoi_lonlat : shapely.Geometry
        Area of interest in WGS84 degrees (lon, lat).
    cell_size_m : float
        Cell edge in metres.
    crs : str or pyproj.CRS
        ``"auto"`` for the UTM zone of the AOI's centre, or any projected CRS.
    chunk_cells : int
        Dask chunk edge in cells.

    Returns
    -------
    Grid
        Bounds snapped outwards to multiples of ``cell_size_m``.
    """
    if not (math.isfinite(cell_size_m) and 0 < cell_size_m <= MAX_CELL_SIZE_M):
        raise ParameterError(
            describe(
                "grid.cell_size_m",
                f"{cell_size_m!r} is not a cell edge in metres in (0, {MAX_CELL_SIZE_M:g}]",
                "give e.g. 250",
            )
        )
    centre = aoi_lonlat.centroid
    if str(crs) == "auto":
        target = utm_crs_for(centre.x, centre.y)
    else:
        try:
            target = CRS.from_user_input(crs)
        except CRSError:
            raise ParameterError(
                describe(
                    "grid.crs",
                    f"{crs!r} is not a coordinate reference system pyproj knows",
                    "give e.g. 'EPSG:32647', or 'auto' for the local UTM zone",
                )
            ) from None
    if not target.is_projected:
        raise ParameterError(
            describe(
                "grid.crs",
                f"{target.to_string()} is not projected",
                "use a projected CRS in metres, or 'auto' for the local UTM zone",
            )
        )
    aoi = reproject_geometry(aoi_lonlat, WGS84, target)
    left, bottom, right, top = aoi.bounds
    left = math.floor(left / cell_size_m) * cell_size_m
    bottom = math.floor(bottom / cell_size_m) * cell_size_m
    right = math.ceil(right / cell_size_m) * cell_size_m
    top = math.ceil(top / cell_size_m) * cell_size_m
    width = round((right - left) / cell_size_m)
    height = round((top - bottom) / cell_size_m)
    if min(width, height) < MIN_GRID_CELLS:
        raise ParameterError(
            describe(
                "grid.cell_size_m",
                f"the AOI is only {width} x {height} cells of {cell_size_m:g} m; terrain and "
                f"sites need at least {MIN_GRID_CELLS} x {MIN_GRID_CELLS}",
                "use smaller cells or a larger aoi",
            )
        )
    transform = Affine(cell_size_m, 0.0, left, 0.0, -cell_size_m, top)
    return Grid(target, transform, width, height, aoi, chunk_cells)
