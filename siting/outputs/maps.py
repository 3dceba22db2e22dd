"""The planner's HTML map: one self-contained file that works offline.

folium builds the map; every asset it needs is inlined into the page: Leaflet's JavaScript,
CSS and control images come from the XStatic-Leaflet package (the same Leaflet release folium
targets), the raster layers are PNG data URLs, and siting's own small controls (coordinates on
click, a measuring tool, title and legend) ship in ``siting/static``. folium's default CDN
assets (jQuery, Bootstrap, Font Awesome, awesome-markers) are not used. Online basemaps are
offered only as layers that are off by default.

Every text that comes from inputs or the scenario is text in the page, never markup or code: site
and place names travel as GeoJSON properties (embedded with Jinja's ``tojson``) and are shown
in tooltips and popups with ``textContent`` (:class:`TextDetails`); the scenario title, run
line and caveats are HTML-escaped into the title block. No input text is ever written into a
JavaScript string or template literal.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.warp
import rioxarray  # noqa: F401  (registers the .rio accessor used below)
import xarray as xr
from branca.element import MacroElement
from jinja2 import Template
from xstatic.pkg import leaflet as xstatic_leaflet

from siting.grid import WGS84
from siting.outputs.screen import at_screen_resolution
from siting.outputs.tables import column_for, format_value

#: Colour ramps and outline colours of each land use.
STYLE = {
    "reforestation": {"ramp": branca.colormap.linear.YlGn_09, "line": "#1b5e20", "fill": "#66bb6a"},
    "wind": {"ramp": branca.colormap.linear.PuBu_09, "line": "#0d47a1", "fill": "#42a5f5"},
}

#: Point layers drawn when present: layer name -> (label column, colour).
POINT_LAYERS = {
    "settlements": ("name", "#424242"),
    "airports": ("name", "#b71c1c"),
    "heritage": ("name", "#6a1b9a"),
    "grid_connection": ("name", "#e65100"),
}

#: Orientation layers drawn when present: layer name -> (title, Leaflet style, label column).
CONTEXT_LAYERS = {
    "soums": ("Soum boundaries", {"color": "#616161", "weight": 1, "fill": False,
                                  "dashArray": "4 3"}, "shapeName"),
    "lakes": ("Lakes", {"color": "#1565c0", "weight": 1, "fillColor": "#90caf9",
                        "fillOpacity": 0.7}, "name"),
    "rivers": ("Rivers", {"color": "#1e88e5", "weight": 1.5}, "name"),
}  # fmt: skip

#: Turbine attributes shown in their popups.
TURBINE_FIELDS = ("site_id", "model", "hub_height_m", "rated_kw", "aep_mwh")

#: Site attributes shown in popups, in this order, when present.
POPUP_FIELDS = (
    "site_id",
    "rank",
    "area_ha",
    "score_mean",
    "p_same_rank",
    "soum",
    "grid_distance_km",
    "species",
    "tco2e_2030_p50",
    "n_turbines",
    "capacity_mw",
    "aep_p50_mwh",
    "tco2e_per_year",
)  # fmt: skip (then every itmo_<accounting period> column)


@dataclass
class MapContent:
    """Everything the map shows, in the analysis CRS (reprojected for display).

    Attributes
    ----------
    title : str
        Scenario name or title (escaped when shown).
    subtitle : str
        E.g. the run date.
    caveats : list of str
        Flags shown under the title (estimated wind, approximated layers).
    suitability, eligible : dict of str to xarray.DataArray
        Per land use: suitability 0..1 and the eligibility mask.
    sites : dict of str to geopandas.GeoDataFrame
        Per land use: candidate sites with their attributes.
    hillshade : xarray.DataArray, optional
        Shaded relief 0..1, the offline base layer.
    points : dict of str to geopandas.GeoDataFrame
        Point layers (settlements, airports, heritage, grid connection).
    turbines : geopandas.GeoDataFrame, optional
        Turbine positions.
    aoi : geopandas.GeoDataFrame, optional
        Area of interest outline.
    context : dict of str to geopandas.GeoDataFrame
        Orientation layers (rivers, lakes, soums; see :data:`CONTEXT_LAYERS`).
    attribution : str
        Data attribution shown in the map corner (plain text; escaped when shown).
    """

    title: str
    subtitle: str = ""
    caveats: list[str] = field(default_factory=list)
    suitability: dict[str, xr.DataArray] = field(default_factory=dict)
    eligible: dict[str, xr.DataArray] = field(default_factory=dict)
    sites: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    hillshade: xr.DataArray | None = None
    points: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    turbines: gpd.GeoDataFrame | None = None
    aoi: gpd.GeoDataFrame | None = None
    context: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    attribution: str = ""


# --------------------------------------------------------------------------------------------
# Offline assets


def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS, with the CSS's images inlined as data URLs."""
    folder = Path(xstatic_leaflet.BASE_DIR)
    script = (folder / "leaflet.js").read_text("utf-8")
    css = (folder / "leaflet.css").read_text("utf-8")

    def inline(match: re.Match) -> str:
        image = folder / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return script, re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


