"""Tests of siting.credits.ledger: a hand-computed ledger, summary, adjustments and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.credits import ledger as credits
from siting.errors import ParameterError
from siting.scenario.credits import CreditsSpec, credits_from_dict

# --------------------------------------------------------------------------------------------
# A small scenario whose ledger is computed by hand below.

SMALL = {
    "mechanism": "6.4",  # SOP 5 %, OMGE 2 %
    "host_share_fraction": 0.10,
    "first_vintage_year": 2026,
    "accounting_periods": [
        {"name": "to_2030", "first_year": 2021, "last_year": 2030, "buyer_target_tco2e": 10_000}
    ],
    "project_types": {
        "forest": {
            "kind": "removal",
            "uncertainty": {
                "method": "quantile",
                "conservative_statistic": "p10",
                "statistic_convention": "percentile",
            },
            "leakage_fraction": 0.10,
            "buffer_fraction": 0.20,
            "buffer_release_fraction": 0.5,
            "buffer_release_after_years": 5,
            "crediting": {"scheme": "renewable", "period_years": 2, "max_periods": 2},
        },
        "stoves": {
            "kind": "reduction",
            "uncertainty": {
                "method": "band",
                "conservative_statistic": None,
                "relative_uncertainty_90": 0.25,  # FCPF band 15-30 % -> 4 %
            },
            "crediting": {"scheme": "fixed", "period_years": 10},
        },
        "wind": {
            "kind": "reduction",
            "uncertainty": {
                "method": "quantile",
                "conservative_statistic": "p90",
                "statistic_convention": "exceedance",
            },
            "crediting": {"scheme": "fixed", "period_years": 1},
        },
    },
    "projects": {"S1": {"crediting_start_year": 2027}},
    "portfolio": [],
    "finance": {
        "price_scenarios": {"flat": {"price_usd_per_tco2": 10.0, "growth_per_year": 0.0}},
        "base_year": 2025,
        "discount_rate": 0.0,
        "sale_lag_years": 0,
    },
    "comparison_cases": [],
}


def small_spec(**changes) -> CreditsSpec:
    return credits_from_dict({**SMALL, **changes})


def mitigation(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["project_id", "project_type", "kind", "year", "statistic", "tco2e"]
    )


def small_mitigation() -> pd.DataFrame:
    rows = []
    for year in range(2025, 2031):
        rows += [("F1", "forest", "removal", year, "p50", 1000.0)]
        rows += [("F1", "forest", "removal", year, "p10", 800.0)]
    for year in (2026, 2027, 2028):
        rows += [("S1", "stoves", "reduction", year, "p50", 500.0)]
    for year in (2026, 2027):
        rows += [("W1", "wind", "reduction", year, "p50", 100.0)]
        rows += [("W1", "wind", "reduction", year, "p90", 90.0)]
    return mitigation(rows)


# Hand computation, one creditable forest year (gross p50 1000, conservative p10 800):
#   uncertainty 1000 - 800 = 200; leakage 10 % of 800 = 80; buffer 20 % of 720 = 144 withheld,
#   half released = 72 (in vintage + 5); issued 720 - 144 + 72 = 648; SOP 5 % = 32.4;
#   OMGE 2 % = 12.96; host 10 % of 602.64 = 60.264; transferable 542.376.
FOREST_YEAR = dict(
    creditable=1000.0, unc=200.0, leak=80.0, withheld=144.0, released=72.0, issued=648.0,
    sop=32.4, omge=12.96, host=60.264, itmo=542.376,
)  # fmt: skip
# Stoves (band: relative uncertainty 25 % -> 4 %): gross 500; uncertainty 20; issued 480;
#   SOP 24; OMGE 9.6; host 10 % of 446.4 = 44.64; transferable 401.76.
STOVE_YEAR = dict(
    creditable=500.0, unc=20.0, leak=0.0, withheld=0.0, released=0.0, issued=480.0,
    sop=24.0, omge=9.6, host=44.64, itmo=401.76,
)  # fmt: skip
# Wind (P90 exceedance 90 of P50 100): uncertainty 10; issued 90; SOP 4.5; OMGE 1.8;
#   host 8.37; transferable 75.33.
WIND_YEAR = dict(
    creditable=100.0, unc=10.0, leak=0.0, withheld=0.0, released=0.0, issued=90.0,
    sop=4.5, omge=1.8, host=8.37, itmo=75.33,
)  # fmt: skip
NOTHING = dict.fromkeys(FOREST_YEAR, 0.0)

# (project, vintage, gross, crediting period, in period, eligible, expected steps)
EXPECTED = [
    # F1: crediting starts 2025 (first year with removals), 2 x 2 years: 2025-2028; 2025 is
    # before first_vintage_year 2026, 2029-2030 after the last period.
    ("F1", 2025, 1000.0, 1, True, False, NOTHING),
    ("F1", 2026, 1000.0, 1, True, True, FOREST_YEAR),
    ("F1", 2027, 1000.0, 2, True, True, FOREST_YEAR),
    ("F1", 2028, 1000.0, 2, True, True, FOREST_YEAR),
    ("F1", 2029, 1000.0, 0, False, True, NOTHING),
    ("F1", 2030, 1000.0, 0, False, True, NOTHING),
    # S1: crediting_start_year 2027 given: 2026 is before the project's crediting starts.
    ("S1", 2026, 500.0, 0, False, True, NOTHING),
    ("S1", 2027, 500.0, 1, True, True, STOVE_YEAR),
    ("S1", 2028, 500.0, 1, True, True, STOVE_YEAR),
    # W1: one fixed year of crediting.
    ("W1", 2026, 100.0, 1, True, True, WIND_YEAR),
    ("W1", 2027, 100.0, 0, False, True, NOTHING),
]

STEP_COLUMNS = {
    "creditable": "creditable_tco2e",
    "unc": "uncertainty_deduction_tco2e",
    "leak": "leakage_deduction_tco2e",
    "withheld": "buffer_withheld_tco2e",
    "released": "buffer_released_tco2e",
    "issued": "issued_tco2e",
    "sop": "share_of_proceeds_tco2e",
    "omge": "omge_cancelled_tco2e",
    "host": "host_share_tco2e",
    "itmo": "transferable_itmos_tco2e",
}


@pytest.fixture(scope="module")
def small_projection() -> credits.CreditProjection:
    return credits.project_credits(small_mitigation(), small_spec())


def test_hand_computed_ledger(small_projection):
    ledger = small_projection.ledger
    assert list(ledger.columns) == list(credits.LEDGER_COLUMNS)
    assert list(zip(ledger["project_id"], ledger["vintage"], strict=True)) == [
        (row[0], row[1]) for row in EXPECTED
    ]
    for i, (_, _, gross, period, inside, eligible, steps) in enumerate(EXPECTED):
        row = ledger.iloc[i]
        assert row["gross_tco2e"] == gross
        assert row["crediting_period"] == period
        assert bool(row["in_crediting_period"]) is inside
        assert bool(row["eligible_vintage"]) is eligible
        assert row["not_creditable_tco2e"] == (gross if steps is NOTHING else 0.0)
        for key, column in STEP_COLUMNS.items():
            assert row[column] == pytest.approx(steps[key], rel=1e-12, abs=1e-12), (i, column)
    forest = ledger[ledger["project_id"] == "F1"]
    released = forest[forest["buffer_released_tco2e"] > 0]
    assert released["buffer_release_year"].tolist() == [2031, 2032, 2033]
    assert forest["crediting_period_start_year"].tolist()[:4] == [2025, 2025, 2027, 2027]
    assert forest["crediting_period_end_year"].tolist()[:4] == [2026, 2026, 2028, 2028]
    stoves = ledger[ledger["project_id"] == "S1"]
    assert stoves["relative_uncertainty_90"].tolist() == [0.25, 0.25, 0.25]


def test_hand_computed_summary(small_projection):
    summary = small_projection.summary.set_index(["level", "project_id"])
    forest = summary.loc[("project", "F1")]
    assert forest["itmos_to_2030_tco2e"] == pytest.approx(3 * 542.376, rel=1e-12)
    assert forest["share_of_target_to_2030"] == pytest.approx(3 * 542.376 / 10_000, rel=1e-12)
    # Percentiles: p10 (800 a year, no further uncertainty deduction) equals the ledger;
    # p90 is mirrored (2 x 1000 - 800 = 1200): 1200 x 0.9 x 0.9 x 0.93 x 0.9 = 813.564;
    # p50: 1000 -> 677.97 a year.
    assert forest["quantile_source"] == "input, one side mirrored"
    assert forest["itmos_to_2030_p10_tco2e"] == pytest.approx(3 * 542.376, rel=1e-12)
    assert forest["itmos_to_2030_p50_tco2e"] == pytest.approx(3 * 677.97, rel=1e-12)
    assert forest["itmos_to_2030_p90_tco2e"] == pytest.approx(3 * 813.564, rel=1e-12)
    # Stoves: no input quantiles; +-25 % (90 % CI) under a normal approximation gives the
    # 10th/90th percentiles 500 * (1 -+ 0.25 * z(0.9) / z(0.95)).
    stoves = summary.loc[("project", "S1")]
    spread = 0.25 * 1.2815515655446004 / 1.6448536269514722
    per_tonne = 0.93 * 0.9
    assert stoves["itmos_to_2030_p10_tco2e"] == pytest.approx(
        2 * 500 * (1 - spread) * per_tonne, rel=1e-9
    )
    assert stoves["itmos_to_2030_p90_tco2e"] == pytest.approx(
        2 * 500 * (1 + spread) * per_tonne, rel=1e-9
    )
    # NPV: price 10 flat, no discounting; released buffer units sold in their release year.
    assert forest["npv_seller_usd_flat"] == pytest.approx(10 * 3 * 542.376, rel=1e-12)
    assert forest["npv_host_usd_flat"] == pytest.approx(10 * 3 * 60.264, rel=1e-12)
    assert forest["npv_adaptation_fund_usd_flat"] == pytest.approx(10 * 3 * 32.4, rel=1e-12)
    total = summary.loc[("total", "")]
    assert total["itmos_to_2030_tco2e"] == pytest.approx(
        3 * 542.376 + 2 * 401.76 + 75.33, rel=1e-12
    )
    by_type = summary.xs("project_type", level="level").set_index("project_type")
    assert by_type.loc["wind", "transferable_itmos_tco2e"] == pytest.approx(75.33)
    assert total["gross_tco2e"] == 6 * 1000 + 3 * 500 + 2 * 100


def test_corresponding_adjustments_by_hand(small_projection):
    table = small_projection.corresponding_adjustments
    assert table["year"].tolist() == [2026, 2027, 2028, 2029, 2030]
    expected = [542.376 + 75.33, 542.376 + 401.76, 542.376 + 401.76, 0.0, 0.0]
    np.testing.assert_allclose(table["host_adjustment_tco2e"], expected, rtol=1e-12)
    np.testing.assert_allclose(table["buyer_adjustment_tco2e"], -np.array(expected), rtol=1e-12)
    np.testing.assert_allclose(table["cumulative_itmos_tco2e"], np.cumsum(expected), rtol=1e-12)
    assert set(table["host_party"]) == {"Mongolia"}
    assert set(table["buyer_party"]) == {"Republic of Korea"}
    assert set(table["accounting_period"]) == {"to_2030"}


def test_released_buffer_is_sold_after_its_release_year(small_projection):
    revenue = small_projection.revenue
    forest = revenue[(revenue["project_id"] == "F1") & (revenue["party"] == "seller")]
    # 72 of the 648 issued in each vintage were released five years later: 1/9 of the ITMOs.
    late = forest[forest["sale_year"] == forest["vintage"] + 5]
    assert late["tco2e"].to_numpy() == pytest.approx([542.376 / 9] * 3, rel=1e-12)
    assert forest["tco2e"].sum() == pytest.approx(3 * 542.376, rel=1e-12)


def test_article_6_2_defaults_take_no_share_of_proceeds():
    spec = small_spec(mechanism="6.2")
    ledger = credits.credit_ledger(small_mitigation(), spec)
    assert (ledger["share_of_proceeds_tco2e"] == 0).all()
    assert (ledger["omge_cancelled_tco2e"] == 0).all()
    assert set(ledger["mechanism"]) == {"6.2"}


def test_project_type_crediting_falls_back_to_the_mechanism():
    types = {**SMALL["project_types"]}
    types["forest"] = {k: v for k, v in types["forest"].items() if k != "crediting"}
    spec = small_spec(project_types=types)
    # Article 6.4 removals: 15 years renewable twice -> 2025-2069, every year in a period.
    ledger = credits.credit_ledger(small_mitigation(), spec)
    forest = ledger[ledger["project_id"] == "F1"]
    assert forest["in_crediting_period"].all()
    assert set(forest["crediting_period_end_year"]) == {2039}


def test_crediting_end_year_cuts_the_period():
    spec = small_spec(projects={"F1": {"crediting_end_year": 2026}})
    ledger = credits.credit_ledger(small_mitigation(), spec)
    forest = ledger[ledger["project_id"] == "F1"]
    assert forest["in_crediting_period"].tolist() == [True, True, False, False, False, False]


def test_band_derived_from_the_conservative_statistic():
    # Wind P50 100, P90 80 under the band method: (100 - 80) / 100 * z(0.95) / z(0.90) = 25.7 %
    # -> FCPF band 15-30 % -> 4 % deduction.
    types = {**SMALL["project_types"]}
    types["wind"] = {**types["wind"], "uncertainty": {**types["wind"]["uncertainty"]}}
    types["wind"]["uncertainty"]["method"] = "band"
    spec = small_spec(project_types=types)
    table = mitigation(
        [
            ("W1", "wind", "reduction", 2026, "p50", 100.0),
            ("W1", "wind", "reduction", 2026, "p90", 80.0),
        ]
    )
    ledger = credits.credit_ledger(table, spec)
    assert ledger["relative_uncertainty_90"].iloc[0] == pytest.approx(
        0.2 * 1.6448536269514722 / 1.2815515655446004
    )
    assert ledger["uncertainty_deduction_tco2e"].iloc[0] == pytest.approx(4.0)


def test_band_edges_belong_to_the_lower_band():
    spec = small_spec()
    assert spec.band_deduction(0.15) == 0.0
    assert spec.band_deduction(0.150001) == 0.04
    assert spec.band_deduction(1.0) == 0.12
    assert spec.band_deduction(1.5) == 0.15
    values = np.linspace(0, 1.2, 241)
    np.testing.assert_array_equal(
        credits._band_fractions(spec, values), [spec.band_deduction(v) for v in values]
    )


def test_portfolio_items_are_added_unless_given():
    spec = CreditsSpec()
    wind = mitigation(
        [
            ("W001", "wind", "reduction", 2027, "p50", 10.0),
            ("W001", "wind", "reduction", 2027, "p90", 9.0),
        ]
    )
    ledger = credits.project_credits(wind, spec).ledger
    assert set(ledger["project_id"]) == {"W001", "heat_plant", "ub_ebus", "ger_insulation"}
    own = mitigation([("heat_plant", "solar_thermal_heat", "reduction", 2030, "p50", 7.0)])
    ledger = credits.project_credits(own, spec).ledger
    heat = ledger[ledger["project_id"] == "heat_plant"]
    assert heat["gross_tco2e"].tolist() == [7.0]
    ledger = credits.project_credits(wind, spec, include_portfolio=False).ledger
    assert set(ledger["project_id"]) == {"W001"}


def test_compare_cases_6_2_vs_6_4():
    spec = small_spec()
    table = small_mitigation()
    cases = {
        "six_two": (table, small_spec(mechanism="6.2")),
        "six_four": (table, spec),
        "host_half": (table, small_spec(host_share_fraction=0.5)),
    }
    comparison = credits.compare_cases(cases)
    totals = comparison[comparison["level"] == "total"].set_index("case")
    assert list(totals.index) == ["six_two", "six_four", "host_half"]
    assert totals.loc["six_four", "itmos_to_2030_tco2e"] == pytest.approx(
        3 * 542.376 + 2 * 401.76 + 75.33
    )
    # Without SOP and OMGE every ITMO is 1 / 0.93 larger.
    assert totals.loc["six_two", "itmos_to_2030_tco2e"] == pytest.approx(
        totals.loc["six_four", "itmos_to_2030_tco2e"] / 0.93
    )
    assert totals.loc["host_half", "gross_tco2e"] == totals.loc["six_four", "gross_tco2e"]
    assert totals["mechanism"].tolist() == ["6.2", "6.4", "6.4"]
    assert set(comparison["level"]) == {"project_type", "total"}


def test_default_cases_run_with_the_default_settings():
    spec = CreditsSpec()
    table = mitigation(
        [
            ("R001", "reforestation", "removal", 2027, s, v)
            for s, v in (("p10", 50.0), ("p50", 80.0), ("p90", 110.0))
        ]
    )
    cases = {case.name: (table, spec.for_case(case.name)) for case in spec.comparison_cases}
    comparison = credits.compare_cases(cases)
    totals = comparison[comparison["level"] == "total"].set_index("case")
    assert totals.loc["article_6_4", "mechanism"] == "6.4"
    assert (
        totals.loc["article_6_4", "itmos_to_2030_tco2e"]
        < totals.loc["article_6_2", "itmos_to_2030_tco2e"]
    )


# --------------------------------------------------------------------------------------------
# Bad mitigation tables


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.assign(project_type="solar_sail"), "credits.project_types"),
        (lambda t: t.drop(columns="kind"), "lacks the column(s) ['kind']"),
        (lambda t: t.assign(tco2e=-t["tco2e"]), "mitigation.tco2e"),
        (lambda t: t.assign(tco2e=np.nan), "mitigation.tco2e"),
        (lambda t: t.assign(statistic="p95"), "mitigation.statistic"),
        (lambda t: t.assign(kind="reduction"), "credits.project_types.forest.kind"),
        (lambda t: pd.concat([t, t.iloc[[0]]]), "more than one row"),
        (lambda t: t[t["statistic"] != "p10"], "method quantile credits the 'p10'"),
        (lambda t: t[t["statistic"] != "p50"], "central_statistic"),
        (lambda t: t[~((t["statistic"] == "p10") & (t["year"] == 2027))], "no 'p10' value"),
    ],
)
def test_bad_mitigation_is_named(change, expected):
    table = small_mitigation()
    table = change(table[table["project_id"] == "F1"])
    with pytest.raises(ParameterError, match=None) as info:
        credits.credit_ledger(table, small_spec())
    assert expected in str(info.value)
    assert "Fix:" in str(info.value)


def test_band_without_any_uncertainty_is_refused():
    types = {**SMALL["project_types"]}
    types["stoves"] = {
        **types["stoves"],
        "uncertainty": {"method": "band", "conservative_statistic": None},
    }
    spec = small_spec(project_types=types)
    with pytest.raises(ParameterError, match="relative_uncertainty_90"):
        credits.credit_ledger(small_mitigation(), spec)


def test_end_year_before_derived_start_is_refused():
    spec = small_spec(projects={"F1": {"crediting_end_year": 2020}})
    with pytest.raises(ParameterError, match=r"credits\.projects\.F1\.crediting_end_year"):
        credits.credit_ledger(small_mitigation(), spec)


# --------------------------------------------------------------------------------------------
# Invariants

DEDUCTIONS = (
    "not_creditable_tco2e",
    "uncertainty_deduction_tco2e",
    "leakage_deduction_tco2e",
    "buffer_withheld_tco2e",
    "buffer_released_tco2e",
    "share_of_proceeds_tco2e",
    "omge_cancelled_tco2e",
    "host_share_tco2e",
    "transferable_itmos_tco2e",
)

fractions = st.floats(0, 1, allow_nan=False)


@st.composite
def scenarios(draw):
    """A random mitigation table and credits settings over the three small project types."""
    sop = draw(fractions)
    omge = draw(st.floats(0, 1 - sop))
    types = {name: dict(spec) for name, spec in SMALL["project_types"].items()}
    types["forest"].update(
        leakage_fraction=draw(fractions),
        buffer_fraction=draw(fractions),
        buffer_release_fraction=draw(fractions),
        crediting={
            "scheme": "renewable",
            "period_years": draw(st.integers(1, 8)),
            "max_periods": draw(st.integers(1, 3)),
        },
    )
    types["stoves"].update(
        leakage_fraction=draw(fractions),
        uncertainty={
            "method": "band",
            "conservative_statistic": None,
            "relative_uncertainty_90": draw(st.floats(0, 2)),
        },
    )
    types["wind"].update(crediting={"scheme": "fixed", "period_years": draw(st.integers(1, 12))})
    changes = dict(
        article_6_4={
            "share_of_proceeds_fraction": sop,
            "omge_fraction": omge,
            "crediting": {
                "reduction": {"period_years": 5},
                "removal": {"period_years": 15},
            },
        },
        host_share_fraction=draw(fractions),
        first_vintage_year=draw(st.integers(2018, 2030)),
        project_types=types,
        projects={},
    )
    if draw(st.booleans()):
        changes["projects"] = {"P0": {"crediting_start_year": draw(st.integers(2015, 2040))}}
    rows = []
    values = st.floats(0, 1e6, allow_nan=False)
    for i in range(draw(st.integers(1, 4))):
        project_type = draw(st.sampled_from(["forest", "stoves", "wind"]))
        kind = SMALL["project_types"][project_type]["kind"]
        first = draw(st.integers(2015, 2040))
        for year in range(first, first + draw(st.integers(1, 25))):
            central = draw(values)
            low = central * draw(st.floats(0, 1.2))
            rows.append((f"P{i}", project_type, kind, year, "p50", central))
            if project_type == "forest":
                rows.append((f"P{i}", project_type, kind, year, "p10", low))
            if project_type == "wind":
                rows.append((f"P{i}", project_type, kind, year, "p90", low))
    return mitigation(rows), changes


def check_invariants(ledger: pd.DataFrame) -> None:
    gross = ledger["gross_tco2e"].to_numpy()
    scale = np.maximum(gross, 1.0)
    transferable = ledger["transferable_itmos_tco2e"].to_numpy()
    assert (transferable <= gross + 1e-9 * scale).all()
    for column in DEDUCTIONS:
        assert (ledger[column] >= -1e-9 * scale).all(), column
    balance = (
        ledger["not_creditable_tco2e"]
        + ledger["uncertainty_deduction_tco2e"]
        + ledger["leakage_deduction_tco2e"]
        + ledger["buffer_withheld_tco2e"]
        - ledger["buffer_released_tco2e"]
        + ledger["share_of_proceeds_tco2e"]
        + ledger["omge_cancelled_tco2e"]
        + ledger["host_share_tco2e"]
        + ledger["transferable_itmos_tco2e"]
    ).to_numpy()
    np.testing.assert_allclose(balance, gross, rtol=1e-9, atol=1e-6)
    outside = ~ledger["in_crediting_period"] | ~ledger["eligible_vintage"]
    before_start = ledger["vintage"] < ledger["crediting_start_year"]
    assert not ledger.loc[before_start, "in_crediting_period"].any()
    for column in DEDUCTIONS[1:]:
        assert (ledger.loc[outside, column] == 0).all(), column
    np.testing.assert_array_equal(
        ledger.loc[outside, "not_creditable_tco2e"], ledger.loc[outside, "gross_tco2e"]
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), fractions)
def test_ledger_invariants(scenario, other_host_share):
    table, changes = scenario
    spec = small_spec(**changes)
    projection = credits.project_credits(table, spec)
    ledger = projection.ledger
    check_invariants(ledger)
    # Changing the host share never changes gross (nor anything before the host share).
    other = credits.credit_ledger(
        table, small_spec(**{**changes, "host_share_fraction": other_host_share})
    )
    np.testing.assert_array_equal(other["gross_tco2e"], ledger["gross_tco2e"])
    np.testing.assert_allclose(
        other["host_share_tco2e"] + other["transferable_itmos_tco2e"],
        ledger["host_share_tco2e"] + ledger["transferable_itmos_tco2e"],
        rtol=1e-12,
        atol=1e-6,
    )
    # The summary total is the sum of the projects; the adjustments match the ITMOs.
    summary = projection.summary
    total = summary[summary["level"] == "total"].iloc[0]
    projects = summary[summary["level"] == "project"]
    for column in ("gross_tco2e", "transferable_itmos_tco2e", "itmos_to_2030_tco2e"):
        assert total[column] == pytest.approx(projects[column].sum(), rel=1e-9, abs=1e-6)
    adjustments = projection.corresponding_adjustments
    eligible = ledger[ledger["eligible_vintage"]]
    assert adjustments["host_adjustment_tco2e"].sum() == pytest.approx(
        eligible["transferable_itmos_tco2e"].sum(), rel=1e-9, abs=1e-6
    )
    np.testing.assert_array_equal(
        adjustments["buyer_adjustment_tco2e"], -adjustments["host_adjustment_tco2e"]
    )


def test_same_input_gives_identical_tables():
    first = credits.project_credits(small_mitigation(), small_spec())
    second = credits.project_credits(
        small_mitigation().sample(frac=1, random_state=3), small_spec()
    )
    pd.testing.assert_frame_equal(first.ledger, second.ledger)
    pd.testing.assert_frame_equal(first.summary, second.summary)
    pd.testing.assert_frame_equal(first.revenue, second.revenue)
