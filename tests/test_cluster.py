"""`siting run --workers N` / `--scheduler`: the same results on a dask.distributed cluster."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest
import rasterio

from siting.cli import main
from siting.cluster import dask_cluster
from siting.errors import SitingError

distributed = pytest.importorskip("distributed")

TABLES = (
    "sites_reforestation.geojson",
    "sites_wind.geojson",
    "eligibility_reforestation.csv",
    "eligibility_wind.csv",
    "generation.csv",
    "sequestration.csv",
    "sequestration_portfolio.csv",
    "credits.csv",
    "credits_summary.csv",
)


@pytest.mark.slow
def test_a_local_cluster_of_two_processes_gives_identical_results(tmp_path):
    plain, clustered = tmp_path / "plain", tmp_path / "cluster"
    assert main(["run", "--out", str(plain), "--quiet"]) == 0
    assert main(["run", "--workers", "2", "--out", str(clustered), "--quiet"]) == 0
    for name in TABLES:
        if name.endswith(".csv"):
            pd.testing.assert_frame_equal(
                pd.read_csv(plain / name), pd.read_csv(clustered / name), check_exact=True
            )
        else:
            assert filecmp.cmp(plain / name, clustered / name, shallow=False), name
    for raster in ("suitability_reforestation.tif", "suitability_wind.tif", "eligible_wind.tif"):
        with rasterio.open(plain / raster) as a, rasterio.open(clustered / raster) as b:
            assert np.array_equal(a.read(), b.read(), equal_nan=True), raster


def _worker_address() -> str:
    return distributed.get_worker().address  # raises ValueError outside a worker


def test_the_work_goes_to_the_cluster():
    import dask

    with dask_cluster(workers=1) as cluster:
        assert cluster is not None and cluster.workers == 1
        assert distributed.get_client().scheduler.address == cluster.scheduler
        # plain dask.compute, as the pipeline calls it, runs on the cluster's worker
        (where,) = dask.compute(dask.delayed(_worker_address)())
        assert where in distributed.get_client().scheduler_info()["workers"]
    with pytest.raises(ValueError):
        distributed.get_client()  # the client is closed with the block


def test_no_cluster_asked_for_is_plain_dask():
    with dask_cluster() as cluster:
        assert cluster is None


@pytest.mark.parametrize(
    ("scheduler", "workers", "message"),
    [("tcp://a:1", 2, "both given"), (None, 0, "at least 1")],
)
def test_bad_cluster_options_are_refused(scheduler, workers, message):
    with pytest.raises(SitingError, match=message):
        with dask_cluster(scheduler, workers):
            pass


def test_an_unreachable_scheduler_is_one_clear_message(monkeypatch, capsys):
    monkeypatch.setattr("siting.cluster.CONNECT_TIMEOUT_S", 1)
    code = main(["run", "--scheduler", "tcp://127.0.0.1:9", "--out", "unused", "--quiet"])
    assert code == 2
    err = capsys.readouterr()
    text = err.out + err.err
    assert "no dask scheduler answered" in text and "Traceback" not in text
