"""Global Wind Atlas 3: mean wind speed and combined Weibull A and k at 50, 100 and 150 m.

The GWA serves one GeoTIFF per country, layer and height at
``<base>/<ISO3>/<layer>/<height>`` (``wind-speed``, ``combined-Weibull-A``,
``combined-Weibull-k``), redirecting to a Cloud-Optimized GeoTIFF of ~250 m cells (0.0025
degree, EPSG:4326): only the AOI's window is read. The country is an ISO 3166-1 alpha-3 code
(``MNG`` for Mongolia).
"""

from __future__ import annotations

import re

from siting.errors import ParameterError
from siting.fetch.product import FetchContext, Product, raster_product


def layer_urls(spec: dict, country: str, heights_m: list[int]) -> dict[str, str]:
    """Role (e.g. ``weibull_a_100m``) to URL, for every layer at every height.

    Examples
    --------
    >>> spec = {"base_url": "B", "file_template": "{base}/{country}/{layer}/{height}",
    ...         "layers": {"mean_speed": "wind-speed"}}
    >>> layer_urls(spec, "MNG", [100])
    {'mean_speed_100m': 'B/MNG/wind-speed/100'}
    """
    return {
        f"{role}_{height}m": spec["file_template"].format(
            base=spec["base_url"], country=country, layer=layer, height=height
        )
        for height in heights_m
        for role, layer in spec["layers"].items()
    }


def fetch_wind_atlas(
    ctx: FetchContext,
    bounds: tuple[float, float, float, float],
    *,
    country: str = "MNG",
    heights_m: list[int] | None = None,
) -> Product:
    """GWA rasters over ``bounds``: one COG per layer and height.

    Parameters
    ----------
    ctx : FetchContext
        Cache and transfer settings.
    bounds : tuple of float
        West, south, east, north, degrees.
    country : str
        ISO 3166-1 alpha-3 code of the country whose GWA files cover the AOI.
    heights_m : list of int, optional
        Heights to fetch; default those of ``sources.yaml`` (50, 100, 150 m).
    """
    spec = ctx.sources["wind_atlas"]
    if not re.fullmatch(r"[A-Z]{3}", country):
        raise ParameterError(
            what="--gwa-country",
            problem=f"{country!r} is not an ISO 3166-1 alpha-3 code",
            fix="give the country's three capital letters, e.g. MNG for Mongolia",
        )
    heights = heights_m or spec["heights_m"]
    unknown = sorted(set(heights) - set(spec["heights_m"]))
    if unknown:
        raise ParameterError(
            what="--gwa-heights",
            problem=f"{unknown} m not offered",
            fix=f"choose among {spec['heights_m']}",
        )
    files, cached_all, details, urls = {}, True, {}, []
    for role, url in layer_urls(spec, country, heights).items():
        path, cached, info = raster_product(
            ctx,
            name=f"gwa_{role}.tif",
            urls=[url],
            bounds=bounds,
            kind="continuous",
            label=f"GWA {role}",
            what=f"Global Wind Atlas {role} ({country})",
        )
        files[role], details[role] = path, info
        cached_all &= cached
        urls.append(url)
    return Product("wind", "wind_atlas", files, urls, cached_all, [], details)
