"""Cost curve of the default Mörön analysis: cells -> seconds and peak memory, per cell size.

Each cell size runs ``siting.analyse`` (every stage, no writing) of the embedded scenario in
its own child process, so that peak resident memory (``wait4`` rusage) and wall time (imports
included) are the run's alone. The first size is the reference measured in the same run; the
table prints seconds and GiB per million cells and the ratios to the reference, which stay
near 1 when the cost is linear in the cells.

Usage: ``python benchmarks/cost_curve.py [--cells 250,125,60]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

CHILD = """
import sys
import siting
scenario = siting.load_scenario().replace({{"grid.cell_size_m": {cell}}})
grid = siting.scenario_grid(scenario)
siting.analyse(scenario)
print(grid.shape[0] * grid.shape[1])
"""


def measure(cell_m: float) -> tuple[int, float, float]:
    """Cells, wall seconds and peak RSS (GiB) of one analysis at ``cell_m`` metres."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(cell=cell_m)], stdout=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"the run at {cell_m:g} m failed (status {status})")
    cells = int(child.stdout.read().strip().splitlines()[-1])
    return cells, seconds, usage.ru_maxrss / 2**20  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="250,125,60", help="cell sizes in metres")
    args = parser.parse_args()
    rows = [(float(c), *measure(float(c))) for c in args.cells.split(",")]
    _, ref_cells, ref_s, ref_gib = rows[0]
    ref_s_per_mpx, ref_gib_per_mpx = ref_s / (ref_cells / 1e6), ref_gib / (ref_cells / 1e6)
    print(f"{'cell m':>7} {'Mpx':>7} {'s':>8} {'GiB':>6} {'s/Mpx':>7} {'GiB/Mpx':>8} "
          f"{'s/Mpx ratio':>12} {'GiB/Mpx ratio':>14}")  # fmt: skip
    for cell, cells, seconds, gib in rows:
        mpx = cells / 1e6
        print(f"{cell:>7g} {mpx:>7.2f} {seconds:>8.1f} {gib:>6.2f} {seconds / mpx:>7.1f} "
              f"{gib / mpx:>8.3f} {seconds / mpx / ref_s_per_mpx:>12.2f} "
              f"{gib / mpx / ref_gib_per_mpx:>14.2f}")  # fmt: skip
    print(f"reference: the {rows[0][0]:g} m run of this invocation")


if __name__ == "__main__":
    main()
