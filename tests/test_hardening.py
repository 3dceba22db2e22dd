"""Issue 14 (items 3-6): every failure a one-line message naming the file or field, exit 2.

Each case goes through the command line (:func:`siting.cli.main`) and asserts exit status 2,
one line on stderr, no traceback, and the file or scenario field named in it.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest
import rasterio

from siting import preflight
from siting.cli import main
from siting.land import sensitivity

from .conftest import write_geotiff, write_yaml

DEM = Path(__file__).parents[1] / "rasters/moron/dem_srtm30plus_z6_80x50arcsec.tif"


def _fails_cleanly(capsys, argv, *fragments, one_line=True):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    if one_line:
        assert len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err
    return err


def _run(tmp_path, capsys, scenario_dict, *fragments, one_line=True):
    config = write_yaml(tmp_path / "scenario.yaml", scenario_dict)
    argv = ["run", "--quiet", "--config", str(config), "--out", str(tmp_path / "out")]
    return _fails_cleanly(capsys, argv, *fragments, one_line=one_line)


@pytest.mark.parametrize(
    ("cell", "fragment"), [(float("inf"), "grid.cell_size_m"), (1e9, "grid.cell_size_m")]
)
def test_infinite_or_absurd_cell_size(tmp_path, capsys, scenario_dict, cell, fragment):
    scenario_dict["grid"]["cell_size_m"] = cell
    _run(tmp_path, capsys, scenario_dict, fragment)


def test_aoi_of_one_cell(tmp_path, capsys, scenario_dict):
    # 0.001 deg ~ 70-110 m at 49.6 N: one or two 250 m cells, fewer than the 3 x 3 needed.
    scenario_dict["aoi"]["bbox_lonlat"] = [100.15, 49.63, 100.151, 49.631]
    _run(tmp_path, capsys, scenario_dict, "grid.cell_size_m", "at least 3 x 3")


def test_invalid_crs_string(tmp_path, capsys, scenario_dict):
    scenario_dict["grid"]["crs"] = "EPSG:not-a-code"
    _run(tmp_path, capsys, scenario_dict, "grid.crs", "EPSG:not-a-code")


def test_ahp_pair_judged_twice(tmp_path, capsys, scenario_dict):
    judgements = scenario_dict["wind"]["ahp"]["judgements"]
    a, b, _ = judgements[0]
    judgements.append([b, a, 3])
    # scenario-file problems are listed one per line under the file's name
    _run(tmp_path, capsys, scenario_dict, "wind.ahp", "judged twice", one_line=False)


def test_negative_seed_refused_before_any_work(tmp_path, capsys, scenario_dict):
    scenario_dict["seed"] = -1
    _run(tmp_path, capsys, scenario_dict, "seed")


def test_unknown_turbine_refused_before_any_work(tmp_path, capsys, scenario_dict):
    scenario_dict["wind_yield"]["turbine"]["model"] = "NoSuchTurbine/1"
    _run(tmp_path, capsys, scenario_dict, "NoSuchTurbine/1")


def test_float_raster_declared_categorical(tmp_path, capsys, scenario_dict):
    path = write_geotiff(tmp_path / "cover.tif", np.full((60, 60), 10.5, dtype="float32"))
    scenario_dict["layers"]["rasters"]["landcover"]["path"] = str(path)
    _run(tmp_path, capsys, scenario_dict, "layers.rasters.landcover", "cover.tif", "continuous")


def test_dem_without_data_over_the_aoi(tmp_path, capsys, scenario_dict):
    path = write_geotiff(
        tmp_path / "dem.tif", np.full((60, 60), -9999, dtype="float32"), nodata=-9999
    )
    scenario_dict["layers"]["rasters"]["elevation"]["path"] = str(path)
    _run(tmp_path, capsys, scenario_dict, "dem.tif", "no valid elevation")


def test_truncated_geotiff_with_intact_header_names_layer_and_file(tmp_path, capsys, scenario_dict):
    # The real DEM rewritten with its header (IFD) first and 64 x 64 uncompressed tiles, then
    # cut at 60 %: the file opens, its last tiles are gone.
    broken = tmp_path / "dem_truncated.tif"
    with rasterio.open(DEM) as src:
        profile = src.profile | {"tiled": True, "blockxsize": 64, "blockysize": 64}
        with rasterio.open(broken, "w", **(profile | {"compress": "none"})) as dst:
            dst.write(src.read())
    assert int.from_bytes(broken.read_bytes()[4:8], "little") == 8  # header at the start
    with open(broken, "r+b") as f:
        f.truncate(int(broken.stat().st_size * 0.6))
    with rasterio.open(broken) as src:
        assert src.crs is not None  # header still intact
    scenario_dict["layers"]["rasters"]["elevation"]["path"] = str(broken)
    _run(
        tmp_path,
        capsys,
        scenario_dict,
        "layers.rasters.elevation",
        "dem_truncated.tif",
        "damaged or truncated",
    )


def test_full_disk_while_writing_results(tmp_path, capsys, monkeypatch):
    from siting.outputs import folder

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(folder, "write_results", no_space)
    out = tmp_path / "out"
    _fails_cleanly(capsys, ["run", "--quiet", "--out", str(out)], "disk is full", str(out))
    assert not out.exists()


def test_unwritable_results_folder_refused_before_work(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as root: permissions are not enforced")
        _fails_cleanly(capsys, ["run", "--quiet", "--out", str(locked / "out")], "not writable")
    finally:
        locked.chmod(0o700)


def test_cost_model_reproduces_its_calibration_and_refuses_what_cannot_fit(scenario_dict):
    import siting
    from siting.layers import scenario_grid

    scenario = siting.scenario_from_dict(scenario_dict)
    grid = scenario_grid(scenario)
    estimate = preflight.estimate_cost(scenario, grid)
    # the default run: 497,760 cells x 41 layers, measured 563 MiB and 7.0 s (module docstring)
    assert estimate.cells == 497_760 and estimate.layers == 41
    assert estimate.memory_mib == pytest.approx(563.0, rel=1e-6)
    assert estimate.time_s == pytest.approx(7.0, rel=1e-6)
    # and its 30 m calibration run, 34,497,264 cells: 4,188 MiB and 146.9 s
    fine = scenario_grid(scenario.replace({"grid.cell_size_m": 30.0}))
    at_30m = preflight.estimate_cost(scenario, fine)
    assert at_30m.cells == 34_497_264
    assert at_30m.memory_mib == pytest.approx(4188.0, rel=1e-6)
    assert at_30m.time_s == pytest.approx(146.9, rel=1e-6)
    with pytest.raises(siting.SitingError, match="MiB available.*cells of at least"):
        preflight.check_fits(estimate, grid, available=256 * 2**20)
    preflight.check_fits(estimate, grid, available=24 * 2**30)  # fits in 24 GB


def test_block_cells_follow_the_byte_budget():
    # 64 MiB / (4 B x 1,000 draws) = 16,777 cells; at 100,000 draws 167 cells.
    assert sensitivity.spread_block_cells(1000) == 16_777
    assert sensitivity.spread_block_cells(100_000) == 167
    assert sensitivity.spread_block_cells(10**9) == 1


def _aoi_file(tmp_path, polygons, crs="EPSG:4326", name="aoi.gpkg", layer="aoi"):
    import geopandas as gpd

    path = tmp_path / name
    gpd.GeoDataFrame(geometry=polygons, crs=crs).to_file(path, layer=layer)
    return path


def test_self_intersecting_aoi_is_repaired_with_a_warning(tmp_path):
    import shapely

    from siting.io.vectors import read_aoi_polygon

    bowtie = shapely.Polygon([(100.0, 49.5), (100.4, 49.8), (100.4, 49.5), (100.0, 49.8)])
    assert not bowtie.is_valid
    path = _aoi_file(tmp_path, [bowtie])
    with pytest.warns(UserWarning, match="Self-intersection.*repaired"):
        aoi = read_aoi_polygon(path)
    assert aoi.is_valid
    # the two triangles of the bow-tie: each 0.4 x 0.15 / 2 deg^2
    assert aoi.area == pytest.approx(2 * 0.4 * 0.15 / 2, rel=1e-9)


def test_aoi_whose_coordinates_are_not_lonlat(tmp_path, capsys, scenario_dict):
    import shapely

    utm_box = shapely.box(430_000, 5_490_000, 470_000, 5_520_000)  # UTM metres labelled 4326
    path = _aoi_file(tmp_path, [utm_box])
    scenario_dict["aoi"] = {"polygon": str(path)}
    _run(tmp_path, capsys, scenario_dict, "aoi.gpkg", "not longitude/latitude")


def test_geopackage_with_several_layers_needs_the_layer_named(tmp_path, capsys, scenario_dict):
    import shapely

    path = _aoi_file(tmp_path, [shapely.box(100.0, 49.5, 100.4, 49.8)], layer="a")
    _aoi_file(tmp_path, [shapely.box(100.1, 49.55, 100.3, 49.7)], layer="b")
    scenario_dict["aoi"] = {"polygon": str(path)}
    _run(tmp_path, capsys, scenario_dict, "holds 2 layers", "aoi.layer")
    from siting.io.vectors import read_aoi_polygon

    assert read_aoi_polygon(path, "b").area == pytest.approx(0.2 * 0.15)


def test_tpi_radius_larger_than_the_grid_names_the_scenario_field(tmp_path, capsys, scenario_dict):
    # the 680 x 732-cell default grid of 250 m cells: a 200 km radius is 800 cells
    scenario_dict["terrain"]["tpi_radius_m"] = 200_000
    err = _run(tmp_path, capsys, scenario_dict, "terrain.tpi_radius_m", "800 cells")
    assert "radius_cells" not in err


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("written") / "moron"
    assert main(["run", "--out", str(out), "--quiet"]) == 0
    return out


def _damaged(written, tmp_path, damage):
    import shutil

    folder = tmp_path / "damaged"
    shutil.copytree(written, folder)
    damage(folder)
    return folder


def test_map_of_results_whose_run_json_has_the_wrong_shape(written, tmp_path, capsys):
    folder = _damaged(written, tmp_path, lambda f: (f / "run.json").write_text("[1, 2]"))
    _fails_cleanly(capsys, ["map", str(folder)], str(folder), "damaged")


def test_export_of_sites_with_missing_columns(written, tmp_path, capsys):
    def damage(folder):
        import geopandas as gpd

        path = folder / "sites.gpkg"
        frame = gpd.read_file(path, layer="wind")
        frame[["geometry"]].to_file(path, layer="wind", mode="w")

    folder = _damaged(written, tmp_path, damage)
    argv = ["export", str(folder), "--format", "gpx", "--use", "wind", "--out", str(tmp_path / "x")]
    _fails_cleanly(capsys, argv, "sites.gpkg (layer wind)", "lacks the columns")
    assert not (tmp_path / "x").exists()


def test_export_of_sites_with_null_geometries(written, tmp_path, capsys):
    def damage(folder):
        import geopandas as gpd

        path = folder / "sites.gpkg"
        frame = gpd.read_file(path, layer="wind")
        frame.loc[0, "geometry"] = None
        frame.to_file(path, layer="wind", mode="w")

    folder = _damaged(written, tmp_path, damage)
    argv = ["export", str(folder), "--format", "kml", "--out", str(tmp_path / "x.kml")]
    _fails_cleanly(capsys, argv, "sites.gpkg (layer wind)", "1 of")


def test_map_of_results_with_a_raster_without_crs(written, tmp_path, capsys):
    def damage(folder):
        path = folder / "suitability_wind.tif"
        with rasterio.open(path) as src:
            data, profile = src.read(1), src.profile
        profile.pop("crs")
        path.unlink()
        write_geotiff(path, data, crs=None, transform=profile["transform"])

    folder = _damaged(written, tmp_path, damage)
    _fails_cleanly(capsys, ["map", str(folder)], str(folder), "damaged", "suitability_wind")
