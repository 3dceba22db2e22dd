"""ERA5-style NetCDF: hourly u/v wind components at 10 m and/or 100 m, read with xarray.

The dataset read here is passed to :func:`siting.wind.climate.rose_from_era5`, which builds a
site's wind rose from it.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from siting.errors import InputDataError, InputNotFoundError, describe


def read_era5(path: str | Path) -> xr.Dataset:
    """Open an ERA5-style NetCDF and check it has u/v wind at 10 m and/or 100 m.

    Parameters
    ----------
    path : str or pathlib.Path
        NetCDF with ``u10``/``v10`` and/or ``u100``/``v100`` (m/s) on ``time`` x
        ``latitude`` x ``longitude`` (or ``lat``/``lon``).

    Returns
    -------
    xarray.Dataset
        Loaded into memory, coordinates named ``latitude`` and ``longitude``.

    Raises
    ------
    InputDataError
        If the file is missing, unreadable or lacks the variables.
    """
    path = Path(path)
    try:
        with xr.open_dataset(path) as opened:
            data = opened.load()
    except FileNotFoundError:
        raise InputNotFoundError(
            what=str(path), problem="ERA5 file not found", fix="check wind_yield.climate.era5_path"
        ) from None
    except (OSError, ValueError) as err:
        raise InputDataError(
            describe(str(path), f"cannot read as NetCDF ({err})", "give an ERA5 NetCDF file")
        ) from None
    data = data.rename(
        {k: v for k, v in {"lat": "latitude", "lon": "longitude"}.items() if k in data.dims}
    )
    if not ({"u10", "v10"} <= set(data) or {"u100", "v100"} <= set(data)):
        raise InputDataError(
            describe(
                str(path),
                f"no u10/v10 or u100/v100 wind components (variables: {sorted(data)})",
                "download ERA5 single levels with 10m/100m u and v components of wind",
            )
        )
    if "time" not in data.dims or not {"latitude", "longitude"} <= set(data.dims):
        raise InputDataError(
            describe(str(path), f"dims {tuple(data.dims)}", "need time, latitude, longitude")
        )
    return data
