"""Energy yield of wind sites: polygon -> turbines -> AEP -> P50/P75/P90 -> tCO2e.

:func:`assess_wind_sites` takes every candidate wind site through these steps:

1. wind rose at the climate's height (:mod:`siting.wind.site_roses`), sheared to hub height
   (:mod:`siting.wind.physics`);
2. air density at the site's mean elevation plus hub height; the power curve moved to it
   (IEC 61400-12-1 density correction);
3. turbines on a rotated grid inside the polygon (:mod:`siting.wind.layout`), rows facing the
   energy-weighted mean wind direction;
4. gross AEP per turbine: the Weibull x power-curve integral per sector on a 0.05 m/s grid
   (:func:`free_stream_aep_mwh`);
5. wake losses with PyWake (:mod:`siting.wind.wakes`): its per-turbine ratio waked /
   free-stream scales the finely integrated gross AEP;
6. net (metered) AEP = waked AEP x prod_i (1 - loss_i) over availability, electrical,
   icing/cold climate, environmental, curtailment and other (:meth:`LossSpec.kept_fraction`);
7. P75/P90 from P50 and the combined uncertainty (:mod:`siting.wind.pvalues`): the 1-year
   P90 and the long-term (10-year) P75/P90, where inter-annual variability averages out;
8. emission reductions per CDM ACM0002 and the yearly generation table
   (:mod:`siting.wind.generation`).

The turbine (:mod:`siting.io.turbines`) and an ERA5 time series (:mod:`siting.io.era5`) are
read by the caller and passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siting.errors import ParameterError, describe
from siting.scenario.wind import LossSpec, WindYieldSpec
from siting.wind import climate as wind_climate
from siting.wind import physics as wind_physics
from siting.wind.climate import WindRose
from siting.wind.generation import emission_reductions, generation_table
from siting.wind.layout import TURBINE_COLUMNS, layout_sites
from siting.wind.pvalues import exceedance_aep_mwh, uncertainty_fraction
from siting.wind.site_roses import site_wind_roses
from siting.wind.turbines import TurbineCurve
from siting.wind.wakes import deficit_model, farm_wake_energy

__all__ = [
    "HubWind",
    "SiteEnergy",
    "WindAssessment",
    "assess_wind_sites",
    "energy_sensitivity",
    "free_stream_aep_mwh",
    "hub_winds",
    "net_fraction",
    "place_turbines",
    "site_energies",
    "site_table",
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
    "loss_total_fraction",
    "aep_p50_mwh",
    "aep_p75_mwh",
    "aep_p90_1yr_mwh",
    "aep_p90_10yr_mwh",
    "capacity_factor",
    "tco2e_per_year",
    "wind_source",
    "direction_source",
    "mean_speed_hub_ms",
    "air_density_kg_m3",
    "prevailing_direction_deg",
    "uncertainty_fraction",
    "uncertainty_long_term_fraction",
]


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
        from the commissioning month (:func:`siting.wind.generation.generation_table`);
        quantities ``aep_p50_mwh``, ``aep_p75_mwh``, ``aep_p90_1yr_mwh``, ``aep_p90_10yr_mwh``
        and the matching ``tco2e_p50``, ``tco2e_p75``, ``tco2e_p90_1yr``, ``tco2e_p90_10yr``
        (default EF), ``tco2e_p50_high_ef``.
    sites : geopandas.GeoDataFrame
        Index ``site_id``, the site polygons (grid CRS), one full year of operation:
        ``n_turbines``, ``capacity_mw``,
        ``aep_gross_mwh``, ``wake_loss_fraction``, ``loss_total_fraction`` (non-wake),
        ``aep_p50_mwh``, ``aep_p75_mwh`` (long-term), ``aep_p90_1yr_mwh``,
        ``aep_p90_10yr_mwh``, ``capacity_factor`` (net P50), ``tco2e_per_year``,
        ``wind_source`` (``"estimate"``, ``"layer"``, ``"era5"``), and ``direction_source``,
        ``mean_speed_hub_ms``, ``air_density_kg_m3``, ``prevailing_direction_deg``,
        ``uncertainty_fraction`` (1 year), ``uncertainty_long_term_fraction``.
    estimate : bool
        True when the wind resource was the scenario's estimate.
    """

    turbines: gpd.GeoDataFrame
    generation: pd.DataFrame
    sites: gpd.GeoDataFrame
    estimate: bool


