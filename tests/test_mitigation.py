"""The mitigation table the credit stage reads: statistics mapped and removals bounded by stock."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.credits.mitigation import (
    COLUMNS,
    forest_removals,
    portfolio_removals,
    wind_reductions,
    with_project_spread,
)
from siting.scenario.wind import EmissionsSpec


def test_wind_reductions_map_p50_p75_and_ten_year_p90_and_apply_acm0002():
    # Contract with the wind stage: p50 -> "p50", p75 -> "p75", the 10-year P90 -> "p90";
    # the one-year P90 is a single-year risk band and is not carried.
    generation = pd.DataFrame(
        {
            "site_id": ["W001"] * 5 + ["W002"],
            "year": [2028] * 6,
            "quantity": [
                "aep_p50_mwh",
                "aep_p75_mwh",
                "aep_p90_1yr_mwh",
                "aep_p90_10yr_mwh",
                "tco2e_p50",
                "aep_p50_mwh",
            ],  # fmt: skip
            "value": [1000.0, 800.0, 600.0, 700.0, 797.0, 0.0],
            "unit": ["MWh"] * 4 + ["tCO2e", "MWh"],
        }
    )
    emissions = EmissionsSpec(project_emissions_tco2e_per_year=10.0)
    rows = wind_reductions(generation, emissions)
    assert list(rows.columns) == COLUMNS
    assert list(rows["statistic"]) == ["p50", "p75", "p90"]  # W002 makes nothing: no rows
    # ACM0002: ER = EG x EF - PE, EF 0.797 tCO2/MWh
    np.testing.assert_allclose(
        rows["tco2e"], [1000 * 0.797 - 10, 800 * 0.797 - 10, 700 * 0.797 - 10]
    )
    high = wind_reductions(generation, emissions, grid_ef_tco2_per_mwh=1.19)
    np.testing.assert_allclose(high["tco2e"], [1000 * 1.19 - 10, 800 * 1.19 - 10, 700 * 1.19 - 10])


def test_wind_reductions_without_risk_bands():
    # Before the wind stage gives the 10-year P90 the table has P50 only: tolerated.
    generation = pd.DataFrame(
        {"site_id": ["W001"], "year": [2030], "quantity": ["aep_p50_mwh"],
         "value": [1000.0], "unit": ["MWh"]}
    )  # fmt: skip
    rows = wind_reductions(generation, EmissionsSpec(project_emissions_tco2e_per_year=0.0))
    assert list(rows["statistic"]) == ["p50"]


def _portfolio(stocks):
    return pd.DataFrame(
        [
            {"year": year, "quantile": q, "tco2e_stock": stock, "tco2e_annual": 0.0}
            for q, path in stocks.items()
            for year, stock in zip(range(2028, 2028 + len(path)), path, strict=True)
        ]
    )


def test_portfolio_removals_from_the_joint_stock():
    table = _portfolio({"p10": [50.0, 120.0], "p50": [100.0, 250.0], "p90": [150.0, 400.0]})
    rows = portfolio_removals(table)
    assert rows["project_id"].eq("reforestation_portfolio").all()
    by = rows.set_index(["statistic", "year"])["tco2e"]
    # removals are the rises of each quantile's stock: 250 - 100 = 150 (p50), 120 - 50 (p10)
    assert by[("p50", 2029)] == 150.0 and by[("p10", 2029)] == 70.0 and by[("p90", 2029)] == 250.0


def test_sites_take_the_project_spread():
    # Two sites, each p50 100 t in 2028 with site p10 of 50 t (summed site p10: 100 t). The
    # project's joint draws give p10 160 t / p50 200 t (the quantile of the sum is narrower):
    # each site's p10 becomes 100 x 160 / 200 = 80 t; central values stay.
    project = portfolio_removals(_portfolio({"p10": [160.0], "p50": [200.0], "p90": [230.0]}))
    sites = pd.DataFrame(
        {
            "project_id": ["R1", "R1", "R1", "R2", "R2", "R2"],
            "project_type": "reforestation",
            "kind": "removal",
            "year": 2028,
            "statistic": ["p10", "p50", "p90"] * 2,
            "tco2e": [50.0, 100.0, 150.0, 50.0, 100.0, 150.0],
        }
    )
    out = with_project_spread(sites, project).set_index(["project_id", "statistic"])["tco2e"]
    assert out[("R1", "p10")] == pytest.approx(80.0) and out[("R2", "p90")] == pytest.approx(115.0)
    assert out[("R1", "p50")] == 100.0


def _sequestration(stock_by_quantile):
    rows = []
    for quantile, stocks in stock_by_quantile.items():
        for year, stock in enumerate(stocks, start=2027):
            rows.append(
                {
                    "site_id": "R001",
                    "species": "larix_sibirica",
                    "year": year,
                    "quantile": quantile,
                    "tco2e_stock": stock,
                    "tco2e_annual": 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_forest_removals_by_hand():
    table = _sequestration({"p50": [100.0, 250.0, 200.0, 240.0, 300.0]})
    rows = forest_removals(table)
    # a fall (250 -> 200) is a reversal: nothing is credited until 250 is regained
    np.testing.assert_allclose(rows["tco2e"], [100.0, 150.0, 0.0, 0.0, 50.0])
    assert rows["kind"].eq("removal").all() and rows["statistic"].eq("p50").all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 1e5, allow_nan=False), min_size=1, max_size=40))
def test_credited_removals_never_exceed_the_highest_stock(stocks):
    rows = forest_removals(_sequestration({"p10": stocks, "p50": stocks}))
    for _, group in rows.groupby("statistic"):
        assert (group["tco2e"] >= 0).all()
        np.testing.assert_allclose(
            group["tco2e"].sum(), max(max(stocks), 0.0), rtol=1e-9, atol=1e-6
        )
