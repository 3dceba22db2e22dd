"""The command line: bad input gives one clear message, exit status 2, no traceback."""

import subprocess
import sys

import numpy as np
import pytest

from siting.cli import main

from .conftest import write_geotiff, write_yaml


def _run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "siting.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture
def bad_config(tmp_path, scenario_dict):
    """Write a scenario modified by ``change`` and return its path."""

    def make(change):
        change(scenario_dict)
        return write_yaml(tmp_path / "scenario.yaml", scenario_dict)

    return make


def _assert_clean_failure(capsys, code, *fragments):
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in captured.err, captured.err


def test_missing_config_file(capsys, tmp_path):
    code = main(["run", "--config", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o")])
    _assert_clean_failure(capsys, code, "nope.yaml", "file not found", "init-config")


def test_invalid_field(capsys, tmp_path, bad_config):
    path = bad_config(lambda d: d["grid"].update(cell_size_m="big"))
    code = main(["run", "--config", str(path), "--out", str(tmp_path / "o")])
    _assert_clean_failure(capsys, code, "grid.cell_size_m", "valid number")
    assert not (tmp_path / "o").exists()


def test_missing_layer_file(capsys, tmp_path, bad_config):
    path = bad_config(
        lambda d: d["layers"]["rasters"]["elevation"].update(path=str(tmp_path / "dem.tif"))
    )
    code = main(["run", "--config", str(path), "--out", str(tmp_path / "o")])
    _assert_clean_failure(
        capsys, code, "dem.tif", "file not found", "layers.rasters.elevation.path"
    )
    assert not (tmp_path / "o").exists()


def test_raster_without_crs(capsys, tmp_path, bad_config):
    dem = write_geotiff(tmp_path / "dem.tif", np.full((39, 42), 1500, "int16"), crs=None)
    path = bad_config(lambda d: d["layers"]["rasters"]["elevation"].update(path=str(dem)))
    before = dem.read_bytes()
    code = main(["run", "--config", str(path), "--out", str(tmp_path / "o")])
    _assert_clean_failure(capsys, code, "dem.tif", "has no CRS")
    assert dem.read_bytes() == before, "inputs are never modified"


def test_aoi_outside_the_data(capsys, tmp_path, bad_config):
    path = bad_config(lambda d: d["aoi"].update(bbox_lonlat=[10.0, 45.0, 11.0, 46.0]))
    code = main(["run", "--config", str(path), "--out", str(tmp_path / "o")])
    _assert_clean_failure(capsys, code, "does not overlap the AOI", "aoi.bbox_lonlat")
    assert not (tmp_path / "o").exists()


def test_unreadable_vector(capsys, tmp_path, bad_config):
    broken = tmp_path / "rivers.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    path = bad_config(lambda d: d["layers"]["vectors"]["rivers"].update(path=str(broken)))
    code = main(["run", "--config", str(path), "--out", str(tmp_path / "o")])
    _assert_clean_failure(capsys, code, "rivers.geojson", "cannot be read")


def test_init_config_writes_the_default_and_refuses_to_overwrite(capsys, tmp_path):
    target = tmp_path / "my.yaml"
    assert main(["init-config", str(target)]) == 0
    assert "bbox_lonlat" in target.read_text()
    assert main(["init-config", str(target)]) == 2
    _assert_clean_failure(capsys, 2, "already exists", "--force")


def test_console_entry_point_exit_status_in_a_real_process(tmp_path):
    result = _run_cli("run", "--config", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "missing.yaml: file not found" in result.stderr


def test_unwritable_output_is_refused_before_the_work(capsys):
    code = main(["run", "--out", "/dev/null/results"])
    _assert_clean_failure(capsys, code, "/dev/null/results", "cannot be created")


def test_file_system_errors_are_reported_without_traceback(capsys, tmp_path):
    results = tmp_path / "r"
    results.mkdir()
    (results / "run.json").write_text("{not json")
    (results / "sites.gpkg").write_text("")
    code = main(["export", str(results), "--format", "gpx"])
    _assert_clean_failure(capsys, code, "run.json", "cannot be read")


def test_map_rebuild_reads_inputs_from_the_run_not_the_working_folder(
    tmp_path, scenario_dict, monkeypatch
):
    import os

    from .conftest import ROOT

    folder = tmp_path / "scenario"
    folder.mkdir()
    scenario_dict["data_dir"] = os.path.relpath(ROOT, folder)  # relative to the scenario file
    scenario_dict["grid"]["cell_size_m"] = 1000
    config = write_yaml(folder / "coarse.yaml", scenario_dict)
    out = tmp_path / "out"
    assert main(["run", "--config", str(config), "--out", str(out), "--quiet"]) == 0
    manifest = (out / "run.json").read_text()
    assert str(config.resolve()) in manifest, "the scenario file is an input of the run"
    monkeypatch.chdir(tmp_path)  # somewhere the relative data_dir does not point from
    assert main(["map", str(out)]) == 0


def test_every_subcommand_has_a_description_an_example_and_help_for_each_option():
    import argparse

    from siting.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == {"run", "fetch", "export", "map", "init-config"}
    for name, sub in commands.choices.items():
        assert sub.description, name
        assert sub.epilog and sub.epilog.startswith("example"), name
        for action in sub._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"{name} {action.dest}"


def test_help_starts_without_the_scientific_stack():
    """`siting --help` imports no raster or array library (start-up: benchmarks/startup.py)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from siting.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('xarray', 'rasterio', 'rioxarray', 'dask', 'pandas', "
        "'geopandas', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_streaming_run_says_so_and_names_its_scratch_disk(tmp_path, scenario_dict, capsys):
    import os

    from .conftest import ROOT

    scenario_dict["data_dir"] = os.path.relpath(ROOT, tmp_path)
    scenario_dict["grid"]["cell_size_m"] = 1000
    scenario_dict["grid"]["streaming"] = "on"
    config = write_yaml(tmp_path / "streamed.yaml", scenario_dict)
    assert main(["run", "--config", str(config), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    out = " ".join((captured.out + captured.err).split())
    assert "Streaming" in out and "scratch rasters up to" in out and "GiB" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "streamed.yaml"]
