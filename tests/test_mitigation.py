"""The mitigation table the credit stage reads: statistics mapped and removals bounded by stock."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.credits.mitigation import COLUMNS, forest_removals, wind_reductions
from siting.scenario.wind import EmissionsSpec


def test_wind_reductions_map_p90_and_apply_acm0002():
    generation = pd.DataFrame(
        {
            "site_id": ["W001"] * 3 + ["W002"],
            "year": [2028, 2028, 2028, 2028],
            "quantity": ["aep_p50_mwh", "aep_p90_mwh", "tco2e_p50", "aep_p50_mwh"],
            "value": [1000.0, 600.0, 797.0, 0.0],
            "unit": ["MWh", "MWh", "tCO2e", "MWh"],
        }
    )
    emissions = EmissionsSpec(project_emissions_tco2e_per_year=10.0)
    rows = wind_reductions(generation, emissions)
    assert list(rows.columns) == COLUMNS
    assert list(rows["statistic"]) == ["p50", "p90"]  # W002 makes nothing: no rows
    np.testing.assert_allclose(rows["tco2e"], [1000 * 0.797 - 10, 600 * 0.797 - 10])
    high = wind_reductions(generation, emissions, grid_ef_tco2_per_mwh=1.19)
    np.testing.assert_allclose(high["tco2e"], [1000 * 1.19 - 10, 600 * 1.19 - 10])


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
