"""Forest Monte Carlo at scale: 1,000 draws x 500 sites x 60 years, time and peak memory.

Builds 500 seeded synthetic reforestation sites (50-400 ha, suitability 0.6-1.0, climate
classes cold/arid/polar), projects 60 years (2027-2086) of the default Mörön forest scenario
with every uncertainty on (stochastic fires included) and a planting capacity that plants
every site within about 25 years (so every cohort lies inside the horizon), and times
``assess_forest_sites`` (quantiles per site and year, the per-site table) after an untimed
warm-up.

Peak memory is measured twice: the Python heap peak during the run (``tracemalloc``, which
numpy reports its arrays to) and the process's peak resident set size. Both are compared with
the 229 MiB that holding every draw of one float64 stock array would take.

Usage: ``python benchmarks/forest.py [--draws 1000] [--sites 500] [--years 60]
[--repeats 3] [--block-mib 8]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd

from siting.forest.sequestration import assess_forest_sites, species_needed
from siting.io.species import load_species_library
from siting.scenario.forest import ForestSpec

MIB = 2**20
GOAL_S = 10.0


def synthetic_sites(n: int, seed: int = 20240601) -> tuple[pd.DataFrame, dict[str, int]]:
    """Seeded candidate sites in rank order and their majority Köppen class."""
    rng = np.random.default_rng(seed)
    ids = [f"R{i + 1}" for i in range(n)]
    sites = pd.DataFrame(
        {
            "site_id": ids,
            "rank": np.arange(1, n + 1),
            "area_ha": rng.uniform(50, 400, n).round(1),
            "score_mean": np.sort(rng.uniform(0.6, 1.0, n))[::-1],
        }
    )
    climate = dict(zip(ids, rng.choice([4, 2, 5], size=n, p=[0.6, 0.3, 0.1]).tolist(), strict=True))
    return sites, climate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--years", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--block-mib", type=float, default=ForestSpec().block_mib)
    args = parser.parse_args()

    sites, climate = synthetic_sites(args.sites)
    # Capacity such that every site is planted within 25 years (all cohorts inside the horizon).
    spec = ForestSpec(
        n_draws=args.draws,
        horizon_year=2027 + args.years - 1,
        planting_capacity_ha_per_year=float(sites["area_ha"].sum() / 25 * 1.4),
        block_mib=args.block_mib,
    )
    species = load_species_library(species_needed(spec))
    assess_forest_sites(
        sites.head(5), spec.model_copy(update={"n_draws": 10}), species, climate_class=climate
    )

    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = assess_forest_sites(sites, spec, species, climate_class=climate, seed=1)
        times.append(time.perf_counter() - start)

    tracemalloc.start()
    assess_forest_sites(sites, spec, species, climate_class=climate, seed=1)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB

    all_draws = args.draws * args.sites * args.years * 8
    median = statistics.median(times)
    table = result.sequestration
    planting_years = int(result.sites["last_planting_year"].max() - 2027 + 1)
    print(f"forest Monte Carlo: {args.draws} draws x {args.sites} sites x {args.years} years")
    print(
        f"  sites planted over {planting_years} years at "
        f"{spec.planting_capacity_ha_per_year:g} ha/yr"
        f" ({sites['area_ha'].sum():,.0f} ha); sequestration table {len(table):,} rows"
    )
    print(
        f"  wall time: median {median:.2f} s of {args.repeats} "
        f"(min {min(times):.2f}, max {max(times):.2f}); goal {GOAL_S:g} s, "
        f"ratio {median / GOAL_S:.2f}"
    )
    print(
        f"  throughput: {args.draws * args.sites * args.years / median / 1e6:.1f} "
        "M draw-site-years/s"
    )
    print(
        f"  peak heap (tracemalloc): {heap_peak / MIB:.0f} MiB = {heap_peak / all_draws:.2f} x "
        f"one array of all draws ({all_draws / MIB:.0f} MiB); block {args.block_mib:g} MiB"
    )
    print(f"  peak RSS of the process: {rss_peak / MIB:.0f} MiB (imports included)")
    total_2050 = result.sites["tco2e_2050_p50"].sum()
    print(f"  sum of site P50 stocks in 2050: {total_2050 / 1e6:.2f} Mt CO2e")


if __name__ == "__main__":
    main()
