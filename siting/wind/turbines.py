"""Wind turbine models: windpowerlib's OEDB library, or a custom turbine from YAML.

windpowerlib ships the OpenEnergy Database (OEDB) turbine library as CSV files, so lookups work
offline (``windpowerlib.get_turbine_types``, ``windpowerlib.WindTurbine``). A custom turbine is
a YAML file in ``siting/scenario/turbines`` (or any path) with its power curve and a ``source``.

Wake models need a thrust-coefficient curve, which most OEDB entries (the V90/2000 among
them) lack. It is derived from the power curve by one-dimensional momentum theory: the rotor's
aerodynamic power coefficient ``Cp = P / (eta 0.5 rho A V^3)`` gives the axial induction ``a``
from ``Cp = 4 a (1 - a)^2`` (the root below 1/3), and ``Ct = 4 a (1 - a)`` (Burton et al.,
Wind Energy Handbook, 2nd ed., Wiley 2011, sec. 3.2). PyWake's ``GenericWindTurbine`` derives
Ct the same way, but from a generic power curve rather than the turbine's own.
"""

from __future__ import annotations

import contextlib
import difflib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from pydantic import Field, ValidationError, model_validator

from siting.errors import ConfigError, ParameterError, describe
from siting.scenario.base import Model
from siting.wind.physics import REFERENCE_AIR_DENSITY_KG_M3, density_corrected_speeds

__all__ = [
    "TurbineCurve",
    "available_turbines",
    "load_turbine",
    "thrust_from_power",
    "turbine_from_yaml",
]

TURBINE_DATA_DIR = Path(__file__).parents[1] / "scenario" / "turbines"

#: Betz limit of the power coefficient, 16/27.
BETZ_CP = 16.0 / 27.0
#: Thrust coefficient below rated of a generic modern rotor: PyWake ``GenericWindTurbine``
#: default ``constant_ct=0.8`` (py_wake 2.6, wind_turbines/generic_wind_turbines.py).
PEAK_THRUST_COEFFICIENT = 0.8


@dataclass(frozen=True)
class TurbineCurve:
    """A turbine's power and thrust curves at reference air density.

    Attributes
    ----------
    name : str
        Model name as looked up (e.g. ``"V90/2000"``).
    rotor_diameter_m : float
        Rotor diameter, m.
    rated_kw : float
        Rated (nominal) power, kW.
    wind_speed_ms : numpy.ndarray
        Increasing speeds of the curves, m/s, from 0 to just past cut-out.
    power_kw : numpy.ndarray
        Electrical power at each speed, kW (0 below cut-in and above cut-out).
    thrust_coefficient : numpy.ndarray
        Ct at each speed (dimensionless).
    air_density_kg_m3 : float
        Density the curves refer to, kg/m3.
    source : str
        Where the curves come from.
    """

    name: str
    rotor_diameter_m: float
    rated_kw: float
    wind_speed_ms: np.ndarray
    power_kw: np.ndarray
    thrust_coefficient: np.ndarray
    air_density_kg_m3: float
    source: str

    def at_density(self, density_kg_m3: float) -> TurbineCurve:
        """The curves at site air density (IEC 61400-12-1 speed scaling, power unchanged)."""
        speeds = density_corrected_speeds(
            self.wind_speed_ms, density_kg_m3, reference_density_kg_m3=self.air_density_kg_m3
        )
        return TurbineCurve(
            self.name,
            self.rotor_diameter_m,
            self.rated_kw,
            speeds,
            self.power_kw,
            self.thrust_coefficient,
            float(density_kg_m3),
            self.source,
        )

    def power_at(self, wind_speed_ms) -> np.ndarray:
        """Electrical power (kW) at the given speeds, linear between curve points."""
        return np.interp(wind_speed_ms, self.wind_speed_ms, self.power_kw, left=0.0, right=0.0)

    def pywake(self, hub_height_m: float):
        """The turbine as a ``py_wake.wind_turbines.WindTurbine`` at ``hub_height_m``."""
        with quiet_pywake_import():
            from py_wake.wind_turbines import WindTurbine
            from py_wake.wind_turbines.power_ct_functions import PowerCtTabular

        curve = PowerCtTabular(
            self.wind_speed_ms, self.power_kw, "kW", self.thrust_coefficient, ws_cutin=None
        )
        return WindTurbine(self.name, self.rotor_diameter_m, hub_height_m, curve)


class CustomTurbine(Model):
    """Schema of a turbine YAML file (``siting/scenario/turbines/*.yaml``)."""

    name: str
    manufacturer: str = ""
    rotor_diameter_m: float = Field(gt=0)
    rated_kw: float = Field(gt=0)
    hub_heights_m: list[float] = []
    wind_speed_ms: list[float] = Field(min_length=3)
    power_kw: list[float] = Field(min_length=3)
    thrust_coefficient: list[float] | None = None
    air_density_kg_m3: float = Field(default=REFERENCE_AIR_DENSITY_KG_M3, gt=0)
    cut_out_ms: float | None = Field(default=None, gt=0)
    estimate: bool = False
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _curves(self) -> CustomTurbine:
        n = len(self.wind_speed_ms)
        if len(self.power_kw) != n or (
            self.thrust_coefficient is not None and len(self.thrust_coefficient) != n
        ):
            raise ValueError("wind_speed_ms, power_kw (and thrust_coefficient) need equal lengths")
        if np.any(np.diff(self.wind_speed_ms) <= 0):
            raise ValueError("wind_speed_ms must increase strictly")
        if min(self.power_kw) < 0:
            raise ValueError("power_kw must not be negative")
        return self


