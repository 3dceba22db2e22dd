"""Wind yield with wakes: 20 sites x 30 turbines x 12 sectors, and the default Mörön run.

Synthetic case: 20 square sites of 3 km x 3 km on a uniform grid near Mörön (7 m/s at 80 m,
Weibull k = 2, north-westerly rose), Vestas V90/2000, capped at 30 turbines per site, 12
sectors with one simulated direction each (``wake.directions_per_sector = 1``). Times, each
``--repeats`` times, the whole ``assess_wind_sites`` and the PyWake runs alone, and prints the
time per turbine-sector. Then (unless ``--no-moron``) runs ``siting.analyse`` on the default
scenario once and times ``assess_wind_sites`` on its wind sites with the default settings.

Usage: ``python benchmarks/wind.py [--repeats 3] [--no-moron]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # a checkout, if not installed

N_SITES, N_TURBINES, N_SECTORS = 20, 30, 12


def synthetic_inputs():
    import geopandas as gpd
    import shapely
    import xarray as xr

    from siting.grid import grid_for_aoi

    grid = grid_for_aoi(shapely.box(99.9, 49.4, 100.5, 49.75), 250)
    left, _, _, top = grid.bounds
    boxes = [
        shapely.box(
            left + 500 + c * 4000,
            top - 3500 - r * 4000,
            left + 3500 + c * 4000,
            top - 500 - r * 4000,
        )
        for r in range(4)
        for c in range(5)
    ]
    sites = gpd.GeoDataFrame(
        {"site_id": [f"W{i + 1:03d}" for i in range(N_SITES)], "rank": range(1, N_SITES + 1)},
        geometry=boxes,
        crs=grid.crs,
    )
    full = np.full(grid.shape, 1.0, dtype="float32")
    rasters = xr.Dataset(
        {
            "elevation": grid.wrap(full * 1300, name="elevation", units="m"),
            "wind_speed_ms": grid.wrap(
                full * 7.0, name="wind_speed_ms", units="m s-1", height_m=80.0, estimate=False
            ),
        }
    )
    eligible = grid.wrap(np.ones(grid.shape, dtype=bool), name="eligible", units="")
    return sites, eligible, rasters


def time_it(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-moron", action="store_true", help="skip the default Mörön run")
    args = parser.parse_args()

    from siting.io.turbines import load_chosen_turbine
    from siting.scenario.wind import WindYieldSpec
    from siting.wind.energy import assess_wind_sites
    from siting.wind.wakes import deficit_model, wake_aep, wake_bins

    sites, eligible, rasters = synthetic_inputs()
    spec = WindYieldSpec.model_validate(
        {
            "layout": {
                "max_turbines_per_site": N_TURBINES,
                "max_capacity_mw_per_site": None,
                "grid_connection_cap_mw": None,
            },
            "climate": {"source": "mean_speed_raster", "n_sectors": N_SECTORS},
            "wake": {"directions_per_sector": 1},
            "turbine": {"model": "V90/2000", "hub_height_m": 80, "cut_out_ms": 25},
        }
    )
    v90 = load_chosen_turbine(spec.turbine)  # read once, outside the timings
    assess_wind_sites(sites, eligible, rasters, spec, v90)  # warm-up: imports, library caches
    totals, result = time_it(
        lambda: assess_wind_sites(sites, eligible, rasters, spec, v90), args.repeats
    )
    n_turbines = len(result.turbines)

    # The PyWake runs alone, on the same layouts and roses.
    from siting.wind.site_roses import site_wind_roses

    turbine = v90.at_density(float(result.sites["air_density_kg_m3"].iloc[0]))
    roses = site_wind_roses(sites, rasters, spec)
    deficit = deficit_model(spec.wake)
    edges = wake_bins(turbine, spec.wake.ws_step_ms)

    def wakes_only():
        for site, group in result.turbines.groupby("site_id"):
            wd, ws, p = roses[site].probabilities(edges, 1)
            wake_aep(
                group.geometry.x,
                group.geometry.y,
                turbine.pywake(80.0),
                wd,
                ws,
                p,
                deficit=deficit,
                turbulence_intensity=0.1,
            )

    wake_times, _ = time_it(wakes_only, args.repeats)
    cases = n_turbines * N_SECTORS
    total, wakes = statistics.median(totals), statistics.median(wake_times)
    print(
        f"{os.cpu_count()} cores; {N_SITES} sites x {n_turbines // N_SITES} turbines x "
        f"{N_SECTORS} sectors, {len(edges) - 1} speed bins; median of {args.repeats}"
    )
    print(f"assess_wind_sites: {total:.2f} s  ({', '.join(f'{t:.2f}' for t in totals)})")
    print(f"  PyWake runs alone: {wakes:.2f} s = {wakes / total:.0%} of the total")
    print(
        f"  per turbine-sector: {total / cases * 1e3:.2f} ms total, "
        f"{wakes / cases * 1e3:.2f} ms in PyWake"
    )
    print(
        f"  wake loss {result.sites['wake_loss_fraction'].mean():.1%}, "
        f"net CF {result.sites['capacity_factor'].mean():.3f}"
    )

    if args.no_moron:
        return
    import siting

    start = time.perf_counter()
    run = siting.analyse(siting.load_scenario())
    analyse_s = time.perf_counter() - start
    wind = run.uses["wind"]
    default = run.scenario.wind_yield
    turbine = load_chosen_turbine(default.turbine)
    uncapped = default.model_copy(
        update={
            "layout": default.layout.model_copy(
                update={"max_capacity_mw_per_site": None, "grid_connection_cap_mw": None}
            )
        }
    )
    for label, spec in (("scenario caps", default), ("every site filled, no caps", uncapped)):
        moron_times, moron = time_it(
            lambda spec=spec: assess_wind_sites(
                wind.sites, wind.eligibility.eligible, run.rasters, spec, turbine
            ),
            args.repeats,
        )
        median = statistics.median(moron_times)
        print(
            f"Mörön default ({label}): analyse {analyse_s:.1f} s; wind stage "
            f"(assess_wind_sites) {median:.2f} s "
            f"({', '.join(f'{t:.2f}' for t in moron_times)}), goal < 30 s"
        )
        print(
            f"  {len(moron.sites)} sites, {len(moron.turbines)} turbines, "
            f"{spec.climate.n_sectors} sectors x {spec.wake.directions_per_sector} directions;"
            f" total P50 {moron.sites['aep_p50_mwh'].sum() / 1e3:,.0f} GWh/yr, "
            f"{moron.sites['tco2e_per_year'].sum() / 1e3:,.0f} ktCO2e/yr "
            f"(estimate: {moron.estimate})"
        )


if __name__ == "__main__":
    main()
