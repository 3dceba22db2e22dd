"""A streaming run (``grid.streaming: on``) writes the same results as one held in memory."""

from __future__ import annotations

import filecmp

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from rasterio._env import get_gdal_config

import siting
from siting.cluster import dask_cluster
from siting.io.scratch import bounded_block_cache


def _same_results(plain, streamed):
    """Every table, vector file and raster of two results folders is identical."""
    names = sorted(p.name for p in plain.iterdir())
    assert names == sorted(p.name for p in streamed.iterdir())
    for name in names:
        if name.endswith(".csv"):
            pd.testing.assert_frame_equal(
                pd.read_csv(plain / name), pd.read_csv(streamed / name), check_exact=True
            )
        elif name.endswith(".geojson"):
            assert filecmp.cmp(plain / name, streamed / name, shallow=False), name
        elif name.endswith(".gpkg"):  # the file holds its write time: compare the layers
            for layer, _ in pyogrio.list_layers(plain / name):
                pd.testing.assert_frame_equal(
                    gpd.read_file(plain / name, layer=layer),
                    gpd.read_file(streamed / name, layer=layer),
                    check_exact=True,
                )
        elif name.endswith(".tif"):
            with rasterio.open(plain / name) as a, rasterio.open(streamed / name) as b:
                assert np.array_equal(a.read(), b.read(), equal_nan=True), name
                assert (a.profile["dtype"], str(a.nodata), a.transform, a.crs) == (
                    b.profile["dtype"],
                    str(b.nodata),
                    b.transform,
                    b.crs,
                ), name
                assert a.tags(1) == b.tags(1) and a.descriptions == b.descriptions, name
    return names


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("plain") / "results"
    siting.run(siting.load_scenario().replace({"grid.streaming": "off"}), out)
    return out


@pytest.mark.slow
def test_a_streaming_run_writes_the_same_results_and_leaves_no_scratch(plain_run, tmp_path):
    out = tmp_path / "results"
    result = siting.run(siting.load_scenario().replace({"grid.streaming": "on"}), out)
    names = _same_results(plain_run, out)
    assert {"suitability_wind.tif", "eligible_reforestation.tif", "sites_wind.geojson"} <= set(
        names
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]  # scratch removed
    assert not result.uses["wind"].sites.empty


@pytest.mark.slow
def test_a_streaming_run_on_a_local_cluster_writes_the_same_results(plain_run, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "results"
    with dask_cluster(workers=2):
        siting.run(siting.load_scenario().replace({"grid.streaming": "on"}), out)
    _same_results(plain_run, out)


def test_the_gdal_block_cache_is_bounded_for_the_block_and_restored(monkeypatch):
    monkeypatch.delenv("GDAL_CACHEMAX", raising=False)
    before = get_gdal_config("GDAL_CACHEMAX")
    with bounded_block_cache(64):
        assert get_gdal_config("GDAL_CACHEMAX") == 64
    assert get_gdal_config("GDAL_CACHEMAX") == before


def test_a_block_cache_the_user_set_is_left_alone(monkeypatch):
    monkeypatch.setenv("GDAL_CACHEMAX", "512")
    before = get_gdal_config("GDAL_CACHEMAX")
    with bounded_block_cache(64):
        assert get_gdal_config("GDAL_CACHEMAX") == before


def test_a_streaming_run_without_disk_for_its_scratch_is_refused_before_any_work(
    monkeypatch, tmp_path
):
    import shutil
    from collections import namedtuple

    from siting.errors import ConfigError

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 10**6, 10**6))
    scenario = siting.load_scenario().replace({"grid.streaming": "on"})
    with pytest.raises(ConfigError, match=r"grid.streaming.*scratch rasters need up to .* GiB"):
        siting.run(scenario, tmp_path / "results")
    assert not (tmp_path / "results").exists()


def test_auto_streams_large_grids_and_grids_that_would_not_fit(monkeypatch):
    import siting.pipeline as pipeline

    default = siting.load_scenario()
    box = default.replace({"aoi.bbox_lonlat": [98.55, 48.55, 101.95, 51.7], "grid.cell_size_m": 60})
    monkeypatch.setattr(pipeline, "available_memory_bytes", lambda: 24 * 2**30)
    assert pipeline.is_streaming(box, siting.scenario_grid(box))  # 24.7 Mpx > 16 Mpx
    grid = siting.scenario_grid(default)
    assert not pipeline.is_streaming(default, grid)  # 0.5 Mpx, fits easily
    monkeypatch.setattr(pipeline, "available_memory_bytes", lambda: 2**20)
    assert pipeline.is_streaming(default, grid)  # would not fit in 1 MiB
    off = default.replace({"grid.streaming": "off"})
    assert not pipeline.is_streaming(off, grid)
    monkeypatch.setattr(pipeline, "available_memory_bytes", lambda: None)
    assert not pipeline.is_streaming(default, grid)  # unknown memory: the grid size decides
