"""`siting fetch` end to end against a local server, then `siting run` on what it fetched."""

from __future__ import annotations

import json
import sys
import time
import types

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from siting.cli import main
from siting.fetch.cache import Cache
from siting.fetch.era5 import fetch_era5
from siting.fetch.http import Retry
from siting.fetch.product import FetchContext, load_sources
from siting.io.era5 import read_era5
from siting.scenario.load import load_scenario
from tests.fetch_server import (
    FixtureServer,
    overpass_answers,
    write_dem_tile,
    write_wind_atlas,
    write_worldcover_tile,
)

AOI = "100.0,49.4,100.4,49.7"


@pytest.fixture
def server(tmp_path):
    running = FixtureServer(tmp_path / "www").start()
    for lon in (99, 100):
        write_dem_tile(running.root, 49, lon)
    write_worldcover_tile(running.root, 48, 99)
    write_wind_atlas(running, running.root)
    running.overpass = overpass_answers()
    yield running
    running.stop()


def fetch_args(server, tmp_path, *extra) -> list[str]:
    urls = {
        "copernicus_dem_30": "/copernicus-dem-30m",
        "worldcover": "/esa-worldcover",
        "wind_atlas": "/gwa",
        "osm": "/api/interpreter",
    }
    args = ["fetch", "--aoi", AOI, "--out", str(tmp_path / "data" / "testsite")]
    args += ["--cache", str(tmp_path / "cache"), "--quiet", *extra]
    for name, path in urls.items():
        args += ["--base-url", f"{name}={server.url}{path}"]
    return args


def test_fetch_writes_data_licences_manifest_and_a_scenario(server, tmp_path, capsys):
    assert main(fetch_args(server, tmp_path)) == 0
    out = tmp_path / "data" / "testsite"
    assert capsys.readouterr().out.strip() == str(out / "scenario.yaml")
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["layers"]) == ["dem", "landcover", "osm", "wind"]
    for name, entry in manifest["files"].items():  # every file with its checksum
        assert (out / name).stat().st_size == entry["bytes"] and len(entry["sha256"]) == 64
    licences = (out / "LICENCES.md").read_text()
    for text in ("CC BY 4.0", "ODbL", "© OpenStreetMap contributors", "Airbus", "DTU"):
        assert text in licences
    scenario = load_scenario(out / "scenario.yaml")
    assert scenario.wind_resource.layer == "gwa_mean_speed_100m"  # nearest the 80 m hub
    assert scenario.wind_yield.climate.source == "weibull_rasters"
    assert scenario.layers.rasters["landcover"].classes[30] == "grassland"
    assert scenario.resolve(scenario.layers.vectors["grid_connection"].path).is_file()
    exclusions = scenario.reforestation.exclusions[0].exclude
    assert "permanent_water" in exclusions and "built_up" in exclusions  # IGBP water, urban
    assert "grassland" not in exclusions
    assert scenario.wind.exclusions[-1].layer == "protected_areas"
    assert not list(out.glob(".*"))  # no temporary file left


def test_a_second_fetch_transfers_nothing(server, tmp_path, capsys):
    assert main(fetch_args(server, tmp_path)) == 0
    before = len(server.requests())
    start = time.perf_counter()
    assert main(fetch_args(server, tmp_path)) == 0
    seconds = time.perf_counter() - start
    assert len(server.requests()) == before
    print(f"cached second fetch: {seconds:.2f} s, 0 requests", file=sys.stderr)
    assert seconds < 5


def test_a_changed_fetched_file_is_reported_not_overwritten(server, tmp_path, capsys):
    assert main(fetch_args(server, tmp_path)) == 0
    dem = tmp_path / "data" / "testsite" / "elevation_copernicus_glo30.tif"
    dem.write_bytes(dem.read_bytes() + b"x")
    capsys.readouterr()
    assert main(fetch_args(server, tmp_path)) == 2
    err = capsys.readouterr().err
    assert "elevation_copernicus_glo30.tif" in err and "SHA-256" in err and "Traceback" not in err
    assert main(fetch_args(server, tmp_path, "--refresh")) == 0


def test_offline_is_one_message_with_the_url_and_exit_2(server, tmp_path, capsys):
    args = fetch_args(server, tmp_path, "--retries", "1")
    server.stop()
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Traceback" not in err and "no connection" in err
    assert "copernicus-dem-30m" in err and "save it as" in err and "after 2 tries" in err
    assert not (tmp_path / "data" / "testsite" / "scenario.yaml").exists()


def test_bad_options_are_reported(server, tmp_path, capsys):
    assert main(fetch_args(server, tmp_path, "--layers", "dem,lidar")) == 2
    assert "lidar" in capsys.readouterr().err
    assert main(["fetch", "--aoi", "101,49,100,50", "--out", str(tmp_path / "x")]) == 2
    assert "west < east" in " ".join(capsys.readouterr().err.split())