def thrust_from_power(
    wind_speed_ms,
    power_kw,
    *,
    rotor_diameter_m: float,
    air_density_kg_m3: float = REFERENCE_AIR_DENSITY_KG_M3,
    drivetrain_efficiency: float = 0.94,
    peak_thrust_coefficient: float | None = PEAK_THRUST_COEFFICIENT,
):
    """Thrust coefficient from the power curve by 1-D momentum theory.

    Parameters
    ----------
    wind_speed_ms, power_kw : array_like
        Power curve, m/s and kW (electrical).
    rotor_diameter_m : float
        Rotor diameter, m.
    air_density_kg_m3 : float
        Density of the power curve, kg/m3.
    drivetrain_efficiency : float
        Electrical / aerodynamic power (mechanical and electrical losses), 0-1.
    peak_thrust_coefficient : float or None
        Scale the curve so that its maximum is this value (None: no scaling).

    Returns
    -------
    numpy.ndarray
        Ct at each speed, 0 where the turbine makes no power (idle), at most 8/9.

    Notes
    -----
    ``Cp = P / (eta 0.5 rho A V^3)`` is capped just below the Betz limit; the axial induction
    is the root of ``Cp = 4 a (1 - a)^2`` in [0, 1/3] (closed form by the trigonometric
    cubic solution) and ``Ct = 4 a (1 - a)`` (Burton et al. 2011, sec. 3.2). Momentum theory
    without tip losses underestimates a real rotor's thrust at partial load, so the curve is
    scaled to ``peak_thrust_coefficient`` as PyWake's ``standard_power_ct_curve`` does.
    """
    speed = np.asarray(wind_speed_ms, dtype=float)
    power_w = np.asarray(power_kw, dtype=float) * 1e3
    area = np.pi * rotor_diameter_m**2 / 4.0
    with np.errstate(divide="ignore", invalid="ignore"):
        cp = power_w / (drivetrain_efficiency * 0.5 * air_density_kg_m3 * area * speed**3)
    cp = np.clip(np.nan_to_num(cp, nan=0.0, posinf=0.0), 0.0, BETZ_CP * 0.999)
    # Cp = 4a(1-a)^2 with y = 27 Cp / 16 in [0, 1]: a = 2/3 (1 - cos(atan2(2 sqrt(y(1-y)),
    # 1 - 2y) / 3)), the branch with a <= 1/3 (hand-written: a closed form, no solver needed).
    y = 27.0 / 16.0 * cp
    a = 2.0 / 3.0 * (1.0 - np.cos(np.arctan2(2.0 * np.sqrt(y * (1.0 - y)), 1.0 - 2.0 * y) / 3.0))
    thrust = np.where(power_w > 0, 4.0 * a * (1.0 - a), 0.0)
    if peak_thrust_coefficient is not None and thrust.max() > 0:
        thrust = np.minimum(thrust * peak_thrust_coefficient / thrust.max(), 8.0 / 9.0)
    return thrust


@cache
def _oedb_types() -> tuple[str, ...]:
    from windpowerlib import get_turbine_types

    table = get_turbine_types(turbine_library="local", print_out=False, filter_=True)
    return tuple(sorted(table.loc[table["has_power_curve"].astype(bool), "turbine_type"]))


