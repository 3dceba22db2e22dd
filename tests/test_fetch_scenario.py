"""The scenario of a fetched folder: WorldCover crosswalk, wind atlas, OSM, coverage, AOI."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from siting.fetch.aoi import parse_aoi
from siting.fetch.http import Retry
from siting.fetch.product import load_sources
from siting.fetch.scenario_writer import fetched_scenario
from siting.fetch.workflow import FetchOptions, fetch
from siting.fetch.worldcover import translate_rules
from siting.scenario.load import load_scenario
from tests.fetch_server import FixtureServer, overpass_answers


def test_igbp_rules_become_worldcover_rules(default_dict):
    data = translate_rules(default_dict)
    classes = data["layers"]["rasters"]["landcover"]["classes"]
    assert classes[10] == "tree_cover" and classes[100] == "moss_lichen" and len(classes) == 11
    # Reforestation excludes IGBP water, permanent_wetland, urban, cropland, snow_ice, barren:
    # the WorldCover classes mapped onto them (crosswalk order, values 40-100).
    assert data["reforestation"]["exclusions"][0]["exclude"] == [
        "cropland", "built_up", "bare_sparse_vegetation", "snow_ice", "permanent_water",
        "herbaceous_wetland", "mangroves", "moss_lichen",
    ]  # fmt: skip
    # ... and IGBP forests: WorldCover tree cover.
    assert data["reforestation"]["exclusions"][1]["exclude"] == ["tree_cover"]
    assert data["layers"]["class_distances"]["forest"]["classes"] == ["tree_cover"]
    # Wind scores: grassland 1.0, open_shrubland 0.9 -> shrubland, barren 0.9 -> bare and
    # moss/lichen, cropland 0.6; tree cover has no IGBP score here (default 0).
    assert data["wind"]["criteria"]["land_cover"]["membership"]["scores"] == {
        "shrubland": 0.9, "grassland": 1.0, "cropland": 0.6, "bare_sparse_vegetation": 0.9,
        "moss_lichen": 0.9,
    }  # fmt: skip
    assert default_dict["layers"]["rasters"]["landcover"]["classes"][10] == "grassland"  # copy


def test_layers_kept_from_mörön_outside_their_data_are_warned_about():
    base = load_scenario()
    aoi = {"bbox_lonlat": [106.5, 47.7, 107.2, 48.1]}  # Ulaanbaatar, east of the embedded data
    data, warnings = fetched_scenario(base, {}, {}, load_sources(), name="ub", aoi=aoi)
    assert data["data_dir"] == "." and data["output"]["dir"] == "results/ub"
    named = " ".join(warnings)
    for layer in ("elevation", "landcover", "climate"):
        assert f"layers.rasters.{layer}:" in named
    assert "gloh2o.org/koppen" in named
    inside = {"bbox_lonlat": [99.5, 49.2, 100.5, 49.9]}
    assert fetched_scenario(base, {}, {}, load_sources(), name="m", aoi=inside)[1] == []


def test_aoi_text_is_checked():
    assert parse_aoi("99,49,101.5,50.5").bbox == (99.0, 49.0, 101.5, 50.5)
    with pytest.raises(Exception, match="west < east"):
        parse_aoi("101,49,99,50")
    with pytest.raises(Exception, match="neither"):
        parse_aoi("nowhere.geojson")


def test_a_polygon_aoi_is_copied_beside_the_data(tmp_path):
    server = FixtureServer(tmp_path / "www").start()
    server.overpass = overpass_answers()
    try:
        polygon = tmp_path / "area.geojson"
        shape = shapely.Polygon([(100.0, 49.4), (100.4, 49.45), (100.2, 49.7)])
        gpd.GeoDataFrame(geometry=[shape], crs="EPSG:4326").to_file(polygon, driver="GeoJSON")
        options = FetchOptions(
            layers=["osm"], cache_dir=tmp_path / "cache", retry=Retry(2, 0.0, 5.0),
            base_urls={"osm": f"{server.url}/api/interpreter"},
        )  # fmt: skip
        result = fetch(str(polygon), tmp_path / "out", options)
    finally:
        server.stop()
    scenario = load_scenario(result.scenario)
    assert scenario.aoi.polygon == "aoi.geojson"
    written = gpd.read_file(tmp_path / "out" / "aoi.geojson").geometry.iloc[0]
    assert written.equals_exact(shape, 1e-9)
    assert scenario.layers.vectors["grid_connection"].path == "osm_grid_connection.gpkg"
    assert scenario.layers.rasters["elevation"].path.endswith("dem_srtm30plus_z6_80x50arcsec.tif")


def test_an_out_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(Exception, match="did not write"):
        fetch("100,49.4,100.4,49.7", tmp_path / "out", FetchOptions(layers=["osm"]))
