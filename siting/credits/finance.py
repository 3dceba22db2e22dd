"""What the credits are worth: price paths, revenue per party and net present value.

A price scenario is a price in a base year growing geometrically,
``price(t) = price_usd_per_tco2 * (1 + growth_per_year) ** (t - base_year)``. Units of a
vintage are sold ``sale_lag_years`` after it (buffer units released later are sold after
their release year) at that year's price. Values are discounted to the base year,
``PV = revenue / (1 + discount_rate) ** (t - base_year)``, and the net present value is the
sum of the present values.

Parties (who receives the value of which ledger column):

* ``seller``: the ITMOs transferred to the buyer (``transferable_itmos_tco2e``), paid by the
  buyer (Korea) to the project owner;
* ``host``: the host country's retained share (``host_share_tco2e``), valued at the same
  price (what Mongolia could sell it for, or what it saves towards its own NDC);
* ``adaptation_fund``: the share of proceeds (``share_of_proceeds_tco2e``).

OMGE units are cancelled and worth nothing to anyone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.errors import ParameterError, describe
from siting.scenario.credits import FinanceSpec, PriceScenario

#: Ledger column whose units each party receives.
PARTIES = {
    "seller": "transferable_itmos_tco2e",
    "host": "host_share_tco2e",
    "adaptation_fund": "share_of_proceeds_tco2e",
}

#: Columns of :func:`revenue_by_party`, in order.
REVENUE_COLUMNS = (
    "project_id",
    "project_type",
    "vintage",
    "sale_year",
    "price_scenario",
    "party",
    "tco2e",
    "price_usd_per_tco2",
    "revenue_usd",
    "discount_factor",
    "present_value_usd",
)


def price_path(scenario: PriceScenario, years: np.ndarray, base_year: int) -> np.ndarray:
    """Price in each year, USD per tCO2e.

    Parameters
    ----------
    scenario : PriceScenario
        Base-year price and annual growth.
    years : numpy.ndarray
        Calendar years.
    base_year : int
        Year of the base price.

    Returns
    -------
    numpy.ndarray
        ``price_usd_per_tco2 * (1 + growth_per_year) ** (years - base_year)``.

    Examples
    --------
    >>> from siting.scenario.credits import PriceScenario
    >>> price_path(PriceScenario(price_usd_per_tco2=30, growth_per_year=0.1),
    ...            np.array([2025, 2027]), 2025).round(6).tolist()
    [30.0, 36.3]
    """
    exponent = np.asarray(years, dtype=float) - base_year
    return scenario.price_usd_per_tco2 * (1.0 + scenario.growth_per_year) ** exponent


def discount_factors(years: np.ndarray, rate: float, base_year: int) -> np.ndarray:
    """Discount factors ``1 / (1 + rate) ** (years - base_year)``.

    Parameters
    ----------
    years : numpy.ndarray
        Calendar years of the cash flows.
    rate : float
        Discount rate per year (0.08 = 8 %).
    base_year : int
        Year the values are discounted to.

    Returns
    -------
    numpy.ndarray
    """
    if not rate > -1:
        raise ParameterError(
            describe("credits.finance.discount_rate", f"{rate} is not above -1", "give e.g. 0.08")
        )
    exponent = np.asarray(years, dtype=float) - base_year
    return (1.0 + rate) ** -exponent


def npv(cashflows_usd: np.ndarray, years: np.ndarray, rate: float, base_year: int) -> float:
    """Net present value of yearly cash flows.

    Written out rather than taken from numpy-financial (not a dependency): cash flows here fall
    in arbitrary calendar years, not on a regular schedule starting at period 0.

    Parameters
    ----------
    cashflows_usd : numpy.ndarray
        Cash flow of each year, USD.
    years : numpy.ndarray
        Calendar year of each cash flow.
    rate : float
        Discount rate per year.
    base_year : int
        Year the value is expressed in.

    Returns
    -------
    float
        ``sum(cashflow / (1 + rate) ** (year - base_year))``, USD.

    Examples
    --------
    >>> round(npv(np.array([110.0, 121.0]), np.array([2026, 2027]), 0.10, 2025), 9)
    200.0
    """
    return float(
        np.sum(np.asarray(cashflows_usd, float) * discount_factors(years, rate, base_year))
    )


def revenue_by_party(ledger: pd.DataFrame, finance: FinanceSpec) -> pd.DataFrame:
    """Revenue and present value per project, vintage, price scenario and party.

    Parameters
    ----------
    ledger : pandas.DataFrame
        The credit ledger (:func:`siting.credits.ledger.credit_ledger`).
    finance : FinanceSpec
        Price scenarios, discount rate, base year and sale lag.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REVENUE_COLUMNS`, one row per project, vintage, sale year, price
        scenario and party with units to sell (rows without units are left out). Units
        released from the buffer are sold ``sale_lag_years`` after their release year.
    """
    issued = ledger["issued_tco2e"].to_numpy(float)
    released = ledger["buffer_released_tco2e"].to_numpy(float)
    # Every later step takes a fixed share of the issued units, so the released part of
    # each party's units is released / issued.
    released_share = np.divide(released, issued, out=np.zeros_like(issued), where=issued > 0)
    vintage = ledger["vintage"].to_numpy(np.int64)
    release_year = ledger["buffer_release_year"].fillna(0).to_numpy(np.int64)
    parts = [(1.0 - released_share, vintage), (released_share, release_year)]
    frames = []
    for party, column in PARTIES.items():
        units = ledger[column].to_numpy(float)
        for share, year in parts:
            tco2e = units * share
            keep = tco2e > 0
            if not keep.any():
                continue
            frames.append(
                pd.DataFrame(
                    {
                        "project_id": ledger["project_id"].to_numpy()[keep],
                        "project_type": ledger["project_type"].to_numpy()[keep],
                        "vintage": vintage[keep],
                        "sale_year": year[keep] + finance.sale_lag_years,
                        "party": party,
                        "tco2e": tco2e[keep],
                    }
                )
            )
    columns = list(REVENUE_COLUMNS)
    if not frames:
        return pd.DataFrame({name: pd.Series([], dtype=_dtype(name)) for name in columns})
    units = pd.concat(frames, ignore_index=True)
    by_scenario = []
    for name, scenario in finance.price_scenarios.items():
        table = units.copy()
        table["price_scenario"] = name
        table["price_usd_per_tco2"] = price_path(
            scenario, table["sale_year"].to_numpy(), finance.base_year
        )
        table["revenue_usd"] = table["tco2e"] * table["price_usd_per_tco2"]
        table["discount_factor"] = discount_factors(
            table["sale_year"].to_numpy(), finance.discount_rate, finance.base_year
        )
        table["present_value_usd"] = table["revenue_usd"] * table["discount_factor"]
        by_scenario.append(table)
    table = pd.concat(by_scenario, ignore_index=True)[columns]
    return table.sort_values(
        ["price_scenario", "project_id", "party", "vintage", "sale_year"], kind="stable"
    ).reset_index(drop=True)


def npv_by(revenue: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Net present value (USD) summed over the revenue table by ``keys``.

    Parameters
    ----------
    revenue : pandas.DataFrame
        From :func:`revenue_by_party`.
    keys : list of str
        Grouping columns, e.g. ``["project_id", "price_scenario", "party"]``.

    Returns
    -------
    pandas.DataFrame
        ``keys`` and ``npv_usd``.
    """
    grouped = revenue.groupby(keys, sort=True, observed=True)["present_value_usd"].sum()
    return grouped.rename("npv_usd").reset_index()


def _dtype(column: str) -> str | type:
    if column in ("vintage", "sale_year"):
        return np.int64
    if column in ("project_id", "project_type", "price_scenario", "party"):
        return str
    return float
