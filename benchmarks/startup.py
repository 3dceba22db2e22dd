"""Start-up of the command line: ``siting --help`` against a bare Python interpreter.

Each command is run ``--repeats`` times as a fresh process; the median wall time of
``siting --help`` (the goal: under 0.5 s) and of ``import siting.pipeline`` (what ``siting run``
pays before its first stage) are printed with their ratio to ``python -c pass``, the reference
measured in the same run.

Usage: ``python benchmarks/startup.py [--repeats 7]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_seconds(command: list[str], repeats: int) -> float:
    """Median wall time of running ``command`` as a new process."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    reference = median_seconds([python, "-c", "pass"], args.repeats)
    rows = {
        "python -c pass (reference)": reference,
        "siting --help": median_seconds([python, "-m", "siting", "--help"], args.repeats),
        "import siting.pipeline": median_seconds(
            [python, "-c", "import siting.pipeline"], args.repeats
        ),
    }
    print(f"start-up, median of {args.repeats} runs")
    for name, seconds in rows.items():
        print(f"  {name:<28} {seconds:6.3f} s   {seconds / reference:5.1f} x reference")
    help_s = rows["siting --help"]
    print(f"  goal siting --help < 0.5 s: {'met' if help_s < 0.5 else 'NOT met'} ({help_s:.3f} s)")


if __name__ == "__main__":
    main()
