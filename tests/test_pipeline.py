"""End to end: the embedded Mörön scenario into a temporary results folder."""

import json
import re

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import shapely

import siting
from siting import io
from siting.cli import main

EXPECTED_FILES = {
    "suitability_reforestation.tif",
    "suitability_wind.tif",
    "eligible_reforestation.tif",
    "eligible_wind.tif",
    "sites_reforestation.geojson",
    "sites_wind.geojson",
    "sites.gpkg",
    "map.html",
    "report.html",
    "run.json",
    "turbines.geojson",
    "generation.csv",
    "sequestration.csv",
    "sequestration_portfolio.csv",
    "planting_schedule.csv",
    "credits.csv",
    "credits_summary.csv",
    "corresponding_adjustments.csv",
    "credits_comparison.csv",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "moron"
    assert main(["run", "--out", str(out), "--quiet"]) == 0
    return out


def test_every_result_file_is_written(results):
    names = {p.name for p in results.iterdir()}
    assert EXPECTED_FILES <= names
    assert not any(name.startswith(".") for name in names)


@pytest.mark.parametrize("use", ["reforestation", "wind"])
def test_rasters_are_cogs_on_the_utm_grid(results, use):
    with rasterio.open(results / f"suitability_{use}.tif") as src:
        assert src.crs.to_epsg() == 32647
        assert src.res == (250.0, 250.0)
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        score = src.read(1, masked=True)
        assert 0 <= score.min() and score.max() <= 1
    with rasterio.open(results / f"eligible_{use}.tif") as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.nodata == 255  # outside the area of interest
        assert set(np.unique(src.read(1))) == {0, 1, 255}
    with rasterio.open(results / f"suitability_{use}.tif") as src:
        assert src.units == ("1",)  # the band says its unit


@pytest.mark.parametrize("use", ["reforestation", "wind"])
def test_site_geojson_is_valid_rfc7946_with_readable_attributes(results, use):
    doc = json.loads((results / f"sites_{use}.geojson").read_text())
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert doc["features"], f"the Mörön run should find {use} sites"
    for feature in doc["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.is_valid
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            assert polygon.exterior.is_ccw
            assert all(not ring.is_ccw for ring in polygon.interiors)
        west, south, east, north = geometry.bounds
        assert 98.9 < west and east < 101.6 and 48.9 < south and north < 50.6
        props = feature["properties"]
        for key in ("site_id", "rank", "area_ha", "score_mean", "score_max", "soum"):
            assert key in props, key
        assert props["area_ha"] >= 100
    ranks = [f["properties"]["rank"] for f in doc["features"]]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_geopackage_has_one_layer_per_use(results):
    layers = {name for name, _ in pyogrio.list_layers(results / "sites.gpkg")}
    assert layers == {"reforestation", "wind"}
    wind = gpd.read_file(results / "sites.gpkg", layer="wind")
    assert wind.crs.to_epsg() == 32647
    geojson = gpd.read_file(results / "sites_wind.geojson")
    assert list(wind["site_id"]) == list(geojson["site_id"])


def test_site_area_matches_polygon_area(results):
    sites = gpd.read_file(results / "sites.gpkg", layer="reforestation")
    np.testing.assert_allclose(sites.geometry.area / 1e4, sites["area_ha"], rtol=1e-9)


def test_run_manifest_records_inputs_parameters_versions_and_timings(results):
    manifest = json.loads((results / "run.json").read_text())
    assert manifest["scenario"] == "moron"
    for item in manifest["inputs"]:
        assert io.sha256_of(item["path"]) == item["sha256"]
    assert len(manifest["inputs"]) == 9
    assert manifest["grid"]["crs"] == "EPSG:32647"
    assert manifest["parameters"]["grid"]["cell_size_m"] == 250
    assert manifest["versions"]["siting"] == siting.__version__
    versions = manifest["versions"]
    for package in ("py_wake", "windpowerlib", "GDAL", "PROJ", "numpy", "xarray"):
        assert versions[package] not in ("", "not installed"), package
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", versions["GDAL"])
    assert "report.html" in manifest["files"] and "run.json" in manifest["files"]
    assert manifest["timings_s"]["total"] > 0
    assert any("approximated by the town centre" in c for c in manifest["caveats"])


def test_map_is_a_leaflet_page_with_both_uses(results):
    html = (results / "map.html").read_text()
    assert "leaflet" in html.lower()
    assert "Suitability: reforestation" in html and "Candidate sites: wind" in html


def test_rerun_replaces_the_folder_atomically(results):
    before = (results / "run.json").read_text()
    assert main(["run", "--out", str(results), "--quiet"]) == 0
    after = json.loads((results / "run.json").read_text())
    assert after["created_utc"] >= json.loads(before)["created_utc"]
    assert {p.name for p in results.parent.iterdir()} == {"moron"}


def test_wind_stage_outputs(results):
    import pandas as pd

    turbines = gpd.read_file(results / "turbines.geojson")
    assert {"site_id", "model", "hub_height_m", "rated_kw", "aep_mwh"} <= set(turbines.columns)
    sites = gpd.read_file(results / "sites.gpkg", layer="wind")
    for column in (
        "n_turbines",
        "capacity_mw",
        "aep_p50_mwh",
        "aep_p75_mwh",
        "aep_p90_1yr_mwh",
        "aep_p90_10yr_mwh",
        "loss_total_fraction",
        "capacity_factor",
        "tco2e_per_year",
    ):
        assert column in sites, column
    assert (sites["aep_p90_1yr_mwh"] <= sites["aep_p90_10yr_mwh"] + 1e-9).all()
    assert (sites["aep_p90_10yr_mwh"] <= sites["aep_p50_mwh"] + 1e-9).all()
    # the scenario caps the Mörön connection at 100 MW and each site at 50 MW
    assert sites["capacity_mw"].sum() <= 100 + 1e-9 and (sites["capacity_mw"] <= 50 + 1e-9).all()
    assert len(turbines) == sites["n_turbines"].sum()
    generation = pd.read_csv(results / "generation.csv")
    assert list(generation.columns) == ["site_id", "year", "quantity", "value", "unit"]
    top = sites.sort_values("rank")["site_id"].iloc[0]  # a location id such as W4961N10025E
    first = generation[(generation.site_id == top) & (generation.quantity == "tco2e_p50")]
    aep = generation[(generation.site_id == top) & (generation.quantity == "aep_p50_mwh")]
    # ER = EG x EF with the default 0.797 tCO2/MWh (JCM MN_AM003)
    assert first["value"].iloc[0] == pytest.approx(aep["value"].iloc[0] * 0.797)


def test_forest_stage_outputs(results):
    import pandas as pd

    sequestration = pd.read_csv(results / "sequestration.csv")
    assert list(sequestration.columns) == [
        "site_id",
        "species",
        "year",
        "quantile",
        "tco2e_stock",
        "tco2e_annual",
    ]
    assert set(sequestration["quantile"]) >= {"p10", "p50", "p90"}
    stock = sequestration.pivot_table(
        index=["site_id", "year"], columns="quantile", values="tco2e_stock"
    )
    assert (stock["p10"] <= stock["p50"] + 1e-6).all() and (
        stock["p50"] <= stock["p90"] + 1e-6
    ).all()
    sites = gpd.read_file(results / "sites.gpkg", layer="reforestation")
    for column in (
        "species",
        "area_planted_ha",
        "tco2e_2030_p50",
        "tco2e_2050_p50",
        "tco2e_per_ha_per_year_p50",
        "itmo_to_2030",
    ):
        assert column in sites, column
    assert (sites["species"] == "larix_sibirica").all()
    np.testing.assert_allclose(sites["area_planted_ha"], sites["area_ha"])


def test_credit_stage_outputs_add_up(results):
    import pandas as pd

    ledger = pd.read_csv(results / "credits.csv")
    deductions = [
        "not_creditable_tco2e",
        "uncertainty_deduction_tco2e",
        "leakage_deduction_tco2e",
        "share_of_proceeds_tco2e",
        "omge_cancelled_tco2e",
        "host_share_tco2e",
    ]
    balance = (
        ledger[deductions].sum(axis=1)
        + ledger["buffer_withheld_tco2e"]
        - ledger["buffer_released_tco2e"]
        + ledger["transferable_itmos_tco2e"]
    )
    np.testing.assert_allclose(balance, ledger["gross_tco2e"], rtol=1e-9, atol=1e-6)
    assert (ledger["transferable_itmos_tco2e"] <= ledger["gross_tco2e"] + 1e-9).all()
    assert {"wind", "reforestation", "solar_thermal_heat", "e_bus", "ger_insulation"} <= set(
        ledger["project_type"]
    )
    summary = pd.read_csv(results / "credits_summary.csv")
    total = summary[summary["level"] == "total"].iloc[0]
    # Korea's 37.5 Mt is a 2030 single-year quantity: averaging approach (cumulative / 10
    # years, Decision 2/CMA.3 annex para 7(a)(ii)) and the 2030 vintage, never the cumulative.
    assert "share_of_target_to_2030" not in summary
    assert total["share_of_target_to_2030_averaging"] == pytest.approx(
        total["itmos_to_2030_tco2e"] / 10 / 37.5e6
    )
    assert total["share_of_target_to_2030_vintage_2030"] == pytest.approx(
        total["itmos_to_2030_vintage_2030_tco2e"] / 37.5e6
    )
    adjustments = pd.read_csv(results / "corresponding_adjustments.csv")
    assert len(adjustments) > 0
    comparison = pd.read_csv(results / "credits_comparison.csv")
    assert {"article_6_2", "article_6_4", "grid_ef_1.19", "survival_low"} <= set(comparison["case"])
    totals = comparison[comparison["level"] == "total"].set_index("case")
    assert totals.loc["grid_ef_1.19", "gross_tco2e"] > totals.loc["grid_ef_0.797", "gross_tco2e"]
    assert totals.loc["survival_high", "gross_tco2e"] > totals.loc["survival_low", "gross_tco2e"]


def test_the_real_map_works_offline_in_chromium(results, tmp_path):
    from .browser import open_offline, require_chromium

    require_chromium()
    report = open_offline(
        results / "map.html",
        screenshot=tmp_path / "map.png",
        script="() => Array.from(document.querySelectorAll('.leaflet-control-layers label'))"
        ".map(l => l.textContent.trim())",
    )
    assert report["external"] == [] and report["failed"] == [] and report["errors"] == []
    for layer in (
        "Turbines",
        "Candidate sites: wind",
        "Candidate sites: reforestation",
        "Relief (hillshade)",
        "Airports",
        "Heritage",
    ):
        assert layer in report["result"]


def test_competing_uses_report_their_shared_hectares():
    from siting.land.describe import competing_use_overlaps

    def sites(*boxes):
        return gpd.GeoDataFrame(
            {"site_id": [f"S{i}" for i in range(len(boxes))]},
            geometry=[shapely.box(*b) for b in boxes],
            crs="EPSG:32647",
        )

    given = {
        "reforestation": sites((0, 0, 1000, 1000), (5000, 0, 6000, 1000)),
        "wind": sites((500, 0, 1500, 1000)),
    }
    uses = competing_use_overlaps(given)
    # 500 m x 1000 m = 50 ha shared
    assert uses["reforestation"]["overlap_wind_ha"].tolist() == [50.0, 0.0]
    assert uses["wind"]["overlap_reforestation_ha"].tolist() == [50.0]
    assert "overlap_wind_ha" not in given["reforestation"]  # the inputs are not changed


def test_class_distances_are_computed_once(monkeypatch):
    """The forest-distance raster is persisted: its blocks are computed once per run, not once
    per use, criterion and weight draw that reads it."""
    from siting.land import distance

    calls = []
    real = distance._distance_block

    def counting(y, x, *, index):
        if np.size(y) and np.size(x):  # not dask's call on empty arrays to learn the dtype
            calls.append(1)
        return real(y, x, index=index)

    monkeypatch.setattr(distance, "_distance_block", counting)
    scenario = siting.load_scenario().replace({"grid.cell_size_m": 1000.0})
    result = siting.analyse(scenario)
    n_blocks = result.rasters["dist_forest_m"].data.npartitions
    n_layers = len(siting.pipeline.vector_layers_used(scenario)) + len(
        scenario.layers.class_distances
    )
    assert len(calls) == n_blocks * n_layers  # each distance raster's blocks exactly once
