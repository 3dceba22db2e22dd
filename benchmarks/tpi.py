"""Wide topographic position index: siting.land.terrain.tpi against a box filter.

The reference, measured in the same run, is ``scipy.ndimage.uniform_filter`` (a separable
running-mean box filter, the cheapest way to a window mean, without siting's border rule,
NaN handling or exact chunk invariance). For each radius the script times both on a seeded
float32 DEM held in memory (one block, one thread: siting on dask's synchronous scheduler)
and prints the median wall times, cells per second and the ratio siting / box filter. A cost
per cell that does not grow with the radius shows as a flat ratio.

Usage: ``python benchmarks/tpi.py [--size 2048] [--radii 2,16,167] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import dask
import numpy as np
import xarray as xr
from scipy import ndimage

from siting.land import terrain


def dem(size: int) -> xr.DataArray:
    """A seeded terrain-like DEM (smoothed noise, 1,200-2,400 m) on 30 m cells in UTM 47N."""
    rng = np.random.default_rng(42)
    z = ndimage.gaussian_filter(rng.normal(size=(size, size)), 24)
    z = 1200 + 1200 * (z - z.min()) / (z.max() - z.min())
    x = 400_000 + 30.0 * (np.arange(size) + 0.5)
    y = 5_500_000 - 30.0 * (np.arange(size) + 0.5)
    da = xr.DataArray(z.astype("float32"), coords={"y": y, "x": x}, dims=("y", "x"))
    return da.rio.write_crs("EPSG:32647")


def median_seconds(work, repeats: int) -> float:
    work()  # warm-up (numba compilation, caches)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--radii", default="2,16,167")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    surface = dem(args.size)
    values = surface.values.astype("float64")
    cells = surface.size
    print(f"TPI on a {args.size} x {args.size} DEM ({cells / 1e6:.1f} Mpx), median of "
          f"{args.repeats}")  # fmt: skip
    print(f"{'radius':>7} {'box filter s':>13} {'siting s':>9} {'siting Mpx/s':>13} {'ratio':>6}")
    for radius in (int(r) for r in args.radii.split(",")):
        box = median_seconds(
            lambda r=radius: ndimage.uniform_filter(values, 2 * r + 1, mode="reflect"),
            args.repeats,
        )
        with dask.config.set(scheduler="synchronous"):
            ours = median_seconds(
                lambda r=radius: terrain.tpi(surface, radius_cells=r).values, args.repeats
            )
        print(f"{radius:>7} {box:>13.3f} {ours:>9.3f} {cells / ours / 1e6:>13.1f} "
              f"{ours / box:>6.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
