"""Writers: atomic results folders, RFC 7946 GeoJSON, COGs, inputs never touched."""

import json

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from shapely.geometry import Polygon

from siting import io
from siting.errors import InputDataError
from siting.grid import grid_for_aoi


def test_staged_folder_replaces_the_results_only_on_success(tmp_path):
    out = tmp_path / "results"
    with io.staged_output_dir(out) as staging:
        (staging / "a.txt").write_text("first")
        (staging / io.RUN_MANIFEST).write_text("{}")
        assert not out.exists(), "nothing may appear in the results folder before the end"
    assert (out / "a.txt").read_text() == "first"

    with pytest.raises(RuntimeError), io.staged_output_dir(out) as staging:
        (staging / "a.txt").write_text("half-written")
        raise RuntimeError("stage failed")
    assert (out / "a.txt").read_text() == "first", (
        "a failed run must leave old results as they were"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["results"], "no staging folder left behind"


def test_refuses_to_replace_a_folder_that_is_not_a_results_folder(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(InputDataError, match="holds no earlier siting results"):
        with io.staged_output_dir(out):
            pass
    assert (out / "thesis.docx").read_text() == "precious"


def test_refuses_an_output_folder_holding_an_input(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "dem.tif").write_text("x")
    with pytest.raises(InputDataError, match="would overwrite the input"):
        with io.staged_output_dir(tmp_path, protected=[data / "dem.tif"]):
            pass


def test_geojson_is_rfc7946(tmp_path):
    grid = grid_for_aoi(shapely.box(99.0, 49.0, 99.5, 49.5), 250)
    x0, y0 = grid.x[10], grid.y[10]
    # clockwise exterior and a counter-clockwise hole: RFC 7946 wants the opposite
    exterior = [(x0, y0), (x0, y0 + 5000), (x0 + 5000, y0 + 5000), (x0 + 5000, y0)]
    hole = [
        (x0 + 1000, y0 + 1000),
        (x0 + 2000, y0 + 1000),
        (x0 + 2000, y0 + 2000),
        (x0 + 1000, y0 + 2000),
    ]
    frame = gpd.GeoDataFrame(
        {"site_id": ["R001"]}, geometry=[Polygon(exterior, [hole])], crs=grid.crs
    )
    path = io.write_geojson(frame, tmp_path / "sites.geojson")
    doc = json.loads(path.read_text())
    assert "crs" not in doc  # RFC 7946 drops the crs member: WGS84 lon/lat by definition
    rings = doc["features"][0]["geometry"]["coordinates"]
    lon, lat = np.array(rings[0]).T
    assert (98 < lon).all() and (lon < 101).all() and (48 < lat).all() and (lat < 51).all()
    assert shapely.LinearRing(rings[0]).is_ccw, "exterior ring must be counter-clockwise"
    assert not shapely.LinearRing(rings[1]).is_ccw, "holes must be clockwise"
    assert all(len(str(v).split(".")[-1]) <= 7 for v in lon)  # RFC7946 default precision


def test_cog_is_cloud_optimised_and_keeps_crs(tmp_path):
    grid = grid_for_aoi(shapely.box(99.0, 49.0, 99.8, 49.5), 100)  # larger than one 512 block
    da = grid.wrap(
        np.random.default_rng(0).random(grid.shape, dtype="float32"), name="s", units="1"
    )
    path = io.write_cog(da, tmp_path / "s.tif")
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 32647
        assert src.transform == grid.transform
        assert src.profile["tiled"]
        assert src.overviews(1), "a COG carries overviews"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        np.testing.assert_array_equal(src.read(1), da.values)


def test_cog_band_carries_units_and_nodata_outside_the_aoi(tmp_path):
    grid = grid_for_aoi(shapely.box(99.0, 49.0, 99.4, 49.3), 250)
    inside = grid.aoi_mask().compute()
    score = grid.wrap(np.full(grid.shape, 0.5, dtype="float32"), name="s", units="1",
                      long_name="suitability")  # fmt: skip
    eligible = grid.wrap(np.ones(grid.shape, dtype=bool), name="e", units="")
    with rasterio.open(io.write_cog(score, tmp_path / "s.tif", inside)) as src:
        assert src.units == ("1",) and src.descriptions == ("suitability",)
        values = src.read(1)
        assert np.isnan(values[~inside.values]).all() and (values[inside.values] == 0.5).all()
    with rasterio.open(io.write_cog(eligible, tmp_path / "e.tif", inside)) as src:
        assert src.nodata == io.BOOLEAN_NODATA
        values = src.read(1)
        assert (values[~inside.values] == 255).all() and (values[inside.values] == 1).all()
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"


def test_sha256_of_a_known_string(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    # FIPS 180-2 Appendix B.1 test vector
    assert io.sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
