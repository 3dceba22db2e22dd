"""One wind turbine computed by hand, step by step, against the wind stage.

Every expected number is computed here independently of siting: the N131/3000 power curve read
straight from windpowerlib's OEDB CSV, the power-law shear, the ICAO barometric pressure and
ideal-gas density, the IEC 61400-12-1 density correction, a Weibull x power-curve integral on
a 0.001 m/s grid by the trapezoid rule (the code uses CDF differences on 0.05 m/s), the loss
product, the energy-to-speed sensitivity, and the 1-year and 10-year P90.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import windpowerlib
from scipy import special

from siting.io.turbines import load_chosen_turbine
from siting.scenario.wind import WindYieldSpec
from siting.wind.energy import assess_wind_sites
from tests.test_wind_yield import _inputs

LAYER_HEIGHT_M = 60.0  # the wind layer is at 60 m, the hub at 114 m: a shear step
MEAN_SPEED_MS = 5.5  # at 60 m
HUB_M = 114.0
K = 2.0
ALPHA = 0.2
# Hub at 1,300 m above sea level (ground 1,186 m), the -0.8 degC of the scenario's air section.
GROUND_M = 1300.0 - HUB_M


def _oedb_curve(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The turbine's power curve from windpowerlib's bundled OEDB CSV (m/s, kW)."""
    path = Path(windpowerlib.__file__).parent / "oedb" / "power_curves.csv"
    table = pd.read_csv(path, index_col=0)
    row = table.loc[name].dropna()  # one row per turbine, one column per speed; W
    return row.index.to_numpy(dtype=float), row.to_numpy(dtype=float) / 1e3


def _density_hand(z_m: float, t_c: float) -> float:
    """ICAO standard atmosphere pressure (p0 101,325 Pa, T0 288.15 K, L 0.0065 K/m,
    g M / (R L) = 9.80665 x 0.0289644 / (8.31432 x 0.0065) = 5.2559) over R_d T."""
    p = 101_325.0 * (1 - 0.0065 * z_m / 288.15) ** (9.80665 * 0.0289644 / (8.31432 * 0.0065))
    return p / (8.31432 / 0.0289644 * (t_c + 273.15))


def _aep_hand_mwh(a_ms: float, speeds: np.ndarray, power_kw: np.ndarray) -> float:
    """8,760 h x integral of Weibull pdf(v; A, k) x P(v) dv, trapezoid on 0.001 m/s."""
    v = np.arange(0.0, 40.0, 0.001)
    pdf = (K / a_ms) * (v / a_ms) ** (K - 1) * np.exp(-((v / a_ms) ** K))
    p = np.interp(v, speeds, power_kw, left=0.0, right=0.0)
    return 8760.0 * np.trapezoid(pdf * p, v) / 1e3


