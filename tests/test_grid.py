"""The analysis grid: UTM zone choice, snapping, cell geometry."""

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.errors import ParameterError
from siting.grid import grid_for_aoi, utm_crs_for


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (100.156, 49.636, 32647),  # Mörön -> UTM 47N
        (106.917, 47.918, 32648),  # Ulaanbaatar -> 48N
        (128.6, 35.87, 32652),  # Daegu -> 52N
        (-70.6, -33.45, 32719),  # Santiago -> 19S
        (3.0, 45.0, 32631),
    ],
)
def test_utm_zone_of_known_places(lon, lat, epsg):
    assert utm_crs_for(lon, lat).to_epsg() == epsg


@settings(max_examples=40, deadline=None)
@given(st.floats(-180, 180), st.floats(-80, 84))
def test_chosen_zone_covers_the_point_in_the_crs_database(lon, lat):
    area = utm_crs_for(lon, lat).area_of_use
    assert area.west - 1e-9 <= lon <= area.east + 1e-9
    assert area.south - 1e-9 <= lat <= area.north + 1e-9


def test_outside_utm_range_is_refused():
    with pytest.raises(ParameterError, match="grid.crs"):
        utm_crs_for(0.0, 88.0)


def test_moron_grid_is_utm47_snapped_to_cells():
    grid = grid_for_aoi(shapely.box(99.0, 49.0, 101.5, 50.5), 250)
    assert grid.crs.to_epsg() == 32647
    left, bottom, right, top = grid.bounds
    for edge in (left, bottom, right, top):
        assert edge % 250 == 0
    assert grid.shape == (round((top - bottom) / 250), round((right - left) / 250))
    assert grid.aoi.within(shapely.box(*grid.bounds))
    assert grid.cell_area_ha == pytest.approx(6.25)
    # 99 E is the central meridian of zone 47: x = 500 km
    assert left == 500_000


def test_template_coords_are_cell_centres_and_carry_the_crs():
    grid = grid_for_aoi(shapely.box(99.0, 49.0, 99.5, 49.3), 1000, chunk_cells=16)
    template = grid.template()
    assert template.rio.crs.to_epsg() == 32647
    assert template.chunks is not None
    np.testing.assert_allclose(np.diff(template.x), 1000)
    np.testing.assert_allclose(np.diff(template.y), -1000)
    assert template.x[0] == grid.bounds[0] + 500
    assert template.rio.transform() == grid.transform


def test_aoi_mask_follows_the_curved_lonlat_box():
    grid = grid_for_aoi(shapely.box(99.0, 49.0, 101.5, 50.5), 1000)
    mask = grid.aoi_mask().values
    # The lon/lat box is not a rectangle in UTM: some corner cells are outside.
    assert 0.95 < mask.mean() < 1.0
    assert mask.sum() * 1e6 == pytest.approx(grid.aoi.area, rel=0.01)


def test_aoi_mask_drawn_chunk_by_chunk_equals_the_whole_grid_mask():
    import rasterio.features

    grid = grid_for_aoi(shapely.box(99.0, 49.0, 101.5, 50.5), 1000, chunk_cells=37)
    mask = grid.aoi_mask()
    assert mask.chunks is not None and len(mask.chunks[0]) > 3
    whole = rasterio.features.geometry_mask(
        [grid.aoi], out_shape=grid.shape, transform=grid.transform, invert=True
    )
    np.testing.assert_array_equal(mask.values, whole)
    # Several shapes, one of them reaching no chunk of its own, and none at all.
    left = shapely.box(*grid.bounds).buffer(-40_000)
    lake = shapely.Point(grid.x[50], grid.y[40]).buffer(5_000)
    drawn = grid.inside([left, lake]).values
    whole = rasterio.features.geometry_mask(
        [left, lake], out_shape=grid.shape, transform=grid.transform, invert=True
    )
    np.testing.assert_array_equal(drawn, whole)
    assert not grid.inside([]).values.any()


def test_explicit_crs_must_be_projected():
    with pytest.raises(ParameterError, match="not projected"):
        grid_for_aoi(shapely.box(99, 49, 100, 50), 250, crs="EPSG:4326")
