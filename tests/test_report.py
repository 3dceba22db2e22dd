"""The planner's report: self-contained, escaped, with the sections a planner reads."""

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.grid import grid_for_aoi
from siting.outputs.report import ReportContent, render_report

PAYLOAD = "<script>alert(1)</script>"


def _content(**extra):
    grid = grid_for_aoi(shapely.box(99.9, 49.5, 100.3, 49.8), 500)
    score = grid.wrap(
        np.random.default_rng(0).random(grid.shape).astype("float32"), name="s", units="1"
    )
    x, y = grid.x[10], grid.y[10]
    sites = gpd.GeoDataFrame(
        {"site_id": ["R001"], "area_ha": [600.0], "score_mean": [0.81], "soum": [PAYLOAD]},
        geometry=[shapely.box(x, y - 2000, x + 3000, y)],
        crs=grid.crs,
    )
    table = pd.DataFrame(
        {"rule": ["aoi"], "excluded_ha": [0.0], "eligible_ha_after": [5.0], "source": [""]}
    )
    return ReportContent(
        title=f"Mörön {PAYLOAD}",
        created="2026-11-26",
        caveats=["Wind resource is an ESTIMATE"],
        suitability={"reforestation": score},
        sites={"reforestation": sites},
        eligibility={"reforestation": table},
        weights={"reforestation": {"north_facing": 0.6, "access": 0.4}},
        **extra,
    )


def test_report_is_self_contained_and_escaped():
    page = render_report(_content())
    assert PAYLOAD not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert page.count("data:image/png;base64,") == 1
    for text in (
        "Read this first",
        "Wind resource is an ESTIMATE",
        "Best sites",
        "R001",
        "north facing 0.600",
    ):
        assert text in page


def test_optional_stages_add_their_charts():
    years = np.arange(2028, 2031)
    sequestration = pd.DataFrame(
        [
            {"site_id": "R001", "year": y, "quantile": q, "tco2e_annual": v * (y - 2027)}
            for y in years
            for q, v in (("p10", 1.0), ("p50", 2.0), ("p90", 3.0))
        ]
    )
    ledger = pd.DataFrame(
        {
            "project_id": ["R001", "W001"] * 3,
            "project_type": ["reforestation", "wind"] * 3,
            "vintage": np.repeat(years, 2),
            "transferable_itmos_tco2e": [1e5, 2e5] * 3,
        }
    )
    page = render_report(_content(sequestration=sequestration, ledger=ledger))
    assert "Forest sequestration" in page and "ITMO ledger" in page
    assert page.count("data:image/png;base64,") == 3


def test_a_use_without_sites_says_so_in_plain_text():
    content = _content()
    content.sites = {}
    page = render_report(content)
    assert "<p>No candidate sites.</p>" in page
    assert "&lt;p&gt;No candidate sites" not in page


def test_numbers_read_with_units_separators_and_alignment():
    from siting.outputs.tables import display_table

    frame = pd.DataFrame(
        {
            "site_id": ["W4960N10028E"],
            "area_ha": [2500.0],
            "capacity_factor": [0.3071],
            "aep_p50_mwh": [129191.147],
            "share_of_target_to_2030_averaging": [0.000732],
            "itmos_2031_2035_vintage_2035_tco2e": [194506.03],
            "species": ["larix_sibirica"],
            "climate_zone": ["temperate_continental"],
            "tco2e_2050_p50": [float("nan")],
        }
    )
    table = display_table(frame)
    for text in (
        "<th>Area (ha)</th>", '<td class="num">2,500</td>',
        "<th>Capacity factor</th>", '<td class="num">30.7 %</td>',
        "<th>Energy P50 (MWh/yr)</th>", '<td class="num">129,191</td>',
        "<th>Share of the target to 2030, averaging</th>", '<td class="num">0.07 %</td>',
        "<th>ITMOs 2031–2035: 2035 vintage (tCO2e)</th>", '<td class="num">194,506</td>',
        "<td>Siberian larch</td>", "<td>temperate continental</td>", "<td>–</td>",
    ):  # fmt: skip
        assert text in table, text


def test_best_sites_leave_out_sites_without_turbines_and_say_so():
    from siting.outputs.report import best_sites

    frame = pd.DataFrame({"site_id": ["A", "B", "C"], "rank": [1, 2, 3], "n_turbines": [16, 0, 0]})
    shown, note = best_sites(frame, "wind")
    assert shown["site_id"].tolist() == ["A"]
    assert note.startswith("2 further candidate site(s) get no turbines")


def test_report_has_no_python_reprs_a_viewport_and_print_css():
    from siting.outputs.tables import describe_membership
    from siting.scenario.load import load_scenario

    scenario = load_scenario()
    for use in (scenario.reforestation, scenario.wind):
        for criterion in use.criteria.values():
            text = describe_membership(criterion.layer, criterion.membership)
            assert "{" not in text and "'" not in text, text
    cover = scenario.reforestation.criteria["land_cover"]
    assert "grassland 1" in describe_membership(cover.layer, cover.membership)
    page = render_report(_content())
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@page { size: A4" in page and "break-after: avoid" in page
    assert "thead { display: table-header-group; }" in page
