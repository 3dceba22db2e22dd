"""Transferable ITMOs of each site (project) within an accounting period."""

from __future__ import annotations

import pandas as pd

from siting.scenario.credits import AccountingPeriod


def itmo_column(period: AccountingPeriod) -> str:
    """Name of the per-site column of a period's ITMOs, e.g. ``itmo_to_2030``."""
    return f"itmo_{period.name}"


def itmos_by_project(ledger: pd.DataFrame, period: AccountingPeriod) -> pd.Series:
    """Transferable ITMOs (tCO2e) per project with vintages in an accounting period.

    Parameters
    ----------
    ledger : pandas.DataFrame
        The ITMO ledger (``project_id``, ``vintage``, ``transferable_itmos_tco2e``), see
        :func:`siting.credits.ledger.credit_ledger`.
    period : AccountingPeriod
        Vintages ``first_year`` to ``last_year``, both included.

    Returns
    -------
    pandas.Series
        Indexed by ``project_id`` (a site's ``site_id``), named :func:`itmo_column`.

    Examples
    --------
    >>> ledger = pd.DataFrame({"project_id": ["W1", "W1", "W1"], "vintage": [2029, 2030, 2031],
    ...                        "transferable_itmos_tco2e": [1.0, 2.0, 4.0]})
    >>> period = AccountingPeriod(name="to_2030", first_year=2021, last_year=2030,
    ...                           buyer_target_tco2e=37.5e6)
    >>> itmos_by_project(ledger, period).to_dict()
    {'W1': 3.0}
    """
    in_period = ledger["vintage"].between(period.first_year, period.last_year)
    per_project = ledger[in_period].groupby("project_id")["transferable_itmos_tco2e"].sum()
    return per_project.rename(itmo_column(period))


def with_site_itmos(sites: pd.DataFrame, itmos: pd.Series) -> pd.DataFrame:
    """The sites with their ITMOs of a period joined on ``site_id`` (0 where none).

    Parameters
    ----------
    sites : pandas.DataFrame
        Sites with ``site_id``.
    itmos : pandas.Series
        From :func:`itmos_by_project`.

    Returns
    -------
    pandas.DataFrame
        A new table with the column ``itmos.name``.
    """
    if sites.empty:
        return sites.copy()
    joined = sites.join(itmos, on="site_id")
    joined[itmos.name] = joined[itmos.name].fillna(0.0)
    return joined
