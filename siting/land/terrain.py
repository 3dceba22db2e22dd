"""Terrain derivatives of a DEM: slope, aspect, northness, TPI, TRI and hillshade.

Every function takes a DEM as an ``xarray.DataArray`` with dims ``("y", "x")``, cell-centre
coordinates in metres (a projected CRS in rioxarray's ``spatial_ref``) and NaN for nodata, and
returns a DataArray on the same grid with ``name`` and ``attrs["units"]`` set and NaN for
nodata. A numpy-backed DEM gives a numpy-backed result; a dask-backed DEM gives a lazy result
computed chunk by chunk (``map_overlap``), equal cell for cell to the whole-array result.

The 3 x 3 derivatives reproduce ``gdaldem <mode> -compute_edges`` (GDAL ``apps/gdaldem_lib.cpp``,
https://gdal.org/programs/gdaldem.html), including its treatment of the raster border and of
nodata:

* Border: the missing row or column of the window is extrapolated linearly from the two cells
  inside, ``z[-1] = 2 z[0] - z[1]``. At the four corners only the missing row is extrapolated
  and the missing column repeats the centre column, so the east-west gradient there is half
  the true one (GDAL's behaviour, kept for parity).
* Nodata: a NaN centre gives NaN; a NaN neighbour (or an extrapolated value built from one)
  is replaced by the centre value, as GDAL does for nodata neighbours with ``-compute_edges``.

Arithmetic follows the DEM's precision: a float32 DEM's window sums are formed in float32 in
gdaldem's order (gdaldem reads every DEM as float32), a float64 DEM's in float64; the rest is
float64. Results are float32, or float64 for a float64 DEM; integer DEMs are computed in
float64 and returned as float32. On a float32 DEM slope, TPI and TRI equal gdaldem's bit for
bit and aspect to within float32 rounding (3e-5 degree).

The kernels are compiled with numba (cached on disk), vectorised, and release the GIL, so
dask's threaded scheduler runs chunks on all cores; chunk a large DEM (e.g.
``rioxarray.open_rasterio(path, chunks={"y": 1024, "x": 1024})``) to use them. A numpy-backed
DEM runs on one core.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import dask.array as da
import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor used below)
import xarray as xr
from numba import njit

from siting.errors import ParameterError, describe

__all__ = ["aspect", "hillshade", "northness", "slope", "tpi", "tri"]

_RADIANS_TO_DEGREES = 180.0 / math.pi
_DEGREES_TO_RADIANS = math.pi / 180.0

# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def slope(dem: xr.DataArray) -> xr.DataArray:
    """Slope in degrees by Horn's method, as ``gdaldem slope -compute_edges``.

    With the 3 x 3 window ``a b c / d e f / g h i`` (rows in array order) and signed cell
    steps ``dx = x[1] - x[0]``, ``dy = y[1] - y[0]`` (metres)::

        dz/dx = ((c + 2f + i) - (a + 2d + g)) / (8 dx)
        dz/dy = ((g + 2h + i) - (a + 2b + c)) / (8 dy)
        slope = atan(hypot(dz/dx, dz/dy))          [degree, 0 = flat, 90 = vertical]

    Horn (1981), Hill shading and the reflectance map, Proc. IEEE 69(1):14-47, eq. for the
    3 x 3 gradient; GDAL gdaldem documentation ("slope", default algorithm Horn).

    Parameters
    ----------
    dem : xarray.DataArray
        Elevation (metres) on a projected grid, dims ``("y", "x")``, NaN for nodata.

    Returns
    -------
    xarray.DataArray
        ``slope_deg`` in degrees, NaN where the DEM is NaN.
    """
    return _derive(
        dem, _slope_block, name="slope_deg", units="degree", long_name="slope (Horn 1981)"
    )


def aspect(dem: xr.DataArray) -> xr.DataArray:
    """Aspect: compass direction the slope faces, in degrees, as ``gdaldem aspect``.

    With ``dz/dx`` (east) and ``dz/dy`` (north) from Horn's window (see :func:`slope`)::

        aspect = atan2(-dz/dx, -dz/dy) mod 360    [degree clockwise from north]

    so 0 (or 360) faces north, 90 east, 180 south, 270 west. Flat cells (zero gradient,
    gdaldem's nodata for aspect) are NaN, as are nodata cells; ``attrs["flat"]`` says so.
    Use :func:`northness` for a criterion that is 0 on flat ground.

    The gradient is taken in map units (the cell's width and height), so on non-square cells
    the result is the true downslope direction; ``gdaldem aspect`` ignores the cell size
    and differs from this there (identical on square cells).

    Horn (1981), Proc. IEEE 69(1):14-47; Burrough & McDonnell (1998), Principles of
    Geographical Information Systems, p. 190; GDAL gdaldem documentation ("aspect").

    Parameters
    ----------
    dem : xarray.DataArray
        Elevation (metres) on a projected grid, dims ``("y", "x")``, NaN for nodata.

    Returns
    -------
    xarray.DataArray
        ``aspect_deg`` in [0, 360) degrees, NaN on flat and nodata cells.
    """
    return _derive(
        dem,
        _aspect_block,
        name="aspect_deg",
        units="degree",
        long_name="aspect, clockwise from north (Horn 1981)",
        flat="NaN: cells with zero gradient have no aspect (gdaldem: nodata)",
    )


def northness(dem_or_aspect: xr.DataArray) -> xr.DataArray:
    """Northness ``cos(aspect)``: 1 facing north, -1 facing south, 0 east, west or flat.

    Given a DEM, computed from Horn's gradient (see :func:`aspect`) as
    ``-(dz/dy) / hypot(dz/dx, dz/dy)``; flat cells are 0 and nodata cells NaN.

    Given an aspect raster (recognised by its name ``aspect_deg``, as :func:`aspect`
    returns), ``cos(radians(aspect))``; an aspect raster holds NaN on both flat and nodata
    cells and cannot tell them apart, so every NaN becomes 0. Pass the DEM to keep nodata
    as NaN.

    Parameters
    ----------
    dem_or_aspect : xarray.DataArray
        Elevation (metres) or aspect (degrees, named ``aspect_deg``), dims ``("y", "x")``.

    Returns
    -------
    xarray.DataArray
        ``northness`` (units ``"1"``) in [-1, 1].
    """
    if dem_or_aspect.name == "aspect_deg":
        return _northness_from_aspect(dem_or_aspect)
    return _derive(
        dem_or_aspect,
        _northness_block,
        name="northness",
        units="1",
        long_name="northness, cos(aspect); 0 on flat cells",
    )


def tpi(dem: xr.DataArray, radius_cells: int = 1) -> xr.DataArray:
    """Topographic position index: the cell minus the mean of its neighbours, in metres.

    ``TPI = z - mean(z_k)`` over the ``(2r+1)^2 - 1`` other cells of the square window of
    radius ``r`` cells; positive on ridges and hilltops, negative in valleys, ~0 on planes.
    For ``r = 1`` this is ``gdaldem TPI -compute_edges`` (border and nodata as described in
    the module docstring). For ``r > 1`` cells beyond the border are extrapolated by the same
    linear rule, ``z[-k] = 2 z[0] - z[k]`` (point reflection, in both directions at corners),
    NaN neighbours count as the centre value, and the window sums are running integer sums (a
    summed-area table along each axis) in units of 2^-40 to 2^-26 m (below 1e-8 m up to
    ``r = 500``), so the cost per cell does not grow with ``r`` and a chunked result equals the
    whole result exactly; elevations must lie within +-16,384 m.

    Weiss (2001), Topographic position and landforms analysis, ESRI User Conference poster;
    Wilson et al. (2007), Marine Geodesy 30:3-35 (the 3 x 3 form used by gdaldem).

    Parameters
    ----------
    dem : xarray.DataArray
        Elevation (metres) on a projected grid, dims ``("y", "x")``, NaN for nodata.
    radius_cells : int, default 1
        Window radius in cells (1 gives a 3 x 3 window); smaller than both sides of the DEM.

    Returns
    -------
    xarray.DataArray
        ``tpi_m`` in metres.
    """
    _cell_steps(dem)
    radius = _check_radius(radius_cells, dem.shape)
    if radius == 1:
        return _derive(
            dem, _tpi_block, name="tpi_m", units="m", long_name="topographic position index (3 x 3)"
        )
    return _derive(
        dem,
        partial(_wide_tpi_block, radius=radius),
        depth=radius,
        name="tpi_m",
        units="m",
        long_name=f"topographic position index (radius {radius} cells)",
        radius_cells=radius,
    )


def tri(dem: xr.DataArray) -> xr.DataArray:
    """Terrain ruggedness index of Riley et al., in metres, as ``gdaldem TRI -compute_edges``.

    ``TRI = sqrt(sum_k (z_k - z)^2)`` over the 8 neighbours of the 3 x 3 window (gdaldem's
    default ``-alg Riley`` since GDAL 3.3).

    Riley, De Gloria & Elliot (1999), A terrain ruggedness index that quantifies
    topographic heterogeneity, Intermountain Journal of Sciences 5(1-4):23-27.

    Parameters
    ----------
    dem : xarray.DataArray
        Elevation (metres) on a projected grid, dims ``("y", "x")``, NaN for nodata.

    Returns
    -------
    xarray.DataArray
        ``tri_m`` in metres, >= 0.
    """
    return _derive(
        dem,
        _tri_block,
        name="tri_m",
        units="m",
        long_name="terrain ruggedness index (Riley et al. 1999)",
    )


def hillshade(
    dem: xr.DataArray,
    azimuth_deg: float = 315.0,
    altitude_deg: float = 45.0,
    z_factor: float = 1.0,
) -> xr.DataArray:
    """Shaded relief: cosine of the sun's incidence angle on the surface, in [0, 1].

    With ``p = z_factor dz/dx`` (east) and ``q = z_factor dz/dy`` (north) from Horn's window
    (see :func:`slope`), sun azimuth ``A`` (clockwise from north) and altitude ``h``::

        hillshade = max(0, (sin h - cos h (p sin A + q cos A)) / sqrt(1 + p^2 + q^2))

    1 for a surface facing the sun, 0 in self-shadow (cast shadows are not traced). This
    is the float behind ``gdaldem hillshade -compute_edges``, whose byte value is
    ``round(1 + 254 * hillshade)`` (0 being its nodata).

    Burrough & McDonnell (1998), Principles of Geographical Information Systems, p. 190;
    Horn (1981), Proc. IEEE 69(1):14-47; GDAL gdaldem documentation ("hillshade").

    Parameters
    ----------
    dem : xarray.DataArray
        Elevation (metres) on a projected grid, dims ``("y", "x")``, NaN for nodata.
    azimuth_deg : float, default 315
        Direction the light comes from, degrees clockwise from north (315 = north-west).
    altitude_deg : float, default 45
        Sun elevation above the horizon, degrees in [0, 90].
    z_factor : float, default 1
        Vertical exaggeration (elevation units per metre), > 0.

    Returns
    -------
    xarray.DataArray
        ``hillshade`` (units ``"1"``) in [0, 1].
    """
    azimuth, altitude, z_factor = _check_sun(azimuth_deg, altitude_deg, z_factor)
    block = partial(_hillshade_block, sun=_sun_terms(azimuth, altitude, z_factor))
    return _derive(
        dem,
        block,
        name="hillshade",
        units="1",
        long_name="hillshade, cos(incidence angle)",
        azimuth_deg=azimuth,
        altitude_deg=altitude,
        z_factor=z_factor,
    )


# ---------------------------------------------------------------------------------------------
# Validation and DataArray plumbing
# ---------------------------------------------------------------------------------------------


def _derive(
    dem: xr.DataArray,
    block_function: Callable[..., np.ndarray],
    *,
    name: str,
    units: str,
    depth: int = 1,
    **attrs: object,
) -> xr.DataArray:
    """Apply a block function to a DEM, whole or chunk by chunk, and wrap the result."""
    x_step, y_step = _cell_steps(dem)
    compute = partial(
        _run_block,
        block_function=block_function,
        x_step=x_step,
        y_step=y_step,
        nodata=_encoded_nodata(dem),
    )
    out_dtype = _output_dtype(dem.dtype)
    if isinstance(dem.data, da.Array):
        result = dem.data.map_overlap(
            compute,
            depth=depth,
            boundary="none",
            dtype=out_dtype,
            meta=np.empty((0, 0), dtype=out_dtype),
        )
    else:
        result = compute(np.asarray(dem.data))
    return _wrap_like(dem, result, name=name, units=units, **attrs)


def _wrap_like(
    dem: xr.DataArray, data: object, *, name: str, units: str, **attrs: object
) -> xr.DataArray:
    """Build a DataArray on the DEM's grid (coords, CRS) with name, units and NaN nodata."""
    out = xr.DataArray(
        data, coords=dem.coords, dims=dem.dims, name=name, attrs={"units": units, **attrs}
    )
    grid_mapping = dem.encoding.get("grid_mapping", dem.attrs.get("grid_mapping"))
    if grid_mapping is not None:
        out.attrs["grid_mapping"] = grid_mapping
    out.attrs["_FillValue"] = np.nan
    return out


def _cell_steps(dem: xr.DataArray) -> tuple[float, float]:
    """Check the DEM is usable and return its signed cell steps ``(dx, dy)`` in metres."""
    label = f"DEM {dem.name!r}" if dem.name is not None else "DEM"
    if dem.dims != ("y", "x"):
        raise ParameterError(
            describe(
                label,
                f"has dims {dem.dims}, expected ('y', 'x')",
                "select one band (dem.squeeze('band') or dem.sel(band=1)) and/or "
                "dem.transpose('y', 'x')",
            )
        )
    if dem.sizes["y"] < 2 or dem.sizes["x"] < 2:
        raise ParameterError(
            describe(
                label,
                f"has shape {dem.shape}; a gradient needs at least 2 x 2 cells",
                "give a larger DEM",
            )
        )
    crs = dem.rio.crs
    if crs is not None and crs.is_geographic:
        raise ParameterError(
            describe(
                label,
                f"is in a geographic CRS ({crs.to_string()}), so its cells are not metres",
                "reproject it to a projected CRS first, e.g. dem.rio.reproject('EPSG:32647')",
            )
        )
    return _regular_step(dem, "x", label), _regular_step(dem, "y", label)


def _regular_step(dem: xr.DataArray, dim: str, label: str) -> float:
    """Signed spacing of a regular coordinate, refused when missing or irregular."""
    if dim not in dem.coords:
        raise ParameterError(
            describe(
                label,
                f"has no '{dim}' coordinate, so its cell size is unknown",
                "assign cell-centre coordinates in metres (e.g. open it with rioxarray)",
            )
        )
    values = np.asarray(dem[dim].values, dtype=np.float64)
    steps = np.diff(values)
    step = float(steps[0])
    if step == 0 or not np.allclose(steps, step, rtol=1e-6, atol=0):
        raise ParameterError(
            describe(
                label,
                f"'{dim}' coordinate is not evenly spaced",
                "resample the DEM onto a regular grid first (siting.grid)",
            )
        )
    return step


def _encoded_nodata(dem: xr.DataArray) -> float | None:
    """A finite nodata value still present in the data (DEM opened without masking)."""
    nodata = dem.rio.nodata
    if nodata is None or np.isnan(nodata):
        return None
    return float(nodata)


def _output_dtype(dtype: np.dtype) -> np.dtype:
    """float64 for a float64 DEM, float32 otherwise (as gdaldem)."""
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


def _work_dtype(dtype: np.dtype) -> np.dtype:
    """float32 arithmetic for a float32 DEM (as gdaldem), float64 for anything else."""
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


def _run_block(
    block: np.ndarray,
    *,
    block_function: Callable[..., np.ndarray],
    x_step: float,
    y_step: float,
    nodata: float | None,
) -> np.ndarray:
    """Prepare one block (float, NaN nodata, C order) and run a kernel on it."""
    work = np.ascontiguousarray(block, dtype=_work_dtype(block.dtype))
    if nodata is not None:
        work = np.where(work == nodata, np.nan, work).astype(work.dtype, copy=False)
    out = np.empty(work.shape, dtype=_output_dtype(block.dtype))
    block_function(work, x_step, y_step, out)
    return out


def _check_radius(radius_cells: int, shape: tuple[int, ...]) -> int:
    """A TPI radius: a whole number of cells, at least 1, smaller than the DEM."""
    if isinstance(radius_cells, bool) or not isinstance(radius_cells, (int, np.integer)):
        raise ParameterError(
            describe(
                "radius_cells",
                f"{radius_cells!r} is not a whole number of cells",
                "give an int >= 1 (1 = 3 x 3 window)",
            )
        )
    if radius_cells < 1:
        raise ParameterError(
            describe("radius_cells", f"{radius_cells} < 1", "give an int >= 1 (1 = 3 x 3 window)")
        )
    if radius_cells >= min(shape):
        raise ParameterError(
            describe(
                "radius_cells",
                f"{radius_cells} is not smaller than the DEM's shape {shape}",
                "use a smaller radius or a larger DEM",
            )
        )
    return int(radius_cells)


def _check_sun(
    azimuth_deg: float, altitude_deg: float, z_factor: float
) -> tuple[float, float, float]:
    """Validate the hillshade light source and vertical exaggeration."""
    if not math.isfinite(azimuth_deg):
        raise ParameterError(
            describe(
                "azimuth_deg",
                f"{azimuth_deg} is not finite",
                "give degrees clockwise from north, e.g. 315",
            )
        )
    if not 0 <= altitude_deg <= 90:
        raise ParameterError(
            describe(
                "altitude_deg",
                f"{altitude_deg} is outside [0, 90]",
                "give the sun's elevation in degrees, e.g. 45",
            )
        )
    if not (math.isfinite(z_factor) and z_factor > 0):
        raise ParameterError(
            describe(
                "z_factor",
                f"{z_factor} is not a positive number",
                "give e.g. 1 (elevation and cells both in metres)",
            )
        )
    return float(azimuth_deg) % 360.0, float(altitude_deg), float(z_factor)


def _sun_terms(azimuth_deg: float, altitude_deg: float, z_factor: float) -> np.ndarray:
    """Constants of the hillshade formula: ``[sin h, cos h sin A, cos h cos A, z_factor]``."""
    azimuth = azimuth_deg * _DEGREES_TO_RADIANS
    altitude = altitude_deg * _DEGREES_TO_RADIANS
    return np.array(
        [
            math.sin(altitude),
            math.cos(altitude) * math.sin(azimuth),
            math.cos(altitude) * math.cos(azimuth),
            z_factor,
        ]
    )


def _northness_from_aspect(aspect_deg: xr.DataArray) -> xr.DataArray:
    """cos(aspect) of an aspect raster, NaN (flat or nodata) as 0."""
    cosine = np.cos(np.deg2rad(aspect_deg.data))
    values = xr.where(np.isnan(aspect_deg), 0.0, cosine).astype(aspect_deg.dtype)
    return _wrap_like(
        aspect_deg,
        values.data,
        name="northness",
        units="1",
        long_name="northness, cos(aspect); 0 on flat (and nodata) cells",
    )


# ---------------------------------------------------------------------------------------------
# Block functions: one per derivative, ``f(z, x_step, y_step, out)``
# ---------------------------------------------------------------------------------------------


def _slope_block(z: np.ndarray, x_step: float, y_step: float, out: np.ndarray) -> None:
    _slope_kernel(z, np.array([x_step, y_step]), out)


def _aspect_block(z: np.ndarray, x_step: float, y_step: float, out: np.ndarray) -> None:
    _aspect_kernel(z, np.array([x_step, y_step]), out)


def _northness_block(z: np.ndarray, x_step: float, y_step: float, out: np.ndarray) -> None:
    _northness_kernel(z, np.array([x_step, y_step]), out)


def _tpi_block(z: np.ndarray, x_step: float, y_step: float, out: np.ndarray) -> None:
    _tpi_kernel(z, np.array([x_step, y_step]), out)


def _wide_tpi_block(
    z: np.ndarray, x_step: float, y_step: float, out: np.ndarray, *, radius: int
) -> None:
    if z.size and np.nanmax(np.abs(z), initial=0.0) > TPI_MAX_ABS_ELEVATION_M:
        raise ParameterError(
            describe(
                "DEM for the topographic position index",
                f"holds values beyond +-{TPI_MAX_ABS_ELEVATION_M:,.0f} m",
                "give elevations in metres",
            )
        )
    _wide_tpi_kernel(z, radius, _tpi_scale(radius), out)


#: Largest |elevation| (m) the wide TPI accepts: its integer sums are sized for it.
TPI_MAX_ABS_ELEVATION_M = 16_384.0


def _tpi_scale(radius: int) -> float:
    """Integer units per metre of the wide TPI's sums: a power of two, at most 2^40.

    Extrapolated border values reach 3 x 16,384 m < 2^16 m, a window holds ``(2r+1)^2``
    of them, and the sum must stay below 2^62: scale = 2^floor(62 - 16 - log2((2r+1)^2)).
    """
    exponent = 62 - 16 - int(np.ceil(np.log2((2 * radius + 1) ** 2)))
    return float(2.0 ** min(40, exponent))


def _tri_block(z: np.ndarray, x_step: float, y_step: float, out: np.ndarray) -> None:
    _tri_kernel(z, np.array([x_step, y_step]), out)


def _hillshade_block(
    z: np.ndarray, x_step: float, y_step: float, out: np.ndarray, *, sun: np.ndarray
) -> None:
    _hillshade_kernel(z, np.concatenate([[x_step, y_step], sun]), out)


# ---------------------------------------------------------------------------------------------
# numba kernels
#
# A kernel sees one array (a whole DEM, or a dask block with its halo) and treats that
# array's edges as raster edges. With map_overlap(boundary="none") a block's edge is either
# the raster's edge (handled as gdaldem does) or a halo cell that map_overlap trims away, so
# a chunked result equals the whole-array one exactly. Each kernel runs the interior of a
# row as a branch-free loop that LLVM vectorises, and border cells one by one. fastmath stays
# off, so a vectorised lane and a scalar cell give bit-identical results: a cell's value does
# not depend on where it sits in a block.
# ---------------------------------------------------------------------------------------------

# Cephes atan (Moshier 1989, Methods and Programs for Mathematical Functions; cephes/atan.c):
# rational approximation on [0, 0.66] after range reduction, relative error ~2e-16. Written
# out so that it vectorises (libm's atan is an opaque call).
_ATAN_P = (
    -8.750608600031904122785e-01,
    -1.615753718733365076637e01,
    -7.500855792314704667340e01,
    -1.228866684490136173410e02,
    -6.485021904942025371773e01,
)
_ATAN_Q = (
    2.485846490142306297962e01,
    1.650270098316988542046e02,
    4.328810604912902668951e02,
    4.853903996359136964868e02,
    1.945506571482613964425e02,
)
_TAN_3PI_8 = 2.41421356237309504880
_ATAN_MOREBITS = 6.123233995736765886130e-17
# Largest float64 below 360 that float32 rounds up to 360 (ulp of float32 at 360 is 2**-15).
_FLOAT32_ROUNDS_TO_360 = 360.0 - 2.0**-16


@njit(inline="always", error_model="numpy")
def _atan_nonnegative(x):
    """Arc tangent (radians) of ``x >= 0``, branch-free (Cephes atan)."""
    big = x > _TAN_3PI_8
    middle = x > 0.66
    reduced = -1.0 / x if big else ((x - 1.0) / (x + 1.0) if middle else x)
    offset = math.pi / 2 if big else (math.pi / 4 if middle else 0.0)
    extra = _ATAN_MOREBITS if big else (0.5 * _ATAN_MOREBITS if middle else 0.0)
    p0, p1, p2, p3, p4 = _ATAN_P
    q0, q1, q2, q3, q4 = _ATAN_Q
    zz = reduced * reduced
    ratio = (
        zz
        * ((((p0 * zz + p1) * zz + p2) * zz + p3) * zz + p4)
        / (((((zz + q0) * zz + q1) * zz + q2) * zz + q3) * zz + q4)
    )
    return offset + (reduced * ratio + reduced + extra)


@njit(inline="always", error_model="numpy")
def _azimuth_deg(east, north):
    """Compass bearing of the vector (east, north) in [0, 360) degrees, branch-free."""
    abs_east, abs_north = abs(east), abs(north)
    steep = abs_east > abs_north
    ratio = (abs_north / abs_east) if steep else (abs_east / abs_north)
    angle = _atan_nonnegative(ratio)
    angle = (math.pi / 2 - angle) if steep else angle
    angle = (math.pi - angle) if north < 0 else angle
    degrees = (-angle if east < 0 else angle) * _RADIANS_TO_DEGREES
    degrees = degrees + 360.0 if degrees < 0 else degrees
    return 0.0 if degrees >= _FLOAT32_ROUNDS_TO_360 else degrees


@njit(inline="always", error_model="numpy")
def _fill(value, centre):
    """Replace a nodata neighbour by the centre's value (gdaldem -compute_edges)."""
    return centre if np.isnan(value) else value


@njit(inline="always", error_model="numpy")
def _interior_window(top, middle, bottom, j):
    """3 x 3 window ``(w0 .. w8)`` around column j of three rows, NaN neighbours filled."""
    c = middle[j]
    return (
        _fill(top[j - 1], c),
        _fill(top[j], c),
        _fill(top[j + 1], c),
        _fill(middle[j - 1], c),
        c,
        _fill(middle[j + 1], c),
        _fill(bottom[j - 1], c),
        _fill(bottom[j], c),
        _fill(bottom[j + 1], c),
    )


@njit(inline="always", error_model="numpy")
def _border_step(i, ny, nx):
    """Column step visiting a row's border cells: all of the first and last rows, else 2."""
    return 1 if (i == 0 or i == ny - 1) else nx - 1


@njit(inline="always", error_model="numpy")
def _border_window(z, i, j):
    """3 x 3 window of a border cell, missing cells extrapolated as gdaldem_lib.cpp does."""
    ny, nx = z.shape
    left = j - 1 if j > 0 else j
    right = j + 1 if j < nx - 1 else j
    if i == 0:
        w3, w4, w5 = z[0, left], z[0, j], z[0, right]
        w6, w7, w8 = z[1, left], z[1, j], z[1, right]
        # INTERPOL(a, b) = 2a - b, written a + a - b to stay in the DEM's precision.
        w = (w3 + w3 - w6, w4 + w4 - w7, w5 + w5 - w8, w3, w4, w5, w6, w7, w8)
    elif i == ny - 1:
        w0, w1, w2 = z[i - 1, left], z[i - 1, j], z[i - 1, right]
        w3, w4, w5 = z[i, left], z[i, j], z[i, right]
        w = (w0, w1, w2, w3, w4, w5, w3 + w3 - w0, w4 + w4 - w1, w5 + w5 - w2)
    elif j == 0:
        w1, w2 = z[i - 1, 0], z[i - 1, 1]
        w4, w5 = z[i, 0], z[i, 1]
        w7, w8 = z[i + 1, 0], z[i + 1, 1]
        w = (w1 + w1 - w2, w1, w2, w4 + w4 - w5, w4, w5, w7 + w7 - w8, w7, w8)
    else:
        w0, w1 = z[i - 1, j - 1], z[i - 1, j]
        w3, w4 = z[i, j - 1], z[i, j]
        w6, w7 = z[i + 1, j - 1], z[i + 1, j]
        w = (w0, w1, w1 + w1 - w0, w3, w4, w4 + w4 - w3, w6, w7, w7 + w7 - w6)
    c = w[4]
    return (
        _fill(w[0], c),
        _fill(w[1], c),
        _fill(w[2], c),
        _fill(w[3], c),
        c,
        _fill(w[5], c),
        _fill(w[6], c),
        _fill(w[7], c),
        _fill(w[8], c),
    )


@njit(inline="always", error_model="numpy")
def _horn_sums(w):
    """Horn's weighted differences, in gdaldem's order of operations.

    ``west_minus_east = (a + 2d + g) - (c + 2f + i)`` and
    ``next_minus_previous_row = (g + 2h + i) - (a + 2b + c)``.
    """
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = w
    west_minus_east = (w0 + w3 + w3 + w6) - (w2 + w5 + w5 + w8)
    next_minus_previous_row = (w6 + w7 + w7 + w8) - (w0 + w1 + w1 + w2)
    return west_minus_east, next_minus_previous_row


@njit(inline="always", error_model="numpy")
def _downslope(w, params):
    """Downslope vector ``8 (-dz/dx, -dz/dy)`` (east, north) and whether it is zero."""
    west_minus_east, next_minus_previous = _horn_sums(w)
    flat = west_minus_east == 0 and next_minus_previous == 0
    return west_minus_east / params[0], -next_minus_previous / params[1], flat


@njit(inline="always", error_model="numpy")
def _slope_value(w, params):
    east, north, _ = _downslope(w, params)
    degrees = _atan_nonnegative(math.sqrt(east * east + north * north) / 8.0) * _RADIANS_TO_DEGREES
    return np.nan if np.isnan(w[4]) else degrees


@njit(inline="always", error_model="numpy")
def _aspect_value(w, params):
    east, north, flat = _downslope(w, params)
    azimuth = _azimuth_deg(east, north)
    return np.nan if (flat or np.isnan(w[4])) else azimuth


@njit(inline="always", error_model="numpy")
def _northness_value(w, params):
    east, north, flat = _downslope(w, params)
    cosine = 0.0 if flat else north / math.sqrt(east * east + north * north)
    return np.nan if np.isnan(w[4]) else cosine


@njit(inline="always", error_model="numpy")
def _tpi_value(w, params):
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = w
    # gdaldem: w4 - sum * 0.125f, in float32 for a float32 DEM. Scaling by 0.125 is exact
    # and so is the float64 difference of two float32 values, so rounding the result to
    # float32 on store gives gdaldem's value.
    return w4 - (w0 + w1 + w2 + w3 + w5 + w6 + w7 + w8) * 0.125


@njit(inline="always", error_model="numpy")
def _tri_value(w, params):
    centre = w[4]
    total = 0.0
    for k in range(9):
        # The difference in the DEM's precision, squared in float64 (gdaldem).
        difference = np.float64(w[k] - centre)
        total += difference * difference
    return math.sqrt(total)


@njit(inline="always", error_model="numpy")
def _hillshade_value(w, params):
    east, north, _ = _downslope(w, params)
    # p = z dz/dx = -z east / 8 and q = z dz/dy = -z north / 8.
    sin_altitude, cos_alt_sin_az, cos_alt_cos_az, z_factor = (
        params[2],
        params[3],
        params[4],
        params[5],
    )
    p = -z_factor * east / 8.0
    q = -z_factor * north / 8.0
    cosine = (sin_altitude - (p * cos_alt_sin_az + q * cos_alt_cos_az)) / math.sqrt(
        1.0 + p * p + q * q
    )
    return np.nan if np.isnan(w[4]) else max(cosine, 0.0)


# One kernel per derivative, the same loops around a different value function: numba caches
# compiled code only for module-level functions, and a factory closing over the value function
# would be compiled again at every start (tens of seconds), so the loops are written out.
@njit(nogil=True, cache=True, error_model="numpy")
def _slope_kernel(z, params, out):
    ny, nx = z.shape
    for i in range(1, ny - 1):
        top, middle, bottom, row = z[i - 1], z[i], z[i + 1], out[i]
        for j in range(1, nx - 1):
            row[j] = _slope_value(_interior_window(top, middle, bottom, j), params)
    for i in range(ny):
        for j in range(0, nx, _border_step(i, ny, nx)):
            out[i, j] = _slope_value(_border_window(z, i, j), params)


@njit(nogil=True, cache=True, error_model="numpy")
def _aspect_kernel(z, params, out):
    ny, nx = z.shape
    for i in range(1, ny - 1):
        top, middle, bottom, row = z[i - 1], z[i], z[i + 1], out[i]
        for j in range(1, nx - 1):
            row[j] = _aspect_value(_interior_window(top, middle, bottom, j), params)
    for i in range(ny):
        for j in range(0, nx, _border_step(i, ny, nx)):
            out[i, j] = _aspect_value(_border_window(z, i, j), params)


@njit(nogil=True, cache=True, error_model="numpy")
def _northness_kernel(z, params, out):
    ny, nx = z.shape
    for i in range(1, ny - 1):
        top, middle, bottom, row = z[i - 1], z[i], z[i + 1], out[i]
        for j in range(1, nx - 1):
            row[j] = _northness_value(_interior_window(top, middle, bottom, j), params)
    for i in range(ny):
        for j in range(0, nx, _border_step(i, ny, nx)):
            out[i, j] = _northness_value(_border_window(z, i, j), params)


@njit(nogil=True, cache=True, error_model="numpy")
def _tpi_kernel(z, params, out):
    ny, nx = z.shape
    for i in range(1, ny - 1):
        top, middle, bottom, row = z[i - 1], z[i], z[i + 1], out[i]
        for j in range(1, nx - 1):
            row[j] = _tpi_value(_interior_window(top, middle, bottom, j), params)
    for i in range(ny):
        for j in range(0, nx, _border_step(i, ny, nx)):
            out[i, j] = _tpi_value(_border_window(z, i, j), params)


@njit(nogil=True, cache=True, error_model="numpy")
def _tri_kernel(z, params, out):
    ny, nx = z.shape
    for i in range(1, ny - 1):
        top, middle, bottom, row = z[i - 1], z[i], z[i + 1], out[i]
        for j in range(1, nx - 1):
            row[j] = _tri_value(_interior_window(top, middle, bottom, j), params)
    for i in range(ny):
        for j in range(0, nx, _border_step(i, ny, nx)):
            out[i, j] = _tri_value(_border_window(z, i, j), params)


@njit(nogil=True, cache=True, error_model="numpy")
def _hillshade_kernel(z, params, out):
    ny, nx = z.shape
    for i in range(1, ny - 1):
        top, middle, bottom, row = z[i - 1], z[i], z[i + 1], out[i]
        for j in range(1, nx - 1):
            row[j] = _hillshade_value(_interior_window(top, middle, bottom, j), params)
    for i in range(ny):
        for j in range(0, nx, _border_step(i, ny, nx)):
            out[i, j] = _hillshade_value(_border_window(z, i, j), params)


@njit(inline="always", error_model="numpy")
def _mirror(index, size):
    """Anchor and mirror of an index beyond an edge, for ``z[a] + z[a] - z[m]``."""
    if index < 0:
        return 0, -index
    return size - 1, 2 * (size - 1) - index


@njit(inline="always", error_model="numpy")
def _extended(z, i, j):
    """Elevation at (i, j), extrapolated linearly (point reflection) beyond the edges."""
    ny, nx = z.shape
    i_inside = 0 <= i < ny
    j_inside = 0 <= j < nx
    if i_inside and j_inside:
        return np.float64(z[i, j])
    if j_inside:
        anchor, mirror = _mirror(i, ny)
        return 2.0 * z[anchor, j] - z[mirror, j]
    if i_inside:
        anchor, mirror = _mirror(j, nx)
        return 2.0 * z[i, anchor] - z[i, mirror]
    ai, mi = _mirror(i, ny)
    aj, mj = _mirror(j, nx)
    return 4.0 * z[ai, aj] - 2.0 * z[ai, mj] - 2.0 * z[mi, aj] + np.float64(z[mi, mj])


@njit(nogil=True, cache=True, error_model="numpy")
def _wide_tpi_kernel(z, radius, scale, out):
    # O(1) per cell: running window sums (a summed-area table along each axis) of the
    # elevations as integers in units of 1 / scale metres. Integer sums are exact whatever the
    # order or the block's origin, so a chunked result equals the whole-array result exactly;
    # the quantum (1 / scale <= 2^-26 m for r <= 500) keeps the window mean within 1e-8 m of
    # the float one. ``scale`` is chosen so that no sum can overflow int64 (see _tpi_scale).
    ny, nx = z.shape
    width = 2 * radius + 1
    neighbours = width * width - 1
    ey, ex = ny + 2 * radius, nx + 2 * radius
    q = np.empty((ey, ex), dtype=np.int64)
    gap = np.zeros((ey, ex), dtype=np.int64)
    for i in range(ey):
        for j in range(ex):
            value = _extended(z, i - radius, j - radius)
            if np.isnan(value):
                q[i, j] = 0
                gap[i, j] = 1
            else:
                q[i, j] = np.int64(np.rint(value * scale))
    column = np.zeros(ex, dtype=np.int64)  # window-height sums of each extended column
    column_gap = np.zeros(ex, dtype=np.int64)
    for di in range(width):
        for j in range(ex):
            column[j] += q[di, j]
            column_gap[j] += gap[di, j]
    for i in range(ny):
        if i > 0:
            for j in range(ex):
                column[j] += q[i + width - 1, j] - q[i - 1, j]
                column_gap[j] += gap[i + width - 1, j] - gap[i - 1, j]
        total = np.int64(0)
        missing = np.int64(0)
        for dj in range(width):
            total += column[dj]
            missing += column_gap[dj]
        for j in range(nx):
            if j > 0:
                total += column[j + width - 1] - column[j - 1]
                missing += column_gap[j + width - 1] - column_gap[j - 1]
            centre = np.float64(z[i, j])
            if np.isnan(centre):
                out[i, j] = np.nan
                continue
            # NaN neighbours count as the centre value; the centre itself is not a neighbour.
            others = np.float64(total - q[i + radius, j + radius]) / scale
            out[i, j] = centre - (others + missing * centre) / neighbours
