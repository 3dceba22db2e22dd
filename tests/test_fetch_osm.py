"""Overpass JSON to GeoPackage layers, and the OSM step against a local server."""

from __future__ import annotations

import pytest
import shapely

from siting import io
from siting.fetch.cache import Cache
from siting.fetch.http import DownloadError, Retry
from siting.fetch.osm import elements_to_frame, fetch_osm, overpass_query
from siting.fetch.product import FetchContext, load_sources
from siting.grid import grid_for_aoi
from tests.fetch_server import FixtureServer, overpass_answers

FAST = Retry(attempts=2, backoff_s=0.0, timeout_s=5.0)
BOUNDS = (99.3, 48.9, 101.1, 50.2)


@pytest.fixture
def server(tmp_path):
    running = FixtureServer(tmp_path / "www").start()
    running.overpass = overpass_answers()
    yield running
    running.stop()


def context(server, tmp_path) -> FetchContext:
    sources = load_sources({"osm": f"{server.url}/api/interpreter"})
    return FetchContext(Cache(tmp_path / "cache"), sources, retry=FAST)


def test_queries_ask_for_the_bounds_south_west_north_east():
    query = overpass_query("roads", BOUNDS, 60)
    assert query.startswith('[out:json][timeout:60];(way["highway"')
    assert "(48.9,99.3,50.2,101.1);" in query and query.endswith("out geom;")


def test_a_multipolygon_relation_becomes_its_polygon_with_the_hole():
    frame = elements_to_frame(overpass_answers()["protected_areas"], "protected_areas")
    assert list(frame["osm_id"]) == ["relation/7"] and frame.loc[0, "name"] == "Test park"
    park = frame.geometry.iloc[0]
    assert park.geom_type == "MultiPolygon"
    # Outer 0.1 x 0.1 degree square (from two ways) minus the 0.02 x 0.02 inner ring:
    # 0.01 - 0.0004 = 0.0096 square degrees.
    assert park.area == pytest.approx(0.0096)
    assert not park.contains(shapely.Point(100.15, 49.55)) and park.contains(
        shapely.Point(100.12, 49.52)
    )


def test_substations_are_points_at_their_centre_and_ways_are_lines():
    answers = overpass_answers()
    stations = elements_to_frame(answers["substations"], "substations")
    assert [(p.x, p.y) for p in stations.geometry] == [(99.8, 49.45), (100.6, 49.65)]
    assert list(stations["name"]) == ["Test 110 kV", ""]
    lines = elements_to_frame(answers["power_lines"], "power_lines")
    assert list(lines["kind"]) == ["line", "minor_line"]
    assert lines.loc[0, "voltage"] == "110000"
    assert set(lines.geom_type) == {"LineString"}


def test_elements_without_geometry_are_left_out():
    answer = {"elements": [{"type": "way", "id": 1, "tags": {"highway": "primary"}}]}
    assert elements_to_frame(answer, "roads").empty


def test_the_osm_step_writes_geopackages_the_run_reads(server, tmp_path):
    product = fetch_osm(context(server, tmp_path), BOUNDS)
    assert product.details["features"] == {
        "roads": 2, "power_lines": 2, "substations": 2, "protected_areas": 1,
        "grid_connection": 3,  # two substations and the 110 kV line, not the minor line
    }  # fmt: skip
    assert len(server.requests("/api/")) == 4  # one query per theme
    grid = grid_for_aoi(shapely.box(100.0, 49.4, 100.4, 49.7), 250)
    connection = io.read_vector(product.files["grid_connection"], grid, margin_m=50_000)
    assert sorted(connection.geom_type) == ["LineString", "Point", "Point"]
    assert connection.crs == grid.crs
    # A second fetch reads the cached answers: no request.
    again = fetch_osm(context(server, tmp_path), BOUNDS)
    assert again.cached and len(server.requests("/api/")) == 4


def test_an_empty_theme_is_an_empty_layer_and_a_note(server, tmp_path):
    server.overpass["substations"] = {"elements": []}
    product = fetch_osm(context(server, tmp_path), BOUNDS)
    assert "OSM has no substations near the AOI" in product.notes
    grid = grid_for_aoi(shapely.box(100.0, 49.4, 100.4, 49.7), 250)
    assert io.read_vector(product.files["substations"], grid).empty


def test_an_overpass_error_is_reported(server, tmp_path):
    server.overpass["roads"] = {"elements": [], "remark": "runtime error: Query timed out"}
    with pytest.raises(DownloadError, match="Query timed out"):
        fetch_osm(context(server, tmp_path), BOUNDS)
    server.faults["/api/interpreter"] = ["429", "429"]
    with pytest.raises(DownloadError, match="HTTP 429") as err:
        fetch_osm(context(server, tmp_path), BOUNDS)
    assert ".overpassql" in err.value.fix  # the query saved, to run by hand
