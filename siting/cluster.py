"""Run a scenario on a dask.distributed cluster: a running scheduler or a local one.

The pipeline's rasters are dask arrays; while a :class:`distributed.Client` is active, dask
sends their tasks to its workers instead of the local thread pool, so the same scenario gives
the same results on one machine or many (the draws are seeded per stream, never by worker).
On a real cluster every worker must read the inputs at the paths the scenario names: put them
on shared storage (NFS, a mounted bucket) or name object-store URLs GDAL reads
(``/vsis3/...``, ``/vsicurl/...``).

``distributed`` is an optional dependency (``pip install 'siting[cluster]'``), imported only
when a cluster is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from siting.errors import SitingError, describe

#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT_S = 30


@dataclass(frozen=True)
class ClusterInfo:
    """Where a run's tasks go: ``scheduler`` address and the number of ``workers``."""

    scheduler: str
    workers: int

    def describe(self) -> str:
        """One line for the console."""
        return f"dask cluster at {self.scheduler} with {self.workers} worker(s)"


def _distributed():
    try:
        import distributed
    except ImportError as err:
        raise SitingError(
            describe(
                "--scheduler / --workers",
                "need the dask.distributed package, which is not installed",
                "pip install 'siting[cluster]' (or: pip install distributed)",
            )
        ) from err
    return distributed


@contextmanager
def dask_cluster(
    scheduler: str | None = None, workers: int | None = None
) -> Iterator[ClusterInfo | None]:
    """Send the dask work of the block to a cluster while it runs.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``; start one with
        ``dask scheduler`` and workers with ``dask worker ADDRESS``).
    workers : int, optional
        Start a local cluster of this many single-threaded worker processes instead.

    Yields
    ------
    ClusterInfo or None
        The cluster in use; None when neither is given (dask's local threads).

    Raises
    ------
    SitingError
        If both or an invalid number are given, distributed is missing, or the scheduler
        does not answer.
    """
    if scheduler is None and workers is None:
        yield None
        return
    if scheduler is not None and workers is not None:
        raise SitingError(
            describe("--scheduler and --workers", "were both given", "give one of them")
        )
    if workers is not None and workers < 1:
        raise SitingError(describe(f"--workers {workers}", "must be at least 1", "e.g. 2"))
    distributed = _distributed()
    if workers is not None:
        with (
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield ClusterInfo(client.scheduler.address, workers)
        return
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as err:
        raise SitingError(
            describe(
                f"--scheduler {scheduler}",
                f"no dask scheduler answered ({err})",
                "check the address (tcp://HOST:8786) or start one with `dask scheduler`",
            )
        ) from err
    with client:
        yield ClusterInfo(scheduler, len(client.scheduler_info().get("workers", {})))