def _custom_files() -> dict[str, Path]:
    files = {}
    for path in sorted(TURBINE_DATA_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            name = (yaml.safe_load(handle) or {}).get("name", path.stem)
        files[str(name)] = path
    return files


def available_turbines() -> list[str]:
    """Names accepted by :func:`load_turbine`: OEDB types with a power curve, then custom ones.

    Returns
    -------
    list of str
    """
    return list(_oedb_types()) + list(_custom_files())


@contextlib.contextmanager
def quiet_pywake_import() -> Iterator[None]:
    """Import PyWake without tqdm's "IProgress not found" warning in notebooks.

    PyWake imports tqdm's notebook progress bar, which warns in a Jupyter kernel without
    ipywidgets; siting shows no PyWake progress bars, so the warning says nothing to the user.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        yield


def load_turbine(
    name: str, *, cut_out_ms: float = 25.0, drivetrain_efficiency: float = 0.94
) -> TurbineCurve:
    """Look a turbine up by name (OEDB or ``turbine_data``) or read it from a YAML path.

    Parameters
    ----------
    name : str
        OEDB turbine type (``"V90/2000"``), a custom turbine's ``name``, or a ``.yaml`` path.
    cut_out_ms : float
        Cut-out speed, m/s, for curves that stop before it (held at their last power).
    drivetrain_efficiency : float
        Used when the thrust curve is derived from the power curve.

    Returns
    -------
    TurbineCurve

    Raises
    ------
    ParameterError
        For an unknown name; the message lists the closest known names.
    """
    if name.lower().endswith((".yaml", ".yml")):
        return turbine_from_yaml(Path(name), drivetrain_efficiency=drivetrain_efficiency)
    custom = _custom_files()
    if name in custom:
        return turbine_from_yaml(custom[name], drivetrain_efficiency=drivetrain_efficiency)
    if name in _oedb_types():
        return _from_oedb(name, cut_out_ms=cut_out_ms, drivetrain_efficiency=drivetrain_efficiency)
    known = available_turbines()
    lowered = {k.lower(): k for k in known}
    close = [lowered[m] for m in difflib.get_close_matches(name.lower(), lowered, n=6, cutoff=0.4)]
    hint = f"close matches: {', '.join(close)}" if close else f"{len(known)} names are known"
    raise ParameterError(
        describe(
            "wind_yield.turbine.model",
            f"unknown turbine {name!r} ({hint})",
            "use a windpowerlib/OEDB turbine type (siting.wind.turbines.available_turbines()), the "
            "name of a YAML in siting/scenario/turbines, or a path to your own turbine YAML",
        )
    )


def _from_oedb(name: str, *, cut_out_ms: float, drivetrain_efficiency: float) -> TurbineCurve:
    from windpowerlib import WindTurbine

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        turbine = WindTurbine(hub_height=100.0, turbine_type=name)
    curve = turbine.power_curve
    speed = curve["wind_speed"].to_numpy(dtype=float)
    power_kw = curve["value"].to_numpy(dtype=float) / 1e3
    speed, power_kw = _complete_curve(speed, power_kw, cut_out_ms)
    diameter = float(turbine.rotor_diameter)
    thrust = thrust_from_power(
        speed, power_kw, rotor_diameter_m=diameter, drivetrain_efficiency=drivetrain_efficiency
    )
    return TurbineCurve(
        name=name,
        rotor_diameter_m=diameter,
        rated_kw=float(turbine.nominal_power) / 1e3,
        wind_speed_ms=speed,
        power_kw=power_kw,
        thrust_coefficient=thrust,
        air_density_kg_m3=REFERENCE_AIR_DENSITY_KG_M3,
        source=(
            "windpowerlib 0.2 OEDB turbine library (oedb/power_curves.csv, "
            f"{name}); thrust from momentum theory; held at last power to {cut_out_ms:g} m/s"
        ),
    )


def _complete_curve(speed: np.ndarray, power_kw: np.ndarray, cut_out_ms: float):
    """Hold a truncated curve at its last power up to cut-out, then drop to 0."""
    if speed[-1] < cut_out_ms and power_kw[-1] > 0:
        speed = np.append(speed, cut_out_ms)
        power_kw = np.append(power_kw, power_kw[-1])
    keep = speed <= cut_out_ms
    speed, power_kw = speed[keep], power_kw[keep]
    # Zero just past the last speed: no output beyond cut-out (nor beyond the data).
    return np.append(speed, speed[-1] + 0.01), np.append(power_kw, 0.0)


def turbine_from_yaml(path: Path, *, drivetrain_efficiency: float = 0.94) -> TurbineCurve:
    """A custom turbine from a YAML file (schema :class:`CustomTurbine`).

    Parameters
    ----------
    path : pathlib.Path
        The YAML file.
    drivetrain_efficiency : float
        Used when the file has no ``thrust_coefficient``.

    Returns
    -------
    TurbineCurve

    Raises
    ------
    ConfigError
        If the file is missing or invalid.
    """
    try:
        with Path(path).open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        spec = CustomTurbine.model_validate(data)
    except FileNotFoundError:
        raise ConfigError(describe(str(path), "turbine file not found", "check the path")) from None
    except (yaml.YAMLError, ValidationError) as err:
        raise ConfigError(
            describe(str(path), f"invalid turbine file: {err}", "fix the YAML fields")
        ) from None
    speed = np.asarray(spec.wind_speed_ms, dtype=float)
    power = np.asarray(spec.power_kw, dtype=float)
    if spec.thrust_coefficient is not None:
        thrust = spec.thrust_coefficient
    else:
        if spec.cut_out_ms is not None:
            speed, power = _complete_curve(speed, power, spec.cut_out_ms)
        thrust = thrust_from_power(
            speed,
            power,
            rotor_diameter_m=spec.rotor_diameter_m,
            air_density_kg_m3=spec.air_density_kg_m3,
            drivetrain_efficiency=drivetrain_efficiency,
        )
    source = spec.source + (" [estimate]" if spec.estimate else "")
    return TurbineCurve(
        name=spec.name,
        rotor_diameter_m=spec.rotor_diameter_m,
        rated_kw=spec.rated_kw,
        wind_speed_ms=speed,
        power_kw=power,
        thrust_coefficient=np.asarray(thrust, dtype=float),
        air_density_kg_m3=spec.air_density_kg_m3,
        source=source,
    )
