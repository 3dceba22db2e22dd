"""The embedded moron.yaml is the one source of the scenario defaults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from siting.scenario.base import Uncertain
from siting.scenario.credits import CreditsSpec, MechanismSettings, credits_from_dict
from siting.scenario.defaults import Section, defaults_at
from siting.scenario.forest import FireSpec, ForestSpec
from siting.scenario.land import Sensitivity, SiteRules
from siting.scenario.load import load_scenario, scenario_from_dict
from siting.scenario.model import Scenario
from siting.scenario.wind import LayoutSpec, WindYieldSpec

#: Sections a scenario may omit: each is the embedded scenario's when omitted.
OPTIONAL_SECTIONS = (
    "grid",
    "terrain",
    "wind_resource",
    "wind_yield",
    "forest",
    "credits",
    "output",
)


def _all_sections(cls: type[Section] = Section) -> set[type[Section]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_sections(sub)
    return found


def _placed_sections() -> Iterator[tuple[type[Section], str]]:
    """Every section class with each place in moron.yaml it fills, walking from the top."""

    def walk(cls: type[Section], path: str) -> Iterator[tuple[type[Section], str]]:
        yield cls, path
        defaults = defaults_at(path)
        for name, field in cls.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, Section):
                assert name in defaults, f"{path}.{name}: section missing from moron.yaml"
                yield from walk(annotation, f"{path}.{name}")

    for name in OPTIONAL_SECTIONS:
        yield from walk(Scenario.model_fields[name].annotation, name)


PLACED = list(_placed_sections())


def test_every_section_class_has_a_place_in_the_yaml():
    assert {cls for cls, _ in PLACED} == _all_sections()
    for cls, path in PLACED:
        if cls.yaml_path is not None:
            assert cls.yaml_path == path, f"{cls.__name__} sits at {path}, not {cls.yaml_path}"


def test_mechanism_settings_are_placed_twice():
    paths = sorted(path for cls, path in PLACED if cls is MechanismSettings)
    assert paths == ["credits.article_6_2", "credits.article_6_4"]


@pytest.mark.parametrize(("cls", "path"), PLACED, ids=[path for _, path in PLACED])
def test_no_value_the_yaml_sets_has_a_python_default(cls, path):
    defaults = defaults_at(path)
    assert set(defaults) <= set(cls.model_fields), f"{path}: keys that are not fields"
    with_default = [name for name in defaults if not cls.model_fields[name].is_required()]
    assert not with_default, f"{path}: Python defaults for {with_default}; moron.yaml holds them"


def test_a_missing_field_takes_the_yaml_value_and_a_given_one_is_kept():
    spec = ForestSpec.model_validate({"n_draws": 50, "pools": {"dead_wood": True}})
    assert spec.n_draws == 50
    assert spec.horizon_year == defaults_at("forest")["horizon_year"] == 2060
    assert spec.pools.dead_wood
    assert spec.pools.litter is False
    assert spec.pools.dead_wood_fraction_of_tree_carbon == 0.08  # AR-TOOL12
    layout = LayoutSpec(grid_connection_cap_mw=50.0)
    assert layout.grid_connection_cap_mw == 50.0
    assert (
        layout.max_capacity_mw_per_site
        == defaults_at("wind_yield.layout")["max_capacity_mw_per_site"]
    )


def test_a_given_uncertain_value_is_not_merged_with_the_default():
    fire = FireSpec.model_validate({"loss_fraction": {"value": 0.3}})
    assert fire.loss_fraction == Uncertain(value=0.3)
    assert (fire.loss_fraction.low, fire.loss_fraction.high) == (None, None)
    assert fire.probability_per_year == Uncertain(
        **defaults_at("forest.fire")["probability_per_year"]
    )


def test_a_given_list_or_mapping_replaces_the_default():
    spec = credits_from_dict({"portfolio": [], "comparison_cases": []})
    assert spec.portfolio == [] and spec.comparison_cases == []
    forest = ForestSpec.model_validate({"species_by_climate": {"arid": "pinus_sylvestris"}})
    assert forest.species_by_climate == {"arid": "pinus_sylvestris"}
    assert forest.site_quality.suitability_floor == 0.5
    months = [0.0] * 12
    forest = ForestSpec.model_validate({"climate_zone": {"station_monthly_mean_c": months}})
    assert forest.climate_zone.station_monthly_mean_c == tuple(months)
    assert forest.climate_zone.station_elevation_m == 1283


def test_one_section_class_at_two_places_fills_from_each():
    spec = credits_from_dict(
        {"article_6_2": {"omge_fraction": 0.01}, "article_6_4": {"omge_fraction": 0.03}}
    )
    six_two, six_four = defaults_at("credits.article_6_2"), defaults_at("credits.article_6_4")
    assert spec.article_6_2.omge_fraction == 0.01
    assert spec.article_6_4.omge_fraction == 0.03
    assert spec.article_6_2.share_of_proceeds_fraction == six_two["share_of_proceeds_fraction"]
    assert spec.article_6_4.share_of_proceeds_fraction == six_four["share_of_proceeds_fraction"]
    assert spec.article_6_4.crediting["reduction"].period_years == 5  # Decision 3/CMA.3
    assert spec.article_6_2.crediting["reduction"].period_years == 7  # CDM
    assert spec.article_6_4.source == six_four["source"]


def test_empty_sections_are_the_embedded_ones():
    scenario = load_scenario()
    assert WindYieldSpec() == scenario.wind_yield
    assert ForestSpec() == scenario.forest
    assert CreditsSpec() == credits_from_dict(None) == scenario.credits


def test_defaults_cannot_be_changed_through_the_mapping():
    defaults_at("wind_yield.layout")["crosswind_spacing_d"] = 99
    assert LayoutSpec().crosswind_spacing_d == 4


def test_omitted_sections_are_the_embedded_scenario(scenario_dict):
    for name in OPTIONAL_SECTIONS:
        del scenario_dict[name]
    scenario_dict["wind_yield"] = {"layout": {"grid_connection_cap_mw": 50}}
    scenario = scenario_from_dict(scenario_dict)
    default = load_scenario()
    assert scenario.wind_yield.layout.grid_connection_cap_mw == 50
    assert scenario.wind_yield.turbine == default.wind_yield.turbine
    for name in set(OPTIONAL_SECTIONS) - {"wind_yield"}:
        assert getattr(scenario, name) == getattr(default, name), name


def test_land_uses_keep_generic_defaults(scenario_dict):
    del scenario_dict["wind"]["sites"]
    scenario = scenario_from_dict(scenario_dict)
    assert scenario.wind.sites == SiteRules()
    # moron.yaml leaves the weight sensitivity at its default: 200 draws of +-20 %.
    assert (
        scenario.reforestation.sensitivity == Sensitivity() == Sensitivity(n_draws=200, spread=0.2)
    )


def test_the_embedded_scenario_validates(default_dict):
    scenario = scenario_from_dict(default_dict, label="moron.yaml")
    assert scenario.name == "moron"
    # It writes every optional section out, so that a user sees (and can edit) each value.
    assert set(OPTIONAL_SECTIONS) <= set(default_dict)
