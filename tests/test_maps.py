"""The planner's map: self-contained, offline in a real browser, escaped text."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting.grid import grid_for_aoi
from siting.outputs import maps

from .browser import open_offline, require_chromium

PAYLOAD = "<img src=x onerror=alert(1)>"
LAYER_NAMES = """() => Array.from(document.querySelectorAll('.leaflet-control-layers label'))
    .map(l => l.textContent.trim())"""


@pytest.fixture(scope="module")
def content():
    grid = grid_for_aoi(shapely.box(99.9, 49.5, 100.3, 49.8), 500)
    rng = np.random.default_rng(0)
    score = grid.wrap(rng.random(grid.shape).astype("float32"), name="s", units="1")
    eligible = grid.wrap(rng.random(grid.shape) > 0.3, name="e", units="")
    x, y = grid.x[10], grid.y[10]
    site = shapely.box(x, y - 2000, x + 3000, y)
    sites = gpd.GeoDataFrame(
        {"site_id": ["R001"], "area_ha": [600.0], "score_mean": [0.81], "soum": [PAYLOAD]},
        geometry=[site],
        crs=grid.crs,
    )
    towns = gpd.GeoDataFrame({"name": [PAYLOAD]}, geometry=[shapely.Point(x, y)], crs=grid.crs)
    return maps.MapContent(
        title=f"Mörön {PAYLOAD}",
        subtitle="test",
        caveats=["Wind resource is an ESTIMATE"],
        suitability={"reforestation": score, "wind": score},
        eligible={"reforestation": eligible},
        sites={"reforestation": sites},
        hillshade=score,
        points={"settlements": towns},
        aoi=gpd.GeoDataFrame(geometry=[grid.aoi], crs=grid.crs),
        context={
            "rivers": gpd.GeoDataFrame(
                {"name": ["Delger"]},
                geometry=[shapely.LineString([(x, y), (x + 5000, y - 3000)])],
                crs=grid.crs,
            )
        },
        attribution=f"Data: GeoNames, CC BY 4.0 {PAYLOAD}",
    )


@pytest.fixture(scope="module")
def page(content, tmp_path_factory):
    path = tmp_path_factory.mktemp("map") / "map.html"
    maps.site_map(content).save(str(path))
    return path


def test_page_references_no_remote_script_or_style(page):
    text = page.read_text()
    for tag in ("<script src=", '<link rel="stylesheet" href="http'):
        assert tag not in text
    assert "cdn.jsdelivr" not in text and "code.jquery" not in text


def test_input_text_is_escaped_in_the_page(page):
    text = page.read_text()
    assert PAYLOAD not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_map_works_offline_in_chromium(page, tmp_path):
    require_chromium()
    shot = tmp_path / "map.png"
    report = open_offline(
        page,
        screenshot=shot,
        script=f"() => ({{leaflet: typeof L !== 'undefined', layers: ({LAYER_NAMES})(),"
        " imgs: document.querySelectorAll('img[src=\"x\"]').length,"
        " title: document.querySelector('.siting-title h1').textContent})",
    )
    assert report["external"] == []
    assert report["failed"] == []
    assert report["errors"] == []
    assert report["dialogs"] == [], "escaped text must never run"
    result = report["result"]
    assert result["leaflet"]
    assert result["imgs"] == 0
    assert result["title"] == f"Mörön {PAYLOAD}"
    for layer in (
        "Relief (hillshade)",
        "Suitability: reforestation",
        "Suitability: wind",
        "Eligible: reforestation",
        "Candidate sites: reforestation",
        "Settlements",
        "Area of interest",
        "OpenStreetMap (online)",
    ):
        assert layer in result["layers"]
    assert shot.stat().st_size > 10_000


def test_popup_shows_the_payload_as_text(page):
    require_chromium()
    report = open_offline(
        page,
        script="""() => {
            const paths = document.querySelectorAll('path.leaflet-interactive');
            const site = Array.from(paths).find(p => p.getAttribute('fill') === '#66bb6a');
            site.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 0}));
            const popup = document.querySelector('.leaflet-popup-content');
            return popup ? popup.textContent : null;
        }""",
    )
    assert report["dialogs"] == []
    assert report["result"] is not None and PAYLOAD in report["result"]


def test_legend_follows_the_layer_toggles_and_names_are_labels(page):
    """Rows of hidden layers are hidden; toggling a layer shows or hides its row."""
    require_chromium()
    report = open_offline(
        page,
        script="""() => {
            const row = name => document.querySelector(
                `.siting-legend [data-layer="${name}"]`);
            const shown = name => row(name) !== null && row(name).style.display !== 'none';
            const toggle = name => Array.from(document.querySelectorAll(
                '.leaflet-control-layers label')).find(l => l.textContent.trim() === name)
                .querySelector('input').click();
            const before = {wind: shown('Suitability: wind'),
                            sites: shown('Candidate sites: reforestation'),
                            rivers: shown('Rivers')};
            toggle('Suitability: wind');
            toggle('Candidate sites: reforestation');
            const after = {wind: shown('Suitability: wind'),
                           sites: shown('Candidate sites: reforestation')};
            const labels = Array.from(document.querySelectorAll('.siting-label'))
                .map(l => l.textContent);
            const attribution = document.querySelector('.leaflet-control-attribution')
                .textContent;
            const locate = document.querySelector('.siting-locate a') !== null;
            return {before, after, labels, attribution, locate};
        }""",
    )
    assert report["errors"] == [] and report["dialogs"] == []
    result = report["result"]
    assert result["before"] == {"wind": False, "sites": True, "rivers": True}
    assert result["after"] == {"wind": True, "sites": False}
    assert result["labels"] == [PAYLOAD]  # settlement names always shown, as text
    assert f"GeoNames, CC BY 4.0 {PAYLOAD}" in result["attribution"]
    assert result["locate"]


def test_popups_read_in_words(page):
    require_chromium()
    report = open_offline(
        page,
        script="""() => {
            const paths = document.querySelectorAll('path.leaflet-interactive');
            const site = Array.from(paths).find(p => p.getAttribute('fill') === '#66bb6a');
            site.dispatchEvent(new MouseEvent('click', {bubbles: true}));
            const popup = document.querySelector('.leaflet-popup-content');
            return Array.from(popup.querySelectorAll('tr')).map(r => r.textContent);
        }""",
    )
    assert "Area (ha)600" in report["result"]
    assert "Suitability (0–1)0.81" in report["result"]


def test_phone_layout_collapses_the_layer_list_and_legend(page, tmp_path):
    require_chromium()
    shot = tmp_path / "phone.png"
    report = open_offline(
        page,
        viewport=(390, 844),
        screenshot=shot,
        script="""() => {
            const list = document.querySelector('.leaflet-control-layers-list');
            const body = document.querySelector('.siting-legend-body');
            const visible = e => getComputedStyle(e).display !== 'none';
            const before = [visible(list), visible(body)];
            const title = document.querySelector('.siting-title').getBoundingClientRect();
            const layers = document.querySelector('.leaflet-control-layers .siting-toggle')
                .getBoundingClientRect();
            document.querySelector('.leaflet-control-layers .siting-toggle').click();
            document.querySelector('.siting-legend .siting-toggle').click();
            return {before, after: [visible(list), visible(body)],
                    titleRight: title.right, toggleLeft: layers.left,
                    caveat: visible(document.querySelector('.siting-title .caveat'))};
        }""",
    )
    result = report["result"]
    assert result["before"] == [False, False]
    assert result["after"] == [True, True]
    assert result["titleRight"] <= result["toggleLeft"]  # the title never hides the button
    assert result["caveat"]
    assert shot.stat().st_size > 10_000


#: Names that break out of an HTML, attribute, JavaScript-string or template-literal context.
HOSTILE = [
    "<img src=x onerror=window.__pwned=1>",
    "\"'><script>window.__pwned=1</script>",
    "`${window.__pwned=1}`",
    "${window.__pwned=1}",
    "</script><script>window.__pwned=1</script>",
    'it\'s a "quoted" name',
    "back\\slash\\' \\\" end",
    "javascript:window.__pwned=1",
    "Мөрөн сум",
    "line\u2028separator\u2029paragraph",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    grid = grid_for_aoi(shapely.box(99.9, 49.5, 100.3, 49.8), 500)
    score = grid.wrap(np.full(grid.shape, 0.5, dtype="float32"), name="s", units="1")
    xs = np.linspace(grid.x[5], grid.x[-5], len(HOSTILE))
    y = float(grid.y[len(grid.y) // 2])
    towns = gpd.GeoDataFrame(
        {"name": HOSTILE}, geometry=[shapely.Point(x, y) for x in xs], crs=grid.crs
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": [f"R{i:03d}" for i in range(len(HOSTILE))],
            "area_ha": [100.0] * len(HOSTILE),
            "score_mean": [0.5] * len(HOSTILE),
            "soum": HOSTILE,
        },
        geometry=[shapely.box(x - 400, y - 3000, x + 400, y - 2000) for x in xs],
        crs=grid.crs,
    )
    content = maps.MapContent(
        title=HOSTILE[2] + HOSTILE[0],
        subtitle=HOSTILE[1],
        caveats=[HOSTILE[4], HOSTILE[3]],
        suitability={"reforestation": score},
        eligible={},
        sites={"reforestation": sites},
        hillshade=score,
        points={"settlements": towns, "airports": towns.iloc[:3]},
        aoi=gpd.GeoDataFrame(geometry=[grid.aoi], crs=grid.crs),
    )
    path = tmp_path_factory.mktemp("hostile") / "map.html"
    maps.site_map(content).save(str(path))
    return path


def test_hostile_names_are_text_in_every_map_context(hostile_page):
    """No script from a name runs, the map renders, and every name shows as written."""
    require_chromium()
    report = open_offline(
        hostile_page,
        script="""() => {
            const texts = [];
            document.querySelectorAll('.leaflet-interactive').forEach((el) => {
                for (const kind of ['mouseover', 'click']) {
                    el.dispatchEvent(new MouseEvent(kind, {bubbles: true}));
                    document.querySelectorAll('.leaflet-tooltip, .leaflet-popup-content')
                        .forEach((box) => texts.push(box.textContent));
                }
            });
            return {
                pwned: typeof window.__pwned,
                leaflet: typeof L !== 'undefined',
                panes: document.querySelectorAll('.leaflet-interactive').length,
                title: document.querySelector('.siting-title').textContent,
                scripts: document.querySelectorAll('script:not([src])').length,
                imgs: document.querySelectorAll('img[src="x"]').length,
                texts: texts,
            };
        }""",
    )
    result = report["result"]
    assert report["errors"] == [] and report["dialogs"] == []
    assert result["pwned"] == "undefined", "a name ran as script"
    assert result["leaflet"] and result["panes"] >= 2 * len(HOSTILE)
    assert result["imgs"] == 0
    assert HOSTILE[2] + HOSTILE[0] in result["title"]
    shown = "\n".join(result["texts"])
    for name in HOSTILE:
        assert name in shown, f"not shown as written: {name[:40]!r}"


def test_overlays_are_drawn_at_screen_resolution():
    """A 5,000-cell-wide raster is drawn from block means at most 2,048 cells wide."""
    import base64
    import io as bytes_io

    from PIL import Image

    from siting.outputs.screen import SCREEN_PX, at_screen_resolution

    grid = grid_for_aoi(shapely.box(99.0, 49.5, 100.4, 49.56), 20)  # ~5,000 x ~330 cells
    assert grid.shape[1] > 2 * SCREEN_PX
    values = np.tile(np.linspace(0, 1, grid.shape[1], dtype="float32"), (grid.shape[0], 1))
    score = grid.wrap(values, name="s", units="1")
    small = at_screen_resolution(score)
    assert max(small.shape) <= SCREEN_PX and small.rio.crs == score.rio.crs
    np.testing.assert_allclose(float(small.mean()), float(score.mean()), atol=1e-3)
    layer = maps.raster_overlay(score, maps.STYLE["wind"]["ramp"].scale(0, 1), "s", True)
    png = base64.b64decode(layer.url.split(",", 1)[1])
    assert max(Image.open(bytes_io.BytesIO(png)).size) <= SCREEN_PX + 16  # after reprojection
