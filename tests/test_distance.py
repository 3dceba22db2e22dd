"""Tests of siting.land.distance: exact distances to points, lines and polygons."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import rioxarray  # noqa: F401
import shapely
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from siting.errors import InputDataError, ParameterError
from siting.land.distance import distance_to

UTM47 = "EPSG:32647"
MORON = Path(__file__).resolve().parents[1] / "vectors" / "moron"


def make_template(nx=5, ny=4, cell=100.0, x0=500_000.0, y0=5_500_000.0, crs=UTM47, chunks=None):
    """A north-up grid whose top-left corner is (x0, y0); cell centres at half cells."""
    x = x0 + cell / 2 + cell * np.arange(nx)
    y = y0 - cell / 2 - cell * np.arange(ny)
    da = xr.DataArray(np.zeros((ny, nx), np.float32), dims=("y", "x"), coords={"y": y, "x": x})
    da = da.rio.write_crs(crs) if crs else da
    return da.chunk(chunks) if chunks else da


def layer(*geoms, crs=UTM47):
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs)


def cell_points(template):
    xx, yy = np.meshgrid(template.x.values, template.y.values)
    return shapely.points(xx, yy)


def brute_force(template, geoms):
    """Reference: GEOS distance from every cell centre to every geometry, minimum."""
    points = cell_points(template)
    with np.errstate(divide="ignore", invalid="ignore"):  # GEOS on zero-length lines
        return np.min([shapely.distance(points, g) for g in geoms], axis=0)


# --------------------------------------------------------------------------------------------
# Hand-computed cases


def test_point_at_known_offsets():
    t = make_template()
    x0, y0 = float(t.x[0]), float(t.y[0])
    d = distance_to(layer(shapely.Point(x0, y0)), t)
    assert d.values[0, 0] == 0
    assert d.values[0, 3] == pytest.approx(300.0)
    assert d.values[3, 4] == pytest.approx(500.0)  # a 300-400-500 triangle
    assert d.values[1, 1] == pytest.approx(100 * np.sqrt(2), abs=1e-3)


def test_line_perpendicular_and_beyond_its_end():
    t = make_template(nx=6, ny=4)
    x, y = t.x.values, t.y.values
    # horizontal line 30 m above row 2, from column 1 to column 3
    line = shapely.LineString([(x[1], y[2] + 30), (x[3], y[2] + 30)])
    d = distance_to(layer(line), t).values
    assert d[2, 1:4] == pytest.approx([30, 30, 30])
    assert d[0, 2] == pytest.approx(170)
    assert d[2, 5] == pytest.approx(np.hypot(200, 30))  # beyond the end: to the end point
    assert d[3, 0] == pytest.approx(np.hypot(100, 130))


def test_polygon_inside_is_zero_and_hole_measures_to_its_ring():
    t = make_template(nx=9, ny=9, cell=10.0, x0=0.0, y0=90.0)
    outer = [(0, 0), (90, 0), (90, 90), (0, 90)]
    hole = [(30, 30), (60, 30), (60, 60), (30, 60)]
    d = distance_to(layer(shapely.Polygon([(10, 10), (40, 10), (40, 40)])), t).values
    # cell centre (35, 15) is inside the triangle, (15, 35) is outside
    row = lambda yc: int((90 - yc) // 10)  # noqa: E731
    assert d[row(15), 3] == 0
    assert d[row(35), 1] == pytest.approx(np.sqrt(2) * 10)  # to the hypotenuse y = x
    d = distance_to(layer(shapely.Polygon(outer, [hole])), t).values
    assert d[row(45), 4] == pytest.approx(15)  # centre of the hole
    assert d[row(35), 3] == pytest.approx(5)
    assert d[row(5), 0] == 0


def test_mixed_types_collections_and_empty_geometries():
    t = make_template(nx=7, ny=6, cell=50.0)
    x, y = t.x.values, t.y.values
    geoms = [
        shapely.MultiPoint([(x[0], y[0]), (x[6], y[5])]),
        shapely.GeometryCollection(
            [shapely.LineString([(x[3], y[0]), (x[3], y[2])]), shapely.box(x[0], y[5], x[1], y[4])]
        ),
        shapely.Point(),
        None,
    ]
    expected = brute_force(t, [g for g in geoms[:2]])
    got = distance_to(layer(*geoms), t)
    np.testing.assert_allclose(got.values, expected, rtol=1e-7, atol=1e-3)
    assert got.attrs["n_features"] == 2


# --------------------------------------------------------------------------------------------
# Against brute force on the Mörön layers


@pytest.fixture(scope="module")
def moron_features():
    frames = [
        gpd.read_file(MORON / f"{name}.geojson")
        for name in ("settlements_geonames", "rivers_gshhg_wdbii", "lakes_naturalearth_10m")
    ]
    return gpd.GeoDataFrame(pd.concat([f[["geometry"]] for f in frames]), crs=frames[0].crs)


@pytest.fixture(scope="module")
def moron_template():
    """The Mörön box (99.0-101.5E, 49.0-50.5N) in UTM 47N at 1 km (a coarser analysis grid)."""
    corners = gpd.GeoSeries.from_xy([99.0, 101.5], [49.0, 50.5], crs=4326).to_crs(UTM47)
    west, south, east, north = corners.total_bounds
    nx, ny = int((east - west) // 1000), int((north - south) // 1000)
    return make_template(nx=nx, ny=ny, cell=1000.0, x0=round(west), y0=round(north))


def test_mixed_moron_layer_matches_shapely_on_a_random_sample(moron_features, moron_template):
    got = distance_to(moron_features, moron_template, name="mixed")
    geoms = np.asarray(moron_features.to_crs(UTM47).geometry.values)
    geoms = geoms[~shapely.is_empty(geoms)]  # the rivers file holds a few empty geometries
    rng = np.random.default_rng(42)
    flat = rng.choice(moron_template.size, size=1500, replace=False)
    points = cell_points(moron_template).ravel()[flat]
    expected = shapely.distance(points[:, None], geoms[None, :]).min(axis=1)
    np.testing.assert_allclose(got.values.ravel()[flat], expected, rtol=1e-7, atol=1e-3)
    assert (got.values == 0).any()  # cells inside the lakes


def test_dask_result_is_lazy_and_equal_to_numpy(moron_features, moron_template):
    eager = distance_to(moron_features, moron_template)
    lazy = distance_to(moron_features, moron_template.chunk({"y": 50, "x": 70}))
    assert lazy.data.chunks == moron_template.chunk({"y": 50, "x": 70}).data.chunks
    np.testing.assert_array_equal(lazy.compute().values, eager.values)


def test_different_layers_on_the_same_dask_grid_do_not_share_results():
    t = make_template(nx=8, ny=8, chunks=4)
    a = distance_to(layer(shapely.Point(t.x[0], t.y[0])), t)
    b = distance_to(layer(shapely.Point(t.x[7], t.y[7])), t)
    both = xr.Dataset({"a": a, "b": b}).compute()
    assert both["a"].values[0, 0] == 0 and both["b"].values[7, 7] == 0
    assert both["a"].values[7, 7] == both["b"].values[0, 0] > 0


# --------------------------------------------------------------------------------------------
# Extent, CRS, empty layers, metadata


def test_features_outside_the_extent_still_count():
    t = make_template(nx=10, ny=10, cell=250.0)
    east_edge = float(t.x[-1]) + 125.0
    outside = shapely.Point(east_edge + 2000.0, float(t.y[4]))  # a settlement 2 km beyond
    d = distance_to(layer(outside), t).values
    assert d[4, 9] == pytest.approx(2125.0)  # the last column's centre is 125 m from the edge
    assert d[4, 8] == pytest.approx(2375.0)
    assert d[4, 0] == pytest.approx(2125.0 + 9 * 250.0)
    inside = shapely.Point(float(t.x[0]), float(t.y[0]))
    d = distance_to(layer(outside, inside), t).values
    assert d[0, 0] == 0
    assert d[4, 9] == pytest.approx(2125.0)  # the outside settlement is still the nearest


def test_features_in_another_crs_are_reprojected():
    t = make_template(nx=6, ny=6, cell=1000.0)
    to_lonlat = pyproj.Transformer.from_crs(UTM47, "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform(float(t.x[2]), float(t.y[3]) + 400.0)
    d = distance_to(layer(shapely.Point(lon, lat), crs="EPSG:4326"), t)
    assert d.rio.crs.to_epsg() == 32647
    assert d.values[3, 2] == pytest.approx(400.0, abs=1e-3)
    assert d.values[3, 5] == pytest.approx(np.hypot(3000.0, 400.0), abs=1e-3)


def test_features_without_crs_are_refused():
    t = make_template()
    with pytest.raises(InputDataError, match="no CRS"):
        distance_to(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), t)


def test_template_without_projected_metre_crs_is_refused():
    with pytest.raises(InputDataError, match="no CRS"):
        distance_to(layer(shapely.Point(0, 0)), make_template(crs=None))
    lonlat = make_template(cell=0.01, x0=99.0, y0=50.0, crs="EPSG:4326")
    with pytest.raises(InputDataError, match="projected"):
        distance_to(layer(shapely.Point(99, 50), crs="EPSG:4326"), lonlat)
    with pytest.raises(ParameterError, match="dims"):
        distance_to(layer(shapely.Point(0, 0)), make_template().transpose())


@pytest.mark.parametrize("chunks", [None, 2])
def test_empty_layer_gives_inf_everywhere(chunks):
    t = make_template(chunks=chunks)
    d = distance_to(gpd.GeoDataFrame(geometry=[], crs=UTM47), t, name="airports")
    assert np.isposinf(d.values).all()
    assert "no features" in d.attrs["note"]
    assert d.name == "dist_airports_m"


def test_metadata():
    t = make_template()
    d = distance_to(layer(shapely.Point(t.x[1], t.y[1])), t, name="settlements")
    assert d.name == "dist_settlements_m"
    assert d.attrs["units"] == "m"
    assert d.dtype == np.float32
    assert d.dims == ("y", "x")
    np.testing.assert_array_equal(d.x, t.x)
    np.testing.assert_array_equal(d.y, t.y)
    assert d.rio.crs == t.rio.crs
    assert d.rio.transform() == t.rio.transform()
    assert distance_to(layer(shapely.Point(0, 0)), t).name == "distance_m"


# --------------------------------------------------------------------------------------------
# Properties

coord = st.floats(-300.0, 1300.0, allow_nan=False)
point = st.builds(shapely.Point, coord, coord)
segment = st.builds(
    lambda a, b, c, d: shapely.LineString([(a, b), (c, d)]), coord, coord, coord, coord
)
square = st.builds(lambda a, b, s: shapely.box(a, b, a + s, b + s), coord, coord, st.floats(1, 400))
geometry = st.one_of(point, segment, square)

SMALL = make_template(nx=12, ny=10, cell=100.0, x0=0.0, y0=1000.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(geometry, min_size=1, max_size=4), st.lists(geometry, min_size=1, max_size=4))
def test_distance_to_union_is_minimum_of_the_parts(first, second):
    d1 = distance_to(layer(*first), SMALL).values
    d2 = distance_to(layer(*second), SMALL).values
    both = distance_to(layer(*first, *second), SMALL).values
    assert (both >= 0).all()
    np.testing.assert_array_equal(both, np.minimum(d1, d2))
    np.testing.assert_allclose(both, brute_force(SMALL, first + second), rtol=1e-6, atol=1e-3)


# --------------------------------------------------------------------------------------------
# Distance to cells of a class


def test_distance_to_cells_is_measured_from_cell_edges():
    from siting.land.distance import distance_to_cells

    values = np.zeros((5, 6), dtype=bool)
    values[2, 3] = True
    cell = 100.0
    x = 500_000 + cell / 2 + cell * np.arange(6)
    y = 5_500_000 - cell / 2 - cell * np.arange(5)
    mask = xr.DataArray(values, dims=("y", "x"), coords={"y": y, "x": x}).rio.write_crs(
        "EPSG:32647"
    )
    dist = distance_to_cells(mask, name="forest")
    assert dist.name == "dist_forest_m"
    assert dist.values[2, 3] == 0
    assert dist.values[2, 4] == pytest.approx(50.0)  # edge neighbour: half a cell
    assert dist.values[1, 4] == pytest.approx(np.hypot(50, 50))  # corner neighbour
    assert dist.values[2, 0] == pytest.approx(250.0)
    none = distance_to_cells(mask & False, name="none")
    assert np.isinf(none.values).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16), chunk=st.integers(2, 9))
def test_distance_to_cells_traced_by_tiles_equals_the_whole_mask(seed, chunk):
    from siting.land.distance import distance_to_cells

    rng = np.random.default_rng(seed)
    values = ndimage.gaussian_filter(rng.random((23, 19)), 1.5) > 0.55
    x = 500_000 + 50 + 100 * np.arange(19)
    y = 5_500_000 - 50 - 100 * np.arange(23)
    mask = xr.DataArray(values, dims=("y", "x"), coords={"y": y, "x": x}).rio.write_crs(
        "EPSG:32647"
    )
    whole = distance_to_cells(mask).values
    tiled = distance_to_cells(mask.chunk(chunk)).values
    np.testing.assert_allclose(tiled, whole, rtol=0, atol=1e-3)


def test_the_gil_free_kernel_gives_the_numpy_formula_bit_for_bit():
    from siting.land.distance import _nearest_segment_distance, _squared_distances

    rng = np.random.default_rng(4)
    px, py = rng.uniform(-5e4, 5e4, 500), rng.uniform(-5e4, 5e4, 500)
    start = rng.uniform(-5e4, 5e4, (300, 2))
    end = start + rng.normal(0, 2e3, (300, 2))
    end[7] = start[7]  # a zero-length segment (a point feature)
    expected = np.sqrt(_squared_distances(px, py, start, end).min(axis=1))
    np.testing.assert_array_equal(_nearest_segment_distance(px, py, start, end), expected)
