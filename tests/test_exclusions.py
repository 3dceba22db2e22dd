"""Exclusion rules: true-circle buffers, area invariants, monotonicity, the area table."""

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.grid import grid_for_aoi
from siting.land.distance import distance_to
from siting.land.exclusions import eligibility, excluded_by
from siting.scenario.land import BufferRule, ClassRule, PolygonRule, RangeRule

CELL = 100.0
GRID = grid_for_aoi(shapely.box(99.0, 49.0, 99.1, 49.06), CELL)  # ~72 x 67 cells, UTM 47N


def _rasters(vectors=None, **arrays):
    data = {name: GRID.wrap(values, name=name, units="") for name, values in arrays.items()}
    for name, frame in (vectors or {}).items():
        data[f"dist_{name}_m"] = distance_to(frame, GRID.template(chunked=False), name=name)
    return xr.Dataset(data)


def _points(*xy):
    return gpd.GeoDataFrame(geometry=[shapely.Point(x, y) for x, y in xy], crs=GRID.crs)


def _centre():
    left, bottom, right, top = GRID.bounds
    return (left + right) / 2, (bottom + top) / 2


def test_buffer_is_a_true_circle_on_cell_centres():
    cx, cy = _centre()
    cx, cy = cx + 13.0, cy - 29.0  # not on a cell centre
    towns = _points((cx, cy))
    rule = BufferRule(kind="buffer", layer="towns", buffer_m=1234.0)
    mask = excluded_by(rule, _rasters({"towns": towns}), {"towns": towns}, GRID).values
    xx, yy = np.meshgrid(GRID.x, GRID.y)
    np.testing.assert_array_equal(mask, np.hypot(xx - cx, yy - cy) <= 1234.0)
    # Gauss's circle bound: |N(r) - pi r^2| <= 2 sqrt(2) pi r (r in cells)
    r_cells = 1234.0 / CELL
    assert abs(mask.sum() - math.pi * r_cells**2) <= 2 * math.sqrt(2) * math.pi * r_cells


def test_a_feature_outside_the_aoi_still_excludes_cells_inside():
    left, bottom, right, top = GRID.bounds
    outside = _points((left - 500.0, (bottom + top) / 2))  # 500 m west of the grid
    rule = BufferRule(kind="buffer", layer="towns", buffer_m=1000.0)
    mask = excluded_by(rule, _rasters({"towns": outside}), {"towns": outside}, GRID).values
    assert mask[:, 0].any() and not mask[:, 10:].any()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 55), st.integers(1, 12), st.integers(1, 12)),
        min_size=1,
        max_size=4,
    )
)
def test_cell_aligned_polygon_area_is_exact(boxes):
    left, _, _, top = GRID.bounds
    polygon = shapely.union_all(
        [
            shapely.box(
                left + c * CELL, top - (r + h) * CELL, left + (c + w) * CELL, top - r * CELL
            )
            for r, c, h, w in boxes
        ]
    )
    frame = gpd.GeoDataFrame(geometry=[polygon], crs=GRID.crs)
    rule = PolygonRule(kind="polygon", layer="zone", mode="exclude")
    mask = excluded_by(rule, _rasters(), {"zone": frame}, GRID).values
    inside_grid = polygon.intersection(shapely.box(*GRID.bounds)).area
    assert abs(mask.sum() * CELL**2 - inside_grid) < CELL**2  # within one cell's area


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.1, 0.9), st.floats(0.1, 0.9), st.floats(300, 2500), st.integers(3, 12),
    st.floats(0, 6.28),
)  # fmt: skip
def test_any_polygon_area_is_within_the_boundary_band(fx, fy, radius, n_vertices, phase):
    left, bottom, right, top = GRID.bounds
    cx, cy = left + fx * (right - left), bottom + fy * (top - bottom)
    angles = phase + np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
    polygon = shapely.Polygon(
        np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)])
    )
    polygon = polygon.intersection(shapely.box(*GRID.bounds))
    frame = gpd.GeoDataFrame(geometry=[polygon], crs=GRID.crs)
    mask = excluded_by(PolygonRule(kind="polygon", layer="z"), _rasters(), {"z": frame}, GRID)
    # A cell is misclassified only if the boundary passes within half a diagonal of its
    # centre, so the error is bounded by the band of that half-width along the boundary.
    half_diagonal = CELL * math.sqrt(2) / 2
    band = 2 * half_diagonal * polygon.length + math.pi * half_diagonal**2
    assert abs(int(mask.values.sum()) * CELL**2 - polygon.area) <= band


