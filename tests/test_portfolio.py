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
    # Solar district heat (AMS-I.C): 50 kt CO2/yr baseline x 15 % solar fraction = 7,500 t/yr
    # from 2027, one ramp-up year at half output, 20 operating years.
    assert heat["year"].tolist() == list(range(2027, 2047))
    assert heat["tco2e"].tolist()[:3] == [3_750.0, 7_500.0, 7_500.0]
    assert heat["tco2e"].sum() == pytest.approx(19.5 * 7_500)
    assert set(heat["project_type"]) == {"solar_thermal_heat"}

    buses = table[table["project_id"] == "ub_ebus"]
    # AMS-III.C per bus-year: diesel 60,000 km x 0.40 l/km x 2.68 kg/l = 64.32 t; charging
    # 60,000 x 1.3 kWh/km / 0.88 x 0.797 t/MWh = 70.64 t: net -6.32 t/bus, -379.4 t for 60
    # buses; on this coal grid the e-buses earn nothing.
    assert buses["tco2e"].to_numpy() == pytest.approx([0.0] * 12)
    fleet = spec.portfolio[1]
    assert fleet.net_tco2e_per_year() == pytest.approx(60 * (64.32 - 78.0 / 0.88 * 0.797))
    assert buses["year"].iloc[0] == 2026

    gers = table[table["project_id"] == "ger_insulation"]
    # Briquette baseline after the 2019 raw-coal ban: 3.0 t x 20 GJ/t x 0.107 t/GJ = 6.42 t per
    # ger; 1,000 gers x 40 % = 2,568 t a year; ramp 1/3, 2/3, then full.
    assert gers["tco2e"].to_numpy()[:4] == pytest.approx([2568 / 3, 2 * 2568 / 3, 2568, 2568])
    assert len(gers) == 10


def _heat(**changes):
    data = dict(
        item="heat_plant_conversion", project_id="x", start_year=2030, lifetime_years=2,
        baseline_tco2e_per_year=50_000.0, heat_emission_factor_tco2_per_mwh=0.494,
        solar_fraction=0.15, collector_yield_mwh_per_m2_year=0.45, kwth_per_m2=0.7,
        small_scale_limit_mwth=45.0,
    )  # fmt: skip
    return HeatPlantConversion(**{**data, **changes})


def test_solar_heat_collector_capacity_against_ams_i_c():
    # 7,500 t / 0.494 t/MWh = 15,182 MWh of solar heat / 0.45 MWh/m2 = 33,738 m2 x 0.7 kWth/m2
    # = 23.6 MWth <= 45 MWth (AMS-I.C). With a seasonal store (solar fraction 40 %): 63.0 MWth,
    # too large for AMS-I.C and flagged.
    check = _heat().small_scale_check()
    assert check.value == pytest.approx(7_500 / 0.494 / 0.45 * 0.7 / 1e3) and not check.exceeded
    seasonal = _heat(solar_fraction=0.40)
    table = portfolio.small_scale_checks([seasonal])
    assert table["exceeded"].tolist() == [True]
    assert table["value"].iloc[0] == pytest.approx(20_000 / 0.494 / 0.45 * 0.7 / 1e3)


def test_items_compute_their_annual_mitigation():
    common = dict(project_id="x", start_year=2030, lifetime_years=2)
    assert _heat().annual_tco2e() == pytest.approx(7_500.0)
    # a clean grid (0.1 t/MWh): 4 buses x 50,000 km x (0.4 x 2.68 / 1e3 - 1.2 / 0.9 x 0.1 / 1e3)
    buses = EBusFleet(
        item="e_bus_fleet", n_buses=4, km_per_bus_year=50_000, diesel_l_per_km=0.4,
        diesel_kgco2_per_l=2.68, kwh_per_km=1.2, grid_loss_fraction=0.1,
        grid_ef_tco2_per_mwh=0.1, small_scale_limit_tco2e_per_year=60_000, **common,
    )  # fmt: skip
    assert buses.annual_tco2e() == pytest.approx(4 * 50_000 * (1.072e-3 - 1.2 / 0.9 * 1e-4))
    ger = GerHouseholds(
        item="ger_households", households=10, fuel_t_per_household_year=3.0,
        fuel_ncv_gj_per_t=20.0, fuel_ef_tco2_per_gj=0.107, reduction_fraction=0.5,
        small_scale_limit_gwh_per_year=60.0, **common,
    )  # fmt: skip
    assert ger.annual_tco2e() == pytest.approx(10 * 6.42 * 0.5)
    # energy saved: 10 x 3 t x 20 GJ x 50 % = 300 GJ = 0.0833 GWh
    assert ger.small_scale_check().value == pytest.approx(300 / 3600)
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
