"""Pre-flight: what can be checked before the first stage, and whether the run fits the machine.

:func:`preflight` runs before any layer is read: it checks the turbine model, the seed and that
the results folder can be written, and estimates the run's memory and time from the grid size,
the number of layers and the Monte Carlo draws (:func:`estimate_cost`). A run whose estimate
exceeds the memory available is refused with the estimate, the machine's memory and the fix
(a coarser cell or a smaller AOI), before any work.

The cost model is a straight line in ``cells x layers`` fitted on two measured runs of the
embedded Mörön scenario (``benchmarks/cost_curve.py``: ``siting.analyse`` in a fresh process,
peak resident set size and wall time with start-up) on a 2-core, 24 GB machine: 250 m cells
(497,760 cells, 41 layer-equivalents) peaked at 0.55 GiB (563 MiB) in 7.0 s, 30 m cells
(34,497,264 cells) at 4.09 GiB (4,188 MiB) in 146.9 s. Checked on two more runs of the same
session: 125 m (1,987,920 cells) estimated 722 MiB and 13.1 s, measured 727 MiB and 11.7 s;
60 m (8,625,840 cells) estimated 1,430 MiB and 40.4 s, measured 1,536 MiB and 38.6 s. It is a
guard against runs that cannot fit, not a prediction to the second: expect +-30 % elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from siting.errors import ConfigError, SitingError, describe
from siting.grid import Grid
from siting.scenario.model import Scenario

__all__ = ["CostEstimate", "available_memory_bytes", "estimate_cost", "layer_count", "preflight"]

#: Measured peaks of the calibration runs (see the module docstring).
_MEASURED_250M_MIB, _MEASURED_250M_S, _CELLS_250M = 563.0, 7.0, 497_760
_MEASURED_30M_MIB, _MEASURED_30M_S, _CELLS_30M = 4188.0, 146.9, 34_497_264
#: Layer-equivalents of the default scenario, as counted by :func:`layer_count`.
_LAYERS_DEFAULT = 41

#: Fitted line: MiB = base + per-cell-layer x cells x layers (and the same for seconds).
_MIB_PER_CELL_LAYER = (_MEASURED_30M_MIB - _MEASURED_250M_MIB) / (
    (_CELLS_30M - _CELLS_250M) * _LAYERS_DEFAULT
)
_BASE_MIB = _MEASURED_250M_MIB - _MIB_PER_CELL_LAYER * _CELLS_250M * _LAYERS_DEFAULT
_S_PER_CELL_LAYER = (_MEASURED_30M_S - _MEASURED_250M_S) / (
    (_CELLS_30M - _CELLS_250M) * _LAYERS_DEFAULT
)
_BASE_S = _MEASURED_250M_S - _S_PER_CELL_LAYER * _CELLS_250M * _LAYERS_DEFAULT

#: Share of the available memory a run may plan to use.
MEMORY_HEADROOM = 0.8


@dataclass(frozen=True)
class CostEstimate:
    """Estimated peak memory (MiB) and wall time (s) of a run, and what they were based on."""

    cells: int
    layers: int
    memory_mib: float
    time_s: float

    def __str__(self) -> str:
        return (
            f"{self.cells:,} cells x {self.layers} layers: about "
            f"{self.memory_mib:,.0f} MiB and {self.time_s:,.0f} s"
        )


def layer_count(scenario: Scenario) -> int:
    """Grid-sized arrays a run holds: inputs, terrain, distances, scores, masks, spread.

    Rasters, 5 terrain derivatives and the wind speed, one distance raster per vector layer and
    class distance, and per land use its criterion scores, suitability, eligibility and the 4
    spread statistics. 41 for the Mörön default.
    """
    count = len(scenario.layers.rasters) + 6
    count += len(scenario.layers.vectors) + len(scenario.layers.class_distances)
    for name in ("reforestation", "wind"):
        count += len(getattr(scenario, name).criteria) + 6
    return count


def estimate_cost(scenario: Scenario, grid: Grid) -> CostEstimate:
    """Peak memory and wall time of a run on ``grid`` (the fitted line of the module docstring).

    Parameters
    ----------
    scenario : Scenario
        The scenario (its layers and criteria).
    grid : Grid
        Its analysis grid.

    Returns
    -------
    CostEstimate
    """
    cells = grid.shape[0] * grid.shape[1]
    layers = layer_count(scenario)
    work = float(cells) * layers
    return CostEstimate(
        cells,
        layers,
        _BASE_MIB + _MIB_PER_CELL_LAYER * work,
        _BASE_S + _S_PER_CELL_LAYER * work,
    )


def available_memory_bytes() -> int | None:
    """Memory the system can give a new process (``MemAvailable``), bytes; None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(estimate: CostEstimate, grid: Grid, available: int | None) -> None:
    """Refuse a run whose estimated memory exceeds :data:`MEMORY_HEADROOM` of ``available``."""
    if available is None:
        return
    available_mib = available / 2**20
    if estimate.memory_mib <= MEMORY_HEADROOM * available_mib:
        return
    scale = (estimate.memory_mib / (MEMORY_HEADROOM * available_mib)) ** 0.5
    raise ConfigError(
        describe(
            "grid.cell_size_m",
            f"{estimate} needed, but this machine has {available_mib:,.0f} MiB available",
            f"use cells of at least {grid.cell_size_m * scale * 1.1:,.0f} m "
            f"(now {grid.cell_size_m:g} m) or a smaller aoi",
        )
    )


