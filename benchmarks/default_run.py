"""The default run, end to end, against ``gdaldem slope`` of an 8192 x 8192 DEM.

Times, each ``--repeats`` times as a fresh process (start-up and imports included):

* ``siting run --quiet`` of the embedded Mörön scenario into a new folder (every stage, the
  results folder with its map and report); the goal is under 5 s;
* ``gdaldem slope -compute_edges`` of a seeded terrain-like 8192 x 8192 float32 DEM (30 m
  cells, the DEM of ``benchmarks/terrain.py``): the reference, measured in the same run, of
  what one GDAL raster pass over 67 Mpx costs on this machine.

An untimed warm-up run compiles and caches the numba kernels. The stage times of the last
run (its ``run.json``) are printed too, so that a slow run says where the time went.

Usage: ``python benchmarks/default_run.py [--repeats 3] [--size 8192]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from terrain import build_dem

#: The goal for the default run, seconds.
GOAL_S = 5.0


def wall_seconds(command: list[str]) -> float:
    """Wall time of running ``command`` as a new process."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=8192, help="DEM edge, cells")
    args = parser.parse_args()
    if shutil.which("gdaldem") is None:
        raise SystemExit("gdaldem is not installed (apt-get install gdal-bin)")
    work = Path(tempfile.mkdtemp(prefix="siting-bench-"))
    try:
        dem = work / "dem.tif"
        build_dem(dem, args.size)
        slope = ["gdaldem", "slope", "-q", "-compute_edges", str(dem), str(work / "slope.tif")]
        gdal = [wall_seconds(slope) for _ in range(args.repeats)]
        run = [sys.executable, "-m", "siting", "run", "--quiet", "--out"]
        wall_seconds([*run, str(work / "warm-up")])
        runs = [wall_seconds([*run, str(work / f"run{i}")]) for i in range(args.repeats)]
        timings = json.loads((work / f"run{args.repeats - 1}" / "run.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    reference, default = statistics.median(gdal), statistics.median(runs)
    print(f"median of {args.repeats} runs")
    print(f"  gdaldem slope {args.size}x{args.size} (reference) {reference:6.2f} s")
    print(f"  siting run (default scenario)      {default:6.2f} s   "
          f"{default / reference:5.2f} x reference")  # fmt: skip
    print(f"  goal siting run < {GOAL_S:g} s: {'met' if default < GOAL_S else 'NOT met'}")
    print("  stages of the last run (run.json):")
    for stage, seconds in timings["timings_s"].items():
        print(f"    {stage:<62} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
