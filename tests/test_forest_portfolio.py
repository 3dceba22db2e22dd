"""The project's spread from the joint draws, yearly survival draws, and the planting plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special, stats

from siting.forest.planting import fully_planted_year, planting_table, schedule_planting
from siting.forest.sequestration import (
    assess_forest_sites,
    draw_quantiles,
    iter_stock_draws,
    plan_sites,
    quantile_function,
    survival_draws,
)
from siting.io.species import known_species, load_species_library
from siting.outputs.folder import forest_summary
from siting.outputs.report import ReportContent, render_report
from siting.scenario.base import Uncertain
from siting.scenario.forest import ForestSpec

SPECIES = load_species_library(known_species())
SURVIVAL = Uncertain(value=0.65, low=0.40, high=0.90, distribution="triangular")


def sites(n: int, area: float = 900.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": [f"R{i:03d}" for i in range(n)],
            "area_ha": [area] * n,
            "score_mean": np.linspace(0.9, 0.5, n),
        }
    )


def joint_total(table: pd.DataFrame, spec: ForestSpec, seed: int) -> np.ndarray:
    """The project's stock of every draw and year, summed over sites by hand."""
    plan = plan_sites(table, spec, SPECIES)
    total = np.zeros((spec.n_draws, plan.years.size))
    for _, block in iter_stock_draws(plan, spec, seed):
        total += block.sum(axis=1)
    return total


def test_portfolio_is_the_quantile_of_the_sum_not_the_sum_of_quantiles():
    spec = ForestSpec(n_draws=400, planting_capacity_ha_per_year=2000.0)
    table = sites(8)
    result = assess_forest_sites(table, spec, SPECIES, seed=7)
    total = joint_total(table, spec, seed=7)
    portfolio = result.portfolio.pivot(index="year", columns="quantile", values="tco2e_stock")
    expected = np.quantile(total, [0.1, 0.5, 0.9], axis=0)  # numpy's default, "linear"
    np.testing.assert_allclose(portfolio[["p10", "p50", "p90"]].to_numpy().T, expected, rtol=1e-12)
    # Per-site fires and yearly survival do not move together: the project's P10-P90 is
    # narrower than the sites' P10s and P90s added up (the old fully correlated band).
    per_site = result.sequestration.pivot_table(
        index="year", columns="quantile", values="tco2e_stock", aggfunc="sum"
    )
    late = portfolio.index[-1]
    assert portfolio.loc[late, "p10"] > 1.2 * per_site.loc[late, "p10"]
    assert portfolio.loc[late, "p90"] < per_site.loc[late, "p90"]
    # Annual removals: quantiles of the draws of the yearly change of the sum.
    annual = np.diff(total, axis=1, prepend=0.0)
    removal = result.portfolio.pivot(index="year", columns="quantile", values="tco2e_annual")
    np.testing.assert_allclose(removal["p50"], np.quantile(annual, 0.5, axis=0), rtol=1e-12)


def test_one_site_portfolio_equals_the_site():
    spec = ForestSpec(n_draws=200)
    result = assess_forest_sites(sites(1), spec, SPECIES, seed=3)
    site = result.sequestration.drop(columns=["site_id", "species"]).reset_index(drop=True)
    np.testing.assert_allclose(
        result.portfolio[["tco2e_stock", "tco2e_annual"]].to_numpy(),
        site[["tco2e_stock", "tco2e_annual"]].to_numpy(),
        rtol=1e-12,
        atol=1e-9,
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_sites=st.integers(1, 6), seed=st.integers(0, 2**16), rho=st.floats(0.0, 1.0))
def test_portfolio_mean_is_the_sum_of_the_site_means(n_sites, seed, rho):
    """The mean is linear: the project's mean stock is the sum of the sites' means."""
    spec = ForestSpec(n_draws=32, survival_year_correlation=rho)
    result = assess_forest_sites(sites(n_sites, area=1500.0), spec, SPECIES, seed=seed)
    means = result.sequestration[result.sequestration["quantile"] == "mean"]
    summed = means.groupby("year")["tco2e_stock"].sum()
    project = result.portfolio[result.portfolio["quantile"] == "mean"].set_index("year")
    np.testing.assert_allclose(project["tco2e_stock"], summed, rtol=1e-9, atol=1e-6)
    quantiles = result.portfolio.pivot(index="year", columns="quantile", values="tco2e_stock")
    assert (quantiles["p10"] <= quantiles["p50"] + 1e-9).all()
    assert (quantiles["p50"] <= quantiles["p90"] + 1e-9).all()