@dataclass(frozen=True)
class HubWind:
    """The wind and the turbine at one site's hub height.

    Attributes
    ----------
    rose : WindRose
        Wind rose sheared to hub height.
    curve : TurbineCurve
        The turbine's curves at the site's air density.
    air_density_kg_m3 : float
        Air density at the site's mean elevation plus hub height, kg/m3.
    direction_deg : float
        Energy-weighted mean wind direction the layout's rows face, degrees.
    """

    rose: WindRose
    curve: TurbineCurve
    air_density_kg_m3: float
    direction_deg: float


@dataclass(frozen=True)
class SiteEnergy:
    """The annual energy of one site's turbines.

    Attributes
    ----------
    turbine_ids : numpy.ndarray
        The site's turbines.
    gross_per_turbine_mwh : float
        Free-stream AEP of one turbine, MWh/yr.
    net_mwh : numpy.ndarray
        Net P50 AEP of each turbine (wakes and losses), MWh/yr.
    wake_loss_fraction : float
        1 - waked / free-stream AEP of the farm (NaN without turbines).
    uncertainty_fraction : float
        Combined standard uncertainty of one year's energy, fraction.
    uncertainty_long_term_fraction : float
        The same for the mean over ``uncertainty.long_term_years`` years, fraction.
    """

    turbine_ids: np.ndarray
    gross_per_turbine_mwh: float
    net_mwh: np.ndarray
    wake_loss_fraction: float
    uncertainty_fraction: float
    uncertainty_long_term_fraction: float

    @property
    def n_turbines(self) -> int:
        """Number of turbines."""
        return len(self.turbine_ids)


# ----------------------------------------------------------------------------------------------
# Free-stream energy


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


# ----------------------------------------------------------------------------------------------
# The assessment


