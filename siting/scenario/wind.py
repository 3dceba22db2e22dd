"""Scenario models of the ``wind_yield`` section: turbine, wind climate, layout, wakes, losses.

Defaults are the Mörön default scenario, so a scenario without the section still runs. Every
literature number carries its source; "(estimate)" marks an assumption, "(verify)" a number
from a secondary source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from siting.scenario.base import Model


class TurbineChoice(Model):
    """The turbine model and its hub height."""

    model: str = Field(
        default="V90/2000",
        description=(
            "windpowerlib/OEDB turbine type (e.g. 'V90/2000', 'V112/3450', 'E-126/4200', "
            "'GE120/2500'), the name of a YAML in siting/scenario/turbines, or a path to a YAML"
        ),
    )
    # Tsetsii wind farm: 25 x Vestas V90-2.0 MW at 80 m hub (REFERENCE.md, operator statements).
    hub_height_m: float = Field(default=80.0, gt=0)
    # OEDB curves stop at the last measured speed (16.5 m/s for the V90/2000); the curve is
    # held at its last power up to cut-out. 25 m/s: Vestas V90-1.8/2.0 MW product brochure
    # (cut-out 25 m/s; verify for the delivered variant).
    cut_out_ms: float = Field(default=25.0, gt=0)
    # Mechanical x electrical efficiency used to turn electrical Cp into the rotor's aerodynamic
    # Cp when a thrust curve is derived from the power curve (estimate: 0.94, gearbox ~97 % x
    # generator/converter ~97 %; Burton et al., Wind Energy Handbook, 2nd ed. 2011, ch. 6).
    drivetrain_efficiency: float = Field(default=0.94, gt=0, le=1)


class ClimateSpec(Model):
    """Where the wind climate comes from and how the per-site wind rose is built.

    ``source``:
      * ``estimate`` — the run's ``wind_speed_ms`` raster (the terrain estimate by default),
        Weibull ``weibull_k``, sector frequencies from ``prevailing_direction_deg``; flagged;
      * ``mean_speed_raster`` — a mean-speed raster layer (e.g. Global Wind Atlas) plus
        ``weibull_k``;
      * ``weibull_rasters`` — Weibull A and k raster layers (Global Wind Atlas layout);
      * ``era5`` — hourly u/v at 10 m and/or 100 m from an ERA5-style NetCDF (``era5_path``).
    Rasters carry no direction: their wind roses take the sector frequencies from the prevailing
    direction (an estimate, reported as ``direction_source``).
    """

    source: Literal["estimate", "weibull_rasters", "mean_speed_raster", "era5"] = "estimate"
    mean_speed_layer: str = Field(default="wind_speed_ms", description="raster of mean speed, m/s")
    weibull_a_layer: str | None = Field(default=None, description="raster of Weibull A, m/s")
    weibull_k_layer: str | None = Field(default=None, description="raster of Weibull k")
    height_m: float | None = Field(
        default=None,
        gt=0,
        description="height of the raster layers, m; default the raster's attrs['height_m'] or 100",
    )
    # REFERENCE.md: Weibull k = 2.0 default (estimate; verify with a wind atlas).
    weibull_k: float = Field(default=2.0, gt=0)
    era5_path: str | None = Field(default=None, description="ERA5-style NetCDF with u10/v10 ...")
    era5_point: Literal["nearest", "interpolate"] = "interpolate"
    n_sectors: int = Field(default=12, ge=1, le=72)
    # REFERENCE.md: prevailing winds from the north-west (Siberian high; estimate).
    prevailing_direction_deg: float = Field(default=315.0, ge=0, lt=360)
    # von Mises concentration of the direction distribution around the prevailing direction
    # (estimate: 1.0 puts ~18 % of the time in the prevailing 30-degree sector, ~2 % opposite).
    direction_concentration: float = Field(default=1.0, ge=0)
    # A sector with fewer time steps than this takes the all-direction Weibull fit (estimate).
    min_samples_per_sector: int = Field(default=20, ge=2)

    @model_validator(mode="after")
    def _inputs_given(self) -> ClimateSpec:
        if self.source == "weibull_rasters" and not (self.weibull_a_layer and self.weibull_k_layer):
            raise ValueError("source weibull_rasters needs weibull_a_layer and weibull_k_layer")
        if self.source == "era5" and not self.era5_path:
            raise ValueError("source era5 needs era5_path")
        return self


class ShearSpec(Model):
    """Vertical extrapolation from the climate's height to hub height."""

    model: Literal["power_law", "log_law"] = "power_law"
    # IEC 61400-1:2019 sec. 6.3.2.2 normal wind profile exponent 0.2 (REFERENCE.md; stable
    # winters suggest 0.2-0.3, verify with a site measurement).
    exponent: float = Field(default=0.2, ge=0, le=1)
    # Open grassland/steppe: roughness class 1, z_0 = 0.03 m (Troen & Petersen 1989, European
    # Wind Atlas, Table 8.1).
    roughness_length_m: float = Field(default=0.03, gt=0)


