"""The planner's report: one printable, self-contained HTML page (figures inlined as PNG).

What was run and on which data (with its resolution and sources, estimates flagged), maps of
the suitability and the candidate sites, the best sites per use, the assumptions with their
sources, and — when those stages ran — generation and sequestration with P10–P90 bands and the
ITMO ledger. The page is rendered by Jinja2 with autoescaping on, so any text from inputs or the
scenario appears as text, never as markup.
"""

from __future__ import annotations

import base64
import io as bytes_io
from dataclasses import dataclass, field

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import xarray as xr

# Figures are built with matplotlib's object API (Figure, not pyplot): nothing touches the
# user's backend or open figures, so a notebook keeps plotting inline after a run.
from matplotlib.figure import Figure

from siting.outputs.screen import at_screen_resolution
from siting.outputs.tables import display_table

#: The columns of "best sites", per use (others: every column of SITE_COLUMNS present).
USE_COLUMNS = {
    "reforestation": (
        "rank", "site_id", "area_ha", "score_mean", "soum", "nearest_settlement",
        "settlement_distance_km", "grid_distance_km", "p_same_rank", "species", "climate_zone",
        "first_planting_year", "tco2e_2050_p50",
    ),
    "wind": (
        "rank", "site_id", "area_ha", "score_mean", "soum", "nearest_settlement",
        "settlement_distance_km", "grid_distance_km", "p_same_rank", "n_turbines", "capacity_mw",
        "aep_p50_mwh", "capacity_factor", "tco2e_per_year",
    ),
}  # fmt: skip
SITE_COLUMNS = tuple(dict.fromkeys(USE_COLUMNS["reforestation"] + USE_COLUMNS["wind"]))


@dataclass
class ReportContent:
    """Everything the report shows.

    Attributes
    ----------
    title, created : str
        Scenario title and run time.
    description : str
        The scenario's description.
    caveats : list of str
        Estimates and approximations, shown first.
    data : pandas.DataFrame
        One row per input layer: layer, file, kind, resolution, source.
    suitability : dict of str to xarray.DataArray
        Per land use, 0..1.
    sites : dict of str to geopandas.GeoDataFrame
        Per land use, ranked.
    eligibility : dict of str to pandas.DataFrame
        Per land use, hectares per exclusion rule.
    assumptions : pandas.DataFrame
        One row per rule or criterion: use, what, value, reason, source.
    weights : dict of str to dict
        Per land use, criterion weights (and ``consistency_ratio`` when AHP).
    generation, sequestration, ledger : pandas.DataFrame, optional
        Tidy outputs of the wind, forest and credit stages, when they ran (``generation`` and
        ``sequestration`` with ``year``, ``quantile`` and a value column).
    credits_summary, comparison : pandas.DataFrame, optional
        Totals per project type and the comparison cases.
    forest_summary : str
        The planting plan (ha and seedlings a year, the year the whole area is planted), the
        project's stock and each site's ecological zone, in words.
    target_mt : float, optional
        The buyer's single-year target the annual ITMOs are drawn against, Mt CO2e (the
        scenario's first accounting period); without it no target line is drawn.
    """

    title: str
    created: str
    description: str = ""
    caveats: list[str] = field(default_factory=list)
    data: pd.DataFrame | None = None
    suitability: dict[str, xr.DataArray] = field(default_factory=dict)
    sites: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    eligibility: dict[str, pd.DataFrame] = field(default_factory=dict)
    assumptions: pd.DataFrame | None = None
    weights: dict[str, dict] = field(default_factory=dict)
    generation: pd.DataFrame | None = None
    sequestration: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None
    credits_summary: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    forest_summary: str = ""
    target_mt: float | None = None


# --------------------------------------------------------------------------------------------
# Figures


#: Longest side, in cells, of a raster drawn in a report figure (7.5 in at 110 dpi = 825 px).
FIGURE_PX = 1024


