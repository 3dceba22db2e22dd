"""Wind climate per site: a wind rose of sector frequencies with a Weibull A and k per sector.

Three inputs (``wind_yield.climate.source``):

* raster layers on the analysis grid: Weibull A and k, or a mean speed plus k (the Global Wind
  Atlas GeoTIFF layout; ``A = U / Gamma(1 + 1/k)``), at a stated height. Rasters carry no
  direction, so their roses take sector frequencies from the scenario's prevailing direction;
* an hourly time series of u/v at 10 m and/or 100 m from an ERA5-style dataset (read by
  :func:`siting.io.era5.read_era5`) at the site's position: sector frequencies from the
  directions, a Weibull fit (maximum likelihood, ``scipy.stats.weibull_min``) per sector, and
  the all-direction fit for sectors with too few samples;
* the scenario's estimate: the run's ``wind_speed_ms`` raster (the terrain estimate of
  :mod:`siting.wind.resource` by default), Weibull k = 2 and frequencies from the prevailing
  direction. Such roses are flagged (``source == "estimate"``).

Directions are meteorological: degrees clockwise from north, the direction the wind comes FROM.
Sector ``i`` of ``n`` is centred on ``i * 360 / n``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import dask
import geopandas as gpd
import numpy as np
import rasterio.features
import rioxarray  # noqa: F401  (registers the .rio accessor used below)
import xarray as xr
from scipy import special, stats

from siting.errors import InputDataError, ParameterError, describe

__all__ = [
    "WindRose",
    "fit_weibull",
    "rose_from_era5",
    "rose_from_timeseries",
    "rose_from_weibull",
    "sector_centres",
    "site_means",
    "von_mises_frequencies",
    "weibull_a_from_mean",
    "wind_direction_deg",
]

#: Default height of a wind raster without ``attrs["height_m"]`` (Global Wind Atlas layers
#: are usually the 100 m ones), m.
DEFAULT_LAYER_HEIGHT_M = 100.0


@dataclass(frozen=True)
class WindRose:
    """Sector frequencies and per-sector Weibull distributions at one height.

    Attributes
    ----------
    direction_deg : numpy.ndarray
        Sector centres, degrees from north (wind from).
    frequency : numpy.ndarray
        Share of time in each sector, summing to 1.
    weibull_a_ms : numpy.ndarray
        Weibull scale per sector, m/s.
    weibull_k : numpy.ndarray
        Weibull shape per sector.
    height_m : float
        Height above ground the distribution holds at, m.
    source : str
        ``"estimate"``, ``"layer"`` or ``"era5"``.
    direction_source : str
        Where the sector frequencies come from.
    note : str
        Caveats (e.g. a short time series).
    """

    direction_deg: np.ndarray
    frequency: np.ndarray
    weibull_a_ms: np.ndarray
    weibull_k: np.ndarray
    height_m: float
    source: str
    direction_source: str
    note: str = ""

    @property
    def n_sectors(self) -> int:
        """Number of direction sectors."""
        return int(self.direction_deg.size)

    @property
    def sector_width_deg(self) -> float:
        """Width of one sector, degrees."""
        return 360.0 / self.n_sectors

    def mean_speed_ms(self) -> float:
        """Mean wind speed over all directions, m/s: ``sum f_i A_i Gamma(1 + 1/k_i)``."""
        return float(
            np.sum(self.frequency * self.weibull_a_ms * special.gamma(1 + 1 / self.weibull_k))
        )

    def prevailing_direction_deg(self) -> float:
        """Centre of the sector carrying the most wind energy, degrees.

        Energy per sector is ``f_i E[U^3] = f_i A_i^3 Gamma(1 + 3/k_i)``: the layout aligns its
        rows with the direction that matters for yield, not merely the most frequent one.
        """
        energy = self.frequency * self.weibull_a_ms**3 * special.gamma(1 + 3 / self.weibull_k)
        return float(self.direction_deg[int(np.argmax(energy))])

    def energy_weighted_direction_deg(self) -> float:
        """Energy-weighted circular mean of the sector directions, degrees.

        Sector weights are the wind energy ``f_i A_i^3 Gamma(1 + 3/k_i)``; when they cancel out
        (no mean direction), the prevailing direction (:meth:`prevailing_direction_deg`).
        """
        energy = self.frequency * self.weibull_a_ms**3 * special.gamma(1 + 3 / self.weibull_k)
        theta = np.deg2rad(self.direction_deg)
        east, north = np.sum(energy * np.sin(theta)), np.sum(energy * np.cos(theta))
        if np.hypot(east, north) < 1e-9 * energy.sum():
            return self.prevailing_direction_deg()
        return float(np.degrees(np.arctan2(east, north)) % 360.0)

    def scaled(self, factor: float, *, height_m: float) -> WindRose:
        """The rose with every Weibull A times ``factor`` (k kept), now at ``height_m``.

        Shear is applied to A only, keeping k: the usual simplification (Justus et al. 1978,
        J. Appl. Meteorol. 17:350, also change k with height; not done here).
        """
        return replace(self, weibull_a_ms=self.weibull_a_ms * factor, height_m=float(height_m))

    def probabilities(self, ws_edges_ms, directions_per_sector: int = 1):
        """Discrete joint probabilities of direction and speed bins.

        Parameters
        ----------
        ws_edges_ms : array_like
            Increasing speed-bin edges, m/s (mass outside them is dropped).
        directions_per_sector : int
            Directions simulated per sector, evenly spaced, each with 1/m of its frequency.

        Returns
        -------
        wd : numpy.ndarray
            Directions, degrees.
        ws : numpy.ndarray
            Bin centres, m/s.
        p : numpy.ndarray
            Probability of each (wd, ws) pair, shape ``(wd.size, ws.size)``.
        """
        edges = np.asarray(ws_edges_ms, dtype=float)
        centres = 0.5 * (edges[:-1] + edges[1:])
        cdf = stats.weibull_min.cdf(
            edges[None, :], self.weibull_k[:, None], scale=self.weibull_a_ms[:, None]
        )
        p_sector = self.frequency[:, None] * np.diff(cdf, axis=1)
        m = int(directions_per_sector)
        offsets = (np.arange(m) + 0.5) / m * self.sector_width_deg - self.sector_width_deg / 2
        wd = (self.direction_deg[:, None] + offsets[None, :]).ravel() % 360.0
        p = np.repeat(p_sector / m, m, axis=0)
        return wd, centres, p


def sector_centres(n_sectors: int) -> np.ndarray:
    """Centres of ``n_sectors`` equal direction sectors, the first on north, degrees."""
    return np.arange(n_sectors) * 360.0 / n_sectors


def sector_index(direction_deg, n_sectors: int) -> np.ndarray:
    """Sector of each direction (sector 0 centred on north)."""
    width = 360.0 / n_sectors
    return (np.floor(((np.asarray(direction_deg) + width / 2) % 360.0) / width)).astype(int)


def von_mises_frequencies(
    n_sectors: int, prevailing_direction_deg: float, concentration: float
) -> np.ndarray:
    """Sector frequencies of a von Mises direction distribution around a prevailing direction.

    Parameters
    ----------
    n_sectors : int
        Number of sectors.
    prevailing_direction_deg : float
        Mean direction, degrees from north (wind from).
    concentration : float
        von Mises kappa (0 = uniform; larger = more concentrated).

    Returns
    -------
    numpy.ndarray
        Frequencies summing to 1.
    """
    # Integrate scipy's density on a 0.05-degree midpoint grid: exact to ~1e-9 and free of
    # wrap-around cases at +-180 degrees (hand-written for that reason).
    step = 0.05
    angles = np.arange(step / 2, 360.0, step)
    density = stats.vonmises.pdf(
        np.deg2rad(angles), concentration, loc=np.deg2rad(prevailing_direction_deg)
    )
    sectors = sector_index(angles, n_sectors)
    frequency = np.bincount(sectors, weights=density, minlength=n_sectors)
    return frequency / frequency.sum()


def weibull_a_from_mean(mean_speed_ms, k):
    """Weibull scale from the mean speed and shape: ``A = U / Gamma(1 + 1/k)``, m/s."""
    return np.asarray(mean_speed_ms, dtype=float) / special.gamma(1.0 + 1.0 / np.asarray(k))


def rose_from_weibull(
    weibull_a_ms: float,
    weibull_k: float,
    *,
    height_m: float,
    frequency: np.ndarray,
    source: str,
    direction_source: str,
    note: str = "",
) -> WindRose:
    """A rose with the same Weibull A and k in every sector and the given frequencies."""
    n = int(np.asarray(frequency).size)
    if not (
        np.isfinite(weibull_a_ms) and weibull_a_ms > 0 and np.isfinite(weibull_k) and weibull_k > 0
    ):
        raise ParameterError(
            describe(
                "wind_yield.climate",
                f"Weibull A = {weibull_a_ms}, k = {weibull_k} is not a distribution",
                "check the wind layers over this site (nodata, units)",
            )
        )
    return WindRose(
        direction_deg=sector_centres(n),
        frequency=np.asarray(frequency, dtype=float),
        weibull_a_ms=np.full(n, float(weibull_a_ms)),
        weibull_k=np.full(n, float(weibull_k)),
        height_m=float(height_m),
        source=source,
        direction_source=direction_source,
        note=note,
    )


def fit_weibull(speeds_ms) -> tuple[float, float]:
    """Weibull A (m/s) and k fitted to speeds by maximum likelihood (location fixed at 0).

    Calm records (speed 0) are left out of the fit. With fewer than 3 distinct speeds the
    moment estimate ``k = (sigma / U) ** -1.086`` (Justus et al. 1978) is used instead.
    """
    speeds = np.asarray(speeds_ms, dtype=float)
    speeds = speeds[np.isfinite(speeds) & (speeds > 0)]
    if speeds.size < 2:
        raise ParameterError(
            describe("wind time series", f"only {speeds.size} non-calm speeds", "use more data")
        )
    if np.unique(speeds).size < 3:
        mean, sd = speeds.mean(), speeds.std()
        k = 10.0 if sd == 0 else float(np.clip((sd / mean) ** -1.086, 0.5, 10.0))
        return float(weibull_a_from_mean(mean, k)), k
    k, _, a = stats.weibull_min.fit(speeds, floc=0.0)
    return float(a), float(k)


def wind_direction_deg(u, v) -> np.ndarray:
    """Meteorological direction (wind from, degrees from north) of eastward u and northward v."""
    return (np.degrees(np.arctan2(-np.asarray(u), -np.asarray(v))) + 360.0) % 360.0


def rose_from_timeseries(
    speed_ms,
    direction_deg,
    *,
    height_m: float,
    n_sectors: int,
    min_samples_per_sector: int,
    source: str = "era5",
) -> WindRose:
    """Sector frequencies and per-sector Weibull fits from a speed/direction time series.

    Parameters
    ----------
    speed_ms, direction_deg : array_like
        Equal-length series, m/s and degrees (wind from).
    height_m : float
        Height of the series, m.
    n_sectors : int
        Number of sectors.
    min_samples_per_sector : int
        Sectors with fewer samples use the all-direction fit (their frequency is kept).
    source : str
        Recorded as the rose's source.

    Returns
    -------
    WindRose
    """
    speed = np.asarray(speed_ms, dtype=float).ravel()
    direction = np.asarray(direction_deg, dtype=float).ravel()
    ok = np.isfinite(speed) & np.isfinite(direction)
    speed, direction = speed[ok], direction[ok]
    overall_a, overall_k = fit_weibull(speed)
    sectors = sector_index(direction, n_sectors)
    counts = np.bincount(sectors, minlength=n_sectors)
    a = np.full(n_sectors, overall_a)
    k = np.full(n_sectors, overall_k)
    for i in np.flatnonzero(counts >= min_samples_per_sector):
        a[i], k[i] = fit_weibull(speed[sectors == i])
    pooled = int(np.sum((counts > 0) & (counts < min_samples_per_sector)))
    note = f"{speed.size} time steps"
    if pooled:
        note += f"; {pooled} sector(s) with < {min_samples_per_sector} samples use the overall fit"
    if speed.size < 8760:
        note += "; less than a year of data: not a climatology"
    return WindRose(
        direction_deg=sector_centres(n_sectors),
        frequency=counts / counts.sum(),
        weibull_a_ms=a,
        weibull_k=k,
        height_m=float(height_m),
        source=source,
        direction_source=source,
        note=note,
    )


def rose_from_era5(
    era5: xr.Dataset,
    lon: float,
    lat: float,
    *,
    n_sectors: int = 12,
    min_samples_per_sector: int = 20,
    point: str = "interpolate",
) -> WindRose:
    """Wind rose at a position from ERA5 u/v (100 m when present, else 10 m).

    Parameters
    ----------
    era5 : xarray.Dataset
        From :func:`siting.io.era5.read_era5`.
    lon, lat : float
        Position, degrees (WGS84).
    n_sectors, min_samples_per_sector : int
        See :func:`rose_from_timeseries` (defaults: 12 sectors, as the scenario; 20 samples).
    point : {"interpolate", "nearest"}
        Bilinear interpolation between grid points, or the nearest one.

    Returns
    -------
    WindRose
    """
    level = "100" if {"u100", "v100"} <= set(era5) else "10"
    lats, lons = era5["latitude"].values, era5["longitude"].values
    if not (lats.min() <= lat <= lats.max() and lons.min() <= lon <= lons.max()):
        raise InputDataError(
            describe(
                "wind_yield.climate.era5_path",
                f"site at {lon:.3f} E, {lat:.3f} N is outside the file's grid "
                f"({lons.min()}..{lons.max()} E, {lats.min()}..{lats.max()} N)",
                "download ERA5 for an area covering every wind site",
            )
        )
    where = {"latitude": lat, "longitude": lon}
    pick = era5[[f"u{level}", f"v{level}"]]
    at = pick.interp(where) if point == "interpolate" else pick.sel(where, method="nearest")
    u, v = at[f"u{level}"].values, at[f"v{level}"].values
    return rose_from_timeseries(
        np.hypot(u, v),
        wind_direction_deg(u, v),
        height_m=float(level),
        n_sectors=n_sectors,
        min_samples_per_sector=min_samples_per_sector,
        source="era5",
    )


def site_means(
    sites: gpd.GeoDataFrame, rasters: Mapping[str, xr.DataArray], names: list[str]
) -> dict[str, np.ndarray]:
    """Mean of each named raster over the cells whose centres lie in each site polygon.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Site polygons in the rasters' CRS.
    rasters : mapping of str to xarray.DataArray
        Rasters on one grid (dims ``y``, ``x``).
    names : list of str
        Rasters to average (NaN cells are skipped).

    Returns
    -------
    dict of str to numpy.ndarray
        One array per name, one value per site (NaN where a site has no valid cell).
    """
    missing = [n for n in names if n not in rasters]
    if missing:
        raise InputDataError(
            describe(
                "wind_yield.climate",
                f"raster layer(s) {missing} not in the run's rasters",
                "add them under layers.rasters or name existing layers",
            )
        )
    template = rasters[names[0]]
    transform = template.rio.transform(recalc=True)
    # Each site is rasterised on its own bounding window and only those windows are read, so
    # memory follows the sites, not the grid (a streaming run's rasters stay on disk).
    windows = [_site_window(geom, transform, template.shape) for geom in sites.geometry]
    reads = [rasters[name].isel(y=rows, x=cols).data for name in names for rows, cols, _ in windows]
    values = iter(dask.compute(*reads))
    result = {}
    for name in names:
        means = np.full(len(windows), np.nan)
        for i, (_, _, inside) in enumerate(windows):
            cells = np.asarray(next(values), dtype=float)[inside]
            cells = cells[np.isfinite(cells)]
            if cells.size:
                means[i] = cells.mean()
        result[name] = means
    return result


def _site_window(geometry, transform, shape: tuple[int, int]) -> tuple[slice, slice, np.ndarray]:
    """Rows and columns of the grid window around a polygon, and its cells inside it."""
    from affine import Affine

    west, south, east, north = geometry.bounds
    inverse = ~transform
    (c0, r0), (c1, r1) = inverse * (west, north), inverse * (east, south)
    row0 = max(0, int(np.floor(min(r0, r1))))
    row1 = min(shape[0], int(np.ceil(max(r0, r1))))
    col0 = max(0, int(np.floor(min(c0, c1))))
    col1 = min(shape[1], int(np.ceil(max(c0, c1))))
    if row1 <= row0 or col1 <= col0:
        return slice(0, 0), slice(0, 0), np.zeros((0, 0), dtype=bool)
    # Called from the calling thread before any dask work starts, so no other thread is
    # rasterising (rasterio's in-memory datasets are not safe to create concurrently).
    inside = rasterio.features.geometry_mask(
        [geometry],
        out_shape=(row1 - row0, col1 - col0),
        transform=transform * Affine.translation(col0, row0),
        invert=True,
    )
    return slice(row0, row1), slice(col0, col1), inside