class AirSpec(Model):
    """Air temperature for the density at hub height (barometric + ideal gas)."""

    # Mörön annual mean -0.8 degC (NOAA 1961-90 normals via Wikivoyage, REFERENCE.md) at the
    # town/airport elevation ~1,300 m (eAIP ZMMN ARP 1,303 m); other elevations by 6.5 K/km.
    temperature_c: float = -0.8
    reference_elevation_m: float = 1300.0


class LayoutSpec(Model):
    """Turbine placement inside each site polygon."""

    # ~4 D crosswind x 7 D along the prevailing wind: common planning spacing (Manwell, McGowan
    # & Rogers, Wind Energy Explained, 2nd ed. 2009, sec. 9.2.2: 3-5 D x 5-9 D).
    crosswind_spacing_d: float = Field(default=4.0, gt=0)
    downwind_spacing_d: float = Field(default=7.0, gt=0)
    stagger: bool = Field(default=True, description="shift every other row by half a spacing")
    boundary_margin_m: float = Field(
        default=0.0, ge=0, description="keep towers this far inside the site boundary"
    )
    offsets_per_axis: int = Field(
        default=5, ge=1, le=20, description="grid offsets tried per axis (most turbines wins)"
    )
    max_turbines_per_site: int | None = Field(default=None, ge=0)
    # One farm per site of the size Mongolia has built: Salkhit 49.6 MW, Tsetsii 50 MW,
    # Sainshand 55 MW (REFERENCE.md).
    max_capacity_mw_per_site: float | None = Field(default=50.0, ge=0)
    # The Mörön 110 kV connection's capacity is not sourced: 100 MW (two such farms) is a
    # planning assumption (estimate). None fills every site.
    grid_connection_cap_mw: float | None = Field(
        default=100.0,
        ge=0,
        description="total MW per grid connection point, filled in site rank order",
    )


class WakeSpec(Model):
    """Engineering wake model (PyWake) and the discretisation of the wind rose."""

    # Bastankhah & Porte-Agel 2014, Renew. Energy 70:116 (doi:10.1016/j.renene.2014.01.002),
    # wake expansion k* = 0.3837 TI + 0.003678 (Niayifar & Porte-Agel 2016, Energies 9:741,
    # eq. 16); or NOJ (Jensen 1983, Riso-M-2411; Katic et al. 1986, EWEC).
    model: Literal["bastankhah_gaussian", "noj"] = "bastankhah_gaussian"
    # Ambient turbulence intensity at hub height over open steppe (estimate: 10 %).
    turbulence_intensity: float = Field(default=0.10, gt=0, lt=1)
    # NOJ wake decay constant onshore 0.075 (Katic et al. 1986; WAsP onshore default).
    noj_wake_decay: float = Field(default=0.075, gt=0)
    directions_per_sector: int = Field(
        default=3, ge=1, le=30, description="wind directions simulated per sector"
    )
    ws_step_ms: float = Field(default=1.0, gt=0, le=2, description="speed bin of the wake run")