def siting_assets() -> tuple[str, str]:
    """The project's own map controls (JavaScript) and styles (CSS)."""
    static = resources.files("siting") / "static"
    return static.joinpath("map.js").read_text("utf-8"), static.joinpath("map.css").read_text(
        "utf-8"
    )


def _script_tag(code: str) -> str:
    # A "</script" inside the code would end the element early; Leaflet has none, but guard.
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _make_offline(fmap: folium.Map) -> None:
    """Drop folium's CDN assets and inline Leaflet and siting's controls instead."""
    fmap.default_js = []
    fmap.default_css = []
    leaflet_js, leaflet_css = leaflet_assets()
    controls_js, controls_css = siting_assets()
    header = fmap.get_root().header
    header.add_child(folium.Element(f"<style>{leaflet_css}\n{controls_css}</style>"), name="css")
    header.add_child(folium.Element(_script_tag(leaflet_js)), name="leaflet")
    header.add_child(folium.Element(_script_tag(controls_js)), name="siting_controls")


class _Controls(MacroElement):
    """Calls ``sitingControls(map, attribution)`` once the map exists (after its own script).

    The attribution is HTML-escaped here and passed as a JSON string: Leaflet shows
    attributions as HTML.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}sitingControls({{ this._parent.get_name() }},"
        " {{ this.attribution|tojson }});{% endmacro %}"
    )

    def __init__(self, attribution: str = ""):
        super().__init__()
        self.attribution = html.escape(attribution)


# --------------------------------------------------------------------------------------------
# Layers


def colourise(values: xr.DataArray, ramp: branca.colormap.LinearColormap, alpha: int = 200):
    """RGBA image (uint8, rows north to south) of a 0..1 raster; NaN is transparent."""
    lut = np.array([ramp.rgba_bytes_tuple(v) for v in np.linspace(0, 1, 256)], dtype="uint8")
    data = np.asarray(values.values, dtype="float64")
    index = np.clip(np.nan_to_num(data, nan=0.0) * 255, 0, 255).astype("uint8")
    image = lut[index]
    image[..., 3] = np.where(np.isnan(data), 0, alpha)
    return image


#: Web Mercator: the map's display projection, in which image overlays are stretched linearly.
WEB_MERCATOR = "EPSG:3857"


def png_data_url(image: np.ndarray) -> str:
    """An RGBA uint8 image as a PNG data URL (Pillow's zlib encoder).

    folium's own encoder (branca ``write_png``) is pure Python: it took 3.7 s for the five
    overlays of a 25 Mpx run; with this one and the direct Web Mercator reprojection the
    whole map of that run took 3.8 s instead of 6.0 s.
    """
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image, mode="RGBA").save(buffer, format="PNG", compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def on_web_mercator(raster: xr.DataArray) -> xr.DataArray:
    """A raster (screen resolution) reprojected to the map's Web Mercator, NaN outside."""
    return raster.astype("float32").rio.reproject(WEB_MERCATOR, nodata=np.nan)


def _overlay(image: np.ndarray, projected: xr.DataArray, name: str, show: bool):
    """An image overlay of ``image``, drawn on the cells of ``projected`` (Web Mercator)."""
    west, south, east, north = rasterio.warp.transform_bounds(
        projected.rio.crs, WGS84, *projected.rio.bounds()
    )
    return folium.raster_layers.ImageOverlay(
        image=png_data_url(image), bounds=[[south, west], [north, east]], name=name, show=show
    )


def raster_overlay(score: xr.DataArray, ramp, name: str, show: bool):
    """A 0..1 raster as a colour-mapped image layer (screen resolution)."""
    projected = on_web_mercator(at_screen_resolution(score))
    return _overlay(colourise(projected, ramp), projected, name, show)


def mask_overlay(mask: xr.DataArray, colour: str, name: str, show: bool):
    """A boolean raster as a translucent single-colour image layer (screen resolution)."""
    values = at_screen_resolution(mask).astype("float32").rio.write_nodata(np.nan)
    projected = on_web_mercator(values)
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    data = np.nan_to_num(projected.values, nan=0.0) > 0.5
    image = np.zeros(data.shape + (4,), dtype="uint8")
    image[data] = (*rgb, 110)
    return _overlay(image, projected, name, show)


def hillshade_overlay(hillshade: xr.DataArray):
    """Shaded relief in grey as the offline base layer (screen resolution)."""
    projected = on_web_mercator(at_screen_resolution(hillshade))
    grey = np.clip(np.nan_to_num(projected.values, nan=1.0) * 255, 0, 255).astype("uint8")
    image = np.dstack([grey, grey, grey, np.where(np.isnan(projected.values), 0, 255)])
    return _overlay(image.astype("uint8"), projected, "Relief (hillshade)", True)


def display_features(frame: gpd.GeoDataFrame, columns: list[str], formatted: bool = False) -> dict:
    r"""GeoJSON (lon/lat) of ``columns`` with numbers rounded for display; texts kept as written.

    With ``formatted``, every value becomes the text a reader sees (thousands separators,
    percentages, species' common names: :func:`siting.outputs.tables.column_for`).

    The texts are not escaped here: folium embeds the GeoJSON with Jinja's ``tojson`` (which
    writes ``<``, ``>``, ``&`` and ``'`` as ``\\u`` escapes, so no value can close the
    ``<script>``), and :class:`TextDetails` shows them with ``textContent``.
    """
    shown = frame[columns + [frame.geometry.name]].to_crs(WGS84)
    if formatted:
        for column in columns:
            shown[column] = [format_value(v, column_for(column)) for v in shown[column]]
        return json.loads(shown.to_json(na="null", drop_id=True))
    for column in columns:
        if shown[column].dtype.kind == "f":
            shown[column] = shown[column].round(3)
        elif shown[column].dtype.kind not in "iub":
            shown[column] = shown[column].map(lambda v: None if v is None else str(v))
    return json.loads(shown.to_json(na="null", drop_id=True))


class TextDetails(MacroElement):
    """Tooltip or popup of a GeoJSON layer whose values are DOM text, never markup.

    folium's ``GeoJsonTooltip``/``GeoJsonPopup`` interpolate values into an HTML string set with
    ``innerHTML``; this element instead calls ``sitingDetails`` (``siting/static/map.js``),
    which builds the table with ``textContent``. The field names and labels are siting's own.

    Parameters
    ----------
    kind : {"tooltip", "popup"}
        Which Leaflet binding.
    fields : list of str
        Feature properties shown, in order.
    labels : bool
        Show the field names as row headers.
    """

    # A permanent label is bound to each feature (a group's permanent tooltip opens only once).
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% if this.options.permanent %}"
        "{{ this._parent.get_name() }}.eachLayer(function (layer) {"
        " layer.bindTooltip(sitingDetails(layer.feature.properties, {{ this.fields|tojson }},"
        " {{ this.labels|tojson }}), {{ this.options|tojson }}); });"
        "{% else %}"
        "{{ this._parent.get_name() }}.{{ this.method }}(function (layer) {"
        " return sitingDetails(layer.feature.properties, {{ this.fields|tojson }},"
        " {{ this.labels|tojson }}); }, {{ this.options|tojson }});"
        "{% endif %}"
        "{% endmacro %}"
    )

    def __init__(
        self,
        kind: str,
        fields: list[str],
        labels: bool | list[str] = True,
        options: dict | None = None,
    ):
        super().__init__()
        self.method = {"tooltip": "bindTooltip", "popup": "bindPopup"}[kind]
        self.fields = list(fields)
        if labels is True:
            labels = [column_for(f).label for f in fields]
        self.labels = list(labels) if labels else None
        # A popup pans clear of the title block (top) and the legend (bottom right).
        popup = {"maxWidth": 480, "autoPanPaddingTopLeft": [60, 170],
                 "autoPanPaddingBottomRight": [290, 60]}  # fmt: skip
        default = {"sticky": True} if kind == "tooltip" else popup
        self.options = {**default, **(options or {})}


