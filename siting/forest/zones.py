"""The FAO ecological zone of each reforestation site, which picks its IPCC Tier 1 growth values.

Rule
----
FAO's Global Ecological Zones (FAO 2012, *Global ecological zones for FAO forest reporting:
2010 update*, FRA Working Paper 179, Table 1), which IPCC 2019 Refinement Vol. 4 Ch. 4 uses to
tabulate forest growth (Tables 4.7–4.12), separate the cold zones by the number of months
with a mean temperature of at least 10 °C:

* **polar**: no month at or above 10 °C (no forest; Köppen E);
* **boreal**: at most 3 months;
* **temperate continental**: 4 to 8 months (with a cold winter);
* **warmer**: more than 8 months (subtropical and tropical; no shipped species has values).

Each site's monthly means are the climate station's normals shifted by the environmental lapse
rate to the site's mean elevation (``T_site = T_station - lapse * (z_site - z_station)``). A
site whose majority Köppen–Geiger class is E (polar/alpine: warmest month below 10 °C by
definition, Beck et al. 2018) is polar whatever the lapse-rate estimate says: the 1-km climate
map resolves cold summits that one station and a lapse rate can miss.

The rule is sharp: near Mörön May's mean (9.7 °C at the station) is 0.3 K below the threshold,
so a site about 50 m below the station counts May and is temperate continental. The report
lists each site's zone and month count so that a reader can see which side of the line it is.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

#: Mean monthly temperature (°C) that counts a month as warm (FAO 2012, Table 1).
WARM_MONTH_C = 10.0

#: The FAO zone names siting uses (keys of a species file's ``zones``).
ZoneName = Literal["polar", "boreal", "temperate_continental", "warmer"]

#: Köppen–Geiger main-group code of polar/alpine climates in the climate layer (Beck et al. 2018).
KOPPEN_POLAR = 5


def warm_months(monthly_mean_c: np.ndarray) -> np.ndarray:
    """Number of months with a mean temperature of at least 10 °C.

    Parameters
    ----------
    monthly_mean_c : array_like
        Shape (..., 12): mean temperature of each month, °C.

    Returns
    -------
    numpy.ndarray of int
        Shape (...): months at or above :data:`WARM_MONTH_C`.
    """
    return np.count_nonzero(np.asarray(monthly_mean_c, dtype=float) >= WARM_MONTH_C, axis=-1)


def zone_of_warm_months(months: int) -> ZoneName:
    """The FAO ecological zone of a number of warm months (see the module docstring)."""
    if months <= 0:
        return "polar"
    if months <= 3:
        return "boreal"
    if months <= 8:
        return "temperate_continental"
    return "warmer"


def site_monthly_means(
    station_monthly_mean_c: np.ndarray,
    station_elevation_m: float,
    site_elevation_m: np.ndarray,
    lapse_rate_c_per_km: float,
) -> np.ndarray:
    """Monthly means of each site from the station's, shifted by the lapse rate.

    Parameters
    ----------
    station_monthly_mean_c : array_like
        The station's 12 monthly means, °C.
    station_elevation_m : float
        The station's elevation, m.
    site_elevation_m : array_like
        Mean elevation of each site, m.
    lapse_rate_c_per_km : float
        Temperature decrease with height, K/km.

    Returns
    -------
    numpy.ndarray
        Shape (sites, 12), °C.
    """
    station = np.asarray(station_monthly_mean_c, dtype=float)
    rise_km = (np.asarray(site_elevation_m, dtype=float) - station_elevation_m) / 1000.0
    return station[None, :] - lapse_rate_c_per_km * rise_km[:, None]


def site_zones(
    site_elevation_m: np.ndarray,
    koppen_codes: np.ndarray | None,
    station_monthly_mean_c: np.ndarray,
    station_elevation_m: float,
    lapse_rate_c_per_km: float,
) -> tuple[list[ZoneName], np.ndarray]:
    """The ecological zone and warm-month count of each site.

    Parameters
    ----------
    site_elevation_m : array_like
        Mean elevation of each site, m (NaN: the station's elevation).
    koppen_codes : array_like of int, optional
        Majority Köppen–Geiger main-group code of each site; code 5 (E) makes a site polar.
    station_monthly_mean_c, station_elevation_m, lapse_rate_c_per_km
        The station climate (see :func:`site_monthly_means`).

    Returns
    -------
    zones : list of str
        One :data:`ZoneName` per site.
    months : numpy.ndarray of int
        Warm months of each site (0 where the Köppen class made it polar).
    """
    elevation = np.asarray(site_elevation_m, dtype=float)
    elevation = np.where(np.isfinite(elevation), elevation, station_elevation_m)
    months = warm_months(
        site_monthly_means(
            station_monthly_mean_c, station_elevation_m, elevation, lapse_rate_c_per_km
        )
    )
    if koppen_codes is not None:
        months = np.where(np.asarray(koppen_codes) == KOPPEN_POLAR, 0, months)
    return [zone_of_warm_months(int(m)) for m in months], months