class LossSpec(Model):
    """Losses from the wake-affected to the net energy, as fractions (applied multiplicatively)."""

    # Turbine + balance-of-plant availability loss (estimate within the 2-6 % typical range;
    # Brower 2012, Wind Resource Assessment, Wiley, ch. 14, verify).
    availability: float = Field(default=0.03, ge=0, lt=1)
    # Collection-system and transformer losses to the metering point (estimate within 2-3 %
    # typical; Brower 2012 ch. 14, verify).
    electrical: float = Field(default=0.02, ge=0, lt=1)
    # Icing and low-temperature shutdown: Mörön is dry (~208 mm/yr) but January lows average
    # -28.8 degC (REFERENCE.md); IEA Wind Task 19 (2017, Expert Group Study on Recommended
    # Practices 13, 2nd ed.) relates light icing classes to ~0.5-5 % production loss
    # (estimate: 3 %, cold-climate turbine variant assumed).
    icing_cold_climate: float = Field(default=0.03, ge=0, lt=1)
    other: float = Field(default=0.0, ge=0, lt=1, description="any further loss (curtailment...)")


class UncertaintySpec(Model):
    """Standard uncertainties combined in quadrature for P75/P90 (normal approximation).

    Speed uncertainties are turned into energy uncertainties through each site's sensitivity
    (dE/E per dU/U, computed from its power curve and wind climate).
    """

    # Standard deviation of the annual mean speed ~6 % (Brower 2012, ch. 12, verify).
    interannual_speed_fraction: float = Field(default=0.06, ge=0)
    # Long-term wind resource uncertainty when taken from a wind layer or ERA5 (estimate: 5 %).
    resource_speed_fraction: float = Field(default=0.05, ge=0)
    # ... and when it is the scenario's estimate (estimate: 15 %, i.e. roughly +-1 m/s).
    resource_speed_fraction_estimate: float = Field(default=0.15, ge=0)
    # Wake, flow, power-curve and loss modelling, in energy (estimate: 6 %, within the ranges
    # summarised by Clifton, Smith & Fields 2016, NREL technical report on preconstruction
    # energy estimates, verify).
    model_energy_fraction: float = Field(default=0.06, ge=0)


class EmissionsSpec(Model):
    """Emission reductions, CDM ACM0002 logic: ER = EG x EF - PE - LE."""

    # JCM methodology MN_AM003: conservative Mongolian grid emission factor (REFERENCE.md).
    grid_ef_tco2_per_mwh: float = Field(default=0.797, ge=0)
    # Sensitivity case: Salkhit's own claim, 180 kt / 150.75 GWh (REFERENCE.md, derived).
    grid_ef_high_tco2_per_mwh: float = Field(default=1.19, ge=0)
    # ACM0002: a wind farm has no project emissions and no leakage is considered.
    project_emissions_tco2e_per_year: float = Field(default=0.0, ge=0)
    leakage_tco2e_per_year: float = Field(default=0.0, ge=0)


class WindYieldSpec(Model):
    """The ``wind_yield`` scenario section."""

    turbine: TurbineChoice = TurbineChoice()
    climate: ClimateSpec = ClimateSpec()
    shear: ShearSpec = ShearSpec()
    air: AirSpec = AirSpec()
    layout: LayoutSpec = LayoutSpec()
    wake: WakeSpec = WakeSpec()
    losses: LossSpec = LossSpec()
    uncertainty: UncertaintySpec = UncertaintySpec()
    emissions: EmissionsSpec = EmissionsSpec()
    commissioning_year: int = Field(default=2028, ge=1990, le=2100)
    # 25 years: design life of IEC 61400-1:2019 class turbines is 20 years minimum; 25 is
    # common in project finance (estimate).
    operating_life_years: int = Field(default=25, ge=1, le=60)
    # Loss of output with age; Staffell & Green 2014 (Renew. Energy 66:775) found 1.6 %/yr in
    # the UK fleet: 0 by default (P50 constant), set it for a sensitivity.
    annual_degradation_fraction: float = Field(default=0.0, ge=0, lt=1)

    def with_paths_resolved(self, resolve: Callable[[str], Path]) -> WindYieldSpec:
        """The same spec with ``climate.era5_path`` made absolute by ``resolve``.

        Parameters
        ----------
        resolve : callable
            Path resolver, e.g. :meth:`siting.scenario.model.Scenario.resolve`.

        Returns
        -------
        WindYieldSpec
        """
        if self.climate.era5_path is None:
            return self
        climate = self.climate.model_copy(
            update={"era5_path": str(resolve(self.climate.era5_path))}
        )
        return self.model_copy(update={"climate": climate})