def site_layer(sites: gpd.GeoDataFrame, name: str, style: dict) -> folium.GeoJson:
    """Candidate site polygons with a popup and tooltip of their attributes (as text)."""
    fields = [c for c in POPUP_FIELDS if c in sites]
    fields += [c for c in sites.columns if c.startswith("itmo_") and c not in fields]
    layer = folium.GeoJson(
        display_features(sites, fields, formatted=True),
        name=name,
        style_function=lambda _: {
            "color": style["line"],
            "weight": 2,
            "fillColor": style["fill"],
            "fillOpacity": 0.15,
        },
    )
    if fields:
        layer.add_child(TextDetails("tooltip", fields[:1], labels=False))
        layer.add_child(TextDetails("popup", fields))
    return layer


def point_layer(
    frame: gpd.GeoDataFrame,
    name: str,
    label: str,
    colour: str,
    radius: int = 4,
    *,
    permanent_labels: bool = False,
    popup_fields: tuple[str, ...] = (),
):
    """Point features as small circles with their name as text (a label, or on hover)."""
    points = frame[frame.geom_type == "Point"].copy()
    if label in points:
        points["label"] = [name if pd.isna(v) else str(v) for v in points[label]]
    else:
        points["label"] = name
    fields = [f for f in popup_fields if f in points]
    layer = folium.GeoJson(
        display_features(points, ["label", *fields], formatted=False)
        if not fields
        else _with_label(display_features(points, fields, formatted=True), points["label"]),
        name=name,
        marker=folium.CircleMarker(radius=radius, fill=True),
        style_function=lambda _: {"color": colour, "fillColor": colour, "fillOpacity": 0.8},
    )
    options = (
        {"permanent": True, "sticky": False, "direction": "right", "className": "siting-label"}
        if permanent_labels
        else None
    )
    layer.add_child(TextDetails("tooltip", ["label"], labels=False, options=options))
    if fields:
        layer.add_child(TextDetails("popup", ["label", *fields], labels=["", *[
            column_for(f).label for f in fields]]))  # fmt: skip
    return layer


