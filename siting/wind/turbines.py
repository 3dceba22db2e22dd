"""Wind turbine models: power and thrust curves at reference air density, and their physics.

A :class:`TurbineCurve` holds a turbine's power and thrust curves; :func:`turbine_curve` builds
one from a power curve. The curves are read by :mod:`siting.io.turbines` (windpowerlib's OEDB
turbine library, or a custom turbine YAML in ``siting/scenario/turbines``).

Wake models need a thrust-coefficient curve, which most OEDB entries (the V90/2000 among
them) lack. It is derived from the power curve by one-dimensional momentum theory: the rotor's
aerodynamic power coefficient ``Cp = P / (eta 0.5 rho A V^3)`` gives the axial induction ``a``
from ``Cp = 4 a (1 - a)^2`` (the root below 1/3), and ``Ct = 4 a (1 - a)`` (Burton et al.,
Wind Energy Handbook, 2nd ed., Wiley 2011, sec. 3.2). PyWake's ``GenericWindTurbine`` derives
Ct the same way, but from a generic power curve rather than the turbine's own.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from siting.wind.physics import REFERENCE_AIR_DENSITY_KG_M3, density_corrected_speeds

__all__ = [
    "TurbineCurve",
    "complete_curve",
    "quiet_pywake_import",
    "thrust_from_power",
    "turbine_curve",
]

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


def complete_curve(speed: np.ndarray, power_kw: np.ndarray, cut_out_ms: float):
    """Hold a truncated curve at its last power up to cut-out, then drop to 0.

    Parameters
    ----------
    speed, power_kw : numpy.ndarray
        Power curve, m/s and kW.
    cut_out_ms : float
        Cut-out speed, m/s.

    Returns
    -------
    speed, power_kw : numpy.ndarray
        The curve up to cut-out, with a zero just past its last speed.
    """
    if speed[-1] < cut_out_ms and power_kw[-1] > 0:
        speed = np.append(speed, cut_out_ms)
        power_kw = np.append(power_kw, power_kw[-1])
    keep = speed <= cut_out_ms
    speed, power_kw = speed[keep], power_kw[keep]
    # Zero just past the last speed: no output beyond cut-out (nor beyond the data).
    return np.append(speed, speed[-1] + 0.01), np.append(power_kw, 0.0)


def turbine_curve(
    name: str,
    *,
    rotor_diameter_m: float,
    rated_kw: float,
    wind_speed_ms,
    power_kw,
    source: str,
    air_density_kg_m3: float = REFERENCE_AIR_DENSITY_KG_M3,
    cut_out_ms: float | None = None,
    drivetrain_efficiency: float = 0.94,
) -> TurbineCurve:
    """A turbine from its power curve, the thrust curve derived by :func:`thrust_from_power`.

    Parameters
    ----------
    name : str
        Model name.
    rotor_diameter_m, rated_kw : float
        Rotor diameter (m) and rated power (kW).
    wind_speed_ms, power_kw : array_like
        Power curve, m/s and kW (electrical), at ``air_density_kg_m3``.
    source : str
        Where the curve comes from.
    air_density_kg_m3 : float
        Density of the power curve, kg/m3.
    cut_out_ms : float, optional
        Hold the curve at its last power up to this speed (:func:`complete_curve`); None: use
        the curve as given.
    drivetrain_efficiency : float
        Electrical / aerodynamic power, for the thrust curve.

    Returns
    -------
    TurbineCurve
    """
    speed = np.asarray(wind_speed_ms, dtype=float)
    power = np.asarray(power_kw, dtype=float)
    if cut_out_ms is not None:
        speed, power = complete_curve(speed, power, cut_out_ms)
    thrust = thrust_from_power(
        speed,
        power,
        rotor_diameter_m=rotor_diameter_m,
        air_density_kg_m3=air_density_kg_m3,
        drivetrain_efficiency=drivetrain_efficiency,
    )
    return TurbineCurve(
        name=name,
        rotor_diameter_m=rotor_diameter_m,
        rated_kw=rated_kw,
        wind_speed_ms=speed,
        power_kw=power,
        thrust_coefficient=thrust,
        air_density_kg_m3=air_density_kg_m3,
        source=source,
    )


@contextlib.contextmanager
def quiet_pywake_import() -> Iterator[None]:
    """Import PyWake without tqdm's "IProgress not found" warning in notebooks.

    PyWake imports tqdm's notebook progress bar, which warns in a Jupyter kernel without
    ipywidgets; siting shows no PyWake progress bars, so the warning says nothing to the user.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        yield
