"""The Mörön analysis on dask's local threads and on LocalClusters of 1 and N processes.

Times ``siting.analyse`` (every stage, no writing) of the embedded scenario at a chosen cell
size: first on dask's default thread pool (the reference, measured in the same run), then on
a dask.distributed LocalCluster of 1 worker process and of ``--workers`` processes (one thread
each), after an untimed warm-up of each. Prints the median wall times, the speed-up of N
workers over 1 and the ratio against the threads, and checks that the suitability rasters
and the site tables are identical in every mode.

Usage: ``python benchmarks/cluster.py [--cell 250] [--workers 2] [--repeats 2]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

import siting


def scenario_at(cell_m: float):
    """The embedded scenario on a grid of ``cell_m`` metres."""
    data = siting.load_scenario().to_dict()
    data["grid"]["cell_size_m"] = cell_m
    return siting.scenario_from_dict(data)


def timed(scenario, repeats: int):
    """Median seconds of ``repeats`` analyses after a warm-up, and the last result."""
    result = siting.analyse(scenario)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = siting.analyse(scenario)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def same(a, b) -> bool:
    """Identical suitability rasters and site tables."""
    for use in a.uses:
        if not np.array_equal(
            a.uses[use].suitability.score.values,
            b.uses[use].suitability.score.values,
            equal_nan=True,
        ):
            return False
        left = pd.DataFrame(a.uses[use].sites.drop(columns="geometry"))
        right = pd.DataFrame(b.uses[use].sites.drop(columns="geometry"))
        if not left.equals(right):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", type=float, default=250.0, help="cell size, m")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    scenario = scenario_at(args.cell)
    cells = scenario_grid_cells(scenario)
    print(
        f"Mörön analysis at {args.cell:g} m ({cells / 1e6:.2f} M cells), median of {args.repeats}"
    )
    threads, reference = timed(scenario, args.repeats)
    print(f"  dask threads (reference): {threads:7.2f} s")
    times = {}
    for n in sorted({1, args.workers}):
        with (
            LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster),
        ):
            times[n], result = timed(scenario, args.repeats)
        identical = same(reference, result)
        print(f"  LocalCluster, {n} worker(s): {times[n]:7.2f} s   identical: {identical}")
    n = args.workers
    print(f"  speed-up {n} workers / 1 worker: {times[1] / times[n]:.2f} (linear: {n:.2f})")
    print(f"  ratio {n} workers / threads:   {times[n] / threads:.2f}")


def scenario_grid_cells(scenario) -> int:
    """Cells of the scenario's grid."""
    from siting.layers import scenario_grid

    grid = scenario_grid(scenario)
    return int(grid.shape[0] * grid.shape[1])


if __name__ == "__main__":
    main()
