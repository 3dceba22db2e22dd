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
        "north_facing 0.600",
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
