"""Scenario models of the ``wind_yield`` section: turbine, wind climate, layout, wakes, losses.

Every section here is a :class:`~siting.scenario.defaults.Section`: a field a scenario omits
takes the value of the embedded ``siting/scenario/moron.yaml``, where each number carries its
source ("(estimate)" marks an assumption, "(verify)" a number from a secondary source). Only
optional inputs (other climate sources) and software settings keep a default here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from siting.scenario.defaults import Section


class TurbineChoice(Section):
    """The turbine model and its hub height."""

    yaml_path = "wind_yield.turbine"

    model: str = Field(
        description=(
            "windpowerlib/OEDB turbine type (e.g. 'V90/2000', 'V112/3450', 'E-126/4200', "
            "'GE120/2500'), the name of a YAML in siting/scenario/turbines, or a path to a YAML"
        ),
    )
    hub_height_m: float = Field(gt=0, description="hub height, m")
    cut_out_ms: float = Field(
        gt=0,
        description="cut-out speed, m/s; an OEDB curve is held at its last power up to it",
    )
    drivetrain_efficiency: float = Field(
        gt=0,
        le=1,
        description="mechanical x electrical efficiency: turns the electrical Cp of the power "
        "curve into the rotor's aerodynamic Cp when a thrust curve is derived",
    )


class ClimateSpec(Section):
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

    yaml_path = "wind_yield.climate"

    source: Literal["estimate", "weibull_rasters", "mean_speed_raster", "era5"]
    mean_speed_layer: str = Field(description="raster of mean speed, m/s")
    weibull_a_layer: str | None = Field(default=None, description="raster of Weibull A, m/s")
    weibull_k_layer: str | None = Field(default=None, description="raster of Weibull k")
    height_m: float | None = Field(
        default=None,
        gt=0,
        description="height of the raster layers, m; default the raster's attrs['height_m'] or 100",
    )
    weibull_k: float = Field(gt=0, description="Weibull shape with a mean-speed raster")
    era5_path: str | None = Field(default=None, description="ERA5-style NetCDF with u10/v10 ...")
    era5_point: Literal["nearest", "interpolate"] = "interpolate"
    n_sectors: int = Field(ge=1, le=72, description="direction sectors of the wind rose")
    prevailing_direction_deg: float = Field(
        ge=0, lt=360, description="direction the wind mostly comes from, degrees from north"
    )
    direction_concentration: float = Field(
        ge=0, description="von Mises concentration of the directions around the prevailing one"
    )
    min_samples_per_sector: int = Field(
        ge=2, description="a sector with fewer time steps takes the all-direction Weibull fit"
    )

    @model_validator(mode="after")
    def _inputs_given(self) -> ClimateSpec:
        if self.source == "weibull_rasters" and not (self.weibull_a_layer and self.weibull_k_layer):
            raise ValueError("source weibull_rasters needs weibull_a_layer and weibull_k_layer")
        if self.source == "era5" and not self.era5_path:
            raise ValueError("source era5 needs era5_path")
        return self


class ShearSpec(Section):
    """Vertical extrapolation from the climate's height to hub height."""

    yaml_path = "wind_yield.shear"

    model: Literal["power_law", "log_law"]
    exponent: float = Field(ge=0, le=1, description="power-law shear exponent")
    roughness_length_m: float = Field(gt=0, description="surface roughness z_0 (log_law), m")


class AirSpec(Section):
    """Air temperature for the density at hub height (barometric + ideal gas)."""

    yaml_path = "wind_yield.air"

    temperature_c: float = Field(description="annual mean air temperature, degC")
    reference_elevation_m: float = Field(
        description="elevation of that temperature, m; elsewhere a 6.5 K/km lapse rate"
    )


class LayoutSpec(Section):
    """Turbine placement inside each site polygon."""

    yaml_path = "wind_yield.layout"

    crosswind_spacing_d: float = Field(gt=0, description="spacing across the wind, rotor D")
    downwind_spacing_d: float = Field(
        gt=0, description="spacing along the prevailing wind, rotor D"
    )
    stagger: bool = Field(description="shift every other row by half a spacing")
    boundary_margin_m: float = Field(
        ge=0, description="keep towers this far inside the site boundary"
    )
    offsets_per_axis: int = Field(
        ge=1, le=20, description="grid offsets tried per axis (most turbines wins)"
    )
    max_turbines_per_site: int | None = Field(ge=0)
    max_capacity_mw_per_site: float | None = Field(ge=0, description="farm size cap, MW")
    grid_connection_cap_mw: float | None = Field(
        ge=0,
        description="total MW per grid connection point, filled in site rank order; "
        "None fills every site",
    )


