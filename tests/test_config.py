"""Scenario validation: the default is valid; bad fields are named with what is allowed."""

import pytest

from siting.errors import ConfigError
from siting.scenario.load import load_scenario, scenario_from_dict

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
        (lambda d: _use_weights(d, wind_speed=0.9), "weights sum to 1.5"),
        (lambda d: _use_weights(d, wind_speed=None), "missing ['wind_speed']"),
        (lambda d: _use_weights(d, wind_speed=-0.1), "greater than or equal to 0"),
        (lambda d: d["wind"]["ahp"]["judgements"][0].__setitem__(2, 0), "greater than 0"),
        (lambda d: d["wind"]["exclusions"][0].update(kind="donut"), "wind.exclusions.0"),
        (
            lambda d: d["wind"]["exclusions"][4].update(layer="roads"),
            "wind.exclusions.4.layer: 'roads' is not a vector layer",
        ),
        (
            lambda d: d["wind"]["criteria"]["wind_speed"].update(layer="gwa_speed"),
            "wind.criteria.wind_speed.layer: 'gwa_speed' is not a raster layer",
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


WIND_WEIGHTS = {
    "wind_speed": 0.4,
    "gentle_slope": 0.1,
    "grid_distance": 0.3,
    "airport_study_zone": 0.1,
    "land_cover": 0.1,
}


def _use_weights(d, **changes):
    """Replace the wind AHP judgements by direct weights, with some changed (None = drop)."""
    d["wind"].pop("ahp")
    weights = {**WIND_WEIGHTS, **changes}
    d["wind"]["weights"] = {k: v for k, v in weights.items() if v is not None}


def test_direct_weights_are_accepted(scenario_dict):
    _use_weights(scenario_dict)
    assert scenario_from_dict(scenario_dict).wind.weights == WIND_WEIGHTS


def test_weights_or_ahp_but_not_both(scenario_dict):
    scenario_dict["wind"]["weights"] = WIND_WEIGHTS
    with pytest.raises(ConfigError, match="exactly one of weights or ahp"):
        scenario_from_dict(scenario_dict)


def test_inconsistent_ahp_judgements_are_refused_with_the_cr(scenario_dict):
    judgements = scenario_dict["wind"]["ahp"]["judgements"]
    # wind_speed > grid_distance > land_cover, yet land_cover 9x wind_speed: inconsistent
    judgements[1] = ["land_cover", "wind_speed", 9]
    with pytest.raises(ConfigError, match=r"- wind: ahp: .*CR = \d\.\d+ ≥ 0\.10"):
        scenario_from_dict(scenario_dict)


def test_ahp_full_matrix_must_be_reciprocal(scenario_dict):
    scenario_dict["wind"]["ahp"] = {
        "matrix": [
            [1, 2, 3, 3, 4],
            [1 / 2, 1, 2, 2, 2],
            [1 / 3, 1 / 2, 1, 1, 1],
            [1 / 3, 1 / 2, 1, 1, 1],
            [1 / 4, 1 / 2, 1, 3, 1],  # 3 here but 1 above: not reciprocal
        ]
    }
    with pytest.raises(ConfigError, match=r"- wind: ahp: .*reciprocal"):
        scenario_from_dict(scenario_dict)


def test_default_ahp_weights_are_consistent():
    from siting.land.scoring import use_weights

    scenario = load_scenario()
    for name in ("reforestation", "wind"):
        weights, ahp = use_weights(getattr(scenario, name))
        assert ahp.consistency_ratio < 0.10
        assert sum(weights.values()) == pytest.approx(1.0)
    assert max(weights, key=weights.get) == "wind_speed"
