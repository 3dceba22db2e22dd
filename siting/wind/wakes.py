"""Wake losses of a farm with PyWake (Pedersen et al. 2023, J. Phys.: Conf. Ser. 2505:012010).

``PropagateDownwind`` with the Bastankhah-Gaussian deficit (Bastankhah & Porte-Agel 2014, Renew.
Energy 70:116, doi:10.1016/j.renene.2014.01.002; wake expansion from turbulence intensity after
Niayifar & Porte-Agel 2016, Energies 9:741, eq. 16) or NOJ (Jensen 1983, Riso-M-2411; Katic et
al. 1986), deficits added in quadrature (``SquaredSum``). PyWake runs on binned speeds; its
per-turbine ratio waked / free-stream (:attr:`FarmEnergy.efficiency`) scales the finely
integrated gross AEP of :func:`siting.wind.energy.free_stream_aep_mwh`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from siting.scenario.wind import WakeSpec
from siting.wind.climate import WindRose
from siting.wind.turbines import TurbineCurve, quiet_pywake_import

__all__ = ["FarmEnergy", "deficit_model", "farm_wake_energy", "wake_aep", "wake_bins"]


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

    @property
    def efficiency(self) -> np.ndarray:
        """Waked / free-stream AEP of each turbine (0 where the free stream gives nothing)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.free_mwh > 0, self.waked_mwh / self.free_mwh, 0.0)


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


def wake_bins(curve: TurbineCurve, step_ms: float) -> np.ndarray:
    """Speed-bin edges covering the curve's producing range (no output, no wake, outside)."""
    producing = curve.wind_speed_ms[curve.power_kw > 0]
    low = np.floor(producing.min() / step_ms) * step_ms
    high = np.ceil(producing.max() / step_ms) * step_ms
    return np.arange(max(low - step_ms, 0.0), high + step_ms / 2, step_ms)


def farm_wake_energy(
    x_m,
    y_m,
    curve: TurbineCurve,
    rose: WindRose,
    *,
    hub_height_m: float,
    wake: WakeSpec,
    deficit,
) -> FarmEnergy:
    """Per-turbine AEP with and without wakes of a farm in a wind rose.

    The rose is binned on the scenario's speed step over the curve's producing range
    (:func:`wake_bins`), with ``wake.directions_per_sector`` directions per sector.

    Parameters
    ----------
    x_m, y_m : array_like
        Turbine positions, m.
    curve : TurbineCurve
        The turbine at the site's air density.
    rose : WindRose
        Wind rose at hub height.
    hub_height_m : float
        Hub height, m.
    wake : WakeSpec
        The ``wind_yield.wake`` section (speed step, directions, turbulence intensity).
    deficit : py_wake DeficitModel
        Wake-deficit model (:func:`deficit_model`).

    Returns
    -------
    FarmEnergy
    """
    edges = wake_bins(curve, wake.ws_step_ms)
    wd, ws, p = rose.probabilities(edges, wake.directions_per_sector)
    return wake_aep(
        x_m,
        y_m,
        curve.pywake(hub_height_m),
        wd,
        ws,
        p,
        deficit=deficit,
        turbulence_intensity=wake.turbulence_intensity,
    )
