"""Validation of siting.forest.sequestration against hand computations and analytic results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.forest.sequestration import (
    assess_forest_sites,
    deterministic_sequestration,
    draw_parameters,
    draw_quantiles,
    iter_stock_draws,
    plan_sites,
    species_needed,
)
from siting.io.species import known_species, load_species, load_species_library
from siting.scenario.base import Uncertain
from siting.scenario.forest import DrawnParametersSpec, ForestSpec

#: Every shipped species, as the forest functions take them.
SPECIES = load_species_library(known_species())

OFF = DrawnParametersSpec(
    growth=False,
    survival=False,
    mortality=False,
    root_shoot=False,
    carbon_fraction=False,
    disturbance=False,
)


def fixed(value: float) -> Uncertain:
    return Uncertain(value=value, source="test")


def one_site(area_ha: float = 100.0, score: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"site_id": ["R1"], "area_ha": [area_ha], "score_mean": [score]})


def tier1_spec(**changes) -> ForestSpec:
    """Larch, every seedling survives, no mortality, no fire, no optional pool."""
    base = dict(
        first_planting_year=2027,  # the hand computations below count from 2027
        survival=fixed(1.0),
        background_mortality_per_year=fixed(0.0),
        fire={"probability_per_year": fixed(0.0), "loss_fraction": fixed(0.5)},
        planting_capacity_ha_per_year=10_000.0,
        uncertainty=OFF,
    )
    base.update(changes)
    return ForestSpec(**base)


def all_draws(sites, spec, seed=0, climate=None, n_draws=None) -> np.ndarray:
    plan = plan_sites(sites, spec, SPECIES, climate)
    out = np.zeros((n_draws or spec.n_draws, len(plan.site_ids), plan.years.size))
    for idx, block in iter_stock_draws(plan, spec, seed, n_draws=n_draws):
        out[:, idx] = block
    return out


def test_ipcc_tier1_hand_computation_for_boreal_larch_over_20_years():
    """IPCC Tier 1 (2006 Vol. 4 eq. 2.9, 2.10): ΔC = A × G_W × (1 + R) × CF, × 44/12.

    Boreal larch (IPCC 2019 Refinement Vol. 4 Ch. 4 Tables 4.10 and 4.4): G_W = 1.0 t d.m./ha/yr,
    R = 0.39 (AGB ≤ 75 t/ha), CF = 0.47 (IPCC 2006 Table 4.3). Over 20 years on 100 ha:
        100 × 20 × 1.0 × 1.39 × 0.47 × 44/12 = 4,790.87 tCO2e.
    The Chapman–Richards curve holds B(20) = 20 × G_W exactly and R stays in its class
    (20 t/ha ≤ 75 t/ha), so the deterministic stock after 20 growing seasons equals the Tier 1
    sum (rtol 1e-12). A site without an elevation sits at the station (Mörön, 1,283 m): three
    months ≥ 10 °C, boreal.
    """
    tier1_per_ha_per_year = 1.0 * (1 + 0.39) * 0.47 * 44 / 12  # 2.39543 tCO2e/ha/yr
    expected = 100 * 20 * tier1_per_ha_per_year
    assert expected == pytest.approx(4_790.87, abs=0.01)

    path = deterministic_sequestration(one_site(), tier1_spec(), SPECIES, climate_class={"R1": 4})
    stock = path.set_index("year")["tco2e_stock"]
    # planted in spring 2027: its 20th growing season ends in 2046
    assert stock[2046] == pytest.approx(expected, rel=1e-12)
    assert path.query("year <= 2046")["tco2e_annual"].sum() == pytest.approx(expected, rel=1e-12)
    assert stock[2036] < 100 * 10 * tier1_per_ha_per_year  # slow start of the sigmoid curve
    # the site table's per-hectare rate is the same 20-year mean, and names the zone
    result = assess_forest_sites(one_site(), tier1_spec(), SPECIES, climate_class={"R1": 4})
    site = result.sites.loc["R1"]
    assert site["tco2e_per_ha_per_year_p50"] == pytest.approx(tier1_per_ha_per_year, rel=1e-12)
    assert (site["climate_zone"], site["warm_months"]) == ("boreal", 3)


def test_a_low_site_is_temperate_continental_with_its_tier1_numbers():
    """At 1,000 m the station normals warm by 6.5 K/km × 0.283 km = 1.84 K: May (9.7 → 11.5 °C)
    joins June–August, four months ≥ 10 °C: temperate continental (FAO 2012). Larch there:
    G_W = 4.0, R = 0.48 (IPCC 2019 Table 4.10, 4.4):
        100 × 20 × 4.0 × 1.48 × 0.47 × 44/12 = 20,404.27 tCO2e after 20 years.
    """
    expected = 100 * 20 * 4.0 * 1.48 * 0.47 * 44 / 12
    assert expected == pytest.approx(20_404.27, abs=0.01)
    sites = one_site().assign(elevation_m_mean=1000.0)
    path = deterministic_sequestration(sites, tier1_spec(), SPECIES, climate_class={"R1": 4})
    assert path.set_index("year")["tco2e_stock"][2046] == pytest.approx(expected, rel=1e-12)
    result = assess_forest_sites(sites, tier1_spec(), SPECIES, climate_class={"R1": 4})
    assert result.sites.loc["R1", "climate_zone"] == "temperate_continental"
    assert result.sites.loc["R1", "warm_months"] == 4


def test_polar_sites_are_not_planted():
    sites = pd.DataFrame(
        {
            "site_id": ["R1", "R2"],
            "area_ha": [100.0, 100.0],
            "score_mean": [1.0, 1.0],
            "elevation_m_mean": [1400.0, 1400.0],
        }
    )
    with pytest.warns(UserWarning, match=r"R2 \(polar\).*not planted"):
        result = assess_forest_sites(sites, tier1_spec(), SPECIES, climate_class={"R1": 4, "R2": 5})
    assert result.sites.index.tolist() == ["R1"]


def test_site_quality_scales_the_tier1_stock():
    path = deterministic_sequestration(
        one_site(score=0.6), tier1_spec(), SPECIES, climate_class={"R1": 2}
    )
    # suitability floor 0.5; the arid Köppen class no longer multiplies growth a second time
    quality = 0.5 + 0.5 * 0.6
    stock = path.set_index("year")["tco2e_stock"][2046]
    assert stock == pytest.approx(quality * 100 * 20 * 1.0 * 1.39 * 0.47 * 44 / 12, rel=1e-12)


def test_without_uncertainty_every_draw_is_the_deterministic_path():
    sites = pd.DataFrame(
        {
            "site_id": ["A", "B", "C"],
            "area_ha": [2500.0, 800.0, 1200.0],
            "score_mean": [0.9, 0.7, 0.8],
        }
    )
    climate = {"A": 4, "B": 2, "C": 4}
    spec = ForestSpec(uncertainty=OFF, n_draws=30)
    draws = all_draws(sites, spec, seed=7, climate=climate)
    path = deterministic_sequestration(sites, spec, SPECIES, climate_class=climate)
    expected = path["tco2e_stock"].to_numpy().reshape(3, -1)
    assert expected.max() > 1e5
    for draw in draws:
        np.testing.assert_allclose(draw, expected, rtol=1e-12)
    table = assess_forest_sites(sites, spec, SPECIES, climate_class=climate).sequestration
    wide = table.pivot_table(index=["site_id", "year"], columns="quantile", values="tco2e_stock")
    for label in ("p10", "p50", "p90", "mean"):
        np.testing.assert_allclose(wide[label], wide["p50"], rtol=1e-12)


def test_monte_carlo_mean_is_linear_in_survival():
    """Survival only, no replanting, no fire: stock = s × stock(s = 1), so E = E[s] × stock(1).

    Survival is triangular(0.4, 0.5, 0.9): E[s] = (0.4 + 0.5 + 0.9) / 3 = 0.6.
    """
    draws_spec = tier1_spec(
        survival=Uncertain(value=0.5, low=0.4, high=0.9, distribution="triangular"),
        replanting_fraction=0.0,
        uncertainty=OFF.model_copy(update={"survival": True}),
        n_draws=4000,
    )
    draws = all_draws(one_site(), draws_spec, seed=11)[:, 0, :]
    full = deterministic_sequestration(one_site(), tier1_spec(replanting_fraction=0.0), SPECIES)
    expected = 0.6 * full["tco2e_stock"].to_numpy()
    mean = draws.mean(axis=0)
    standard_error = draws.std(axis=0, ddof=1) / np.sqrt(draws.shape[0])
    assert np.all(np.abs(mean - expected) <= 4 * standard_error + 1e-9)
    assert np.all(standard_error[1:] < 0.01 * expected[1:])  # the test has power


def test_monte_carlo_mean_with_replanting_matches_the_quadratic_expectation():
    """With one replanting round, stock(s) = s P + s (1 - s) Q (replants are a year younger).

    P and Q come from two deterministic runs (s = 1 and s = 0.5); for triangular(a, c, b)
    E[s] = (a + b + c) / 3 and Var[s] = (a² + b² + c² - ab - ac - bc) / 18.
    """
    a, c, b = 0.4, 0.65, 0.9
    mean_s = (a + b + c) / 3
    var_s = (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    p = deterministic_sequestration(one_site(), tier1_spec(survival=fixed(1.0)), SPECIES)[
        "tco2e_stock"
    ]
    half = deterministic_sequestration(one_site(), tier1_spec(survival=fixed(0.5)), SPECIES)[
        "tco2e_stock"
    ]
    q = (half.to_numpy() - 0.5 * p.to_numpy()) / 0.25
    expected = mean_s * p.to_numpy() + (mean_s - (var_s + mean_s**2)) * q
    spec = tier1_spec(
        survival=Uncertain(value=c, low=a, high=b, distribution="triangular"),
        uncertainty=OFF.model_copy(update={"survival": True}),
        n_draws=4000,
    )
    draws = all_draws(one_site(), spec, seed=5)[:, 0, :]
    standard_error = draws.std(axis=0, ddof=1) / np.sqrt(draws.shape[0])
    assert np.all(np.abs(draws.mean(axis=0) - expected) <= 4 * standard_error + 1e-9)


def test_random_fires_average_to_the_expected_fire_loss():
    """Independent yearly fires (probability p, loss L): E[(1 - L)^K] = (1 - p L)^n exactly."""
    fire = {"probability_per_year": fixed(0.08), "loss_fraction": fixed(0.6)}
    spec = tier1_spec(
        fire=fire, uncertainty=OFF.model_copy(update={"disturbance": True}), n_draws=4000
    )
    draws = all_draws(one_site(), spec, seed=3)[:, 0, :]
    expected = deterministic_sequestration(one_site(), tier1_spec(fire=fire), SPECIES)[
        "tco2e_stock"
    ]
    standard_error = draws.std(axis=0, ddof=1) / np.sqrt(draws.shape[0])
    assert np.all(np.abs(draws.mean(axis=0) - expected.to_numpy()) <= 4 * standard_error + 1e-9)
    assert np.unique(draws[:, -1]).size > 5  # the fires are random


def test_same_seed_same_tables_and_block_size_does_not_matter():
    sites = pd.DataFrame(
        {
            "site_id": [f"R{i}" for i in range(7)],
            "area_ha": np.linspace(300, 2500, 7),
            "score_mean": np.linspace(0.6, 0.95, 7),
        }
    )
    spec = ForestSpec(n_draws=64)
    first = assess_forest_sites(sites, spec, SPECIES, seed=42)
    again = assess_forest_sites(sites, spec, SPECIES, seed=42)
    pd.testing.assert_frame_equal(first.sequestration, again.sequestration)
    pd.testing.assert_frame_equal(first.sites, again.sites)
    small_blocks = assess_forest_sites(
        sites, spec.model_copy(update={"block_mib": 0.01}), SPECIES, seed=42
    )
    pd.testing.assert_frame_equal(first.sequestration, small_blocks.sequestration)
    other = assess_forest_sites(sites, spec, SPECIES, seed=43)
    assert not np.allclose(first.sequestration["tco2e_stock"], other.sequestration["tco2e_stock"])


def test_switching_one_uncertainty_off_leaves_the_other_draws_alone():
    larch = load_species("larix_sibirica").stand("boreal")
    spec = ForestSpec()
    everything = draw_parameters(larch, spec, 100, seed=9)
    no_growth = draw_parameters(
        larch,
        spec.model_copy(update={"uncertainty": DrawnParametersSpec(growth=False)}),
        100,
        seed=9,
    )
    np.testing.assert_array_equal(no_growth.clock, 1.0)
    np.testing.assert_array_equal(no_growth.survival, everything.survival)
    np.testing.assert_array_equal(no_growth.fire_loss, everything.fire_loss)


def test_drawn_parameters_respect_their_ranges():
    larch = load_species("larix_sibirica").stand("boreal")
    draws = draw_parameters(larch, ForestSpec(), 20_000, seed=1)
    assert draws.survival.min() >= 0.4 and draws.survival.max() <= 0.9
    assert draws.carbon_fraction.min() >= 0.44 and draws.carbon_fraction.max() <= 0.49
    assert np.all(draws.root_below > draws.root_above)  # one probability for both classes
    # boreal growth: lognormal with median 1.0 and 0.5 / 1.9 at 2.5 / 97.5 %
    growth = 1.0 * draws.clock
    assert np.median(growth) == pytest.approx(1.0, rel=0.02)
    assert np.quantile(growth, [0.025, 0.975]) == pytest.approx([0.5, 1.9], rel=0.04)


def test_output_contract():
    sites = pd.DataFrame(
        {
            "site_id": ["R2", "R1", "R3"],
            "rank": [2, 1, 3],
            "area_ha": [900.0, 1500.0, 400.0],
            "score_mean": [0.8, 0.9, 0.7],
        }
    )
    result = assess_forest_sites(
        sites, ForestSpec(n_draws=50), SPECIES, climate_class={"R1": 4, "R2": 4, "R3": 2}
    )
    table = result.sequestration
    assert list(table.columns) == [
        "site_id",
        "species",
        "year",
        "quantile",
        "tco2e_stock",
        "tco2e_annual",
    ]
    assert list(dict.fromkeys(table["site_id"])) == ["R1", "R2", "R3"]  # rank order
    assert list(table["quantile"].iloc[:4]) == ["p10", "p50", "p90", "mean"]
    assert table["year"].min() == 2028 and table["year"].max() == 2060
    assert len(table) == 3 * 33 * 4
    assert not table.duplicated(["site_id", "year", "quantile"]).any()
    wide = table.pivot_table(index=["site_id", "year"], columns="quantile", values="tco2e_stock")
    assert np.all(wide["p10"] <= wide["p50"]) and np.all(wide["p50"] <= wide["p90"])
    summary = result.sites
    assert summary.index.name == "site_id"
    for column in (
        "species",
        "area_planted_ha",
        "first_planting_year",
        "tco2e_2030_p50",
        "tco2e_2050_p50",
        "tco2e_per_ha_per_year_p50",
    ):
        assert column in summary.columns
    assert summary.loc["R1", "first_planting_year"] == 2028
    p50 = table.query("quantile == 'p50'").set_index(["site_id", "year"])["tco2e_stock"]
    for site in ("R1", "R2", "R3"):
        assert summary.loc[site, "tco2e_2030_p50"] == p50[(site, 2030)]
        assert summary.loc[site, "tco2e_2050_p50"] == p50[(site, 2050)]
    np.testing.assert_allclose(summary["area_planted_ha"], [1500, 900, 400])


def test_missing_columns_and_repeated_ids_are_refused():
    from siting.errors import InputDataError

    with pytest.raises(InputDataError, match="score_mean"):
        assess_forest_sites(
            pd.DataFrame({"site_id": ["a"], "area_ha": [1.0]}), ForestSpec(), SPECIES
        )
    twice = pd.DataFrame({"site_id": ["a", "a"], "area_ha": [1.0, 2.0], "score_mean": [0.5, 0.5]})
    with pytest.raises(InputDataError, match="unique"):
        assess_forest_sites(twice, ForestSpec(), SPECIES)


def test_draw_quantiles_equal_numpy_quantile():
    values = np.random.default_rng(2).lognormal(size=(101, 3, 4))
    levels = (0.1, 0.5, 0.9, 0.975)
    np.testing.assert_allclose(draw_quantiles(values, levels), np.quantile(values, levels, axis=0))
    np.testing.assert_allclose(draw_quantiles(values[:1], (0.1, 0.9)), np.repeat(values[:1], 2, 0))


def test_the_species_planted_must_be_passed_in():
    from siting.errors import ParameterError

    spec = ForestSpec(species_by_climate={"arid": "pinus_sylvestris"})
    assert species_needed(spec) == ("larix_sibirica", "pinus_sylvestris")
    only_larch = {"larix_sibirica": SPECIES["larix_sibirica"]}
    with pytest.raises(ParameterError, match="pinus_sylvestris"):
        assess_forest_sites(one_site(), spec, only_larch, climate_class={"R1": 2})
    # Sites that plant only larch need only larch.
    assess_forest_sites(one_site(), spec.model_copy(update={"n_draws": 2}), only_larch)
