"""Tests of siting.credits.finance: price paths, discounting, NPV and revenue per party by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.credits import finance
from siting.errors import ParameterError
from siting.scenario.credits import FinanceSpec, PriceScenario


def test_price_path_by_hand():
    scenario = PriceScenario(price_usd_per_tco2=30.0, growth_per_year=0.03)
    prices = finance.price_path(scenario, np.array([2025, 2026, 2030]), 2025)
    np.testing.assert_allclose(prices, [30.0, 30.9, 30.0 * 1.03**5], rtol=1e-14)


def test_npv_by_hand():
    # 100 a year in 2026-2028 at 10 % to 2025: 100/1.1 + 100/1.21 + 100/1.331 = 248.685199...
    value = finance.npv(np.array([100.0, 100.0, 100.0]), np.array([2026, 2027, 2028]), 0.10, 2025)
    assert value == pytest.approx(248.68519909842224, rel=1e-14)
    # An annuity: the closed form 100 * (1 - 1.1**-3) / 0.1.
    assert value == pytest.approx(100 * (1 - 1.1**-3) / 0.1, rel=1e-14)
    with pytest.raises(ParameterError, match="discount_rate"):
        finance.discount_factors(np.array([2026]), -1.0, 2025)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0, 1e9), min_size=1, max_size=20),
    st.floats(0, 0.5),
    st.integers(0, 30),
)
def test_npv_never_exceeds_undiscounted_sum(cashflows, rate, start_offset):
    years = 2025 + start_offset + np.arange(len(cashflows))
    value = finance.npv(np.array(cashflows), years, rate, 2025)
    assert 0 <= value <= sum(cashflows) * (1 + 1e-12)


def ledger_row(**values) -> dict:
    row = dict(
        project_id="W1",
        project_type="wind",
        vintage=2026,
        issued_tco2e=100.0,
        buffer_released_tco2e=0.0,
        buffer_release_year=pd.NA,
        transferable_itmos_tco2e=80.0,
        host_share_tco2e=9.0,
        share_of_proceeds_tco2e=5.0,
    )
    return {**row, **values}


def test_revenue_by_party_by_hand():
    spec = FinanceSpec(
        price_scenarios={"mid": PriceScenario(price_usd_per_tco2=30.0, growth_per_year=0.1)},
        base_year=2025,
        discount_rate=0.08,
        sale_lag_years=1,
    )
    ledger = pd.DataFrame([ledger_row()])
    ledger["buffer_release_year"] = ledger["buffer_release_year"].astype("Int64")
    revenue = finance.revenue_by_party(ledger, spec)
    assert list(revenue.columns) == list(finance.REVENUE_COLUMNS)
    by_party = revenue.set_index("party")
    # Sold in 2027 at 30 * 1.1**2 = 36.3 USD; discounted 1 / 1.08**2.
    assert set(by_party["sale_year"]) == {2027}
    assert by_party.loc["seller", "price_usd_per_tco2"] == pytest.approx(36.3)
    assert by_party.loc["seller", "revenue_usd"] == pytest.approx(80 * 36.3)
    assert by_party.loc["host", "revenue_usd"] == pytest.approx(9 * 36.3)
    assert by_party.loc["adaptation_fund", "revenue_usd"] == pytest.approx(5 * 36.3)
    assert by_party.loc["seller", "present_value_usd"] == pytest.approx(80 * 36.3 / 1.08**2)
    npv = finance.npv_by(revenue, ["party"]).set_index("party")["npv_usd"]
    assert npv["seller"] == pytest.approx(2489.711934156378)


def test_released_buffer_units_are_sold_later():
    spec = FinanceSpec(
        price_scenarios={"flat": PriceScenario(price_usd_per_tco2=10.0)},
        base_year=2025,
        discount_rate=0.0,
        sale_lag_years=0,
    )
    # A quarter of the issued units were released from the buffer in 2031.
    ledger = pd.DataFrame(
        [ledger_row(buffer_released_tco2e=25.0, buffer_release_year=2031)]
    ).astype({"buffer_release_year": "Int64"})
    revenue = finance.revenue_by_party(ledger, spec)
    seller = revenue[revenue["party"] == "seller"].set_index("sale_year")["tco2e"]
    assert seller.to_dict() == {2026: 60.0, 2031: 20.0}


def test_no_units_gives_an_empty_table():
    spec = FinanceSpec(price_scenarios={"flat": PriceScenario(price_usd_per_tco2=10.0)})
    empty = ledger_row(
        transferable_itmos_tco2e=0.0, host_share_tco2e=0.0, share_of_proceeds_tco2e=0.0
    )
    ledger = pd.DataFrame([empty])
    ledger["buffer_release_year"] = ledger["buffer_release_year"].astype("Int64")
    revenue = finance.revenue_by_party(ledger, spec)
    assert revenue.empty
    assert list(revenue.columns) == list(finance.REVENUE_COLUMNS)
