"""Streaming runs of the Mörön data box: Mpx/s, peak memory, and speed-up with cluster workers.

Runs ``siting.run`` (every stage and the results folder) of the embedded scenario on the
whole data box (98.55-101.95 E, 48.55-51.7 N, the extent of the shipped inputs) at ``--cell``
metres, each in its own child process:

1. held in memory (``grid.streaming: off``): the reference, measured in the same run;
2. streaming (``grid.streaming: on``) on dask's threads;
3. streaming on a dask.distributed LocalCluster of 1 worker process, then of ``--workers``.

Peak memory is the largest sum of resident memory over the child and every process it started
(the cluster's workers), sampled every 0.1 s. Printed: wall seconds, Mpx/s, peak GiB, the
ratios to the in-memory run, the speed-up of N workers over 1, and what a linear extrapolation
of the streaming rate gives for Mongolia at 30 m (1,564,116 km2 / 900 m2 = 1.74 Gpx; area from
the National Statistics Office of Mongolia, Mongolian Statistical Yearbook).

Usage: ``python benchmarks/streaming.py [--cell 60] [--workers 2] [--modes memory,stream,cluster]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

#: The data box: the extent of the shipped inputs (lon/lat, degrees).
DATA_BOX = [98.55, 48.55, 101.95, 51.7]
#: Mongolia's land area, km2 (National Statistics Office of Mongolia, Statistical Yearbook).
MONGOLIA_KM2 = 1_564_116
#: Goals of a Mongolia-wide run at 30 m on 2 cores: seconds and GiB.
GOAL_S, GOAL_GIB = 30 * 60, 8.0

CHILD = """
import sys
import siting
from siting.cluster import dask_cluster
scenario = siting.load_scenario().replace(
    {{"grid.cell_size_m": {cell}, "aoi.bbox_lonlat": {box}, "grid.streaming": "{streaming}"}}
)
grid = siting.scenario_grid(scenario)
with dask_cluster(workers={workers}):
    siting.run(scenario, sys.argv[1])
print(grid.shape[0] * grid.shape[1])
"""


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(cell_m: float, streaming: str, workers: int | None) -> tuple[int, float, float]:
    """Cells, wall seconds and peak resident GiB (process tree) of one run."""
    code = CHILD.format(cell=cell_m, box=DATA_BOX, streaming=streaming, workers=workers)
    folder = Path(tempfile.mkdtemp(prefix="siting-bench-"))
    try:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(folder / "results")],
            stdout=subprocess.PIPE,
            text=True,
        )
        watched, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            peak = max(peak, tree_rss(watched))
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            raise SystemExit(f"the {streaming} run at {cell_m:g} m failed ({child.returncode})")
        cells = int(child.stdout.read().strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return cells, seconds, peak / 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", type=float, default=60.0, help="cell size, metres")
    parser.add_argument("--workers", type=int, default=2, help="workers of the larger cluster")
    parser.add_argument("--modes", default="memory,stream,cluster")
    args = parser.parse_args()
    modes = args.modes.split(",")
    runs = {}
    if "memory" in modes:
        runs["in memory (reference)"] = measure(args.cell, "off", None)
    if "stream" in modes:
        runs["streaming, threads"] = measure(args.cell, "on", None)
    if "cluster" in modes:
        runs["streaming, 1 worker"] = measure(args.cell, "on", 1)
        runs[f"streaming, {args.workers} workers"] = measure(args.cell, "on", args.workers)
    reference = next(iter(runs.values()))
    cells = reference[0]
    print(f"data box at {args.cell:g} m: {cells / 1e6:.1f} Mpx, {psutil.cpu_count()} cores")
    print(f"  {'mode':<24} {'s':>8} {'Mpx/s':>7} {'peak GiB':>9} {'s ratio':>8} {'GiB ratio':>10}")
    for name, (_, seconds, gib) in runs.items():
        print(
            f"  {name:<24} {seconds:>8.1f} {cells / 1e6 / seconds:>7.3f} {gib:>9.2f} "
            f"{seconds / reference[1]:>8.2f} {gib / reference[2]:>10.2f}"
        )
    one, many = runs.get("streaming, 1 worker"), runs.get(f"streaming, {args.workers} workers")
    if one and many:  # fmt: skip
        speedup = one[1] / many[1]
        print(
            f"  speed-up of {args.workers} workers over 1: {speedup:.2f} (linear: {args.workers:g})"
        )
    streamed = runs.get("streaming, threads")
    if streamed:
        mongolia = MONGOLIA_KM2 * 1e6 / 30.0**2
        hours = mongolia / (cells / streamed[1]) / 3600
        print(
            f"  Mongolia at 30 m ({mongolia / 1e9:.2f} Gpx) at this rate: {hours:.1f} h "
            f"(goal {GOAL_S / 3600:.1f} h: {'met' if hours * 3600 < GOAL_S else 'NOT met'}); "
            f"peak memory here {streamed[2]:.2f} GiB (goal < {GOAL_GIB:g} GiB: "
            f"{'met' if streamed[2] < GOAL_GIB else 'NOT met'} at this grid)"
        )


if __name__ == "__main__":
    main()
