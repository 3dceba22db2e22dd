"""Crediting as the standards do: named uncertainty methods, each risk once, single-year target
accounting and corresponding adjustments in the year of first transfer (issue 12, items 4, 5,
11, 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from siting.credits import ledger as credits
from siting.credits.per_site import itmos_by_project
from siting.scenario.credits import credits_from_dict

Z95_OVER_Z90 = norm.ppf(0.95) / norm.ppf(0.90)  # 1.6449 / 1.2816 = 1.28348


def _mitigation(rows):
    return pd.DataFrame(
        rows, columns=["project_id", "project_type", "kind", "year", "statistic", "tco2e"]
    )


def _spec(method, *, relative=None, **changes):
    """A removal type on the Mörön defaults, no SOP/OMGE (Article 6.2), no host share."""
    uncertainty = {"method": method, "conservative_statistic": "p10"}
    if relative is not None:
        uncertainty = {"method": method, "conservative_statistic": None,
                       "relative_uncertainty_90": relative}  # fmt: skip
    data = {
        "mechanism": "6.2",
        "host_share_fraction": 0.0,
        "first_vintage_year": 2021,
        "portfolio": [],
        "comparison_cases": [],
        "project_types": {
            "forest": {
                "kind": "removal",
                "uncertainty": uncertainty,
                "leakage_fraction": 0.0,
                "buffer_fraction": 0.0,
                "crediting": {"scheme": "fixed", "period_years": 30},
            }
        },
        **changes,
    }
    return credits_from_dict(data)


def _one_year(p50, p10=None, year=2025):
    rows = [("F1", "forest", "removal", year, "p50", p50)]
    if p10 is not None:
        rows.append(("F1", "forest", "removal", year, "p10", p10))
    return _mitigation(rows)


# --------------------------------------------------------------------------------------------
# Item 5: VM0047 / CDM AR-TOOL14 and FCPF, named methods


@pytest.mark.parametrize(
    ("relative", "expected_fraction"),
    [
        (0.05, 0.0),  # within the 10 % precision: no deduction
        (0.10, 0.0),  # "less than or equal to 10 %" still no deduction
        (0.25, 0.15),  # excess over 10 %
        (0.60, 0.50),
    ],
)
def test_vm0047_deduction_on_hand_numbers(relative, expected_fraction):
    # Verra VM0047 v1.0 sec. 8 / CDM AR-TOOL14 v4.2: 0 up to a 90 % CI half-width of 10 % of
    # the mean, else the excess over 10 % (1000 t creditable).
    row = credits.credit_ledger(_one_year(1000.0), _spec("vm0047", relative=relative)).iloc[0]
    assert row["uncertainty_deduction_tco2e"] == pytest.approx(1000.0 * expected_fraction)


def test_vm0047_reads_the_half_width_from_the_p10():
    # p50 1000, p10 800: sigma = 200 / z(0.90); half-width of the 90 % CI = z(0.95) sigma
    # = 200 x 1.28348 = 256.70 t, i.e. U = 25.670 %; deduction (U - 10 %) x 1000 = 156.70 t.
    row = credits.credit_ledger(_one_year(1000.0, 800.0), _spec("vm0047")).iloc[0]
    assert row["relative_uncertainty_90"] == pytest.approx(0.2 * Z95_OVER_Z90)
    assert row["uncertainty_deduction_tco2e"] == pytest.approx(256.6959 - 100.0, rel=1e-5)


@pytest.mark.parametrize(
    ("relative", "expected_fraction"),
    # FCPF Carbon Fund Methodological Framework (rev. 2016), Criterion 22, conservativeness
    # factors: <= 15 % -> 0, <= 30 % -> 4 %, <= 60 % -> 8 %, <= 100 % -> 12 %, above -> 15 %.
    [(0.15, 0.0), (0.1501, 0.04), (0.30, 0.04), (0.45, 0.08), (0.60, 0.08), (1.0, 0.12),
     (1.2, 0.15)],
)  # fmt: skip
def test_fcpf_bands_on_hand_numbers(relative, expected_fraction):
    row = credits.credit_ledger(_one_year(1000.0), _spec("fcpf_bands", relative=relative)).iloc[0]
    assert row["uncertainty_deduction_tco2e"] == pytest.approx(1000.0 * expected_fraction)


def test_quantile_credits_the_p10_and_none_deducts_nothing():
    quantile = credits.credit_ledger(_one_year(1000.0, 800.0), _spec("quantile")).iloc[0]
    assert quantile["uncertainty_deduction_tco2e"] == pytest.approx(200.0)
    none = credits.credit_ledger(_one_year(1000.0, 800.0), _spec("none")).iloc[0]
    assert none["uncertainty_deduction_tco2e"] == 0.0


def test_moron_defaults_name_their_methods():
    spec = credits_from_dict({})
    assert spec.project_types["reforestation"].uncertainty.method == "vm0047"
    assert spec.project_types["wind"].uncertainty.method == "none"  # ACM0002: metered
    assert spec.vm0047_uncertainty.no_deduction_max == 0.10


# --------------------------------------------------------------------------------------------
# Item 4: each risk once


def test_fire_lowers_the_credit_through_the_stock_only_once():
    # Default reforestation rules (VM0047 deduction, 10 % leakage, 20 % buffer, Article 6.2
    # without SOP/OMGE, host share 10 %). A higher fire rate that lowers every quantile of the
    # stock by 10 % (same relative spread) lowers the issued credits by exactly 10 %: fire acts
    # through the simulated stock once, not again through a P10 and the buffer.
    spec = credits_from_dict({"portfolio": [], "first_vintage_year": 2021})

    def issued(scale):
        rows = [("R1", "reforestation", "removal", 2025, "p50", 1000.0 * scale),
                ("R1", "reforestation", "removal", 2025, "p10", 800.0 * scale)]  # fmt: skip
        return credits.credit_ledger(_mitigation(rows), spec).iloc[0]["issued_tco2e"]

    base = issued(1.0)
    # hand: U = 25.670 %, deduction 15.670 %; 1000 x 0.84330 x 0.9 (leakage) x 0.8 (buffer)
    assert base == pytest.approx(1000 * (1 - (0.2 * Z95_OVER_Z90 - 0.1)) * 0.9 * 0.8, rel=1e-9)
    assert issued(0.9) == pytest.approx(0.9 * base, rel=1e-12)
    # Crediting the P10 as well would take the fire spread a second time: 800 x 0.9 x 0.8.
    assert base > 800 * 0.9 * 0.8


# --------------------------------------------------------------------------------------------
# Items 11 and 13: a single-year target; adjustments in the year of first transfer


def _annual(method="none", first=2021, last=2031):
    return _mitigation(
        [("F1", "forest", "removal", y, "p50", 100.0 * (y - 2020)) for y in range(first, last + 1)]
    )


def _target_spec(lag=0):
    periods = [{"name": "to_2030", "first_year": 2021, "last_year": 2030,
                "buyer_target_tco2e": 10_000, "target_year": 2030}]  # fmt: skip
    finance = {"sale_lag_years": lag, "discount_rate": 0.0}
    return _spec("none", accounting_periods=periods, finance=finance)


def test_single_year_target_by_averaging_and_by_the_2030_vintage():
    # Vintages 2021..2030 give 100, 200, ..., 1000 t (2031 gives 1100, outside the period).
    # Cumulative 2021-2030: 5,500 t; averaging approach (Decision 2/CMA.3 annex para 7(a)(ii)):
    # 5,500 / 10 = 550 t/yr, 5.5 % of the 10,000 t single-year target; 2030 vintage alone:
    # 1,000 t, 10 %. The cumulative total is never divided by the single-year target.
    summary = credits.project_credits(_annual(), _target_spec()).summary
    total = summary[summary["level"] == "total"].iloc[0]
    assert total["itmos_to_2030_tco2e"] == pytest.approx(5500.0)
    assert total["itmos_to_2030_average_tco2e"] == pytest.approx(550.0)
    assert total["share_of_target_to_2030_averaging"] == pytest.approx(0.055)
    assert total["itmos_to_2030_vintage_2030_tco2e"] == pytest.approx(1000.0)
    assert total["share_of_target_to_2030_vintage_2030"] == pytest.approx(0.10)
    assert "share_of_target_to_2030" not in summary


def test_per_site_itmos_include_the_last_year():
    spec = _target_spec()
    ledger = credits.credit_ledger(_annual(), spec)
    assert itmos_by_project(ledger, spec.accounting_periods[0])["F1"] == pytest.approx(5500.0)


def test_corresponding_adjustment_in_the_year_of_first_transfer():
    # Sale lag 2 years: the 2030 vintage (1,000 t) is first transferred, and adjusted, in 2032.
    adjustments = credits.project_credits(_annual(last=2030), _target_spec(lag=2))
    table = adjustments.corresponding_adjustments.set_index("year")
    assert table.index.min() == 2023 and table.index.max() == 2032
    assert table.loc[2032, "itmos_first_transferred_tco2e"] == pytest.approx(1000.0)
    assert table.loc[2032, "buyer_adjustment_tco2e"] == pytest.approx(-1000.0)
    assert table.loc[2023, "host_adjustment_tco2e"] == pytest.approx(100.0)  # 2021 vintage
    assert table.loc[2032, "accounting_period"] == ""  # 2032 is after the 2021-2030 period
    assert table["cumulative_itmos_tco2e"].iloc[-1] == pytest.approx(5500.0)
    assert np.isclose(table["host_adjustment_tco2e"], -table["buyer_adjustment_tco2e"]).all()


def test_ledger_takes_the_project_level_spread():
    # Two sites of p50 1000 t, p10 500 t each (site U = 0.5 x 1.28348 = 64.2 %). The joint
    # draws give a project p10 of 1600 t for p50 2000 t (spread 20 %, U = 25.67 %): with
    # project_statistics each site's VM0047 deduction is (25.670 % - 10 %) x 1000 = 156.70 t
    # instead of (64.17 % - 10 %) x 1000 = 541.74 t.
    from siting.credits.mitigation import portfolio_removals

    rows = []
    for site in ("R1", "R2"):
        rows += [(site, "forest", "removal", 2025, "p50", 1000.0),
                 (site, "forest", "removal", 2025, "p10", 500.0)]  # fmt: skip
    table = _mitigation(rows)
    portfolio = pd.DataFrame(
        {"year": [2025, 2025], "quantile": ["p10", "p50"], "tco2e_stock": [1600.0, 2000.0],
         "tco2e_annual": [0.0, 0.0]}
    )  # fmt: skip
    spec = _spec("vm0047")
    alone = credits.project_credits(table, spec).ledger
    joint = credits.project_credits(
        table,
        spec,
        project_statistics=portfolio_removals(portfolio),
        project_statistics_type="forest",
    ).ledger
    assert alone["uncertainty_deduction_tco2e"].tolist() == pytest.approx(
        [1000 * (0.5 * Z95_OVER_Z90 - 0.1)] * 2
    )
    assert joint["uncertainty_deduction_tco2e"].tolist() == pytest.approx(
        [1000 * (0.2 * Z95_OVER_Z90 - 0.1)] * 2
    )
    assert joint["gross_tco2e"].sum() == alone["gross_tco2e"].sum() == 2000.0
