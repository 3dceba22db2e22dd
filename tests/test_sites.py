"""Tests of siting.land.sites: regions, polygons, ids, zonal statistics and ranking."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import rioxarray  # noqa: F401
import shapely
import xarray as xr

from siting.errors import InputDataError, ParameterError
from siting.land.sites import (
    CandidateSites,
    candidate_sites,
    location_ids,
    rank_sites,
    zonal_statistics,
)

UTM47 = "EPSG:32647"
X0, Y0 = 500_000.0, 5_500_000.0


def raster(values, cell=250.0, name="score", chunks=None):
    """A north-up raster whose top-left corner is (X0, Y0)."""
    values = np.asarray(values, dtype=float)
    ny, nx = values.shape
    x = X0 + cell / 2 + cell * np.arange(nx)
    y = Y0 - cell / 2 - cell * np.arange(ny)
    da = xr.DataArray(values, dims=("y", "x"), coords={"y": y, "x": x}, name=name)
    da.attrs["units"] = "1"
    da = da.rio.write_crs(UTM47)
    return (
        da.chunk(dict(zip(da.dims, np.broadcast_to(chunks, 2).tolist(), strict=True)))
        if chunks
        else da
    )


def sites_of(score, eligible=None, **kwargs):
    kwargs = {"threshold": 0.5, "min_area_ha": 0.0} | kwargs
    eligible = (score >= -np.inf) if eligible is None else eligible
    return candidate_sites(score, eligible, **kwargs)


BLOBS = np.array(
    [
        [0.9, 0.9, 0.0, 0.0, 0.0, 0.0],
        [0.9, 0.9, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.7, 0.7, 0.7],
        [0.0, 0.0, 0.0, 0.7, 0.7, 0.7],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.6],
    ]
)


# --------------------------------------------------------------------------------------------
# Regions


def test_two_blobs_give_two_sites_in_score_order():
    found = sites_of(raster(BLOBS))
    assert isinstance(found, CandidateSites)
    sites = found.sites
    # the 2 x 2 blob's centroid, 250 m east and south of (500 km E, 5,500 km N) in UTM 47N
    # (central meridian 99 E): 49.6485 N 99.0035 E -> S 4965 N 09900 E
    assert list(sites.site_id) == ["S4965N09900E", "S4964N09902E"]
    assert list(sites["rank"]) == [1, 2] and list(sites["label"]) == [1, 2]
    assert list(sites.n_cells) == [4, 7]
    assert sites.area_ha.tolist() == [4 * 6.25, 7 * 6.25]  # 250 m cells are 6.25 ha
    assert list(sites.columns) == ["site_id", "label", "rank", "area_ha", "n_cells", "geometry"]
    assert sites.crs.to_epsg() == 32647
    expected = np.where(BLOBS >= 0.9, 1, np.where(BLOBS >= 0.5, 2, 0))
    np.testing.assert_array_equal(found.labels.values, expected)
    assert found.labels.dtype == np.int32 and found.labels.name == "site_label"
    assert found.labels.rio.crs.to_epsg() == 32647
    assert shapely.equals(sites.geometry.iloc[0], shapely.box(X0, Y0 - 500, X0 + 500, Y0))


def test_diagonal_contact_gives_separate_sites():
    diagonal = np.eye(3)  # three cells touching only at corners
    sites = sites_of(raster(diagonal)).sites
    assert len(sites) == 3
    assert sites.n_cells.tolist() == [1, 1, 1]


def test_ineligible_nan_and_low_cells_are_not_sites():
    score = BLOBS.copy()
    score[3, 3] = np.nan
    eligible = raster(np.ones_like(BLOBS)).astype(bool)
    eligible[0, :] = False
    found = sites_of(raster(score), eligible)
    assert found.sites.n_cells.tolist() == [2, 6]
    assert found.labels.values[0].sum() == 0 and found.labels.values[3, 3] == 0


def test_min_area_drops_small_sites_at_the_exact_boundary():
    found = sites_of(raster(BLOBS), min_area_ha=7 * 6.25)
    assert found.sites.n_cells.tolist() == [7]
    assert found.sites.site_id.tolist() == ["S4964N09902E"]  # the same place, the same id
    assert set(np.unique(found.labels.values)) == {0, 1}
    assert sites_of(raster(BLOBS), min_area_ha=7 * 6.25 + 0.01).sites.empty


def test_max_sites_keeps_the_best_by_mean_score():
    score = BLOBS.copy()
    score[5, 0] = 0.95  # a third, single-cell site with the best mean score
    sites = sites_of(raster(score), max_sites=2, prefix="W").sites
    assert [i[0] for i in sites.site_id] == ["W", "W"] and sites.site_id.is_unique
    assert sites.n_cells.tolist() == [1, 4]


def test_hole_is_kept_and_area_excludes_it():
    ring = np.ones((5, 5))
    ring[2, 2] = 0
    sites = sites_of(raster(ring, cell=100.0)).sites
    geometry = sites.geometry.iloc[0]
    assert geometry.geom_type == "Polygon" and len(geometry.interiors) == 1
    assert geometry.area == 24 * 100.0**2
    assert sites.area_ha.iloc[0] == 24 * 1.0


@pytest.mark.parametrize(
    "cells",
    [
        [[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 1]],  # holes touching at a corner
        [[1, 1, 1], [1, 0, 1], [1, 1, 0]],  # hole touching the outside at a corner
        [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 0, 1], [0, 1, 1, 1]],  # ring closed through a corner
    ],
)
def test_corner_touching_shapes_are_valid_single_sites(cells):
    cells = np.array(cells, dtype=float)
    sites = sites_of(raster(cells, cell=100.0)).sites
    assert len(sites) == 1
    geometry = sites.geometry.iloc[0]
    assert shapely.is_valid(geometry)
    assert geometry.area == cells.sum() * 100.0**2


def test_tie_breaks_by_area_then_north_then_west():
    score = np.zeros((7, 7))
    score[0, 0] = score[0, 6] = 0.8  # north-west and north-east singles
    score[6, 0] = 0.8  # south-west single
    score[3, 2:5] = 0.8  # larger, same mean
    found = sites_of(raster(score))
    centroids = found.sites.geometry.centroid
    assert found.sites.n_cells.tolist() == [3, 1, 1, 1]
    assert centroids.y.iloc[1] == centroids.y.iloc[2] > centroids.y.iloc[3]  # north first
    assert centroids.x.iloc[1] < centroids.x.iloc[2]  # then west first


def test_empty_result_keeps_columns_and_crs():
    found = sites_of(raster(np.zeros((3, 3))))
    assert found.sites.empty
    assert list(found.sites.columns) == [
        "site_id",
        "label",
        "rank",
        "area_ha",
        "n_cells",
        "geometry",
    ]
    assert found.sites.crs.to_epsg() == 32647
    assert (found.labels.values == 0).all()


# --------------------------------------------------------------------------------------------
# Invariants on a realistic random field


@pytest.fixture(scope="module")
def field():
    rng = np.random.default_rng(7)
    from scipy import ndimage

    smooth = ndimage.gaussian_filter(rng.random((90, 110)), 3)
    score = (smooth - smooth.min()) / (smooth.max() - smooth.min())
    eligible = rng.random(score.shape) > 0.05
    return raster(score), raster(eligible.astype(float), name="eligible").astype(bool)


def test_polygons_valid_and_area_invariant(field):
    score, eligible = field
    found = candidate_sites(score, eligible, threshold=0.55, min_area_ha=20.0)
    sites = found.sites
    assert len(sites) >= 3
    assert shapely.is_valid(sites.geometry.values).all()
    cell_area = 250.0 * 250.0
    # polygon area equals cell count x cell area, exactly (cell-aligned polygons)
    np.testing.assert_array_equal(sites.geometry.area.values, sites.n_cells * cell_area)
    assert (sites.area_ha * 1e4 == sites.n_cells * cell_area).all()
    assert (found.labels.values > 0).sum() * cell_area == sites.geometry.area.sum()
    # every cell centre of label k lies inside polygon k and in no other
    xx, yy = np.meshgrid(score.x.values, score.y.values)
    for label, geometry in zip(sites.label, sites.geometry, strict=True):
        inside = shapely.contains_xy(geometry, xx, yy)
        np.testing.assert_array_equal(inside, found.labels.values == label)
    assert (sites.area_ha >= 20.0).all()


def test_ids_stable_under_rerun_and_chunking(field):
    score, eligible = field
    reference = candidate_sites(score, eligible, threshold=0.55, min_area_ha=5.0)
    for chunks in (None, 17, {"y": 40, "x": 23}):
        s = score.chunk(chunks) if chunks else score
        e = eligible.chunk(chunks) if chunks else eligible
        again = candidate_sites(s, e, threshold=0.55, min_area_ha=5.0)
        assert again.sites.drop(columns="geometry").equals(reference.sites.drop(columns="geometry"))
        assert shapely.equals(again.sites.geometry.values, reference.sites.geometry.values).all()
        np.testing.assert_array_equal(again.labels.values, reference.labels.values)


def test_ids_do_not_depend_on_where_regions_are_found(field):
    """Mirroring the grid left-right changes the labelling order, not the site order."""
    score, eligible = field
    found = candidate_sites(score, eligible, threshold=0.55, min_area_ha=5.0)
    mirrored_score = score.copy(data=score.values[:, ::-1])
    mirrored_eligible = eligible.copy(data=eligible.values[:, ::-1])
    mirrored = candidate_sites(mirrored_score, mirrored_eligible, threshold=0.55, min_area_ha=5.0)
    # same cells per site (mean score and size), only centroid ties could reorder: none here
    assert mirrored.sites.n_cells.tolist() == found.sites.n_cells.tolist()
    np.testing.assert_array_equal(mirrored.labels.values[:, ::-1], found.labels.values)


# --------------------------------------------------------------------------------------------
# Parameters


def test_bad_parameters_are_refused():
    score = raster(BLOBS)
    with pytest.raises(ParameterError, match="threshold"):
        sites_of(score, threshold=np.nan)
    with pytest.raises(ParameterError, match="min_area_ha"):
        sites_of(score, min_area_ha=-1)
    with pytest.raises(ParameterError, match="max_sites"):
        sites_of(score, max_sites=0)
    with pytest.raises(ParameterError, match="grid"):
        sites_of(score, raster(np.ones((5, 6))).astype(bool))
    with pytest.raises(ParameterError, match="0/1"):
        sites_of(score, raster(np.full(BLOBS.shape, 2.0)))
    with pytest.raises(InputDataError, match="CRS"):
        bare = xr.DataArray(BLOBS, dims=("y", "x"), coords={"y": score.y, "x": score.x})
        sites_of(bare, bare >= 0)


# --------------------------------------------------------------------------------------------
# Zonal statistics

# 4 x 4 raster of 10 m cells, values 1..16 row by row from the north-west corner
HAND = np.arange(1.0, 17.0).reshape(4, 4)


def hand_sites(*geoms, crs=UTM47):
    return gpd.GeoDataFrame(
        {"site_id": [f"S{i:03d}" for i in range(1, len(geoms) + 1)]},
        geometry=list(geoms),
        crs=crs,
        index=[11 + i for i in range(len(geoms))],
    )


def test_zonal_statistics_hand_computed_fractions():
    values = raster(HAND, cell=10.0, name="v")
    # Site 1: x from 5 to 25 m, second row (y from Y0-20 to Y0-10): covers half of cell (1, 0)
    # = 5, all of cell (1, 1) = 6 and half of cell (1, 2) = 7.
    half_cells = shapely.box(X0 + 5, Y0 - 20, X0 + 25, Y0 - 10)
    # Site 2: the lower-right half of cell (3, 2) = 15 (cut by its diagonal) plus all of
    # cell (3, 3) = 16: coverage 0.5 and 1.
    trapezoid = shapely.Polygon(
        [(X0 + 20, Y0 - 40), (X0 + 40, Y0 - 40), (X0 + 40, Y0 - 30), (X0 + 30, Y0 - 30)]
    )
    sites = hand_sites(half_cells, trapezoid)
    z = zonal_statistics(sites, {"v": values}, ["mean", "max", "count", "sum"])
    assert list(z.columns) == ["v_mean", "v_max", "v_count", "v_sum"]
    assert list(z.index) == [11, 12]  # aligned with the sites
    assert z.loc[11, "v_mean"] == pytest.approx((0.5 * 5 + 1 * 6 + 0.5 * 7) / 2.0)
    assert z.loc[11, "v_count"] == pytest.approx(2.0)
    assert z.loc[11, "v_max"] == 7
    assert z.loc[12, "v_mean"] == pytest.approx((0.5 * 15 + 1 * 16) / 1.5)
    assert z.loc[12, "v_sum"] == pytest.approx(7.5 + 16)
    assert z.loc[12, "v_count"] == pytest.approx(1.5)


def test_zonal_statistics_ignore_nan_and_name_columns_per_raster():
    with_nan = HAND.copy()
    with_nan[1, 1] = np.nan
    sites = hand_sites(shapely.box(X0 + 5, Y0 - 20, X0 + 25, Y0 - 10))
    z = zonal_statistics(
        sites,
        {"score": raster(with_nan, cell=10.0), "elevation_m": raster(HAND * 100, cell=10.0)},
        {"score": ["mean", "max"], "elevation_m": ["mean"]},
    )
    assert list(z.columns) == ["score_mean", "score_max", "elevation_m_mean"]
    assert z["score_mean"].iloc[0] == pytest.approx((0.5 * 5 + 0.5 * 7) / 1.0)
    assert z["elevation_m_mean"].iloc[0] == pytest.approx(600.0)


@pytest.mark.parametrize("windowed_above", [0, 10**9], ids=["by windows", "whole"])
def test_zonal_statistics_dask_and_reprojected_sites(monkeypatch, windowed_above):
    import siting.land.sites as site_module

    monkeypatch.setattr(site_module, "WINDOWED_READ_CELLS", windowed_above)
    values = raster(HAND, cell=10.0, name="v", chunks=2)
    square = shapely.box(X0 + 5, Y0 - 20, X0 + 25, Y0 - 10)
    in_utm = zonal_statistics(hand_sites(square), {"v": values})
    in_lonlat = zonal_statistics(hand_sites(square).to_crs(4326), {"v": values})
    assert in_utm["v_mean"].iloc[0] == pytest.approx(6.0)
    assert in_lonlat["v_mean"].iloc[0] == pytest.approx(6.0, abs=1e-6)


def test_zonal_statistics_on_candidate_sites_equal_cell_means():
    found = sites_of(raster(BLOBS))
    z = zonal_statistics(found.sites, {"score": raster(BLOBS)}, ("mean", "count"))
    np.testing.assert_allclose(z["score_mean"], [0.9, (6 * 0.7 + 0.6) / 7])
    np.testing.assert_allclose(z["score_count"], found.sites.n_cells)
    joined = found.sites.join(z.set_index(found.sites.index))
    assert "score_mean" in joined


def test_zonal_statistics_errors():
    sites = hand_sites(shapely.box(X0, Y0 - 10, X0 + 10, Y0))
    values = raster(HAND, cell=10.0)
    with pytest.raises(ParameterError, match="bogus"):
        zonal_statistics(sites, {"v": values}, ["bogus"])
    with pytest.raises(ParameterError, match="'w'"):
        zonal_statistics(sites, {"v": values, "w": values}, {"v": ["mean"]})
    with pytest.raises(InputDataError, match="CRS"):
        zonal_statistics(sites.set_crs(None, allow_override=True), {"v": values})
    empty = zonal_statistics(sites.iloc[:0], {"v": values}, ["mean"])
    assert empty.empty and list(empty.columns) == ["v_mean"]


# --------------------------------------------------------------------------------------------
# Ranking


def test_rank_sites_orders_and_renumbers():
    sites = hand_sites(*(shapely.box(X0 + i, Y0, X0 + i + 1, Y0 + 1) for i in range(4)))
    sites["score_mean"] = [0.5, np.nan, 0.9, 0.5]
    sites["rank"] = [1, 2, 3, 4]
    ranked = rank_sites(sites)
    assert ranked.site_id.tolist() == ["S003", "S001", "S004", "S002"]  # ties by id, NaN last
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert sites["rank"].tolist() == [1, 2, 3, 4]  # the input is not modified
    cheapest = rank_sites(sites, by="score_mean", ascending=True)
    assert cheapest.site_id.tolist() == ["S001", "S004", "S003", "S002"]
    with pytest.raises(ParameterError, match="grid_distance_km"):
        rank_sites(sites, by="grid_distance_km")


# --------------------------------------------------------------------------------------------
# Large regions cut into parcels


def test_large_region_is_cut_into_square_parcels():
    score = np.full((40, 40), 0.8)
    # 100 cells of 6.25 ha = 625 ha per parcel: blocks of 10 x 10 cells
    sites = sites_of(raster(score), max_area_ha=625.0).sites
    assert len(sites) == 16
    assert (sites.n_cells == 100).all()
    assert sites.geometry.area.sum() == pytest.approx(40 * 40 * 62_500)


def test_small_regions_crossing_block_edges_stay_whole():
    score = np.zeros((30, 30))
    score[8:12, 8:12] = 0.9  # 16 cells across the edge of the 10-cell blocks
    score[20:30, 0:30] = 0.7  # 300 cells: larger than 100, cut
    sites = sites_of(raster(score), max_area_ha=625.0).sites
    assert sites.n_cells.iloc[0] == 16 and sites.site_id.iloc[0].startswith("S")
    assert sorted(sites.n_cells.iloc[1:]) == [100, 100, 100]


@pytest.mark.parametrize("max_area_ha", [6.25, 50.0, 300.0, 1e6])
def test_parcels_never_exceed_the_maximum_and_keep_every_cell(max_area_ha):
    rng = np.random.default_rng(3)
    score = rng.random((37, 53))
    found = sites_of(raster(score), threshold=0.3, max_area_ha=max_area_ha)
    sites = found.sites
    assert (sites.area_ha <= max_area_ha + 1e-9).all()
    np.testing.assert_array_equal(found.labels.values > 0, score >= 0.3)
    for geometry in sites.geometry:
        assert geometry.is_valid


def test_max_area_below_one_cell_is_refused():
    with pytest.raises(ParameterError, match="max_area_ha"):
        sites_of(raster(BLOBS), max_area_ha=1.0)


def _decode(site_id: str) -> tuple[float, float]:
    """Latitude and longitude (degrees) an id names."""
    body = site_id[1:].split("-")[0]
    lat = int(body[:4]) / 100 * (1 if body[4] == "N" else -1)
    lon = int(body[5:10]) / 100 * (1 if body[10] == "E" else -1)
    return lat, lon


def test_ids_name_the_place_of_the_centroid():
    sites = sites_of(raster(BLOBS)).sites
    centroids = sites.to_crs(4326).geometry.centroid
    for site_id, point in zip(sites.site_id, centroids, strict=True):
        lat, lon = _decode(site_id)
        assert abs(lat - point.y) <= 0.005 + 1e-9 and abs(lon - point.x) <= 0.005 + 1e-9


def test_the_same_parcel_keeps_its_id_when_the_weights_change():
    """Re-weighting changes the scores and the ranking, not the parcels: ids stay, ranks move."""
    before = sites_of(raster(BLOBS)).sites
    reweighted = np.where(BLOBS >= 0.9, 0.55, np.where(BLOBS > 0, 0.95, 0.0))
    after = sites_of(raster(reweighted)).sites
    assert set(after.site_id) == set(before.site_id)
    rank_before = dict(zip(before.site_id, before["rank"], strict=True))
    rank_after = dict(zip(after.site_id, after["rank"], strict=True))
    assert rank_before != rank_after  # the order flipped
    for site_id in before.site_id:
        old = before.set_index("site_id").geometry[site_id]
        new = after.set_index("site_id").geometry[site_id]
        assert shapely.equals(old, new)


def test_ids_repeat_only_with_a_suffix():
    transform = pyproj.Transformer.from_crs(4326, UTM47, always_xy=True)
    x, y = transform.transform(
        [100.161, 100.162, 100.5, 100.1612], [49.641, 49.6412, 49.7, 49.6409]
    )
    ids = location_ids("R", np.array(x), np.array(y), UTM47)
    assert ids == ["R4964N10016E", "R4964N10016E-2", "R4970N10050E", "R4964N10016E-3"]
    south_west = pyproj.Transformer.from_crs(4326, "EPSG:32719", always_xy=True)
    x, y = south_west.transform([-70.256], [-33.447])
    assert location_ids("W", np.array(x), np.array(y), "EPSG:32719") == ["W3345S07026W"]


@pytest.mark.parametrize("chunks", [None, 2], ids=["whole", "tiles of 2 cells"])
def test_majority_class_counts_each_sites_cells_and_breaks_ties_to_the_smaller_class(chunks):
    from siting.land.describe import majority_class

    labels = np.array([[1, 1, 1, 0], [1, 2, 2, 0], [0, 2, 2, 0]])
    classes = np.array([[7, 7, 3, 9], [255, 4, 5, 9], [9, 5, 4, 9]])  # 255 = nodata
    sites = gpd.GeoDataFrame(
        {"site_id": ["A", "B", "C"], "label": [1, 2, 3]},
        geometry=[shapely.Point(0, 0)] * 3,
        crs="EPSG:32647",
    )
    layer = raster(classes.astype("uint8"), name="climate", chunks=chunks)
    layer.attrs["nodata"] = 255
    found = majority_class(sites, raster(labels, name="label", chunks=chunks), layer)
    # A: 7, 7, 3 (255 ignored) -> 7; B: 4, 5, 5, 4 -> tie, 4; C: no cell -> -1.
    assert found == {"A": 7, "B": 4, "C": -1}
