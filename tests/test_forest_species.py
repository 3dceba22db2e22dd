"""Tests of the species library: shipped files, sources on every parameter, clear refusals."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from siting.errors import InputDataError, ParameterError
from siting.forest.species import Sourced, SourcedRange
from siting.io.species import check_species_name, known_species, load_species, load_species_file
from siting.scenario.forest import ForestSpec

REQUIRED = ("larix_sibirica", "pinus_sylvestris", "betula_platyphylla")


def _parameters(model):
    """Every sourced parameter of a species model, with its dotted path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Sourced | SourcedRange):
            yield name, value
        elif isinstance(value, dict):
            for key, inner_model in value.items():
                for inner, parameter in _parameters(inner_model):
                    yield f"{name}.{key}.{inner}", parameter
        elif hasattr(type(value), "model_fields"):
            for inner, parameter in _parameters(value):
                yield f"{name}.{inner}", parameter


def _larch_dict() -> dict:
    path = resources.files("siting").joinpath("scenario/species/larix_sibirica.yaml")
    text = path.read_text("utf-8")
    return yaml.safe_load(text)


def test_the_three_required_species_ship_inside_the_package():
    assert set(REQUIRED) <= set(known_species())
    for name in REQUIRED:
        assert resources.files("siting").joinpath(f"scenario/species/{name}.yaml").is_file()


@pytest.mark.parametrize("name", REQUIRED)
def test_every_parameter_has_a_source(name):
    species = load_species(name)
    parameters = dict(_parameters(species))
    assert len(parameters) >= 20  # two zones of 7 growth and root:shoot values, 6 common
    for path, parameter in parameters.items():
        assert parameter.source.strip(), f"{name}: {path} has no source"


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("zone", ["boreal", "temperate_continental"])
def test_uncertain_parameters_carry_ranges(name, zone):
    species = load_species(name).stand(zone)
    for parameter in (
        species.growth.agb_growth_t_dm_per_ha_per_year,
        species.root_shoot.below_threshold,
        species.root_shoot.above_threshold,
        species.carbon_fraction,
        species.survival,
    ):
        assert parameter.distribution != "fixed"
        assert parameter.low < parameter.value < parameter.high


def test_larch_holds_the_ipcc_tier1_numbers_of_each_zone():
    """IPCC 2019 Refinement Vol. 4 Ch. 4: boreal coniferous plantations, Asia, 1.0 (0.5-1.9)
    t d.m./ha/yr (Table 4.10), boreal root:shoot 0.39 up to 75 t/ha and 0.24 above (Table 4.4),
    the boreal mountain system's natural-forest stock 100 t/ha (Table 4.7); temperate
    continental Larix plantations 4.0 (2.1-7.6) t/ha/yr and 112.9 t/ha, root:shoot 0.48 up to
    125 t/ha and 0.19 above; carbon fraction 0.47 (IPCC 2006 Table 4.3)."""
    species = load_species("larix_sibirica")
    assert set(species.zones) == {"boreal", "temperate_continental"}
    boreal, temperate = species.stand("boreal"), species.stand("temperate_continental")
    growth = boreal.growth.agb_growth_t_dm_per_ha_per_year
    assert (growth.value, growth.low, growth.high) == (1.0, 0.5, 1.9)
    assert boreal.growth.agb_max_t_dm_per_ha.value == 100.0
    assert boreal.growth.age_at_90_percent_of_max_years.value == 81.5
    assert boreal.root_shoot.threshold_agb_t_dm_per_ha.value == 75.0
    assert boreal.root_shoot.below_threshold.value == 0.39
    assert boreal.root_shoot.above_threshold.value == 0.24
    growth = temperate.growth.agb_growth_t_dm_per_ha_per_year
    assert (growth.value, growth.low, growth.high) == (4.0, 2.1, 7.6)
    assert temperate.growth.agb_max_t_dm_per_ha.value == 112.9
    assert temperate.root_shoot.threshold_agb_t_dm_per_ha.value == 125.0
    assert temperate.root_shoot.below_threshold.value == 0.48
    assert temperate.root_shoot.above_threshold.value == 0.19
    assert temperate.growth.shape.estimate
    assert species.carbon_fraction.value == 0.47
    assert (species.survival.value, species.survival.low, species.survival.high) == (0.65, 0.4, 0.9)
    assert species.survival.estimate  # the survival default is an estimate (Gradel et al. 2019)
    assert boreal.survival == species.survival  # common parameters are the same in every zone
    assert not species.grows_in("polar")


def test_unknown_species_lists_the_known_ones():
    with pytest.raises(ParameterError) as caught:
        check_species_name("quercus_mongolica")
    message = str(caught.value)
    assert "quercus_mongolica" in message
    for name in REQUIRED:
        assert name in message


def test_scenario_refuses_an_unknown_species():
    with pytest.raises(ValidationError, match="larix_sibirica"):
        ForestSpec(species="larix_decidua")
    with pytest.raises(ValidationError, match="pinus_sylvestris"):
        ForestSpec(species_by_climate={"arid": "ulmus_pumila"})


def test_a_parameter_without_source_is_refused(tmp_path):
    data = _larch_dict()
    data["carbon_fraction"]["source"] = "  "
    path = tmp_path / "larix_sibirica.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(InputDataError, match="carbon_fraction.*source"):
        load_species_file(path)


def test_growth_beyond_the_maximum_stock_is_refused_with_the_fix(tmp_path):
    data = _larch_dict()
    growth = data["zones"]["temperate_continental"]["growth"]
    growth["agb_max_t_dm_per_ha"]["value"] = 60.0  # 20 yr x 4.0 = 80 > 60
    path = tmp_path / "larix_sibirica.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(InputDataError, match=r"calibration_years below 15"):
        load_species_file(path)


def test_file_name_and_species_name_must_agree(tmp_path):
    path = tmp_path / "larch.yaml"
    path.write_text(yaml.safe_dump(_larch_dict()), "utf-8")
    with pytest.raises(InputDataError, match="differs from the file name"):
        load_species_file(path)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(InputDataError, match="nothing.yaml"):
        load_species_file(tmp_path / "nothing.yaml")


def test_a_valid_copy_loads_like_the_shipped_file(tmp_path):
    path = tmp_path / "larix_sibirica.yaml"
    path.write_text(yaml.safe_dump(_larch_dict()), "utf-8")
    assert load_species_file(path) == load_species("larix_sibirica")
