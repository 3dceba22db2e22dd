"""Tables as a planner reads them: labels in words with units, numbers formatted, text escaped.

:func:`display_table` turns a tidy frame into an HTML table: known columns get a label and a
format (thousands separators, percentages, sensible precision), numbers are right-aligned,
every text is HTML-escaped. Columns it does not know keep their name with spaces and a generic
number format, so a new column still reads.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd


def _number(decimals: int = 0) -> Callable[[object], str]:
    return lambda v: f"{float(v):,.{decimals}f}"


def _percent(decimals: int = 1) -> Callable[[object], str]:
    return lambda v: f"{float(v) * 100:,.{decimals}f} %"


def _words(value: object) -> str:
    return str(value).replace("_", " ")


def _species(value: object) -> str:
    from siting.io.species import known_species, load_species

    key = str(value)
    return load_species(key).common_name if key in known_species() else key


@dataclass(frozen=True)
class Column:
    """How a column shows: its label, and a formatter for numbers (None: text)."""

    label: str
    format: Callable[[object], str] | None = None
    text: Callable[[object], str] = str


#: The columns the report shows, by name.
COLUMNS: dict[str, Column] = {
    "rank": Column("Rank", _number()),
    "site_id": Column("Site"),
    "area_ha": Column("Area (ha)", _number()),
    "score_mean": Column("Suitability (0–1)", _number(2)),
    "soum": Column("Soum"),
    "nearest_settlement": Column("Nearest settlement"),
    "settlement_distance_km": Column("Settlement distance (km)", _number(1)),
    "grid_distance_km": Column("Grid connection (km)", _number(1)),
    "road_distance_km": Column("Road (km)", _number(1)),
    "p_same_rank": Column("Rank kept under weight changes", _percent(0)),
    "species": Column("Species", text=_species),
    "climate_zone": Column("Zone (FAO)", text=_words),
    "first_planting_year": Column("Planted from", lambda v: f"{int(v)}"),
    "tco2e_2030_p50": Column("Stock 2030, P50 (tCO2e)", _number()),
    "tco2e_2050_p50": Column("Stock 2050, P50 (tCO2e)", _number()),
    "n_turbines": Column("Turbines", _number()),
    "capacity_mw": Column("Capacity (MW)", _number(1)),
    "aep_p50_mwh": Column("Energy P50 (MWh/yr)", _number()),
    "aep_p90_10yr_mwh": Column("Energy P90, 10-year (MWh/yr)", _number()),
    "capacity_factor": Column("Capacity factor", _percent(1)),
    "tco2e_per_year": Column("Reductions (tCO2e/yr)", _number()),
    "model": Column("Turbine model"),
    "hub_height_m": Column("Hub height (m)", _number()),
    "rated_kw": Column("Rated power (kW)", _number()),
    "aep_mwh": Column("Energy P50 (MWh/yr)", _number()),
    "turbine_id": Column("Turbine"),
    "rule": Column("Rule"),
    "excluded_ha": Column("Excluded (ha)", _number()),
    "eligible_ha_after": Column("Eligible after the rule (ha)", _number()),
    "source": Column("Source"),
    "layer": Column("Layer"),
    "file": Column("File"),
    "kind": Column("Kind"),
    "grid": Column("Grid"),
    "use": Column("Use"),
    "what": Column("What"),
    "reason": Column("Reason"),
    "level": Column("Level"),
    "project_type": Column("Project type", text=_words),
    "case": Column("Case", text=_words),
    "mechanism": Column("Article"),
    "gross_tco2e": Column("Gross (tCO2e)", _number()),
    "transferable_itmos_tco2e": Column("Transferable ITMOs (tCO2e)", _number()),
}

#: Patterns of the per-period credit columns: (regex, label template, formatter).
_PATTERNS: tuple[tuple[str, str, Callable[[object], str]], ...] = (
    (r"itmos_(.+)_average_tco2e", "ITMOs {0}, annual average (tCO2e/yr)", _number()),
    (r"itmos_(.+)_vintage_(\d{4})_tco2e", "ITMOs {0}: {1} vintage (tCO2e)", _number()),
    (r"itmos_(.+)_tco2e", "ITMOs {0}, cumulative (tCO2e)", _number()),
    (r"share_of_target_(.+)_averaging", "Share of the target {0}, averaging", _percent(2)),
    (r"share_of_target_(.+)_vintage_(\d{4})", "Share of the target: {1} vintage", _percent(2)),
    (r"share_of_target_(.+)", "Share of the target {0}", _percent(2)),
    (r"npv_(\w+?)_usd_(\w+)", "NPV {0}, {1} price (USD)", _number()),
    (r"itmo_(.+)", "ITMOs {0} (tCO2e)", _number()),
)


def _period(name: str) -> str:
    """A period name in words: ``to_2030`` -> ``to 2030``, ``2031_2035`` -> ``2031–2035``."""
    span = re.fullmatch(r"(\d{4})_(\d{4})", name)
    return f"{span[1]}–{span[2]}" if span else name.replace("_", " ")


def column_for(name: str) -> Column:
    """How column ``name`` shows (a generic label and number format when unknown)."""
    if name in COLUMNS:
        return COLUMNS[name]
    for pattern, label, formatter in _PATTERNS:
        match = re.fullmatch(pattern, name)
        if match:
            return Column(label.format(*(_period(g) for g in match.groups())), formatter)
    return Column(name.replace("_", " "), _generic)


def _generic(value: object) -> str:
    number = float(value)
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3g}"


def format_value(value: object, column: Column) -> str | None:
    """The text a reader sees for ``value`` in ``column`` (None when missing); not escaped."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    is_number = isinstance(value, numbers.Number) and not isinstance(value, bool | complex)
    if column.format is not None and is_number and type(value).__name__ != "bool_":
        return column.format(value)
    return column.text(value)


