"""Streaming I/O: scratch rasters read back unchanged, COGs written chunk by chunk."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import rasterio
import rioxarray  # noqa: F401
import xarray as xr

from siting.io import writers
from siting.io.scratch import scratch_folder


def grid_raster(values, name="score"):
    ny, nx = values.shape
    x = 400_000.0 + 15.0 + 30.0 * np.arange(nx)
    y = 5_500_000.0 - 15.0 - 30.0 * np.arange(ny)
    out = xr.DataArray(values, dims=("y", "x"), coords={"y": y, "x": x}, name=name)
    out.attrs = {"units": "1", "long_name": "suitability"}
    return out.rio.write_crs("EPSG:32647")


def test_kept_rasters_read_back_equal_with_their_grid_and_attributes(tmp_path):
    rng = np.random.default_rng(1)
    values = rng.random((300, 250)).astype("float32")
    values[values < 0.1] = np.nan
    score = grid_raster(dsa.from_array(values, chunks=128))
    with scratch_folder(tmp_path) as scratch:
        kept = scratch.keep(score)
        mask = scratch.keep(score > 0.5, "mask")
        np.testing.assert_array_equal(kept.values, values)
        np.testing.assert_array_equal(mask.values, values > 0.5)
        assert mask.dtype == bool and kept.chunks == score.chunks
        assert kept.attrs == score.attrs and kept.x.equals(score.x) and kept.y.equals(score.y)
        folder = scratch.path
    assert not folder.exists()


def test_a_cog_written_by_chunks_equals_the_one_written_whole(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    values = rng.random((300, 250)).astype("float32")
    inside = grid_raster(rng.random((300, 250)) > 0.2, name="inside")
    for name, raster in {
        "score": grid_raster(values),
        "eligible": grid_raster(values > 0.4),
    }.items():
        whole = writers.write_cog(raster, tmp_path / f"{name}_whole.tif", inside)
        monkeypatch.setattr(writers, "IN_MEMORY_WRITE_CELLS", 0)
        streamed = writers.write_cog(raster.chunk(128), tmp_path / f"{name}_streamed.tif", inside)
        monkeypatch.undo()
        with rasterio.open(whole) as a, rasterio.open(streamed) as b:
            np.testing.assert_array_equal(a.read(1), b.read(1))
            assert (str(a.nodata), a.units, a.descriptions, a.transform, a.crs) == (
                str(b.nodata),
                b.units,
                b.descriptions,
                b.transform,
                b.crs,
            )
            assert a.tags() == b.tags() and b.overviews(1) == a.overviews(1)
            assert b.profile["blockxsize"] == 512 or b.width < 512
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_scratch_folder_is_made_only_when_a_layer_is_kept(tmp_path):
    with scratch_folder(tmp_path / "runs") as scratch:
        assert not (tmp_path / "runs").exists()  # a run that keeps nothing leaves nothing
    with scratch_folder(tmp_path) as scratch:
        scratch.keep(grid_raster(np.ones((4, 5), "float32")), "ones")
        assert [p.name for p in scratch.path.iterdir()] == ["ones.tif"]
        assert scratch.path.parent == tmp_path and scratch.path.name.startswith(".siting-")
    assert list(tmp_path.iterdir()) == []