def test_include_mode_keeps_only_the_inside():
    left, bottom, right, top = GRID.bounds
    zone = gpd.GeoDataFrame(geometry=[shapely.box(left, bottom, left + 2000, top)], crs=GRID.crs)
    inside = excluded_by(
        PolygonRule(kind="polygon", layer="z", mode="exclude"), _rasters(), {"z": zone}, GRID
    )
    outside = excluded_by(
        PolygonRule(kind="polygon", layer="z", mode="include"), _rasters(), {"z": zone}, GRID
    )
    np.testing.assert_array_equal(inside.values, ~outside.values)
    assert inside.values[:, :20].all() and not inside.values[:, 20:].any()


def _random_layers(seed):
    rng = np.random.default_rng(seed)
    slope = rng.gamma(2.0, 4.0, GRID.shape).astype("float32")
    slope[rng.random(GRID.shape) < 0.02] = np.nan
    landcover = rng.integers(0, 17, GRID.shape).astype("uint8")
    cx, cy = _centre()
    towns = _points((cx, cy), (cx - 2000, cy + 1500))
    rasters = _rasters({"towns": towns}, slope_deg=slope, landcover=landcover)
    rasters["landcover"].attrs["classes"] = {0: "water", 13: "urban"}
    return rasters, {"towns": towns}


RULES = [
    RangeRule(kind="range", layer="slope_deg", max=15.0),
    RangeRule(kind="range", layer="slope_deg", min=1.0, nodata="keep"),
    ClassRule(kind="classes", layer="landcover", exclude=["water", "urban", 12]),
    BufferRule(kind="buffer", layer="towns", buffer_m=800.0),
    PolygonRule(kind="polygon", layer="towns", mode="exclude"),  # points: no polygon, no effect
]


@settings(max_examples=30, deadline=None)
@given(st.permutations(RULES), st.integers(0, len(RULES)), st.integers(0, 3))
def test_adding_a_rule_never_adds_eligible_area(rules, k, seed):
    rasters, vectors = _random_layers(seed)
    fewer = eligibility(rules[:k], rasters, vectors, GRID)
    more = eligibility(rules[: k + 1], rasters, vectors, GRID)
    assert not (more.eligible.values & ~fewer.eligible.values).any()
    assert more.eligible_ha <= fewer.eligible_ha
    after = more.table["eligible_ha_after"].to_numpy()
    assert (np.diff(after) <= 0).all()


def test_area_table_by_hand():
    rasters, vectors = _random_layers(0)
    slope = rasters["slope_deg"].values
    landcover = rasters["landcover"].values
    in_aoi = GRID.aoi_mask().values
    table = eligibility(RULES[:1] + RULES[2:3], rasters, vectors, GRID).table
    cell_ha = CELL**2 / 1e4
    steep = ~(slope <= 15)  # NaN counts as excluded
    water_urban = np.isin(landcover, [0, 13, 12])
    assert table["rule"].tolist() == ["aoi", "slope_deg > 15", "landcover in [water, urban, 12]"]
    assert table["eligible_ha_after"].iloc[0] == pytest.approx(in_aoi.sum() * cell_ha)
    assert table["excluded_ha"].iloc[1] == pytest.approx((steep & in_aoi).sum() * cell_ha)
    assert table["excluded_ha"].iloc[2] == pytest.approx((water_urban & in_aoi).sum() * cell_ha)
    expected = (in_aoi & ~steep & ~water_urban).sum() * cell_ha
    assert table["eligible_ha_after"].iloc[-1] == pytest.approx(expected)


def test_unknown_class_name_is_refused():
    from siting.errors import ParameterError

    rasters, vectors = _random_layers(0)
    rule = ClassRule(kind="classes", layer="landcover", exclude=["lava"])
    with pytest.raises(ParameterError, match="unknown class name"):
        excluded_by(rule, rasters, vectors, GRID)
