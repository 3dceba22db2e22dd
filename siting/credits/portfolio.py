"""Portfolio projects entered by hand: annual mitigation series in the credit stage's format.

Projects that siting does not compute from land (the Mörön heat plant's conversion to solar
thermal, Ulaanbaatar's e-buses, ger insulation and stove replacement) are described in the
scenario by a few parameters (:mod:`siting.scenario.credits`): mitigation at full output, start
year, ramp-up and lifetime. This module turns them into the tidy mitigation table that
:func:`siting.credits.ledger.project_credits` reads, one row per project and operating year.

Ramp-up: with ``ramp_up_years = n`` the output of operating year ``k`` (1-based) is
``k / (n + 1)`` of full output for ``k <= n`` and full output after; ``n = 0`` is full output
from the first year. A linear ramp is the simplest shape that does not overstate the first
years (an assumption; replace by the commissioning plan when known).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from siting.errors import ParameterError, describe
from siting.scenario.credits import PortfolioItem, ProjectType

#: Columns of a mitigation table, in order.
MITIGATION_COLUMNS = ("project_id", "project_type", "kind", "year", "statistic", "tco2e")


def ramp_up_fractions(ramp_up_years: int, lifetime_years: int) -> np.ndarray:
    """Share of full output in each operating year.

    Parameters
    ----------
    ramp_up_years : int
        Years before full output (0: full output from the start).
    lifetime_years : int
        Operating years.

    Returns
    -------
    numpy.ndarray
        ``lifetime_years`` values in (0, 1]: ``k / (ramp_up_years + 1)`` for operating year
        ``k <= ramp_up_years``, then 1.

    Examples
    --------
    >>> ramp_up_fractions(2, 4).tolist()
    [0.3333333333333333, 0.6666666666666666, 1.0, 1.0]
    """
    if ramp_up_years < 0 or lifetime_years < 1:
        raise ParameterError(
            describe(
                "portfolio item",
                f"ramp_up_years {ramp_up_years} / lifetime_years {lifetime_years} are impossible",
                "give ramp_up_years >= 0 and lifetime_years >= 1",
            )
        )
    k = np.arange(1, lifetime_years + 1, dtype=float)
    return np.minimum(k / (ramp_up_years + 1), 1.0)


def item_mitigation(item: PortfolioItem, kind: str) -> pd.DataFrame:
    """Annual mitigation of one portfolio item over its lifetime.

    Parameters
    ----------
    item : PortfolioItem
        A heat plant conversion, e-bus fleet, ger programme or fixed annual item.
    kind : str
        ``reduction`` or ``removal`` (from the item's project type).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MITIGATION_COLUMNS`; ``statistic`` is ``p50`` (a point estimate) and
        ``tco2e`` the tonnes of CO2e mitigated in ``year``.
    """
    fractions = ramp_up_fractions(item.ramp_up_years, item.lifetime_years)
    years = item.start_year + np.arange(item.lifetime_years)
    return pd.DataFrame(
        {
            "project_id": item.project_id,
            "project_type": item.project_type,
            "kind": kind,
            "year": years.astype(np.int64),
            "statistic": "p50",
            "tco2e": item.annual_tco2e() * fractions,
        },
        columns=list(MITIGATION_COLUMNS),
    )


def portfolio_mitigation(
    items: Iterable[PortfolioItem], project_types: Mapping[str, ProjectType]
) -> pd.DataFrame:
    """The mitigation table of every portfolio item.

    Parameters
    ----------
    items : iterable of PortfolioItem
        Usually ``spec.portfolio`` of a :class:`~siting.scenario.credits.CreditsSpec`.
    project_types : mapping of str to ProjectType
        Usually ``spec.project_types``; gives each item's kind.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MITIGATION_COLUMNS`, one row per item and operating year (empty with
        those columns when there are no items).

    Raises
    ------
    ParameterError
        When an item's project type is not among ``project_types``.
    """
    frames = []
    for i, item in enumerate(items):
        spec = project_types.get(item.project_type)
        if spec is None:
            raise ParameterError(
                describe(
                    f"credits.portfolio.{i}.project_type",
                    f"{item.project_type!r} is not a project type "
                    f"(known: {', '.join(sorted(project_types))})",
                    "use a known type or add it under credits.project_types",
                )
            )
        frames.append(item_mitigation(item, spec.kind))
    if not frames:
        return empty_mitigation()
    return pd.concat(frames, ignore_index=True)


def empty_mitigation() -> pd.DataFrame:
    """A mitigation table without rows (right columns and dtypes)."""
    return pd.DataFrame(
        {
            "project_id": pd.Series([], dtype=str),
            "project_type": pd.Series([], dtype=str),
            "kind": pd.Series([], dtype=str),
            "year": pd.Series([], dtype=np.int64),
            "statistic": pd.Series([], dtype=str),
            "tco2e": pd.Series([], dtype=float),
        }
    )


#: Columns of the small-scale check table (``portfolio_checks.csv``).
CHECK_COLUMNS = ("project_id", "methodology", "quantity", "value", "limit", "unit", "exceeded")


def small_scale_checks(items: Iterable[PortfolioItem]) -> pd.DataFrame:
    """Each portfolio item's size against its small-scale methodology's limit.

    Parameters
    ----------
    items : iterable of PortfolioItem
        Items with a ``small_scale_check`` (solar heat: AMS-I.C 45 MWth; e-buses: AMS-III.C
        60 kt CO2e/yr; ger programme: AMS-II 60 GWh/yr); others are skipped.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHECK_COLUMNS`; ``exceeded`` flags an item too large for the method.
    """
    records = []
    for item in items:
        check = getattr(item, "small_scale_check", None)
        if check is None:
            continue
        result = check()
        records.append({"project_id": item.project_id, **result.model_dump(),
                        "exceeded": result.exceeded})  # fmt: skip
    return pd.DataFrame(records, columns=list(CHECK_COLUMNS))
