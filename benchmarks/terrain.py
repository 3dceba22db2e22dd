"""Slope + aspect of a large DEM, file to file: siting.land.terrain (dask, all cores) vs gdaldem.

Builds a seeded terrain-like float32 DEM (default 8192 x 8192, 30 m cells, UTM 47N) as a
tiled GeoTIFF in a temporary folder, then times, each ``--repeats`` times:

* gdaldem: ``gdaldem slope -compute_edges`` then ``gdaldem aspect -compute_edges``
  (two processes, default GTiff output);
* siting: one child process that opens the DEM with rioxarray (dask chunks), computes
  slope and aspect with siting.land.terrain on dask's threaded scheduler and writes both to
  tiled GeoTIFFs.

Wall times are of the whole processes (start-up and imports included). Peak memory is each
process's peak resident set size (``wait4`` rusage), compared with the DEM's size in memory.
The numba kernels are compiled (and cached) by an untimed warm-up run. The child caps GDAL's
block cache (GDAL_CACHEMAX=64 MB, the default is 5 % of RAM) since its writes are whole tiles.

Usage: ``python benchmarks/terrain.py [--size 8192] [--repeats 3] [--chunk 1024]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

UTM_47N = "EPSG:32647"
CELL_M = 30.0
MIB = 2**20


def build_dem(path: Path, size: int, seed: int = 20240601) -> None:
    """Write a seeded, terrain-like float32 DEM (hills, valleys, noise, a few holes)."""
    import rasterio
    from rasterio.transform import from_origin

    rng = np.random.default_rng(seed)
    hills = [
        (
            rng.uniform(0, size),
            rng.uniform(0, size),
            rng.uniform(20, size / 8),
            rng.uniform(-300, 600),
        )
        for _ in range(60)
    ]
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": UTM_47N,
        "transform": from_origin(400_000.0, 5_550_000.0, CELL_M, CELL_M),
        "nodata": float("nan"),
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "BIGTIFF": "IF_SAFER",
    }
    cols = np.arange(size, dtype=np.float64)
    with rasterio.open(path, "w", **profile) as dst:
        for top in range(0, size, 512):
            rows = np.arange(top, min(top + 512, size), dtype=np.float64)
            z = np.full((rows.size, size), 1500.0)
            for row, col, width, height in hills:
                # A Gaussian hill is separable: outer product of two 1-D profiles.
                z += height * np.outer(
                    np.exp(-((rows - row) ** 2) / (2 * width**2)),
                    np.exp(-((cols - col) ** 2) / (2 * width**2)),
                )
            z += 40 * np.sin(rows[:, None] / 97.0) * np.cos(cols[None, :] / 61.0)
            z += rng.normal(0.0, 0.5, z.shape)
            holes = rng.integers(0, [rows.size, size], size=(20, 2))
            z[holes[:, 0], holes[:, 1]] = np.nan
            dst.write(
                z.astype(np.float32), 1, window=rasterio.windows.Window(0, top, size, rows.size)
            )


def measure(command: list[str]) -> tuple[float, float, str]:
    """Run a process; return its wall time (s), its own peak RSS (MiB) and its stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {err.read()}")
        return wall, usage.ru_maxrss * 1024 / MIB, out.read()


def gdaldem_commands(dem: Path, out_dir: Path) -> list[list[str]]:
    """``gdaldem slope`` and ``gdaldem aspect`` with computed edges, GTiff output."""
    return [
        [
            "gdaldem",
            mode,
            str(dem),
            str(out_dir / f"gdaldem_{mode}.tif"),
            "-compute_edges",
            "-of",
            "GTiff",
            "-q",
        ]
        for mode in ("slope", "aspect")
    ]


def siting_command(dem: Path, out_dir: Path, chunk: int) -> list[str]:
    """The child process that runs siting.land.terrain on the DEM."""
    return [sys.executable, __file__, "--worker", str(dem), str(out_dir), str(chunk)]


