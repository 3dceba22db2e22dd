"""ERA5 hourly 100 m wind at the AOI from the Copernicus Climate Data Store (optional).

Uses the official client, ``cdsapi`` (``pip install cdsapi``), imported only when ERA5 is asked
for, with the user's CDS key (``~/.cdsapirc`` or ``CDSAPI_URL``/``CDSAPI_KEY``; see
https://cds.climate.copernicus.eu/how-to-api). One request per year (``reanalysis-era5-single-
levels``: 100 m u and v, every hour, the AOI plus one ERA5 cell of 0.25 degree), each result
downloaded resumably into the cache, then joined into one NetCDF with ``time``, ``latitude``,
``longitude``, ``u100``, ``v100`` as :func:`siting.io.era5.read_era5` reads it.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from siting.errors import ParameterError, SitingError
from siting.fetch.cache import product_key, read_record, write_record
from siting.fetch.http import download
from siting.fetch.product import PRODUCT_VERSION, FetchContext, Product

#: ERA5's grid spacing, degrees (Hersbach et al. 2020): the margin added around the AOI.
ERA5_CELL_DEG = 0.25
VARIABLES = ["100m_u_component_of_wind", "100m_v_component_of_wind"]


def cds_client():
    """A ``cdsapi.Client``, or a clear error when the client or the user's key is missing."""
    try:
        cdsapi = importlib.import_module("cdsapi")
    except ImportError:
        raise SitingError(
            what="--layers era5",
            problem="needs cdsapi, the Climate Data Store client, which is not installed",
            fix="pip install cdsapi (or 'siting[era5]'), or leave era5 out of --layers",
        ) from None
    rc = Path(os.environ.get("CDSAPI_RC", Path.home() / ".cdsapirc")).expanduser()
    if not (os.environ.get("CDSAPI_KEY") or rc.is_file()):
        raise SitingError(
            what="--layers era5",
            problem=f"no CDS API key (neither CDSAPI_KEY nor {rc})",
            fix="register at https://cds.climate.copernicus.eu, accept the ERA5 licence, and put "
            f"'url: https://cds.climate.copernicus.eu/api' and 'key: <your key>' in {rc}",
        )
    return cdsapi.Client(quiet=True, progress=False)


def era5_request(bounds: tuple[float, float, float, float], year: int) -> dict:
    """The CDS request of one year of hourly 100 m wind over ``bounds`` (plus one cell)."""
    west, south, east, north = bounds
    pad = ERA5_CELL_DEG
    return {
        "product_type": ["reanalysis"],
        "variable": VARIABLES,
        "year": [str(year)],
        "month": [f"{m:02d}" for m in range(1, 13)],
        "day": [f"{d:02d}" for d in range(1, 32)],
        "time": [f"{h:02d}:00" for h in range(24)],
        "area": [
            round(north + pad, 2),
            round(west - pad, 2),
            round(south - pad, 2),
            round(east + pad, 2),
        ],
        "data_format": "netcdf",
        "download_format": "unarchived",
    }


def _year_file(ctx: FetchContext, client, dataset: str, request: dict, year: int) -> Path:
    local = ctx.cache.files / f"era5_{product_key(dataset=dataset, request=request)}_{year}.nc"
    if read_record(local) is not None and not ctx.refresh:
        return local
    result = client.retrieve(dataset, request)
    location = getattr(result, "location", None)
    by_hand = (
        f"or download ERA5 {dataset} for {year} (variables {VARIABLES}, area {request['area']}) "
        f"from the CDS web page and save it as {local}"
    )
    if isinstance(location, str) and location.startswith(("http://", "https://")):
        download(
            location,
            local,
            retry=ctx.retry,
            progress=ctx.progress,
            label=f"ERA5 {year}",
            by_hand=by_hand,
        )
    else:  # a client without a download URL: let it write, then rename
        part = local.with_name(local.name + ".part")
        result.download(str(part))
        os.replace(part, local)
    write_record(local, request=request)
    return local


def fetch_era5(
    ctx: FetchContext, bounds: tuple[float, float, float, float], *, years: tuple[int, int]
) -> Product:
    """Hourly 100 m u/v wind for the years ``years[0]..years[1]`` (inclusive) as one NetCDF."""
    first, last = years
    if not 1940 <= first <= last:
        raise ParameterError(
            what="--era5-years",
            problem=f"{first}-{last} is not a period of ERA5",
            fix="give FIRST-LAST with 1940 <= FIRST <= LAST, e.g. 2014-2023",
        )
    spec = ctx.sources["era5"]
    key = product_key(bounds=bounds, years=years, version=PRODUCT_VERSION, base=spec["base_url"])
    dest = ctx.cache.product_dir(key) / f"era5_wind_100m_{first}_{last}.nc"
    if not ctx.refresh and ctx.cache.cached_product(key, dest.name) is not None:
        return Product("era5", "era5", {"era5": dest}, [spec["base_url"]], True)
    client = cds_client()
    paths = [
        _year_file(ctx, client, spec["dataset"], era5_request(bounds, year), year)
        for year in range(first, last + 1)
    ]
    _join(paths, dest)
    write_record(dest, key=key, years=list(years))
    return Product(
        "era5",
        "era5",
        {"era5": dest},
        [spec["base_url"]],
        False,
        details={"years": list(years), "files": len(paths)},
    )


def _join(paths: list[Path], dest: Path) -> None:
    """Join yearly files into one NetCDF (``valid_time`` of the new CDS renamed ``time``)."""
    import xarray as xr

    parts = []
    for path in paths:
        with xr.open_dataset(path) as opened:
            data = opened.load()
        if "valid_time" in data.dims:
            data = data.rename({"valid_time": "time"})
        data = data.drop_vars([v for v in ("expver", "number") if v in data.variables])
        parts.append(data[["u100", "v100"]])
    joined = xr.concat(parts, dim="time").sortby("time")
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(f".{dest.name}.tmp")
    joined.to_netcdf(temporary)
    os.replace(temporary, dest)
