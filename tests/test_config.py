"""Scenario validation: the default is valid; bad fields are named with what is allowed."""

import pytest

from siting.config import load_scenario, scenario_from_dict
from siting.errors import ConfigError

from .conftest import write_yaml


def test_default_scenario_is_valid_and_resolves_embedded_data():
    scenario = load_scenario()
    assert scenario.name == "moron"
    assert scenario.aoi.bbox_lonlat == (99.0, 49.0, 101.5, 50.5)
    assert scenario.grid.cell_size_m == 250
    for spec in scenario.layers.rasters.values():
        assert scenario.resolve(spec.path).is_file()


def test_relative_data_dir_is_taken_from_the_scenario_file(tmp_path, scenario_dict):
    scenario_dict["data_dir"] = "mydata"
    path = write_yaml(tmp_path / "s.yaml", scenario_dict)
    scenario = load_scenario(path)
    assert scenario.resolve("rasters/x.tif") == tmp_path / "mydata" / "rasters" / "x.tif"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["grid"].update(cell_size_m=-5), "grid.cell_size_m"),
        (lambda d: d["grid"].update(cel_size_m=5), "grid.cel_size_m: unknown field"),
        (lambda d: d["aoi"].update(bbox_lonlat=[101, 49, 99, 50]), "west < east"),
        (
            lambda d: d["layers"]["rasters"]["landcover"].update(kind="nominal"),
            "layers.rasters.landcover.kind",
        ),
        (lambda d: d["wind"]["weights"].update(exposure=0.9), "weights sum to 1.55"),
        (lambda d: d["wind"]["weights"].pop("exposure"), "missing ['exposure']"),
        (lambda d: d["wind"]["exclusions"][0].update(kind="donut"), "wind.exclusions.0"),
        (
            lambda d: d["wind"]["exclusions"][4].update(layer="roads"),
            "wind.exclusions.4.layer: 'roads' is not a vector layer",
        ),
        (
            lambda d: d["wind"]["criteria"]["exposure"].update(layer="wind_speed"),
            "wind.criteria.exposure.layer: 'wind_speed' is not a raster layer",
        ),
        (
            lambda d: d["reforestation"]["exclusions"][0].update(exclude=["lava"]),
            "unknown class names ['lava']",
        ),
        (
            lambda d: d["reforestation"]["criteria"]["elevation_band"]["membership"].update(b=3000),
            "need a <= b <= c <= d",
        ),
        (
            lambda d: d["wind"]["criteria"]["gentle_slope"]["membership"].update(high=15),
            "low and high must differ",
        ),
        (
            lambda d: d["wind"]["criteria"]["land_cover"]["membership"]["scores"].update(
                grassland=2
            ),
            "less than or equal to 1",
        ),
        (lambda d: d.pop("aoi"), "aoi: required field is missing"),
    ],
)
def test_invalid_fields_are_named(scenario_dict, change, expected):
    change(scenario_dict)
    with pytest.raises(ConfigError) as info:
        scenario_from_dict(scenario_dict, label="my.yaml")
    message = str(info.value)
    assert message.startswith("my.yaml:")
    assert expected in message


def test_missing_file_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found.*init-config"):
        load_scenario(tmp_path / "nope.yaml")


def test_yaml_syntax_error_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_scenario(path)


def test_weights_or_ahp_but_not_both(scenario_dict):
    scenario_dict["wind"]["ahp"] = {"judgements": [["exposure", "gentle_slope", 3]]}
    with pytest.raises(ConfigError, match="exactly one of weights or ahp"):
        scenario_from_dict(scenario_dict)
