"""The wind rose of each wind site, from the scenario's climate source.

``wind_yield.climate.source`` chooses: an ERA5-style dataset (read by
:func:`siting.io.era5.read_era5` and passed in) at each site's representative point, or the
run's rasters (Weibull A and k layers, a mean-speed layer, or the estimate) averaged over the
site's cells with sector frequencies from the scenario's prevailing direction (see
:mod:`siting.wind.climate`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import xarray as xr
from pyproj import Transformer

from siting.errors import ParameterError
from siting.scenario.wind import ClimateSpec, WindYieldSpec
from siting.wind import climate as wind_climate
from siting.wind.climate import WindRose

__all__ = ["site_wind_roses"]


def site_wind_roses(
    sites: gpd.GeoDataFrame,
    rasters: xr.Dataset,
    spec: WindYieldSpec,
    era5: xr.Dataset | None = None,
) -> dict[str, WindRose]:
    """Wind rose of each site at the climate's own height, from the scenario's source.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        ``site_id`` and polygons in the rasters' CRS.
    rasters : xarray.Dataset
        The run's rasters (``wind_speed_ms`` or the named layers).
    spec : WindYieldSpec
        The ``wind_yield`` section.
    era5 : xarray.Dataset, optional
        The ERA5 time series (:func:`siting.io.era5.read_era5`); needed when
        ``spec.climate.source`` is ``"era5"``.

    Returns
    -------
    dict of str to WindRose

    Raises
    ------
    ParameterError
        If the climate source is ERA5 and no ``era5`` dataset is given.
    """
    climate = spec.climate
    if climate.source != "era5":
        return _raster_roses(sites, rasters, climate)
    if era5 is None:
        raise ParameterError(
            what="wind_yield.climate.source",
            problem="is era5, but no ERA5 dataset was passed in",
            fix="read it with siting.io.era5.read_era5(spec.climate.era5_path) and pass era5=",
        )
    return _era5_roses(sites, era5, climate)


def _era5_roses(
    sites: gpd.GeoDataFrame, era5: xr.Dataset, climate: ClimateSpec
) -> dict[str, WindRose]:
    """Roses from the ERA5 time series at each site's representative point."""
    to_lonlat = Transformer.from_crs(sites.crs, "EPSG:4326", always_xy=True)
    centres = sites.geometry.representative_point()
    lon, lat = to_lonlat.transform(centres.x.to_numpy(), centres.y.to_numpy())
    return {
        site: wind_climate.rose_from_era5(
            era5,
            float(lo),
            float(la),
            n_sectors=climate.n_sectors,
            min_samples_per_sector=climate.min_samples_per_sector,
            point=climate.era5_point,
        )
        for site, lo, la in zip(sites["site_id"], lon, lat, strict=True)
    }


def _raster_roses(
    sites: gpd.GeoDataFrame, rasters: xr.Dataset, climate: ClimateSpec
) -> dict[str, WindRose]:
    """Roses from the wind rasters averaged over each site, directions from the scenario."""
    frequency = wind_climate.von_mises_frequencies(
        climate.n_sectors, climate.prevailing_direction_deg, climate.direction_concentration
    )
    direction_source = (
        f"scenario prevailing direction {climate.prevailing_direction_deg:g} deg, "
        f"von Mises kappa {climate.direction_concentration:g} (estimate)"
    )
    if climate.source == "weibull_rasters":
        layers = [climate.weibull_a_layer, climate.weibull_k_layer]
        means = wind_climate.site_means(sites, rasters, layers)
        a_values, k_values = means[layers[0]], means[layers[1]]
        reference = rasters[layers[0]]
    else:
        layer = climate.mean_speed_layer
        means = wind_climate.site_means(sites, rasters, [layer])
        k_values = np.full(len(sites), climate.weibull_k)
        a_values = wind_climate.weibull_a_from_mean(means[layer], k_values)
        reference = rasters[layer]
    height = climate.height_m or float(
        reference.attrs.get("height_m", wind_climate.DEFAULT_LAYER_HEIGHT_M)
    )
    # Flagged when the raster says it is an estimate, or when it says nothing and the
    # scenario asked for the estimate; a real layer read as "estimate" keeps its provenance.
    unflagged_estimate = climate.source == "estimate" and "estimate" not in reference.attrs
    flagged = bool(reference.attrs.get("estimate", False)) or unflagged_estimate
    source = "estimate" if flagged else "layer"
    note = (
        f"mean speed from {reference.name!r} ({reference.attrs.get('source', '')}), "
        f"Weibull k = {climate.weibull_k:g}"
        if climate.source != "weibull_rasters"
        else f"Weibull A and k from {layers}"
    )
    return {
        site: wind_climate.rose_from_weibull(
            float(a),
            float(k),
            height_m=height,
            frequency=frequency,
            source=source,
            direction_source=direction_source,
            note=note,
        )
        for site, a, k in zip(sites["site_id"], a_values, k_values, strict=True)
    }