def figure_data_url(fig: Figure) -> str:
    """A matplotlib figure as a PNG data URL."""
    buffer = bytes_io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def suitability_figure(score: xr.DataArray, sites: gpd.GeoDataFrame, use: str) -> str:
    """Suitability map with site outlines and ids (analysis CRS, km axes)."""
    fig = Figure(figsize=(7.5, 6))
    ax = fig.subplots()
    score = at_screen_resolution(score, FIGURE_PX)  # no more cells than the figure has pixels
    km = score.assign_coords(x=score.x / 1000, y=score.y / 1000)
    km.plot.imshow(ax=ax, vmin=0, vmax=1, cmap="YlGn" if use == "reforestation" else "PuBu",
            cbar_kwargs={"label": "suitability (0-1)"})  # fmt: skip
    if not sites.empty:
        outlines = sites.copy()
        outlines["geometry"] = outlines.geometry.scale(1e-3, 1e-3, origin=(0, 0))
        outlines.boundary.plot(ax=ax, color="black", linewidth=0.7)
        for number, (_, site) in enumerate(outlines.head(10).iterrows(), start=1):
            point = site.geometry.representative_point()
            label = str(int(site["rank"])) if "rank" in site else str(number)
            ax.annotate(label, (point.x, point.y), fontsize=8, ha="center", weight="bold")
    ax.set_title(f"{use}: suitability and candidate sites (numbers: rank)")
    ax.set_xlabel("easting (km)")
    ax.set_ylabel("northing (km)")
    ax.set_aspect("equal")
    return figure_data_url(fig)


def band_figure(table: pd.DataFrame, value: str, ylabel: str, title: str) -> str:
    """Total over sites per year: the median with a P10–P90 band (or the lines present).

    ``table`` is tidy with columns ``year``, ``quantile`` (``p10``, ``p50``, ``p90``) and
    ``value``; rows are summed per year and quantile. For several sites that is an upper
    bound of the spread of the total (as if fully correlated); the forest band is drawn from
    the project's joint-draw quantiles (one row per year and quantile), shown as they are.
    """
    totals = table.groupby(["year", "quantile"])[value].sum().unstack("quantile")
    fig = Figure(figsize=(7.5, 3.6))
    ax = fig.subplots()
    if {"p10", "p90"} <= set(totals.columns):
        ax.fill_between(totals.index, totals["p10"], totals["p90"], alpha=0.3, label="P10–P90")
    elif "p10" in totals:
        ax.plot(totals.index, totals["p10"], linestyle="--", label="P10 (conservative)")
    if "p50" in totals:
        ax.plot(totals.index, totals["p50"], label="P50")
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return figure_data_url(fig)


#: Wind energy lines: quantity -> label (P-values are exceedance probabilities, as the industry
#: quotes them: P90 is exceeded in 90 % of cases).
ENERGY_LINES = {
    "aep_p50_mwh": ("P50 (expected; credited)", "-"),
    "aep_p75_mwh": ("P75", "--"),
    "aep_p90_10yr_mwh": ("P90, 10-year average", "-."),
    "aep_p90_1yr_mwh": ("P90, single year", ":"),
}


