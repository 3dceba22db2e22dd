"""Energy yield and emission reductions of wind sites: polygon -> turbines -> AEP -> tCO2e.

For each candidate wind site:

1. wind rose at the climate's height (:mod:`siting.wind.climate`), sheared to hub height
   (:mod:`siting.wind.physics`);
2. air density at the site's mean elevation plus hub height; the power curve moved to it
   (IEC 61400-12-1 density correction);
3. turbines on a rotated grid inside the polygon (:mod:`siting.wind.layout`), rows facing the
   energy-weighted mean wind direction;
4. gross AEP per turbine: the Weibull x power-curve integral per sector on a 0.05 m/s grid;
5. wake losses with PyWake (Pedersen et al. 2023, J. Phys.: Conf. Ser. 2505:012010,
   doi:10.1088/1742-6596/2505/1/012010): ``PropagateDownwind`` with the Bastankhah-Gaussian
   deficit (Bastankhah & Porte-Agel 2014, Renew. Energy 70:116,
   doi:10.1016/j.renene.2014.01.002; wake expansion from turbulence intensity after Niayifar &
   Porte-Agel 2016, Energies 9:741, eq. 16) or NOJ (Jensen 1983, Riso-M-2411; Katic et al.
   1986), deficits added in quadrature (``SquaredSum``). PyWake runs on binned speeds; its
   per-turbine ratio waked / free-stream scales the finely integrated gross AEP;
6. net AEP = waked AEP x (1 - availability)(1 - electrical)(1 - icing/cold)(1 - other);
7. P75/P90 = P50 (1 - z sigma) with z = 0.674 / 1.282 (normal approximation) and sigma the
   quadrature sum of inter-annual variability, wind-resource and model uncertainty (speed
   terms times the site's energy-to-speed sensitivity);
8. emission reductions per CDM ACM0002: ER_y = EG_y x EF_grid - PE_y - LE_y (tCO2e).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from pyproj import Transformer
from scipy import stats

from siting.errors import ParameterError, describe
from siting.scenario.wind import EmissionsSpec, WakeSpec, WindYieldSpec
from siting.wind import climate as wind_climate
from siting.wind import physics as wind_physics
from siting.wind.climate import WindRose
from siting.wind.layout import TURBINE_COLUMNS, layout_sites
from siting.wind.turbines import TurbineCurve, load_turbine, quiet_pywake_import

__all__ = [
    "FarmEnergy",
    "WindAssessment",
    "assess_wind_sites",
    "deficit_model",
    "energy_sensitivity",
    "free_stream_aep_mwh",
    "site_wind_roses",
    "wake_aep",
]

#: Hours in a year used for AEP (PyWake and IEC 61400-12-1 both use 8,760 h).
HOURS_PER_YEAR = 8760.0
#: Speed grid of the gross AEP integral, m/s (step and upper end).
FINE_STEP_MS = 0.05
FINE_MAX_MS = 40.0

SITE_COLUMNS = [
    "n_turbines",
    "capacity_mw",
    "aep_gross_mwh",
    "wake_loss_fraction",
    "aep_p50_mwh",
    "aep_p75_mwh",
    "aep_p90_mwh",
    "capacity_factor",
    "tco2e_per_year",
    "wind_source",
    "direction_source",
    "mean_speed_hub_ms",
    "air_density_kg_m3",
    "prevailing_direction_deg",
    "uncertainty_fraction",
]
GENERATION_QUANTITIES = {
    "aep_p50_mwh": "MWh",
    "aep_p75_mwh": "MWh",
    "aep_p90_mwh": "MWh",
    "tco2e_p50": "tCO2e",
    "tco2e_p90": "tCO2e",
    "tco2e_p50_high_ef": "tCO2e",
}


@dataclass(frozen=True)
class WindAssessment:
    """Turbines, yearly generation and per-site yield of the wind candidate sites.

    Attributes
    ----------
    turbines : geopandas.GeoDataFrame
        Grid CRS; ``site_id``, ``turbine_id``, ``model``, ``hub_height_m``, ``rated_kw``,
        ``aep_mwh`` (net P50, MWh/yr), Point ``geometry``.
    generation : pandas.DataFrame
        Tidy: ``site_id``, ``year``, ``quantity``, ``value``, ``unit`` over the operating life
        from ``spec.commissioning_year``; quantities ``aep_p50_mwh``, ``aep_p75_mwh``,
        ``aep_p90_mwh``, ``tco2e_p50``, ``tco2e_p90`` (default EF), ``tco2e_p50_high_ef``.
    sites : pandas.DataFrame
        Index ``site_id``: ``n_turbines``, ``capacity_mw``, ``aep_gross_mwh``,
        ``wake_loss_fraction``, ``aep_p50_mwh``, ``aep_p75_mwh``, ``aep_p90_mwh``,
        ``capacity_factor``, ``tco2e_per_year``, ``wind_source`` (``"estimate"``, ``"layer"``,
        ``"era5"``), and ``direction_source``, ``mean_speed_hub_ms``, ``air_density_kg_m3``,
        ``prevailing_direction_deg``, ``uncertainty_fraction``.
    estimate : bool
        True when the wind resource was the scenario's estimate.
    """

    turbines: gpd.GeoDataFrame
    generation: pd.DataFrame
    sites: pd.DataFrame
    estimate: bool


@dataclass(frozen=True)
class FarmEnergy:
    """Per-turbine AEP of a farm from a PyWake run, MWh/yr."""

    free_mwh: np.ndarray
    waked_mwh: np.ndarray

    @property
    def wake_loss_fraction(self) -> float:
        """1 - total waked / total free-stream AEP."""
        total = self.free_mwh.sum()
        return float(1.0 - self.waked_mwh.sum() / total) if total > 0 else float("nan")


# ----------------------------------------------------------------------------------------------
# Energy


def free_stream_aep_mwh(curve: TurbineCurve, rose: WindRose) -> float:
    """Gross AEP of one turbine without wakes, MWh/yr.

    ``8760 h x sum_i f_i sum_j P(v_j) [F_i(v_j + dv/2) - F_i(v_j - dv/2)]`` with ``F_i`` the
    sector's Weibull CDF and ``P`` the power curve (linear between points), on a 0.05 m/s grid
    up to 40 m/s (midpoint rule on the CDF differences).

    Parameters
    ----------
    curve : TurbineCurve
        Power curve at the site's air density.
    rose : WindRose
        Wind rose at hub height.

    Returns
    -------
    float
    """
    edges = np.arange(0.0, FINE_MAX_MS + FINE_STEP_MS / 2, FINE_STEP_MS)
    _, centres, p = rose.probabilities(edges)
    power_mw = curve.power_at(centres) / 1e3
    return float(HOURS_PER_YEAR * np.sum(p.sum(axis=0) * power_mw))


def energy_sensitivity(curve: TurbineCurve, rose: WindRose, step: float = 0.01) -> float:
    """Relative change of gross AEP per relative change of wind speed (dE/E / dU/U).

    Central difference with every Weibull A scaled by ``1 +- step``.
    """
    base = free_stream_aep_mwh(curve, rose)
    if base <= 0:
        return 0.0
    up = free_stream_aep_mwh(curve, rose.scaled(1 + step, height_m=rose.height_m))
    down = free_stream_aep_mwh(curve, rose.scaled(1 - step, height_m=rose.height_m))
    return float((up - down) / (2 * step * base))


def deficit_model(wake: WakeSpec):
    """The PyWake wake-deficit model named in the scenario.

    Bastankhah-Gaussian with wake expansion ``k* = 0.3837 TI + 0.003678`` (Niayifar &
    Porte-Agel 2016, eq. 16; PyWake's default k = 0.0324555 is this at TI = 7.5 %), or NOJ
    with the scenario's wake decay constant.
    """
    with quiet_pywake_import():
        from py_wake.deficit_models.gaussian import BastankhahGaussianDeficit
        from py_wake.deficit_models.noj import NOJDeficit

    if wake.model == "bastankhah_gaussian":
        return BastankhahGaussianDeficit(k=0.3837 * wake.turbulence_intensity + 0.003678)
    return NOJDeficit(k=wake.noj_wake_decay)


def wake_aep(
    x_m,
    y_m,
    wind_turbine,
    wd_deg,
    ws_ms,
    probability,
    *,
    deficit,
    turbulence_intensity: float,
) -> FarmEnergy:
    """Per-turbine AEP with and without wakes from one PyWake run.

    Parameters
    ----------
    x_m, y_m : array_like
        Turbine positions, m.
    wind_turbine : py_wake.wind_turbines.WindTurbine
        The turbine (e.g. :meth:`TurbineCurve.pywake`).
    wd_deg, ws_ms : array_like
        Flow cases: directions (deg) and speeds (m/s).
    probability : array_like
        Probability of each (wd, ws) case, shape ``(len(wd), len(ws))``.
    deficit : py_wake DeficitModel
        Wake-deficit model (:func:`deficit_model`, or any PyWake deficit model).
    turbulence_intensity : float
        Ambient turbulence intensity.

    Returns
    -------
    FarmEnergy
    """
    with quiet_pywake_import():
        from py_wake.site import XRSite
        from py_wake.superposition_models import SquaredSum
        from py_wake.wind_farm_models.engineering_models import PropagateDownwind

    wd = np.asarray(wd_deg, dtype=float)
    ws = np.asarray(ws_ms, dtype=float)
    p = np.asarray(probability, dtype=float)
    order = np.argsort(wd)
    wd, p = wd[order], p[order]
    site = XRSite(
        xr.Dataset(
            {"P": (("wd", "ws"), p), "TI": turbulence_intensity}, coords={"wd": wd, "ws": ws}
        )
    )
    farm = PropagateDownwind(site, wind_turbine, deficit, superpositionModel=SquaredSum())
    result = farm(np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float), wd=wd, ws=ws)
    waked = result.aep().sum(["wd", "ws"]).values * 1e3  # GWh -> MWh
    free = result.aep(with_wake_loss=False).sum(["wd", "ws"]).values * 1e3
    return FarmEnergy(
        free_mwh=np.asarray(free, dtype=float), waked_mwh=np.asarray(waked, dtype=float)
    )


def _wake_bins(curve: TurbineCurve, step_ms: float) -> np.ndarray:
    """Speed-bin edges covering the curve's producing range (no output, no wake, outside)."""
    producing = curve.wind_speed_ms[curve.power_kw > 0]
    low = np.floor(producing.min() / step_ms) * step_ms
    high = np.ceil(producing.max() / step_ms) * step_ms
    return np.arange(max(low - step_ms, 0.0), high + step_ms / 2, step_ms)


# ----------------------------------------------------------------------------------------------
# Wind climate per site


def site_wind_roses(
    sites: gpd.GeoDataFrame, rasters: xr.Dataset, spec: WindYieldSpec
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

    Returns
    -------
    dict of str to WindRose
    """
    climate = spec.climate
    if climate.source == "era5":
        era5 = wind_climate.read_era5(climate.era5_path)
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


def _mean_direction_deg(rose: WindRose) -> float:
    """Energy-weighted circular mean of the sector directions, degrees (layout orientation)."""
    from scipy.special import gamma

    energy = rose.frequency * rose.weibull_a_ms**3 * gamma(1 + 3 / rose.weibull_k)
    theta = np.deg2rad(rose.direction_deg)
    east, north = np.sum(energy * np.sin(theta)), np.sum(energy * np.cos(theta))
    if np.hypot(east, north) < 1e-9 * energy.sum():
        return rose.prevailing_direction_deg()
    return float(np.degrees(np.arctan2(east, north)) % 360.0)


# ----------------------------------------------------------------------------------------------
# The assessment


def emission_reductions(net_mwh, emissions: EmissionsSpec, grid_ef_tco2_per_mwh=None):
    """Emission reductions, tCO2e, of net generation (CDM ACM0002: ER = EG x EF - PE - LE).

    Parameters
    ----------
    net_mwh : float or array_like
        Net electricity delivered to the grid, MWh (per year).
    emissions : EmissionsSpec
        Grid emission factor, project emissions and leakage (tCO2e per year).
    grid_ef_tco2_per_mwh : float, optional
        Another grid emission factor, tCO2/MWh (default: ``emissions.grid_ef_tco2_per_mwh``).

    Returns
    -------
    float or numpy.ndarray
        tCO2e (per year), as the inputs.
    """
    ef = emissions.grid_ef_tco2_per_mwh if grid_ef_tco2_per_mwh is None else grid_ef_tco2_per_mwh
    return (
        net_mwh * ef - emissions.project_emissions_tco2e_per_year - emissions.leakage_tco2e_per_year
    )


def assess_wind_sites(
    sites: gpd.GeoDataFrame,
    eligible: xr.DataArray,
    rasters: xr.Dataset,
    spec: WindYieldSpec,
    *,
    seed: int = 0,
) -> WindAssessment:
    """Turbines, AEP with wakes, P50/P75/P90 and emission reductions of every wind site.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Wind candidate sites in the grid CRS (metres): ``site_id``, polygon ``geometry``;
        ``rank`` (priority under a grid-connection cap) and ``grid_connection`` are optional.
    eligible : xarray.DataArray
        Boolean eligibility raster of the wind use (setbacks applied). Site polygons are cut
        from it, so towers inside them are on eligible land; it is used to check that.
    rasters : xarray.Dataset
        The run's rasters: ``elevation`` (m) and the wind layers the climate source names
        (``wind_speed_ms`` by default, with ``attrs["height_m"]`` and ``attrs["estimate"]``).
    spec : WindYieldSpec
        The ``wind_yield`` section (``climate.era5_path`` absolute or relative to the working
        folder: see :meth:`WindYieldSpec.with_paths_resolved`).
    seed : int
        Accepted for the pipeline's uniform stage signature; the assessment draws no random
        numbers (uncertainty is analytic), so the result does not depend on it.

    Returns
    -------
    WindAssessment
    """
    del seed  # deterministic: P-values come from the normal approximation
    if sites.crs is None or not sites.crs.is_projected:
        raise ParameterError(
            describe("wind sites", "need a projected CRS in metres", "pass the grid-CRS sites")
        )
    turbine = load_turbine(
        spec.turbine.model,
        cut_out_ms=spec.turbine.cut_out_ms,
        drivetrain_efficiency=spec.turbine.drivetrain_efficiency,
    )
    hub = spec.turbine.hub_height_m
    if len(sites) == 0:
        return _empty_assessment(sites, spec)

    roses = site_wind_roses(sites, rasters, spec)
    elevation = wind_climate.site_means(sites, rasters, ["elevation"])["elevation"]
    hub_roses, curves, densities = {}, {}, {}
    for site, site_elevation in zip(sites["site_id"], elevation, strict=True):
        rose = roses[site]
        factor = wind_physics.shear_factor(
            rose.height_m,
            hub,
            model=spec.shear.model,
            exponent=spec.shear.exponent,
            roughness_length_m=spec.shear.roughness_length_m,
        )
        hub_roses[site] = rose.scaled(factor, height_m=hub)
        z = (
            site_elevation if np.isfinite(site_elevation) else spec.air.reference_elevation_m
        ) + hub
        temperature = wind_physics.temperature_at_c(
            z,
            reference_temperature_c=spec.air.temperature_c,
            reference_elevation_m=spec.air.reference_elevation_m,
        )
        densities[site] = float(wind_physics.air_density_kg_m3(z, temperature))
        curves[site] = turbine.at_density(densities[site])

    directions = {site: _mean_direction_deg(rose) for site, rose in hub_roses.items()}
    turbines = layout_sites(
        sites,
        directions,
        model=turbine.name,
        rotor_diameter_m=turbine.rotor_diameter_m,
        rated_kw=turbine.rated_kw,
        hub_height_m=hub,
        layout=spec.layout,
    )
    _check_on_eligible(turbines, eligible)

    losses = spec.losses
    keep = (
        (1 - losses.availability)
        * (1 - losses.electrical)
        * (1 - losses.icing_cold_climate)
        * (1 - losses.other)
    )
    deficit = deficit_model(spec.wake)
    z90, z75 = stats.norm.ppf(0.90), stats.norm.ppf(0.75)
    rows, aep_by_turbine = [], {}
    for site in sites["site_id"]:
        rose, curve = hub_roses[site], curves[site]
        mine = turbines[turbines["site_id"] == site]
        n = len(mine)
        gross_one = free_stream_aep_mwh(curve, rose)
        if n:
            edges = _wake_bins(curve, spec.wake.ws_step_ms)
            wd, ws, p = rose.probabilities(edges, spec.wake.directions_per_sector)
            farm = wake_aep(
                mine.geometry.x.to_numpy(),
                mine.geometry.y.to_numpy(),
                curve.pywake(hub),
                wd,
                ws,
                p,
                deficit=deficit,
                turbulence_intensity=spec.wake.turbulence_intensity,
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                efficiency = np.where(farm.free_mwh > 0, farm.waked_mwh / farm.free_mwh, 0.0)
            net = gross_one * efficiency * keep
            wake_loss = farm.wake_loss_fraction
        else:
            net, wake_loss = np.zeros(0), float("nan")
        aep_by_turbine.update(zip(mine["turbine_id"], net, strict=True))
        sigma = _uncertainty(spec, energy_sensitivity(curve, rose), rose.source == "estimate")
        p50 = float(net.sum())
        capacity_mw = n * turbine.rated_kw / 1e3
        emissions = spec.emissions
        rows.append(
            {
                "site_id": site,
                "n_turbines": n,
                "capacity_mw": capacity_mw,
                "aep_gross_mwh": n * gross_one,
                "wake_loss_fraction": wake_loss,
                "aep_p50_mwh": p50,
                "aep_p75_mwh": max(p50 * (1 - z75 * sigma), 0.0),
                "aep_p90_mwh": max(p50 * (1 - z90 * sigma), 0.0),
                "capacity_factor": p50 / (capacity_mw * HOURS_PER_YEAR) if n else float("nan"),
                "tco2e_per_year": emission_reductions(p50, emissions),
                "wind_source": rose.source,
                "direction_source": rose.direction_source,
                "mean_speed_hub_ms": rose.mean_speed_ms(),
                "air_density_kg_m3": densities[site],
                "prevailing_direction_deg": directions[site],
                "uncertainty_fraction": sigma,
            }
        )
    table = pd.DataFrame(rows).set_index("site_id")[SITE_COLUMNS]
    turbines = turbines.assign(aep_mwh=turbines["turbine_id"].map(aep_by_turbine).astype(float))
    return WindAssessment(
        turbines=turbines[[*TURBINE_COLUMNS[:-1], "aep_mwh", "geometry"]],
        generation=generation_table(table, spec),
        sites=table,
        estimate=bool((table["wind_source"] == "estimate").any()),
    )


def _uncertainty(spec: WindYieldSpec, sensitivity: float, estimate: bool) -> float:
    """Combined standard uncertainty of the annual energy, as a fraction (quadrature sum)."""
    u = spec.uncertainty
    resource = u.resource_speed_fraction_estimate if estimate else u.resource_speed_fraction
    return float(
        np.sqrt(
            (sensitivity * u.interannual_speed_fraction) ** 2
            + (sensitivity * resource) ** 2
            + u.model_energy_fraction**2
        )
    )


def generation_table(sites: pd.DataFrame, spec: WindYieldSpec) -> pd.DataFrame:
    """Tidy yearly generation and emission reductions over the operating life.

    Parameters
    ----------
    sites : pandas.DataFrame
        The per-site table of :func:`assess_wind_sites` (index ``site_id``).
    spec : WindYieldSpec
        Commissioning year, life, degradation, emission factors.

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``year``, ``quantity``, ``value``, ``unit``; ER per ACM0002 with the
        default and the high grid emission factor (project emissions and leakage subtracted).
    """
    e = spec.emissions
    years = np.arange(spec.commissioning_year, spec.commissioning_year + spec.operating_life_years)
    frames = []
    for site, row in sites.iterrows():
        fade = (1.0 - spec.annual_degradation_fraction) ** (years - spec.commissioning_year)
        values = {
            "aep_p50_mwh": row["aep_p50_mwh"] * fade,
            "aep_p75_mwh": row["aep_p75_mwh"] * fade,
            "aep_p90_mwh": row["aep_p90_mwh"] * fade,
            "tco2e_p50": emission_reductions(row["aep_p50_mwh"] * fade, e),
            "tco2e_p90": emission_reductions(row["aep_p90_mwh"] * fade, e),
            "tco2e_p50_high_ef": emission_reductions(
                row["aep_p50_mwh"] * fade, e, e.grid_ef_high_tco2_per_mwh
            ),
        }
        for quantity, series in values.items():
            frames.append(
                pd.DataFrame(
                    {
                        "site_id": site,
                        "year": years,
                        "quantity": quantity,
                        "value": np.asarray(series, dtype=float),
                        "unit": GENERATION_QUANTITIES[quantity],
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["site_id", "year", "quantity", "value", "unit"])
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["site_id", "year"], kind="stable").reset_index(drop=True)


def _check_on_eligible(turbines: gpd.GeoDataFrame, eligible: xr.DataArray) -> None:
    """Refuse towers standing on ineligible cells (site polygons not cut from ``eligible``)."""
    if len(turbines) == 0:
        return
    values = eligible.sel(
        x=xr.DataArray(turbines.geometry.x.to_numpy(), dims="t"),
        y=xr.DataArray(turbines.geometry.y.to_numpy(), dims="t"),
        method="nearest",
    ).values
    bad = ~np.nan_to_num(values.astype(float), nan=0.0).astype(bool)
    if bad.any():
        first = turbines.loc[bad, "site_id"].iloc[0]
        raise ParameterError(
            describe(
                f"wind site {first}",
                f"{int(bad.sum())} turbine(s) would stand on land the exclusion rules remove",
                "pass the sites cut from this eligibility mask (siting.land.sites.candidate_sites)",
            )
        )


def _empty_assessment(sites: gpd.GeoDataFrame, spec: WindYieldSpec) -> WindAssessment:
    turbines = gpd.GeoDataFrame(
        {c: [] for c in [*TURBINE_COLUMNS[:-1], "aep_mwh"]}, geometry=[], crs=sites.crs
    )
    table = pd.DataFrame(columns=SITE_COLUMNS, index=pd.Index([], name="site_id"))
    return WindAssessment(turbines, generation_table(table, spec), table, False)
