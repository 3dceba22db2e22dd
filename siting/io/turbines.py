"""Turbine files: windpowerlib's OEDB turbine library, or a custom turbine from YAML.

windpowerlib ships the OpenEnergy Database (OEDB) turbine library as CSV files, so lookups work
offline (``windpowerlib.get_turbine_types``, ``windpowerlib.WindTurbine``). A custom turbine is
a YAML file in ``siting/scenario/turbines`` (or any path) with its power curve and a ``source``
(schema :class:`CustomTurbine`). Each becomes a :class:`~siting.wind.turbines.TurbineCurve`.
"""

from __future__ import annotations

import difflib
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from pydantic import Field, ValidationError, model_validator
from windpowerlib import WindTurbine, get_turbine_types

from siting.errors import ConfigError, ParameterError, describe
from siting.scenario.base import Model
from siting.scenario.wind import TurbineChoice
from siting.wind.physics import REFERENCE_AIR_DENSITY_KG_M3
from siting.wind.turbines import TurbineCurve, turbine_curve

__all__ = [
    "CustomTurbine",
    "available_turbines",
    "load_chosen_turbine",
    "load_turbine",
    "turbine_from_yaml",
]

#: Folder of the shipped custom turbine files.
TURBINE_DATA_DIR = Path(__file__).parents[1] / "scenario" / "turbines"


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


@cache
def _oedb_types() -> tuple[str, ...]:
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


def load_chosen_turbine(choice: TurbineChoice) -> TurbineCurve:
    """The turbine of the scenario's ``wind_yield.turbine`` section (:func:`load_turbine`)."""
    return load_turbine(
        choice.model,
        cut_out_ms=choice.cut_out_ms,
        drivetrain_efficiency=choice.drivetrain_efficiency,
    )


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
            "use a windpowerlib/OEDB turbine type (siting.io.turbines.available_turbines()), the "
            "name of a YAML in siting/scenario/turbines, or a path to your own turbine YAML",
        )
    )


def _from_oedb(name: str, *, cut_out_ms: float, drivetrain_efficiency: float) -> TurbineCurve:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        turbine = WindTurbine(hub_height=100.0, turbine_type=name)
    curve = turbine.power_curve
    return turbine_curve(
        name,
        rotor_diameter_m=float(turbine.rotor_diameter),
        rated_kw=float(turbine.nominal_power) / 1e3,
        wind_speed_ms=curve["wind_speed"].to_numpy(dtype=float),
        power_kw=curve["value"].to_numpy(dtype=float) / 1e3,
        source=(
            "windpowerlib 0.2 OEDB turbine library (oedb/power_curves.csv, "
            f"{name}); thrust from momentum theory; held at last power to {cut_out_ms:g} m/s"
        ),
        cut_out_ms=cut_out_ms,
        drivetrain_efficiency=drivetrain_efficiency,
    )


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
    source = spec.source + (" [estimate]" if spec.estimate else "")
    if spec.thrust_coefficient is None:
        return turbine_curve(
            spec.name,
            rotor_diameter_m=spec.rotor_diameter_m,
            rated_kw=spec.rated_kw,
            wind_speed_ms=spec.wind_speed_ms,
            power_kw=spec.power_kw,
            source=source,
            air_density_kg_m3=spec.air_density_kg_m3,
            cut_out_ms=spec.cut_out_ms,
            drivetrain_efficiency=drivetrain_efficiency,
        )
    return TurbineCurve(
        name=spec.name,
        rotor_diameter_m=spec.rotor_diameter_m,
        rated_kw=spec.rated_kw,
        wind_speed_ms=np.asarray(spec.wind_speed_ms, dtype=float),
        power_kw=np.asarray(spec.power_kw, dtype=float),
        thrust_coefficient=np.asarray(spec.thrust_coefficient, dtype=float),
        air_density_kg_m3=spec.air_density_kg_m3,
        source=source,
    )