#: Bytes a streaming run's scratch GeoTIFFs take per cell and layer-equivalent (float32,
#: uncompressed; booleans take 1 byte, so this is an upper bound). At 30 m on the data box
#: (98.8 Mpx, 41 layer-equivalents: bound 16.2 GB) the scratch folder peaked at 11.8 GB.
SCRATCH_BYTES_PER_CELL_LAYER = 4


def scratch_bytes(estimate: CostEstimate) -> int:
    """Disk a streaming run's scratch rasters need at most, bytes."""
    return estimate.cells * estimate.layers * SCRATCH_BYTES_PER_CELL_LAYER


def check_scratch_space(estimate: CostEstimate, folder: Path) -> None:
    """Refuse a streaming run whose scratch rasters cannot fit on the disk of ``folder``."""
    import shutil

    free = shutil.disk_usage(_nearest_existing(Path(folder))).free
    needed = scratch_bytes(estimate)
    if needed <= free:
        return
    raise ConfigError(
        describe(
            "grid.streaming",
            f"its scratch rasters need up to {needed / 2**30:,.1f} GiB but {folder} has "
            f"{free / 2**30:,.1f} GiB free",
            "free disk space, write the results (--out) on a larger disk, or use coarser cells",
        )
    )


def _nearest_existing(path: Path) -> Path:
    """The path itself or its nearest ancestor that exists."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable(out_dir: Path) -> None:
    """Refuse a results folder whose nearest existing ancestor cannot be written."""
    parent = _nearest_existing(out_dir)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SitingError(
            describe(
                str(out_dir),
                f"cannot be written ({parent} is not writable)",
                "choose another folder with --out or output.dir",
            )
        )


def preflight(
    scenario: Scenario,
    grid: Grid,
    out_dir: Path | None = None,
    *,
    streaming: bool = False,
    scratch_dir: Path | None = None,
) -> CostEstimate:
    """Every check that can run before the first stage; returns the run's cost estimate.

    Checks the turbine model (``wind_yield.turbine.model``) loads, the seed is usable, the
    results folder can be written (when given), and that the run fits the memory available;
    a ``streaming`` run's memory follows the chunks instead, and its scratch rasters must fit
    on the disk of ``scratch_dir`` (default: the system's temporary folder).

    Raises
    ------
    SitingError
        The first check that fails, naming the scenario field or folder and the fix.
    """
    from siting.io.turbines import load_chosen_turbine

    if not 0 <= scenario.seed < 2**63:
        raise ConfigError(
            describe("seed", f"{scenario.seed} is not an integer in [0, 2^63)", "give e.g. 0")
        )
    load_chosen_turbine(scenario.wind_yield.with_paths_resolved(scenario.resolve).turbine)
    if out_dir is not None:
        check_writable(out_dir)
    estimate = estimate_cost(scenario, grid)
    if streaming:
        import tempfile

        check_scratch_space(estimate, Path(scratch_dir or tempfile.gettempdir()))
    else:
        check_fits(estimate, grid, available_memory_bytes())
    return estimate