def test_yearly_survival_keeps_the_marginal_and_the_correlation():
    """Each planting year's draws follow the survival distribution; normal scores correlate
    at rho between years (Gaussian copula)."""
    shared, by_year = survival_draws(
        SURVIVAL, 20_000, 3, seed=1, key="larix_sibirica", enabled=True, correlation=0.5
    )
    c = (SURVIVAL.value - SURVIVAL.low) / (SURVIVAL.high - SURVIVAL.low)
    marginal = stats.triang(c, loc=SURVIVAL.low, scale=SURVIVAL.high - SURVIVAL.low)
    for column in (shared, *by_year.T):
        assert stats.kstest(column, marginal.cdf).pvalue > 1e-3
    scores = special.ndtri(marginal.cdf(by_year))
    r = np.corrcoef(scores.T)
    assert r[0, 1] == pytest.approx(0.5, abs=0.03) and r[1, 2] == pytest.approx(0.5, abs=0.03)


def test_full_correlation_is_one_survival_for_the_programme():
    shared, by_year = survival_draws(
        SURVIVAL, 500, 4, seed=1, key="larix_sibirica", enabled=True, correlation=1.0
    )
    np.testing.assert_array_equal(by_year, np.repeat(shared[:, None], 4, axis=1))
    # the programme-wide draw is the species stream's uniform through the distribution
    u = np.random.default_rng(
        np.random.SeedSequence(1, spawn_key=(2, __import__("zlib").crc32(b"larix_sibirica")))
    ).random(500)
    np.testing.assert_allclose(shared, quantile_function(SURVIVAL, u))


def test_sites_planted_in_the_same_year_share_its_survival():
    """Two identical sites planted the same year, no fire: identical stock in every draw.
    A site planted a year later takes another year's survival draw (rho = 0)."""
    only_survival = {
        "growth": False,
        "survival": True,
        "mortality": False,
        "root_shoot": False,
        "carbon_fraction": False,
        "disturbance": False,
    }
    spec = ForestSpec(
        n_draws=64,
        uncertainty=only_survival,
        survival_year_correlation=0.0,
        planting_capacity_ha_per_year=200.0,
        replanting_fraction=0.0,
    )
    table = pd.DataFrame(
        {"site_id": ["A", "B", "C"], "area_ha": [100.0, 100.0, 200.0], "score_mean": [0.8] * 3}
    )
    plan = plan_sites(table, spec, SPECIES)
    stock = np.concatenate([block for _, block in iter_stock_draws(plan, spec, 5)], axis=1)
    np.testing.assert_allclose(stock[:, 0], stock[:, 1])  # A and B: the first year, together
    # C is planted the next year: its stock per ha differs from A's a year earlier in most draws
    a, c = stock[:, 0, 1] / 100.0, stock[:, 2, 2] / 200.0
    assert np.mean(~np.isclose(a, c)) > 0.9


def test_planting_table_by_hand():
    """Capacity 1,000 ha/yr, sites of 600, 900 and 300 ha, no replanting: 1,000 ha in the
    first year, 800 in the second; 3,000 seedlings/ha -> 3.0 M and 2.4 M seedlings."""
    schedule = schedule_planting([600, 900, 300], capacity_ha_per_year=1000, first_year=2028)
    table = planting_table(schedule, 3000.0, area_ha=1800.0)
    assert table["year"].tolist() == [2028, 2029]
    np.testing.assert_allclose(table["new_ha"], [1000, 800])
    np.testing.assert_allclose(table["seedlings"], [3.0e6, 2.4e6])
    np.testing.assert_allclose(table["capacity_seedlings"], [3.0e6, 3.0e6])
    np.testing.assert_allclose(table["share_planted"], [1000 / 1800, 1.0])
    assert fully_planted_year(table) == 2029