def _with_label(features: dict, labels: pd.Series) -> dict:
    """GeoJSON features with a ``label`` property added (the point's name)."""
    for feature, text in zip(features["features"], labels, strict=True):
        feature["properties"]["label"] = text
    return features


def context_layer(frame: gpd.GeoDataFrame, name: str, style: dict, label: str | None):
    """An orientation layer (rivers, lakes, soum boundaries) with its names on hover."""
    columns = [label] if label and label in frame else []
    layer = folium.GeoJson(
        display_features(frame, columns), name=name, style_function=lambda _: dict(style),
        show=True,
    )  # fmt: skip
    if columns:
        layer.add_child(TextDetails("tooltip", columns, labels=False))
    return layer


def _legend_row(layer: str, body: str, shown: bool) -> str:
    """One legend row tied to a map layer by name (the map's script hides it with the layer)."""
    hidden = "" if shown else ' style="display:none"'
    return f'<div data-layer="{html.escape(layer, quote=True)}"{hidden}>{body}</div>'


def _swatch(line: str, fill: str, round_: bool = False, dashed: bool = False) -> str:
    shape = "border-radius:50%;" if round_ else ""
    border = "dashed" if dashed else "solid"
    return (
        f'<span class="swatch" style="{shape}border:2px {border} {line};background:{fill}"></span>'
    )