class WakeSpec(Section):
    """Engineering wake model (PyWake) and the discretisation of the wind rose."""

    yaml_path = "wind_yield.wake"

    model: Literal["bastankhah_gaussian", "noj"]
    turbulence_intensity: float = Field(
        gt=0, lt=1, description="ambient turbulence intensity at hub height"
    )
    noj_wake_decay: float = Field(gt=0, description="wake decay constant of the NOJ model")
    directions_per_sector: int = Field(
        ge=1, le=30, description="wind directions simulated per sector"
    )
    ws_step_ms: float = Field(gt=0, le=2, description="speed bin of the wake run, m/s")


class LossSpec(Section):
    """Losses from the wake-affected to the net (metered) energy, as fractions.

    The IEC 61400-15 / industry loss categories besides wakes, applied multiplicatively:
    ``net = waked x prod_i (1 - loss_i)`` (:meth:`kept_fraction`); each default carries its
    source in ``moron.yaml``.
    """

    yaml_path = "wind_yield.losses"

    availability: float = Field(ge=0, lt=1, description="turbine and balance-of-plant downtime")
    electrical: float = Field(
        ge=0, lt=1, description="collection system and transformers to the metering point"
    )
    icing_cold_climate: float = Field(ge=0, lt=1, description="icing and low-temperature shutdown")
    environmental: float = Field(
        ge=0, lt=1, description="blade degradation and soiling, high-wind hysteresis, lightning"
    )
    curtailment: float = Field(
        ge=0, lt=1, description="output the grid operator refuses (dispatch, grid constraints)"
    )
    other: float = Field(ge=0, lt=1, description="any further loss")

    def kept_fraction(self) -> float:
        """Share of the waked energy metered: ``prod_i (1 - loss_i)`` over every field."""
        kept = 1.0
        for name in type(self).model_fields:
            kept *= 1.0 - getattr(self, name)
        return kept

    def total_fraction(self) -> float:
        """Combined non-wake loss, ``1 - prod_i (1 - loss_i)``."""
        return 1.0 - self.kept_fraction()


class EnergyUncertaintySpec(Section):
    """Standard uncertainties combined in quadrature for P75/P90 (normal approximation).

    Speed uncertainties are turned into energy uncertainties through each site's sensitivity
    (dE/E per dU/U, computed from its power curve and wind climate). Over an N-year period the
    inter-annual variability averages out as ``sigma_IAV / sqrt(N)`` while the resource and
    model uncertainties stay (they are the same in every year): the 1-year and the
    ``long_term_years``-year P90 differ (:mod:`siting.wind.pvalues`).
    """

    yaml_path = "wind_yield.uncertainty"

    interannual_speed_fraction: float = Field(
        ge=0, description="standard deviation of the annual mean speed / mean"
    )
    resource_speed_fraction: float = Field(
        ge=0, description="long-term resource from a wind layer or ERA5"
    )
    resource_speed_fraction_estimate: float = Field(
        ge=0, description="long-term resource when it is the scenario's estimate"
    )
    model_energy_fraction: float = Field(
        ge=0, description="wake, flow, power-curve and loss modelling, in energy"
    )
    long_term_years: int = Field(
        ge=1, description="period of the long-term P75/P90 (inter-annual term / sqrt(N))"
    )


class EmissionsSpec(Section):
    """Emission reductions, CDM ACM0002 logic: ER = EG x EF - PE - LE."""

    yaml_path = "wind_yield.emissions"

    grid_ef_tco2_per_mwh: float = Field(ge=0, description="grid emission factor EF")
    grid_ef_high_tco2_per_mwh: float = Field(ge=0, description="EF of the sensitivity case")
    project_emissions_tco2e_per_year: float = Field(ge=0, description="project emissions PE")
    leakage_tco2e_per_year: float = Field(ge=0, description="leakage emissions LE")


class WindYieldSpec(Section):
    """The ``wind_yield`` scenario section."""

    yaml_path = "wind_yield"

    turbine: TurbineChoice
    climate: ClimateSpec
    shear: ShearSpec
    air: AirSpec
    layout: LayoutSpec
    wake: WakeSpec
    losses: LossSpec
    uncertainty: EnergyUncertaintySpec
    emissions: EmissionsSpec
    commissioning_year: int = Field(ge=1990, le=2100, description="year of commercial operation")
    commissioning_month: int = Field(
        ge=1,
        le=12,
        description="month of commercial operation: the first year generates from its start "
        "((13 - month) / 12 of a year), the last year of the life the rest",
    )
    operating_life_years: int = Field(ge=1, le=60)
    annual_degradation_fraction: float = Field(
        ge=0, lt=1, description="loss of output per year of age"
    )

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