def assess_wind_sites(
    sites: gpd.GeoDataFrame,
    eligible: xr.DataArray,
    rasters: xr.Dataset,
    spec: WindYieldSpec,
    turbine: TurbineCurve,
    *,
    era5: xr.Dataset | None = None,
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
        The ``wind_yield`` section.
    turbine : TurbineCurve
        The turbine of ``spec.turbine`` at reference air density
        (:func:`siting.io.turbines.load_chosen_turbine`).
    era5 : xarray.Dataset, optional
        The ERA5 time series when ``spec.climate.source`` is ``"era5"``
        (:func:`siting.io.era5.read_era5` of ``spec.climate.era5_path``).
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
    if len(sites) == 0:
        return _empty_assessment(sites, spec)
    winds = hub_winds(sites, rasters, spec, turbine, era5)
    turbines = place_turbines(sites, winds, turbine, spec, eligible)
    energies = site_energies(turbines, winds, spec)
    table = site_table(winds, energies, turbine, spec)
    return WindAssessment(
        turbines=_with_turbine_aep(turbines, energies),
        generation=generation_table(table, spec),
        sites=with_site_geometry(table, sites),
        estimate=bool((table["wind_source"] == "estimate").any()),
    )


def with_site_geometry(table: pd.DataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A per-site table (indexed by ``site_id``) as a GeoDataFrame with the sites' polygons."""
    geometry = sites.set_index("site_id").geometry.reindex(table.index)
    return gpd.GeoDataFrame(table, geometry=geometry.values, crs=sites.crs)


def hub_winds(
    sites: gpd.GeoDataFrame,
    rasters: xr.Dataset,
    spec: WindYieldSpec,
    turbine: TurbineCurve,
    era5: xr.Dataset | None = None,
) -> dict[str, HubWind]:
    """Steps 1-2: each site's wind rose at hub height, air density and power curve there.

    Parameters as :func:`assess_wind_sites`.

    Returns
    -------
    dict of str to HubWind
        By ``site_id``, in the order of ``sites``.
    """
    roses = site_wind_roses(sites, rasters, spec, era5)
    elevation = wind_climate.site_means(sites, rasters, ["elevation"])["elevation"]
    return {
        site: _hub_wind(roses[site], site_elevation, spec, turbine)
        for site, site_elevation in zip(sites["site_id"], elevation, strict=True)
    }


def _hub_wind(
    rose: WindRose, elevation_m: float, spec: WindYieldSpec, turbine: TurbineCurve
) -> HubWind:
    """Shear a site's rose to hub height; the air density there and the curve at it."""
    hub = spec.turbine.hub_height_m
    factor = wind_physics.shear_factor(
        rose.height_m,
        hub,
        model=spec.shear.model,
        exponent=spec.shear.exponent,
        roughness_length_m=spec.shear.roughness_length_m,
    )
    at_hub = rose.scaled(factor, height_m=hub)
    z = (elevation_m if np.isfinite(elevation_m) else spec.air.reference_elevation_m) + hub
    temperature = wind_physics.temperature_at_c(
        z,
        reference_temperature_c=spec.air.temperature_c,
        reference_elevation_m=spec.air.reference_elevation_m,
    )
    density = float(wind_physics.air_density_kg_m3(z, temperature))
    return HubWind(
        rose=at_hub,
        curve=turbine.at_density(density),
        air_density_kg_m3=density,
        direction_deg=at_hub.energy_weighted_direction_deg(),
    )


def place_turbines(
    sites: gpd.GeoDataFrame,
    winds: dict[str, HubWind],
    turbine: TurbineCurve,
    spec: WindYieldSpec,
    eligible: xr.DataArray,
) -> gpd.GeoDataFrame:
    """Step 3: turbines in every site, rows facing its wind; refused on ineligible land.

    Returns
    -------
    geopandas.GeoDataFrame
        The layout (:func:`siting.wind.layout.layout_sites`).
    """
    turbines = layout_sites(
        sites,
        {site: wind.direction_deg for site, wind in winds.items()},
        model=turbine.name,
        rotor_diameter_m=turbine.rotor_diameter_m,
        rated_kw=turbine.rated_kw,
        hub_height_m=spec.turbine.hub_height_m,
        layout=spec.layout,
    )
    _check_on_eligible(turbines, eligible)
    return turbines


def net_fraction(losses: LossSpec) -> float:
    """Share of the waked energy metered: the product of one minus each loss."""
    return losses.kept_fraction()


def site_energies(
    turbines: gpd.GeoDataFrame, winds: dict[str, HubWind], spec: WindYieldSpec
) -> dict[str, SiteEnergy]:
    """Steps 4-7: free-stream, waked and net AEP of each site's turbines, and its uncertainty.

    Parameters
    ----------
    turbines : geopandas.GeoDataFrame
        From :func:`place_turbines`.
    winds : dict of str to HubWind
        From :func:`hub_winds`.
    spec : WindYieldSpec
        The ``wind_yield`` section (wake, losses, uncertainty).

    Returns
    -------
    dict of str to SiteEnergy
        By ``site_id``, in the order of ``winds``.
    """
    deficit = deficit_model(spec.wake)
    keep = net_fraction(spec.losses)
    return {
        site: _site_energy(turbines[turbines["site_id"] == site], wind, spec, deficit, keep)
        for site, wind in winds.items()
    }


def _site_energy(
    farm: gpd.GeoDataFrame, wind: HubWind, spec: WindYieldSpec, deficit, keep: float
) -> SiteEnergy:
    gross_one = free_stream_aep_mwh(wind.curve, wind.rose)
    if len(farm):
        energy = farm_wake_energy(
            farm.geometry.x.to_numpy(),
            farm.geometry.y.to_numpy(),
            wind.curve,
            wind.rose,
            hub_height_m=spec.turbine.hub_height_m,
            wake=spec.wake,
            deficit=deficit,
        )
        net = gross_one * energy.efficiency * keep
        wake_loss = energy.wake_loss_fraction
    else:
        net, wake_loss = np.zeros(0), float("nan")
    sensitivity = energy_sensitivity(wind.curve, wind.rose)
    estimate = wind.rose.source == "estimate"
    return SiteEnergy(
        turbine_ids=farm["turbine_id"].to_numpy(),
        gross_per_turbine_mwh=gross_one,
        net_mwh=net,
        wake_loss_fraction=wake_loss,
        uncertainty_fraction=uncertainty_fraction(spec.uncertainty, sensitivity, estimate),
        uncertainty_long_term_fraction=uncertainty_fraction(
            spec.uncertainty, sensitivity, estimate, years=spec.uncertainty.long_term_years
        ),
    )


def site_table(
    winds: dict[str, HubWind],
    energies: dict[str, SiteEnergy],
    turbine: TurbineCurve,
    spec: WindYieldSpec,
) -> pd.DataFrame:
    """Step 8: the per-site table (index ``site_id``, columns :data:`SITE_COLUMNS`)."""
    rows = [_site_row(site, winds[site], energies[site], turbine, spec) for site in winds]
    return pd.DataFrame(rows).set_index("site_id")[SITE_COLUMNS]


def _site_row(
    site: str, wind: HubWind, energy: SiteEnergy, turbine: TurbineCurve, spec: WindYieldSpec
) -> dict:
    n = energy.n_turbines
    p50 = float(energy.net_mwh.sum())
    capacity_mw = n * turbine.rated_kw / 1e3
    sigma = energy.uncertainty_fraction
    sigma_long = energy.uncertainty_long_term_fraction
    return {
        "site_id": site,
        "n_turbines": n,
        "capacity_mw": capacity_mw,
        "aep_gross_mwh": n * energy.gross_per_turbine_mwh,
        "wake_loss_fraction": energy.wake_loss_fraction,
        "loss_total_fraction": spec.losses.total_fraction(),
        "aep_p50_mwh": p50,
        "aep_p75_mwh": exceedance_aep_mwh(p50, sigma_long, 0.75),
        "aep_p90_1yr_mwh": exceedance_aep_mwh(p50, sigma, 0.90),
        "aep_p90_10yr_mwh": exceedance_aep_mwh(p50, sigma_long, 0.90),
        "capacity_factor": p50 / (capacity_mw * HOURS_PER_YEAR) if n else float("nan"),
        "tco2e_per_year": emission_reductions(p50, spec.emissions),
        "wind_source": wind.rose.source,
        "direction_source": wind.rose.direction_source,
        "mean_speed_hub_ms": wind.rose.mean_speed_ms(),
        "air_density_kg_m3": wind.air_density_kg_m3,
        "prevailing_direction_deg": wind.direction_deg,
        "uncertainty_fraction": sigma,
        "uncertainty_long_term_fraction": sigma_long,
    }


def _with_turbine_aep(
    turbines: gpd.GeoDataFrame, energies: dict[str, SiteEnergy]
) -> gpd.GeoDataFrame:
    """The turbines with their net P50 AEP (``aep_mwh``), in the output's column order."""
    aep_by_turbine = {}
    for energy in energies.values():
        aep_by_turbine.update(zip(energy.turbine_ids, energy.net_mwh, strict=True))
    turbines = turbines.assign(aep_mwh=turbines["turbine_id"].map(aep_by_turbine).astype(float))
    return turbines[[*TURBINE_COLUMNS[:-1], "aep_mwh", "geometry"]]


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
    return WindAssessment(
        turbines, generation_table(table, spec), with_site_geometry(table, sites), False
    )
