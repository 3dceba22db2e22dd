"""A validated way to change a scenario: replace() and with_weights()."""

from __future__ import annotations

import pytest

import siting
from siting.errors import ConfigError


@pytest.fixture(scope="module")
def scenario():
    return siting.load_scenario()


def test_replace_by_dotted_path_and_by_section(scenario):
    changed = scenario.replace({"grid.cell_size_m": 500.0}, seed=3)
    assert changed.grid.cell_size_m == 500.0 and changed.seed == 3
    assert changed.grid.chunk_cells == scenario.grid.chunk_cells  # the rest of grid stays
    assert scenario.grid.cell_size_m == 250.0 and scenario.seed == 20251027  # original unchanged
    merged = scenario.replace(forest={"planting_capacity_ha_per_year": 3000.0})
    assert merged.forest.planting_capacity_ha_per_year == 3000.0
    assert merged.forest.first_planting_year == scenario.forest.first_planting_year
    assert merged.base_dir == scenario.base_dir


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"grid.cell_size_m": -5}, "grid.cell_size_m"),
        ({"nosuch.x": 1}, "'nosuch' is not a section"),
        ({"seeed": 1}, "seeed: unknown field"),
    ],
)
def test_replace_validates_again(scenario, changes, message):
    with pytest.raises(ConfigError, match=message):
        scenario.replace(changes)


def test_with_weights_replaces_the_ahp_judgements(scenario):
    names = list(scenario.reforestation.criteria)
    assert scenario.reforestation.ahp is not None  # the default scores larch land by AHP
    equal = scenario.with_weights("reforestation", dict.fromkeys(names, 1.0), normalise=True)
    assert equal.reforestation.ahp is None
    assert equal.reforestation.weights == pytest.approx(dict.fromkeys(names, 1 / len(names)))
    keywords = scenario.with_weights("wind", **dict.fromkeys(scenario.wind.criteria, 0.2))
    assert sum(keywords.wind.weights.values()) == pytest.approx(1.0)


def test_with_weights_names_the_problem(scenario):
    with pytest.raises(ConfigError, match="missing"):
        scenario.with_weights("wind", wind_speed=1.0)
    with pytest.raises(ConfigError, match="sum to"):
        scenario.with_weights("wind", dict.fromkeys(scenario.wind.criteria, 1.0))
    with pytest.raises(ConfigError, match="not a land use"):
        scenario.with_weights("solar", {})