def test_planting_table_counts_replanting_at_each_site_density():
    """Replanting half the failures of 65 % survival: 1,000 ha new in year 1, then 175 ha
    replanted (1,000 x 0.35 x 0.5); densities 3,333 and 4,000 seedlings/ha by site."""
    schedule = schedule_planting(
        [800, 400],
        capacity_ha_per_year=1000,
        first_year=2028,
        replanting_fraction=0.5,
        planned_survival=0.65,
    )
    table = planting_table(schedule, np.array([3333.0, 4000.0]), area_ha=1200.0)
    first, second = table.iloc[0], table.iloc[1]
    assert first["seedlings"] == pytest.approx(800 * 3333 + 200 * 4000)
    assert second["replant_ha"] == pytest.approx(175.0)
    # year 2: replant 800x0.175 = 140 (larch) + 200x0.175 = 35 (pine), new 200 ha of pine
    assert second["seedlings"] == pytest.approx(140 * 3333 + 35 * 4000 + 200 * 4000)
    assert fully_planted_year(table) == 2029


def test_assessment_reports_when_the_area_is_planted():
    spec = ForestSpec(n_draws=16, planting_capacity_ha_per_year=1000.0)
    result = assess_forest_sites(sites(4, area=900.0), spec, SPECIES, seed=1)
    planting = result.planting
    assert planting["planted_ha"].max() <= 1000.0 + 1e-9
    assert result.fully_planted_year == int(planting.loc[planting["new_ha"] > 0, "year"].max())
    assert planting["cumulative_new_ha"].iloc[-1] == pytest.approx(3600.0)
    density = SPECIES[spec.species].planting_density_seedlings_per_ha.value
    assert planting["capacity_seedlings"].iloc[0] == pytest.approx(1000.0 * density)
    line = result.summary_line()
    assert f"by {result.fully_planted_year}" in line and "M seedlings a year" in line


def test_draw_quantiles_agrees_with_numpy():
    values = np.random.default_rng(0).normal(size=(101, 7))
    np.testing.assert_allclose(
        draw_quantiles(values, (0.1, 0.5, 0.9)), np.quantile(values, [0.1, 0.5, 0.9], axis=0)
    )


def test_a_planting_years_survival_does_not_depend_on_the_horizon():
    _, short = survival_draws(SURVIVAL, 50, 3, seed=2, key="k", enabled=True, correlation=0.3)
    _, long = survival_draws(SURVIVAL, 50, 9, seed=2, key="k", enabled=True, correlation=0.3)
    np.testing.assert_array_equal(short, long[:, :3])


def test_report_says_when_the_area_is_planted_and_in_which_zone():
    spec = ForestSpec(n_draws=16, planting_capacity_ha_per_year=1000.0)
    result = assess_forest_sites(sites(4, area=900.0), spec, SPECIES, seed=1)
    text = forest_summary(result)
    # 3,600 ha at 1,000 ha a year from 2028: new land in 2028-2031 (replanting shares the crews)
    assert f"planted, the whole area by {result.fully_planted_year}" in text
    assert result.fully_planted_year >= 2031
    assert "3,600 ha planted" in text
    assert "4 sites boreal" in text  # no elevation column: the station's zone
    page = render_report(
        ReportContent(
            title="t",
            created="now",
            sequestration=result.sequestration,
            forest_summary=text,
        )
    )
    assert f"the whole area by {result.fully_planted_year}" in page and "4 sites boreal" in page
    assert forest_summary(None) == ""


def test_site_table_keeps_the_polygons_of_geodataframe_sites():
    import geopandas as gpd
    import shapely

    table = sites(2, area=100.0)
    frame = gpd.GeoDataFrame(
        table, geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(2000, 0, 3000, 1000)],
        crs="EPSG:32647",
    )  # fmt: skip
    result = assess_forest_sites(frame, ForestSpec(n_draws=8), SPECIES, seed=1)
    assert isinstance(result.sites, gpd.GeoDataFrame) and result.sites.crs == frame.crs
    assert result.sites.geometry.area.tolist() == [1e6, 1e6]
    plain = assess_forest_sites(table, ForestSpec(n_draws=8), SPECIES, seed=1)
    assert not isinstance(plain.sites, gpd.GeoDataFrame)