@pytest.mark.slow
def test_the_fetched_scenario_runs_end_to_end(server, tmp_path, capsys):
    assert main(fetch_args(server, tmp_path)) == 0
    config = tmp_path / "data" / "testsite" / "scenario.yaml"
    results = tmp_path / "results"
    assert main(["run", "--config", str(config), "--out", str(results), "--quiet"]) == 0
    run = json.loads((results / "run.json").read_text())
    assert not any("ESTIMATE" in c for c in run["caveats"])  # the wind is the atlas's now
    assert not any("town centre" in c for c in run["caveats"])
    generation = pd.read_csv(results / "generation.csv")
    assert generation["value"].gt(0).any()
    sites = yaml.safe_load((results / "sites_wind.geojson").read_text())["features"]
    assert sites, "the fetched data gives wind sites"
    # The grid connection is the OSM substations and 110 kV line (<= ~40 km away here).
    assert max(f["properties"]["grid_distance_km"] for f in sites) < 40


# --------------------------------------------------------------------------------------------
# ERA5 through a stand-in for the CDS client


def era5_year(year: int) -> xr.Dataset:
    """An ERA5 file as the new CDS writes it: ``valid_time``, ``number``, ``expver``."""
    times = pd.date_range(f"{year}-01-01", periods=48, freq="h")
    shape = (len(times), 3, 3)
    rng = np.random.default_rng(year)
    return xr.Dataset(
        {"u100": (("valid_time", "latitude", "longitude"), rng.normal(3, 2, shape)),
         "v100": (("valid_time", "latitude", "longitude"), rng.normal(-2, 2, shape))},
        coords={"valid_time": times, "latitude": [49.75, 49.5, 49.25],
                "longitude": [100.0, 100.25, 100.5], "number": 0, "expver": ("valid_time",
                ["0001"] * len(times))},
    )  # fmt: skip


def fake_cdsapi(server, requests: list) -> types.ModuleType:
    class Result:
        def __init__(self, location):
            self.location = location

    class Client:
        def __init__(self, **kwargs):
            pass

        def retrieve(self, dataset, request):
            requests.append((dataset, request))
            return Result(f"{server.url}/era5/{request['year'][0]}.nc")

    return types.SimpleNamespace(Client=Client)


def test_era5_years_are_requested_one_by_one_and_joined(server, tmp_path, monkeypatch):
    for year in (2020, 2021):
        path = server.root / "era5" / f"{year}.nc"
        path.parent.mkdir(parents=True, exist_ok=True)
        era5_year(year).to_netcdf(path)
    requests: list = []
    monkeypatch.setitem(sys.modules, "cdsapi", fake_cdsapi(server, requests))
    monkeypatch.setenv("CDSAPI_KEY", "test")
    ctx = FetchContext(Cache(tmp_path / "cache"), load_sources(), retry=Retry(2, 0.0, 5.0))
    product = fetch_era5(ctx, (100.0, 49.4, 100.4, 49.7), years=(2020, 2021))
    assert [r[1]["year"] for r in requests] == [["2020"], ["2021"]]
    dataset, request = requests[0]
    assert dataset == "reanalysis-era5-single-levels"
    assert request["area"] == [49.95, 99.75, 49.15, 100.65]  # N, W, S, E plus one 0.25 cell
    assert len(request["time"]) == 24 and request["data_format"] == "netcdf"
    joined = read_era5(product.files["era5"])
    assert joined.sizes["time"] == 96 and {"u100", "v100"} <= set(joined)
    again = fetch_era5(ctx, (100.0, 49.4, 100.4, 49.7), years=(2020, 2021))
    assert again.cached and len(requests) == 2


def test_era5_without_the_client_or_the_key_says_how_to_get_them(tmp_path, monkeypatch):
    ctx = FetchContext(Cache(tmp_path / "cache"), load_sources())
    monkeypatch.setitem(sys.modules, "cdsapi", None)  # not installed
    with pytest.raises(Exception, match="pip install cdsapi"):
        fetch_era5(ctx, (100.0, 49.4, 100.4, 49.7), years=(2020, 2020))
    monkeypatch.setitem(sys.modules, "cdsapi", types.SimpleNamespace(Client=object))
    monkeypatch.delenv("CDSAPI_KEY", raising=False)
    monkeypatch.setenv("CDSAPI_RC", str(tmp_path / "no.cdsapirc"))
    with pytest.raises(Exception, match="no CDS API key") as err:
        fetch_era5(ctx, (100.0, 49.4, 100.4, 49.7), years=(2020, 2020))
    assert "cds.climate.copernicus.eu" in err.value.fix