def _cell(value: object, column: Column) -> tuple[str, bool]:
    """The escaped cell text and whether it is a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–", False
    is_number = isinstance(value, numbers.Number) and not isinstance(value, bool | complex)
    if column.format is not None and is_number and type(value).__name__ != "bool_":
        return html.escape(column.format(value)), True
    return html.escape(column.text(value)), False


def display_table(
    frame: pd.DataFrame, columns: Sequence[str] | None = None, max_rows: int | None = None
) -> str:
    """An HTML table with labelled columns, formatted right-aligned numbers and escaped text.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows (a ``geometry`` column is dropped).
    columns : sequence of str, optional
        The columns to show, in order (those missing from ``frame`` are skipped); default all.
    max_rows : int, optional
        Show at most this many rows.
    """
    names = [c for c in (columns or frame.columns) if c in frame.columns and c != "geometry"]
    shown = frame[names] if max_rows is None else frame[names].head(max_rows)
    specs = [column_for(c) for c in names]
    head = "".join(f"<th>{html.escape(s.label)}</th>" for s in specs)
    rows = []
    for record in shown.itertuples(index=False, name=None):
        cells = []
        for value, spec in zip(record, specs, strict=True):
            text, numeric = _cell(value, spec)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def describe_membership(layer: str, membership) -> str:
    """A criterion's membership function in words (no Python reprs)."""
    kind = membership.kind
    if kind == "linear":
        return f"{layer}: rises linearly from 0 at {membership.low:g} to 1 at {membership.high:g}"
    if kind == "trapezoid":
        m = membership
        return f"{layer}: 0 below {m.a:g}, 1 from {m.b:g} to {m.c:g}, 0 above {m.d:g}"
    if kind == "sigmoid":
        return f"{layer}: sigmoid, 0.5 at {membership.midpoint:g}, width {membership.width:g}"
    if kind == "gaussian":
        return f"{layer}: gaussian around {membership.mean:g} (sd {membership.sd:g})"
    if kind == "categorical":
        scores = ", ".join(f"{_words(k)} {v:g}" for k, v in membership.scores.items())
        return f"{layer}: {scores}; other classes {membership.default:g}"
    return f"{layer}: {kind}"
