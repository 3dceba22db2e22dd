"""Candidate sites found tile by tile equal the whole-array result (siting.land.regions)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import ndimage

from siting.land.sites import FOUR_CONNECTED
from tests.test_sites import raster, sites_of

#: A U-shaped region (one piece) whose arms and base cross the edges of 4 x 4 tiles, and a
#: separate square; scipy.ndimage.label on the whole array is the independent reference.
U_FIELD = np.zeros((12, 12))
U_FIELD[1:11, 2:4] = 0.8  # left arm, crosses rows 4 and 8
U_FIELD[1:11, 8:10] = 0.8  # right arm
U_FIELD[9:11, 2:10] = 0.8  # base, crosses columns 4 and 8
U_FIELD[1:3, 5:7] = 0.9  # the square, inside one tile


def same_sites(tiled, whole):
    """The site tables and label rasters agree (geometry compared as point sets)."""
    columns = ["site_id", "label", "rank", "area_ha", "n_cells"]
    assert tiled.sites[columns].equals(whole.sites[columns])
    assert all(a.equals(b) for a, b in zip(tiled.sites.geometry, whole.sites.geometry, strict=True))
    np.testing.assert_array_equal(tiled.labels.values, whole.labels.values)


def test_a_region_crossing_tile_edges_is_one_site():
    whole = sites_of(raster(U_FIELD))
    tiled = sites_of(raster(U_FIELD, chunks=4))
    _, n_reference = ndimage.label(U_FIELD >= 0.5, structure=FOUR_CONNECTED)
    assert n_reference == 2
    assert len(tiled.sites) == 2
    u_site = tiled.sites.loc[tiled.sites["n_cells"] == int((U_FIELD == 0.8).sum())]
    assert len(u_site) == 1 and u_site.geometry.iloc[0].geom_type == "Polygon"
    assert u_site.geometry.iloc[0].area == pytest.approx(48 * 250.0**2)
    same_sites(tiled, whole)


def test_parcels_cut_across_tiles_equal_the_whole_array():
    field = np.full((40, 37), 0.7)
    field[::7, :] = 0.0  # strips of land, several tiles long
    # 100 ha parcels of 6.25 ha cells: 16 cells, blocks of 4 x 4.
    whole = sites_of(raster(field), max_area_ha=100.0)
    tiled = sites_of(raster(field, chunks=(9, 11)), max_area_ha=100.0)
    assert (whole.sites["n_cells"] <= 16).all()
    same_sites(tiled, whole)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    rows=st.integers(5, 40),
    cols=st.integers(5, 40),
    chunk_rows=st.integers(4, 17),
    chunk_cols=st.integers(4, 17),
    max_area=st.sampled_from([None, 25.0, 60.0]),
)
def test_tiling_never_changes_the_sites(seed, rows, cols, chunk_rows, chunk_cols, max_area):
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.random((rows, cols)), 1.5)
    field = (field - field.min()) / (np.ptp(field) or 1.0)
    kwargs = {"max_area_ha": max_area, "min_area_ha": 10.0}
    whole = sites_of(raster(field), **kwargs)
    tiled = sites_of(raster(field, chunks=(chunk_rows, chunk_cols)), **kwargs)
    same_sites(tiled, whole)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    rows=st.integers(1, 50),
    cols=st.integers(1, 50),
    chunk_rows=st.integers(1, 13),
    chunk_cols=st.integers(1, 13),
    density=st.floats(0.2, 0.8),
)
def test_tile_labels_partition_the_cells_as_scipy_does(
    seed, rows, cols, chunk_rows, chunk_cols, density
):
    import dask.array as da

    from siting.land.regions import label_regions

    cells = np.random.default_rng(seed).random((rows, cols)) < density
    expected, _ = ndimage.label(cells, structure=FOUR_CONNECTED)
    tiled = label_regions(da.from_array(cells, chunks=(chunk_rows, chunk_cols))).compute()
    assert ((tiled > 0) == cells).all()
    # The same regions: each scipy label maps to one tile label and back.
    pairs = np.unique(np.stack([expected[cells], tiled[cells]]), axis=1)
    assert len(np.unique(pairs[0])) == len(np.unique(pairs[1])) == pairs.shape[1]
