"""The credits section of a scenario: defaults, cases, and bad input named by field."""

from __future__ import annotations

import copy

import pytest
import yaml

from siting.errors import ConfigError
from siting.scenario.credits import CreditsSpec, credits_from_dict


@pytest.fixture(scope="module")
def defaults() -> dict:
    """The default credits section as a plain dictionary (as it would be in YAML)."""
    return CreditsSpec().model_dump(mode="json")


def test_empty_section_gives_the_defaults():
    assert credits_from_dict(None) == CreditsSpec()
    assert credits_from_dict({}) == CreditsSpec()


def test_defaults_round_trip_through_yaml(defaults):
    text = yaml.safe_dump(defaults, sort_keys=False)
    assert credits_from_dict(yaml.safe_load(text)) == CreditsSpec()


def test_default_values():
    spec = CreditsSpec()
    assert spec.mechanism == "6.2"
    assert spec.article_6_4.share_of_proceeds_fraction == 0.05
    assert spec.article_6_4.omge_fraction == 0.02
    assert spec.crediting_for("wind").total_years == 21  # CDM: 7 years x 3
    assert spec.crediting_for("reforestation").total_years == 60  # CDM A/R: 20 years x 3
    six_four = spec.for_case("article_6_4")
    assert six_four.mechanism == "6.4"
    assert six_four.crediting_for("wind").total_years == 15  # A6.4: 5 years x 3
    assert six_four.crediting_for("reforestation").total_years == 45  # A6.4: 15 years x 3
    assert [p.buyer_target_tco2e for p in spec.accounting_periods] == [37.5e6, 37.5e6]
    names = [case.name for case in spec.comparison_cases]
    assert names == [
        "article_6_2",
        "article_6_4",
        "grid_ef_0.797",
        "grid_ef_1.19",
        "survival_low",
        "survival_high",
    ]
    assert spec.case("grid_ef_1.19").grid_ef_tco2_per_mwh == 1.19
    assert spec.case("survival_low").forest_survival_fraction == 0.40
    # Upstream overrides leave the credit settings as they are.
    assert spec.for_case("grid_ef_0.797").model_dump(exclude={"comparison_cases"}) == (
        spec.model_dump(exclude={"comparison_cases"})
    )


def test_unquoted_mechanism_from_yaml():
    assert credits_from_dict(yaml.safe_load("mechanism: 6.4")).mechanism == "6.4"


def test_fixed_crediting_period_is_one_period():
    wind = {
        "kind": "reduction",
        "uncertainty": {"method": "none"},
        "crediting": {"scheme": "fixed", "period_years": 10},
    }
    spec = credits_from_dict({"project_types": {"wind": wind}, "portfolio": []})
    assert spec.crediting_for("wind").periods == 1
    assert spec.crediting_for("wind").total_years == 10


def test_case_overrides_merge_nested_fields():
    spec = credits_from_dict(
        {
            "comparison_cases": [
                {
                    "name": "short_wind",
                    "credits": {"project_types": {"wind": {"crediting": {"period_years": 3}}}},
                }
            ]
        }
    )
    case = spec.for_case("short_wind")
    # A renewable period of 3 years, renewed up to 3 periods by default.
    assert case.crediting_for("wind").period_years == 3
    assert case.crediting_for("wind").total_years == 9
    # Everything else of the wind type is kept.
    assert case.project_types["wind"].uncertainty == spec.project_types["wind"].uncertainty
    assert case.comparison_cases == []


def test_unknown_case_is_named():
    with pytest.raises(ConfigError, match="no case named 'nope'"):
        CreditsSpec().for_case("nope")


def _set(path: str, value):
    """A change to the default section: set the dotted ``path`` to ``value``."""

    def change(section: dict) -> None:
        *parents, last = path.split(".")
        node = section
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # Shares and deductions outside 0-1.
        (_set("host_share_fraction", 1.5), "credits.host_share_fraction"),
        (_set("host_share_fraction", -0.1), "credits.host_share_fraction"),
        (
            _set("project_types.reforestation.leakage_fraction", -0.1),
            "credits.project_types.reforestation.leakage_fraction",
        ),
        (
            _set("project_types.reforestation.buffer_fraction", 20),
            "credits.project_types.reforestation.buffer_fraction",
        ),
        (
            _set("article_6_4.share_of_proceeds_fraction", 5),
            "credits.article_6_4.share_of_proceeds_fraction",
        ),
        (_set("uncertainty_bands.1.deduction_fraction", 1.2), "credits.uncertainty_bands.1"),
        # Deductions summing past 1 (both taken from the issued units).
        (_set("article_6_4.omge_fraction", 0.96), "omge_fraction = 1.01 exceeds 1"),
        # A crediting period that ends before it starts.
        (
            _set("projects", {"W001": {"crediting_start_year": 2030, "crediting_end_year": 2025}}),
            "credits.projects.W001: crediting_end_year 2025 is before crediting_start_year 2030",
        ),
        (
            _set("article_6_2.crediting.removal.period_years", 0),
            "credits.article_6_2.crediting.removal.period_years",
        ),
        (
            _set("accounting_periods.0.last_year", 2020),
            "credits.accounting_periods.0: last_year 2020 is before first_year 2021",
        ),
        # Unknown project type.
        (
            _set("portfolio.0.project_type", "solar_sail"),
            "portfolio.0.project_type: 'solar_sail' is not a project type",
        ),
        (_set("project_types.wind.kind", "avoidance"), "credits.project_types.wind.kind"),
        (_set("portfolio.1.item", "tram"), "credits.portfolio.1"),
        # Other inconsistent settings.
        (_set("mechanism", "6.3"), "credits.mechanism"),
        (
            _set("project_types.wind.buffer_fraction", 0.1),
            "a non-permanence buffer applies to removals only",
        ),
        (
            _set("project_types.wind.uncertainty.conservative_statistic", "p10"),
            "conservative_statistic p10 is the high side under the exceedance convention",
        ),
        (
            _set(
                "project_types.reforestation.crediting",
                {"scheme": "fixed", "period_years": 30, "max_periods": 3},
            ),
            "a fixed crediting period is not renewed",
        ),
        (
            _set("uncertainty_bands.1.max_relative_uncertainty", 0.1),
            "max_relative_uncertainty must increase",
        ),
        (_set("finance.discount_rate", 1.5), "credits.finance.discount_rate"),
        (
            _set("finance.price_scenarios.mid.growth_per_year", -1.0),
            "credits.finance.price_scenarios.mid.growth_per_year",
        ),
        (_set("comparison_cases.1.credits", {"host_share_fraction": 2}), "comparison_cases.1"),
        (_set("comparison_cases.2.name", "article_6_2"), "names must be unique"),
        (_set("host_shar_fraction", 0.1), "credits.host_shar_fraction: unknown field"),
    ],
)
def test_bad_section_is_named(defaults, change, expected):
    section = copy.deepcopy(defaults)
    change(section)
    with pytest.raises(ConfigError) as info:
        credits_from_dict(section, label="moron.yaml")
    message = str(info.value)
    assert message.startswith("moron.yaml:")
    assert expected in message, message
