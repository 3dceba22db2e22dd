"""Layout invariants: towers inside the site, spacing in rotor diameters, capacity caps."""

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import affinity

from siting.scenario.wind import LayoutSpec
from siting.wind.layout import cap_turbine_counts, layout_sites, to_rotated_frame, turbine_positions

polygons = st.builds(
    lambda w, h, angle, notch: affinity.rotate(
        shapely.box(0, 0, w, h).difference(shapely.box(w * notch, h * notch, w, h)),
        angle,
        origin=(0, 0),
    ),
    st.floats(300, 6000),
    st.floats(300, 6000),
    st.floats(0, 180),
    st.floats(0.3, 1.0),
)


@settings(max_examples=60, deadline=None)
@given(
    polygons,
    st.floats(0, 359.9),
    st.floats(40, 140),
    st.floats(2.5, 6),
    st.floats(4, 10),
    st.booleans(),
)
def test_towers_inside_and_spaced(polygon, direction, diameter, cross_d, down_d, stagger):
    xy = turbine_positions(
        polygon,
        rotor_diameter_m=diameter,
        prevailing_direction_deg=direction,
        crosswind_spacing_d=cross_d,
        downwind_spacing_d=down_d,
        stagger=stagger,
        offsets_per_axis=3,
    )
    assert shapely.contains_xy(polygon, xy[:, 0], xy[:, 1]).all()
    u, v = to_rotated_frame(xy[:, 0], xy[:, 1], direction)
    du = np.abs(u[:, None] - u[None, :])
    dv = np.abs(v[:, None] - v[None, :])
    apart = (du >= cross_d * diameter * (1 - 1e-9)) | (dv >= down_d * diameter * (1 - 1e-9))
    np.fill_diagonal(apart, True)
    assert apart.all()
    # Upwind row first.
    assert np.all(np.diff(np.round(v, 6)) <= 0)


def test_square_holds_the_hand_count():
    # 2,000 m x 2,000 m, wind from the north, D = 100 m at 4 D x 7 D, no stagger:
    # columns every 400 m (5 fit strictly inside 2,000 m), rows every 700 m (3 fit).
    xy = turbine_positions(
        shapely.box(0, 0, 2000, 2000),
        rotor_diameter_m=100,
        prevailing_direction_deg=0.0,
        stagger=False,
    )
    assert len(xy) == 15


def test_margin_keeps_towers_off_the_edge():
    polygon = shapely.box(0, 0, 3000, 3000)
    xy = turbine_positions(
        polygon, rotor_diameter_m=90, prevailing_direction_deg=315.0, boundary_margin_m=200.0
    )
    assert (shapely.distance(polygon.exterior, shapely.points(xy)) >= 200.0 - 1e-6).all()


@given(
    st.lists(st.integers(0, 200), min_size=1, max_size=12),
    st.floats(500, 5000),
    st.one_of(st.none(), st.floats(0, 500)),
    st.one_of(st.none(), st.floats(0, 2000)),
    st.one_of(st.none(), st.integers(0, 100)),
)
def test_caps_are_honoured(counts, rated_kw, site_cap_mw, grid_cap_mw, max_turbines):
    index = [f"W{i:03d}" for i in range(len(counts))]
    connection = pd.Series([("a", "b")[i % 2] for i in range(len(counts))], index=index)
    kept = cap_turbine_counts(
        pd.Series(counts, index=index),
        rated_kw,
        max_turbines_per_site=max_turbines,
        max_capacity_mw_per_site=site_cap_mw,
        grid_connection_cap_mw=grid_cap_mw,
        connection=connection,
    )
    assert (kept <= pd.Series(counts, index=index)).all() and (kept >= 0).all()
    mw = kept * rated_kw / 1e3
    if site_cap_mw is not None:
        assert (mw <= site_cap_mw + 1e-9).all()
    if max_turbines is not None:
        assert (kept <= max_turbines).all()
    if grid_cap_mw is not None:
        assert (mw.groupby(connection).sum() <= grid_cap_mw + 1e-9).all()


def test_grid_cap_fills_best_sites_first():
    crs = "EPSG:32647"
    boxes = [shapely.box(i * 5000, 0, i * 5000 + 3000, 3000) for i in range(3)]
    sites = gpd.GeoDataFrame(
        {"site_id": ["W002", "W001", "W003"], "rank": [2, 1, 3]}, geometry=boxes, crs=crs
    )
    turbines = layout_sites(
        sites,
        dict.fromkeys(sites["site_id"], 315.0),
        model="V90/2000",
        rotor_diameter_m=90,
        rated_kw=2000,
        hub_height_m=80,
        layout=LayoutSpec(grid_connection_cap_mw=50.0),
    )
    per_site = turbines.groupby("site_id").size()
    assert per_site.get("W001", 0) == 25 and per_site.sum() == 25
    assert list(turbines.columns) == [
        "site_id",
        "turbine_id",
        "model",
        "hub_height_m",
        "rated_kw",
        "geometry",
    ]
    assert turbines["turbine_id"].iloc[0] == "W001-T001"
