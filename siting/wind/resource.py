"""Mean wind speed for screening: a given layer, or an estimate from terrain exposure.

No open wind climatology covers Mörön, so the default scenario estimates the mean speed at
100 m from the topographic position index (TPI): open steppe gets the scenario's reference
speed, sheltered valleys less and ridges more. The estimate is flagged (``attrs["estimate"]``)
so that every output built on it can say so. A real wind layer (e.g. the Global Wind Atlas
mean-speed GeoTIFF) replaces it through ``wind_resource.layer``.
"""

from __future__ import annotations

import xarray as xr

from siting.errors import ParameterError, describe


def exposure_factor(
    tpi_m: xr.DataArray, *, valley_factor: float, ridge_factor: float, tpi_scale_m: float
) -> xr.DataArray:
    """Speed-up (>1) or shelter (<1) factor from the topographic position index.

    The factor is piecewise linear in TPI: ``valley_factor`` at TPI <= -``tpi_scale_m``,
    1 at TPI = 0, ``ridge_factor`` at TPI >= ``tpi_scale_m``.

    Parameters
    ----------
    tpi_m : xarray.DataArray
        Topographic position index, metres (cell minus neighbourhood mean).
    valley_factor : float
        Factor in sheltered valleys, 0 < f <= 1.
    ridge_factor : float
        Factor on ridges, >= 1.
    tpi_scale_m : float
        TPI magnitude (m) at which the valley or ridge factor is reached.

    Returns
    -------
    xarray.DataArray
        Dimensionless factor, NaN where TPI is NaN.
    """
    if not (0 < valley_factor <= 1 <= ridge_factor) or tpi_scale_m <= 0:
        raise ParameterError(
            describe(
                "wind_resource.estimate",
                f"needs 0 < valley_factor <= 1 <= ridge_factor and tpi_scale_m > 0, got "
                f"{valley_factor}, {ridge_factor}, {tpi_scale_m}",
                "set the factors around 1 (e.g. 0.75 and 1.15)",
            )
        )
    relative = (tpi_m / tpi_scale_m).clip(-1.0, 1.0)
    factor = 1.0 + xr.where(relative < 0, (1.0 - valley_factor), (ridge_factor - 1.0)) * relative
    return factor.where(tpi_m.notnull()).astype("float32").rename("exposure_factor")


def estimated_mean_speed(
    tpi_m: xr.DataArray,
    *,
    mean_speed_ms: float,
    height_m: float,
    valley_factor: float,
    ridge_factor: float,
    tpi_scale_m: float,
    source: str = "",
) -> xr.DataArray:
    """Estimated long-term mean wind speed, m/s, at ``height_m`` above ground.

    speed = ``mean_speed_ms`` x :func:`exposure_factor`.

    Returns
    -------
    xarray.DataArray
        ``wind_speed_ms`` with ``attrs["estimate"] = True`` and the height and source.
    """
    factor = exposure_factor(
        tpi_m, valley_factor=valley_factor, ridge_factor=ridge_factor, tpi_scale_m=tpi_scale_m
    )
    speed = (mean_speed_ms * factor).astype("float32").rename("wind_speed_ms")
    speed.attrs = {
        "units": "m s-1",
        "height_m": height_m,
        "estimate": True,
        "source": source or "terrain-exposure estimate",
    }
    return speed


def given_mean_speed(layer: xr.DataArray, *, height_m: float) -> xr.DataArray:
    """A mean wind-speed layer (m/s) as the run's ``wind_speed_ms``, checked for sanity."""
    speed = layer.astype("float32").rename("wind_speed_ms")
    speed.attrs = {
        "units": "m s-1",
        "height_m": height_m,
        "estimate": False,
        "source": layer.attrs.get("source", ""),
    }
    return speed.where((speed >= 0) & (speed < 50))  # m/s; other values are nodata codes


def is_estimate(speed: xr.DataArray) -> bool:
    """True when a wind-speed raster is the terrain estimate, not measured data."""
    return bool(speed.attrs.get("estimate", False))