def test_one_turbine_by_hand():
    spec = WindYieldSpec.model_validate(
        {
            "climate": {"source": "mean_speed_raster", "weibull_k": K},
            "layout": {"max_turbines_per_site": 1},
        }
    )
    # The scenario's defaults this hand calculation takes (asserted so a change shows here).
    assert (spec.turbine.model, spec.turbine.hub_height_m, spec.turbine.cut_out_ms) == (
        "N131/3000",
        HUB_M,
        20,
    )
    assert spec.shear.exponent == ALPHA and spec.air.temperature_c == -0.8
    assert spec.air.reference_elevation_m == 1300
    sites, eligible, rasters = _inputs(
        mean_speed_ms=MEAN_SPEED_MS, height_m=LAYER_HEIGHT_M, elevation_m=GROUND_M, size_m=2000
    )
    result = assess_wind_sites(sites, eligible, rasters, spec, load_chosen_turbine(spec.turbine))
    row = result.sites.loc["W001"]
    assert row["n_turbines"] == 1 and row["capacity_mw"] == 3.0
    # a GeoDataFrame like the sites it was given: the polygons travel with the yield
    assert result.sites.crs == sites.crs
    assert result.sites.geometry.loc["W001"].equals(sites.set_index("site_id").geometry["W001"])

    # 1. Shear 60 m -> 114 m: (114 / 60) ** 0.2 = exp(0.2 ln 1.9) = 1.136974
    shear = (HUB_M / LAYER_HEIGHT_M) ** ALPHA
    assert shear == pytest.approx(1.136974, abs=1e-6)
    assert row["mean_speed_hub_ms"] == pytest.approx(MEAN_SPEED_MS * shear, rel=1e-6)

    # 2. Air density at 1,300 m and -0.8 degC: 1.108 kg/m3 (far from 1.225).
    rho = _density_hand(1300.0, -0.8)
    assert rho == pytest.approx(1.108, abs=5e-4)
    assert row["air_density_kg_m3"] == pytest.approx(rho, rel=1e-9)

    # 3. IEC 61400-12-1 density correction: curve speeds x (1.225 / rho) ** (1/3) = 1.0340.
    speeds, power = _oedb_curve("N131/3000")
    keep = speeds <= 20.0  # cut-out 20 m/s, zero just past it
    speeds, power = np.append(speeds[keep], 20.01), np.append(power[keep], 0.0)
    stretch = (1.225 / rho) ** (1 / 3)
    assert stretch == pytest.approx(1.0340, abs=1e-4)
    site_speeds = speeds * stretch

    # 4. Gross AEP of the Weibull at hub height: A = mean / Gamma(1 + 1/k).
    a_hub = MEAN_SPEED_MS * shear / special.gamma(1 + 1 / K)
    gross = _aep_hand_mwh(a_hub, site_speeds, power)
    assert row["aep_gross_mwh"] == pytest.approx(gross, rel=1e-3)

    # 5. Wake loss of a lone turbine: exactly none.
    assert row["wake_loss_fraction"] == pytest.approx(0.0, abs=1e-12)

    # 6. Non-wake losses: 0.97 x 0.98 x 0.97 x 0.99 x 0.93 = 0.848961 (15.10 % in all).
    kept = 0.97 * 0.98 * 0.97 * 0.99 * 0.93
    assert row["loss_total_fraction"] == pytest.approx(1 - kept, rel=1e-9)
    p50 = gross * kept
    assert row["aep_p50_mwh"] == pytest.approx(p50, rel=1e-3)
    assert row["capacity_factor"] == pytest.approx(p50 / (3.0 * 8760), rel=1e-3)

    # 7. Uncertainty: sensitivity S = dE/E / dU/U by central difference (A x 1.01, A x 0.99);
    # a wind layer, so resource 5 % of speed; inter-annual 6 % of speed; model 6 % of energy.
    up = _aep_hand_mwh(a_hub * 1.01, site_speeds, power)
    down = _aep_hand_mwh(a_hub * 0.99, site_speeds, power)
    s = (up - down) / (0.02 * gross)
    assert 1.5 < s < 3.0  # energy grows faster than speed, slower than its cube
    sigma_1 = np.sqrt((s * 0.06) ** 2 + (s * 0.05) ** 2 + 0.06**2)
    sigma_10 = np.sqrt((s * 0.06) ** 2 / 10 + (s * 0.05) ** 2 + 0.06**2)
    assert row["uncertainty_fraction"] == pytest.approx(sigma_1, rel=2e-3)
    assert row["uncertainty_long_term_fraction"] == pytest.approx(sigma_10, rel=2e-3)

    # 8. P-values (normal quantiles z75 = 0.674490, z90 = 1.281552).
    z75, z90 = 0.6744897501960817, 1.2815515655446004
    assert row["aep_p75_mwh"] == pytest.approx(p50 * (1 - z75 * sigma_10), rel=2e-3)
    assert row["aep_p90_1yr_mwh"] == pytest.approx(p50 * (1 - z90 * sigma_1), rel=2e-3)
    assert row["aep_p90_10yr_mwh"] == pytest.approx(p50 * (1 - z90 * sigma_10), rel=2e-3)
    assert row["aep_p90_1yr_mwh"] < row["aep_p90_10yr_mwh"] < row["aep_p75_mwh"] < p50

    # 9. Timing and ACM0002: October 2029 start, 3/12 of a year in 2029, full from 2030;
    # ER = EG x 0.797 tCO2/MWh.
    gen = result.generation.set_index(["year", "quantity"])["value"]
    assert gen[(2029, "aep_p50_mwh")] == pytest.approx(p50 * 3 / 12, rel=1e-3)
    assert gen[(2030, "aep_p50_mwh")] == pytest.approx(p50, rel=1e-3)
    assert gen[(2030, "tco2e_p50")] == pytest.approx(p50 * 0.797, rel=1e-3)
    assert gen[(2030, "tco2e_p90_10yr")] == pytest.approx(
        p50 * (1 - z90 * sigma_10) * 0.797, rel=2e-3
    )