def generation_figure(generation: pd.DataFrame) -> str:
    """Net generation of all wind farms per year: P50 with the P75 and P90 risk lines.

    ``generation`` is tidy (``year``, ``quantity``, ``value``) as in ``generation.csv``.
    """
    totals = generation.groupby(["year", "quantity"])["value"].sum().unstack("quantity")
    fig = Figure(figsize=(7.5, 3.6))
    ax = fig.subplots()
    for quantity, (label, style) in ENERGY_LINES.items():
        if quantity in totals:
            ax.plot(totals.index, totals[quantity] / 1e3, linestyle=style, label=label)
    ax.set_xlabel("year")
    ax.set_ylabel("net generation (GWh/yr)")
    ax.set_title("Wind farms: net generation (partial first year)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return figure_data_url(fig)


def ledger_figure(ledger: pd.DataFrame, target_mt: float | None = None) -> str:
    """ITMOs by vintage stacked by project type, and the annual ITMOs against the target.

    The buyer's target (Korea's 37.5 Mt) is a single-year (2030) quantity: the right panel
    compares it with each vintage's ITMOs and with their running annual average from the first
    vintage (the averaging approach of Decision 2/CMA.3 annex para 7(a)(ii)), never with a
    cumulative total.
    """
    by_vintage = ledger.pivot_table(
        index="vintage", columns="project_type", values="transferable_itmos_tco2e", aggfunc="sum"
    ).fillna(0.0)
    fig = Figure(figsize=(11, 4.6))
    ax1, ax2 = fig.subplots(1, 2)
    (by_vintage / 1e3).rename(columns=lambda c: str(c).replace("_", " ")).plot.bar(
        stacked=True, ax=ax1, width=0.85
    )
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
    ax1.set_xticks(range(0, len(by_vintage), 5), by_vintage.index[::5], rotation=0)
    ax1.set_ylabel("ITMOs (kt CO2e)")
    ax1.set_title("Transferable ITMOs by vintage")
    annual = by_vintage.sum(axis=1) / 1e6
    average = annual.cumsum() / np.arange(1, len(annual) + 1)
    ax2.plot(annual.index, annual.values, marker="o", label="ITMOs of the vintage")
    ax2.plot(
        average.index, average.values, linestyle=":", label="annual average since first vintage"
    )
    if target_mt is not None:
        ax2.axhline(target_mt, color="#b71c1c", linestyle="--",
                    label=f"buyer's single-year target ({target_mt:g} Mt)")  # fmt: skip
    ax2.set_yscale("log")
    ax2.set_ylabel("ITMOs per year (Mt CO2e, log)")
    ax2.set_title("Annual ITMOs against a single-year target")
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    return figure_data_url(fig)


# --------------------------------------------------------------------------------------------
# Page

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ c.title }}: siting report</title>
<style>
 body { font: 14px/1.45 sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
        color: #212121; }
 h1 { font-size: 24px; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.8em; }
 .wide { overflow-x: auto; }
 table { border-collapse: collapse; margin: 0.6em 0; font-size: 12px; }
 th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
 th { background: #f5f5f5; } td.num { text-align: right; white-space: nowrap; }
 .caveat { background: #fff3e0; border-left: 4px solid #e65100; padding: 6px 10px; margin: 4px 0; }
 img { max-width: 100%; height: auto; } .muted { color: #757575; } .note { font-size: 12px; }
 @page { size: A4; margin: 15mm 12mm; }
 @media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11px; }
  .wide { overflow: visible; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  img, figure, tr, .caveat { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 9px; }
 }
</style></head><body>
<h1>{{ c.title }}</h1>
<p class="muted">Run of {{ c.created }}. {{ c.description }}</p>

<h2>Read this first</h2>
{% for note in c.caveats %}<div class="caveat">{{ note }}</div>{% endfor %}

{% if data %}<h2>Data</h2><div class="wide">{{ data }}</div>{% endif %}

<h2>Suitability and candidate sites</h2>
{% for use, figure in maps.items() %}
 <h3>{{ use | capitalize }}</h3>
 <img src="{{ figure }}" alt="suitability map for {{ use }}">
 {% if weights.get(use) %}<p>{{ weights[use] }}</p>{% endif %}
 <h4>Land excluded, rule by rule</h4>
 <div class="wide">{{ eligibility.get(use, "") }}</div>
 <h4>Best sites</h4><div class="wide">{{ sites.get(use, no_sites) }}</div>
 {% if site_notes.get(use) %}<p class="note">{{ site_notes[use] }}</p>{% endif %}
{% endfor %}

{% if generation %}<h2>Wind generation</h2>
 <p>Credited at the expected (P50) energy, as ACM0002 credits metered generation; P75 and P90 are
 risk lines (the 10-year P90 for multi-year totals, the single-year P90 for one year).</p>
 <img src="{{ generation }}" alt="generation">{% endif %}
{% if sequestration %}<h2>Forest sequestration</h2>
 {% if c.forest_summary %}<p>{{ c.forest_summary }}</p>{% endif %}
 <img src="{{ sequestration }}" alt="sequestration">{% endif %}
{% if ledger %}<h2>ITMO ledger</h2><img src="{{ ledger }}" alt="ITMO ledger">
 {% if credits_summary %}<h3>ITMOs per accounting period, by project type</h3>
 <div class="wide">{{ credits_summary }}</div>{% endif %}
 {% if comparison %}<h3>Cases side by side (totals)</h3>
 <div class="wide">{{ comparison }}</div>{% endif %}
{% endif %}

{% if assumptions %}<h2>Assumptions and sources</h2><div class="wide">{{ assumptions }}</div>
{% endif %}
<p class="muted">Made with siting. The sources named above are listed in full in the project's
references (docs/references.md).</p>
</body></html>
"""


def render_report(content: ReportContent) -> str:
    """The report page as HTML text.

    Parameters
    ----------
    content : ReportContent
        What to show.

    Returns
    -------
    str
        A complete HTML document with every figure inlined.
    """
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(_TEMPLATE)
    markup = jinja2.utils.markupsafe.Markup  # tables are built escaped by display_table
    sites, site_notes = {}, {}
    for use, frame in content.sites.items():
        if frame.empty:
            continue
        shown, site_notes[use] = best_sites(frame, use)
        columns = USE_COLUMNS.get(use, SITE_COLUMNS)
        sites[use] = markup(display_table(shown, columns, max_rows=10))
    eligibility = {
        use: markup(display_table(table, ["rule", "excluded_ha", "eligible_ha_after", "source"]))
        for use, table in content.eligibility.items()
    }
    weights = {use: weights_sentence(values) for use, values in content.weights.items()}
    maps = {
        use: suitability_figure(score, content.sites.get(use, gpd.GeoDataFrame()), use)
        for use, score in content.suitability.items()
    }
    generation = (
        generation_figure(content.generation)
        if content.generation is not None and not content.generation.empty
        else ""
    )
    sequestration = _optional_band(
        content.sequestration, "tco2e_annual", "removals (tCO2e/yr)", "Reforestation: removals"
    )
    tables = {
        "data": content.data,
        "assumptions": content.assumptions,
        "credits_summary": content.credits_summary,
        "comparison": content.comparison,
    }
    tables = {
        key: markup(display_table(frame)) if frame is not None else ""
        for key, frame in tables.items()
    }
    return template.render(
        c=content,
        maps=maps,
        weights=weights,
        eligibility=eligibility,
        sites=sites,
        site_notes=site_notes,
        no_sites=jinja2.utils.markupsafe.Markup("<p>No candidate sites.</p>"),
        generation=generation,
        sequestration=sequestration,
        ledger=ledger_figure(content.ledger, content.target_mt)
        if content.ledger is not None
        else "",
        **tables,
    )


def best_sites(frame: pd.DataFrame, use: str) -> tuple[pd.DataFrame, str]:
    """The sites the "best sites" table lists, and a note on those it leaves out or qualifies.

    Wind sites without a turbine (the connection capacity is taken by better sites) are left
    out and counted; for forest sites the note says why the 2030 stock is small.
    """
    frame = frame.sort_values("rank") if "rank" in frame else frame
    notes = []
    if "n_turbines" in frame:
        idle = frame["n_turbines"].fillna(0) <= 0
        if idle.any():
            notes.append(
                f"{int(idle.sum())} further candidate site(s) get no turbines: the grid "
                "connection's capacity is taken by the sites above."
            )
        frame = frame[~idle]
    if "tco2e_2050_p50" in frame and "first_planting_year" in frame and len(frame):
        first, last = frame["first_planting_year"].min(), frame["first_planting_year"].max()
        notes.append(
            f"Stock 2050: the median stock at the end of 2050. These sites are planted from "
            f"{int(first)} to {int(last)} under the shared planting capacity, and young larch "
            "holds little carbon: by 2030 the stock is small."
        )
    return frame, " ".join(notes)


def weights_sentence(values: dict) -> str:
    """Criterion weights in words, with the AHP consistency ratio when there is one."""
    values = dict(values)
    ratio = values.pop("consistency_ratio", None)
    text = "Weights: " + ", ".join(
        f"{name.replace('_', ' ')} {weight:.3f}" for name, weight in values.items()
    )
    if ratio is not None:
        text += f" (AHP consistency ratio {ratio:.3f}; below 0.10 is consistent)"
    return text + "."


def _optional_band(table: pd.DataFrame | None, value: str, ylabel: str, title: str) -> str:
    if table is None or table.empty or value not in table:
        return ""
    return band_figure(table, value, ylabel, title)