def legend_html(content: MapContent) -> str:
    """The legend: a row per visible layer, following the layer toggles; collapsible on phones."""
    rows = []
    for i, name in enumerate(content.suitability):
        colours = ", ".join(STYLE[name]["ramp"].scale(0, 1).rgb_hex_str(v) for v in (0, 0.5, 1))
        rows.append(_legend_row(
            f"Suitability: {name}",
            f"<b>Suitability (eligible land): {html.escape(name)}</b>"
            f'<div class="ramp" style="background: linear-gradient(to right, {colours})"></div>'
            '<div class="ticks"><span>0</span><span>0.5</span><span>1</span></div>',
            shown=i == 0,
        ))  # fmt: skip
    for name in content.eligible:
        rows.append(_legend_row(
            f"Eligible: {name}", _swatch(STYLE[name]["fill"], STYLE[name]["fill"] + "99")
            + f"Eligible land: {html.escape(name)}", shown=False,
        ))  # fmt: skip
    for name, frame in content.sites.items():
        if not frame.empty:
            rows.append(_legend_row(
                f"Candidate sites: {name}",
                _swatch(STYLE[name]["line"], STYLE[name]["fill"] + "55")
                + f"Candidate sites: {html.escape(name)}", shown=True,
            ))  # fmt: skip
    if content.turbines is not None and not content.turbines.empty:
        rows.append(_legend_row(
            "Turbines", _swatch("#0d47a1", "#0d47a1", round_=True) + "Turbines", shown=True
        ))  # fmt: skip
    for layer, (_, colour) in POINT_LAYERS.items():
        if layer in content.points and not content.points[layer].empty:
            title = layer.replace("_", " ").capitalize()
            rows.append(_legend_row(title, _swatch(colour, colour, round_=True) + title, True))
    for layer, (title, style, _) in CONTEXT_LAYERS.items():
        if layer in content.context and not content.context[layer].empty:
            fill = style.get("fillColor", "transparent") if style.get("fill", True) else "none"
            rows.append(_legend_row(
                title, _swatch(style["color"], fill, dashed="dashArray" in style) + title, True
            ))  # fmt: skip
    if content.aoi is not None:
        rows.append(_legend_row("Area of interest", _swatch("#000000", "none") + "Area of "
                                "interest", True))  # fmt: skip
    return (
        '<div class="siting-legend"><button type="button" class="siting-toggle">Legend</button>'
        '<div class="siting-legend-body">' + "".join(rows) + "</div></div>"
    )


def title_html(content: MapContent) -> str:
    """The title block: scenario, date and caveats (all escaped)."""
    caveats = "".join(f'<div class="caveat">{html.escape(c)}</div>' for c in content.caveats)
    return (
        f'<div class="siting-title"><h1>{html.escape(content.title)}</h1>'
        f"<div>{html.escape(content.subtitle)}</div>{caveats}</div>"
    )


# --------------------------------------------------------------------------------------------
# The map


def site_map(content: MapContent) -> folium.Map:
    """Build the self-contained planner's map.

    Parameters
    ----------
    content : MapContent
        What to show.

    Returns
    -------
    folium.Map
        Save it with ``.save("map.html")``; the file needs no network.
    """
    frames = [f for f in content.sites.values() if not f.empty]
    extent = content.aoi if content.aoi is not None else (frames[0] if frames else None)
    west, south, east, north = (
        extent.to_crs(WGS84).total_bounds if extent is not None else (-180, -85, 180, 85)
    )
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=True,
    )
    _make_offline(fmap)
    if content.hillshade is not None:
        hillshade_overlay(content.hillshade).add_to(fmap)
    for layer, (title, style, label) in CONTEXT_LAYERS.items():
        frame = content.context.get(layer)
        if frame is not None and not frame.empty:
            context_layer(frame, title, style, label).add_to(fmap)
    for i, (name, score) in enumerate(content.suitability.items()):
        ramp = STYLE[name]["ramp"].scale(0, 1)
        if name in content.eligible:  # excluded land is not shown as suitable
            score = score.where(content.eligible[name].astype(bool))
        raster_overlay(score, ramp, f"Suitability: {name}", show=i == 0).add_to(fmap)
    for name, mask in content.eligible.items():
        mask_overlay(mask, STYLE[name]["fill"], f"Eligible: {name}", show=False).add_to(fmap)
    for name, sites in content.sites.items():
        if not sites.empty:
            site_layer(sites, f"Candidate sites: {name}", STYLE[name]).add_to(fmap)
    if content.turbines is not None and not content.turbines.empty:
        point_layer(
            content.turbines, "Turbines", "turbine_id", "#0d47a1", radius=3,
            popup_fields=TURBINE_FIELDS,
        ).add_to(fmap)  # fmt: skip
    for layer, (label, colour) in POINT_LAYERS.items():
        if layer in content.points and not content.points[layer].empty:
            title = layer.replace("_", " ").capitalize()
            point_layer(
                content.points[layer], title, label, colour,
                permanent_labels=layer == "settlements",
            ).add_to(fmap)  # fmt: skip
    if content.aoi is not None:
        folium.GeoJson(
            content.aoi.to_crs(WGS84),
            name="Area of interest",
            style_function=lambda _: {"color": "#000000", "weight": 1.5, "fill": False},
        ).add_to(fmap)
    folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap (online)", overlay=True, show=False
    ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(title_html(content) + legend_html(content)))
    fmap.add_child(_Controls(content.attribution))
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
