"""siting.credits.portfolio: hand-computed series of the Gyeongbuk–Mongolia portfolio items."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.credits import portfolio
from siting.errors import ParameterError
from siting.scenario.credits import (
    CreditsSpec,
    EBusFleet,
    FixedAnnual,
    GerHouseholds,
    HeatPlantConversion,
    ProjectType,
)


def test_ramp_up_by_hand():
    np.testing.assert_allclose(portfolio.ramp_up_fractions(0, 3), [1, 1, 1])
    np.testing.assert_allclose(portfolio.ramp_up_fractions(1, 3), [0.5, 1, 1])
    np.testing.assert_allclose(portfolio.ramp_up_fractions(3, 5), [0.25, 0.5, 0.75, 1, 1])
    with pytest.raises(ParameterError, match="lifetime_years"):
        portfolio.ramp_up_fractions(1, 0)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10), st.integers(1, 40))
def test_ramp_up_rises_to_full_output(ramp, lifetime):
    fractions = portfolio.ramp_up_fractions(ramp, lifetime)
    assert fractions.shape == (lifetime,)
    assert (np.diff(fractions) >= 0).all()
    assert ((fractions > 0) & (fractions <= 1)).all()
    assert (fractions[ramp:] == 1).all()


def test_default_portfolio_by_hand():
    spec = CreditsSpec()
    table = portfolio.portfolio_mitigation(spec.portfolio, spec.project_types)
    assert list(table.columns) == list(portfolio.MITIGATION_COLUMNS)
    assert set(table["statistic"]) == {"p50"}
    assert set(table["kind"]) == {"reduction"}

    heat = table[table["project_id"] == "heat_plant"]
    # ~50 kt CO2/yr from 2027, one ramp-up year at half output, 20 operating years.
    assert heat["year"].tolist() == list(range(2027, 2047))
    assert heat["tco2e"].tolist()[:3] == [25_000.0, 50_000.0, 50_000.0]
    assert heat["tco2e"].sum() == pytest.approx(19.5 * 50_000)
    assert set(heat["project_type"]) == {"solar_thermal_heat"}

    buses = table[table["project_id"] == "ub_ebus"]
    # 60 buses x 2,000/60 tCO2e per bus-year = ~2 kt a year, 12 years from 2026.
    assert buses["tco2e"].to_numpy() == pytest.approx([2000.0] * 12)
    assert buses["year"].iloc[0] == 2026

    gers = table[table["project_id"] == "ger_insulation"]
    # 1,000 households x 7.6 tCO2e x 40 % = 3,040 t a year; ramp 1/3, 2/3, then full.
    assert gers["tco2e"].to_numpy()[:4] == pytest.approx([3040 / 3, 2 * 3040 / 3, 3040, 3040])
    assert len(gers) == 10


def test_items_compute_their_annual_mitigation():
    common = dict(project_id="x", start_year=2030, lifetime_years=2)
    heat = HeatPlantConversion(item="heat_plant_conversion", tco2e_per_year=5.0, **common)
    assert heat.annual_tco2e() == 5.0
    buses = EBusFleet(item="e_bus_fleet", n_buses=4, tco2e_per_bus_year=2.5, **common)
    assert buses.annual_tco2e() == 10.0
    ger = GerHouseholds(
        item="ger_households",
        households=10,
        baseline_tco2e_per_household_year=7.6,
        reduction_fraction=0.5,
        **common,
    )
    assert ger.annual_tco2e() == pytest.approx(38.0)
    other = FixedAnnual(item="fixed_annual", project_type="e_bus", tco2e_per_year=3.0, **common)
    table = portfolio.item_mitigation(other, "reduction")
    assert table["year"].tolist() == [2030, 2031]
    assert table["tco2e"].tolist() == [3.0, 3.0]


def test_unknown_project_type_is_named():
    item = FixedAnnual(
        item="fixed_annual",
        project_id="tram",
        project_type="tram",
        tco2e_per_year=1.0,
        start_year=2030,
        lifetime_years=1,
    )
    types = {"wind": ProjectType(kind="reduction")}
    with pytest.raises(ParameterError, match=r"credits\.portfolio\.0\.project_type: 'tram'"):
        portfolio.portfolio_mitigation([item], types)


def test_no_items_gives_an_empty_table():
    table = portfolio.portfolio_mitigation([], CreditsSpec().project_types)
    assert table.empty
    assert list(table.columns) == list(portfolio.MITIGATION_COLUMNS)
    assert table["year"].dtype == np.int64