def worker(dem_path: str, out_dir: str, chunk: int) -> None:
    """Child process: open, derive slope + aspect with dask, write both GeoTIFFs."""
    start = time.perf_counter()
    # GDAL's block cache defaults to 5 % of RAM; the tiled writes need a few tiles at most.
    os.environ.setdefault("GDAL_CACHEMAX", "64")
    import threading

    import dask
    import rioxarray

    sys.path.append(str(Path(__file__).resolve().parents[1]))  # a checkout, if not installed
    from siting.land import terrain

    dem = rioxarray.open_rasterio(
        dem_path, chunks={"y": chunk, "x": chunk}, lock=False, masked=True
    ).squeeze("band", drop=True)
    writes = []
    for derive in (terrain.slope, terrain.aspect):
        result = derive(dem)
        writes.append(
            result.rio.to_raster(
                Path(out_dir) / f"siting_{result.name}.tif",
                tiled=True,
                lock=threading.Lock(),
                compute=False,
            )
        )
    imported = time.perf_counter()
    dask.compute(*writes, scheduler="threads")
    done = time.perf_counter()
    print(json.dumps({"setup_s": imported - start, "compute_write_s": done - imported}))


def compare_outputs(out_dir: Path) -> dict[str, float]:
    """Largest differences between our files and gdaldem's (slope, circular aspect)."""
    import rasterio

    differences = {}
    for ours_name, theirs_name, circular in (
        ("siting_slope_deg", "gdaldem_slope", False),
        ("siting_aspect_deg", "gdaldem_aspect", True),
    ):
        worst = 0.0
        with (
            rasterio.open(out_dir / f"{ours_name}.tif") as ours,
            rasterio.open(out_dir / f"{theirs_name}.tif") as theirs,
        ):
            for _, window in ours.block_windows(1):
                a = ours.read(1, window=window, masked=True).astype(np.float64).filled(np.nan)
                b = theirs.read(1, window=window, masked=True).astype(np.float64)
                b = b.filled(np.nan)
                difference = np.abs(a - b)
                if circular:
                    difference = np.minimum(difference, 360.0 - difference)
                if np.any(np.isnan(a) != np.isnan(b)):
                    worst = float("inf")
                elif np.isfinite(difference).any():
                    worst = max(worst, float(np.nanmax(difference)))
        differences[theirs_name.removeprefix("gdaldem_")] = worst
    return differences


def summarise(label: str, values: list[float], unit: str) -> str:
    return (
        f"{label}: min {min(values):.2f} {unit}, median {statistics.median(values):.2f} "
        f"{unit}  ({', '.join(f'{v:.2f}' for v in values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=8192, help="DEM side in cells")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=1024, help="dask chunk side in cells")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    if shutil.which("gdaldem") is None:
        sys.exit("gdaldem not found: install Debian package gdal-bin")

    with tempfile.TemporaryDirectory(prefix="siting-bench-") as tmp:
        folder = Path(tmp)
        dem = folder / "dem.tif"
        started = time.perf_counter()
        build_dem(dem, args.size)
        dem_mib = args.size * args.size * 4 / MIB
        print(
            f"DEM {args.size} x {args.size} float32 ({dem_mib:.0f} MiB), built in "
            f"{time.perf_counter() - started:.1f} s; {os.cpu_count()} cores; "
            f"chunks {args.chunk} x {args.chunk}"
        )

        measure(siting_command(dem, folder, args.chunk))  # warm-up: numba cache, page cache
        for command in gdaldem_commands(dem, folder):
            measure(command)

        gdal_times, gdal_peaks, our_times, our_peaks, our_compute = [], [], [], [], []
        for _ in range(args.repeats):
            runs = [measure(command) for command in gdaldem_commands(dem, folder)]
            gdal_times.append(sum(run[0] for run in runs))
            gdal_peaks.append(max(run[1] for run in runs))
            wall, peak, stdout = measure(siting_command(dem, folder, args.chunk))
            our_times.append(wall)
            our_peaks.append(peak)
            our_compute.append(json.loads(stdout.strip().splitlines()[-1])["compute_write_s"])

        print(summarise("gdaldem slope + aspect  wall", gdal_times, "s"))
        print(summarise("siting  slope + aspect  wall", our_times, "s"))
        print(summarise("  of which compute + write ", our_compute, "s"))
        print(
            f"ratio siting / gdaldem (median wall): "
            f"{statistics.median(our_times) / statistics.median(gdal_times):.2f}  "
            f"(goal < 1.0)"
        )
        print(
            f"peak RSS siting: {max(our_peaks):.0f} MiB = "
            f"{max(our_peaks) / dem_mib:.2f} x the DEM (goal < 3); "
            f"gdaldem: {max(gdal_peaks):.0f} MiB"
        )
        differences = compare_outputs(folder)
        print(
            f"max |siting - gdaldem|: slope {differences['slope']:.2e} deg, "
            f"aspect {differences['aspect']:.2e} deg (circular)"
        )


if __name__ == "__main__":
    main()
