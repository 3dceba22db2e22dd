"""Layers on the grid: alignment, resampling, classes kept, clear errors for bad files."""

import numpy as np
import pytest
import rasterio
import rasterio.features
import shapely
from rasterio.transform import from_origin

import siting
from siting import io
from siting.errors import InputDataError
from siting.grid import grid_for_aoi

from .conftest import write_geotiff


@pytest.fixture(scope="module")
def moron():
    scenario = siting.load_scenario()
    grid = siting.scenario_grid(scenario)
    return scenario, grid, siting.load_layers(scenario, grid)


def test_layers_are_one_lazy_dataset_on_the_grid(moron):
    scenario, grid, layers = moron
    assert set(layers.data_vars) == {"elevation", "landcover", "climate"}
    assert layers.rio.crs.to_epsg() == 32647
    for da in layers.data_vars.values():
        assert da.dims == ("y", "x")
        assert da.shape == grid.shape
        assert da.chunks is not None, "layers must be dask-backed"
        np.testing.assert_array_equal(da.x, grid.x)
        np.testing.assert_array_equal(da.y, grid.y)
        assert da.rio.transform() == grid.transform
    assert layers.elevation.dtype == np.float32
    assert layers.elevation.attrs["units"] == "m"
    # ~1.5 km cells refined to 250 m
    assert layers.elevation.attrs["resampling"] == "bilinear"


def test_categorical_layers_keep_their_classes(moron):
    scenario, grid, layers = moron
    for name in ("landcover", "climate"):
        with rasterio.open(scenario.resolve(scenario.layers.rasters[name].path)) as src:
            source_classes = set(np.unique(src.read(1)).tolist()) | {src.nodata}
        aligned = set(np.unique(layers[name].values).tolist())
        assert aligned <= source_classes, name
        assert layers[name].dtype == np.uint8
        assert layers[name].attrs["resampling"] == "nearest"


def test_clarke_1866_latlon_landcover_lands_on_the_right_place(moron):
    # MODIS water (class 0) must coincide with Lake Khövsgöl's polygon: a swapped axis order
    # or a wrong datum would put the water elsewhere.
    scenario, grid, layers = moron
    lakes = siting.load_vectors(scenario, grid)["lakes"]
    in_lake = rasterio.features.geometry_mask(
        lakes.geometry, grid.shape, grid.transform, invert=True
    )
    water = layers.landcover.values == 0
    assert in_lake.sum() > 1000
    assert water[in_lake].mean() > 0.3
    assert water[~in_lake].mean() < 0.01


def test_dem_is_in_the_published_range(moron):
    scenario, grid, layers = moron
    elevation = layers.elevation.values
    assert np.isfinite(elevation).all()
    # Source range in the clipped box: 754–3058 m (rasters/README.md); bilinear stays within it.
    # Over the AOI the aligned DEM spans 1,050–2,636 m.
    assert 754 <= np.nanmin(elevation) and np.nanmax(elevation) <= 3058


def _utm_grid(cell=250.0):
    return grid_for_aoi(shapely.box(99.2, 49.2, 99.3, 49.25), cell)


def test_finer_categorical_raster_is_coarsened_by_mode(tmp_path):
    grid = _utm_grid()
    left, _, _, top = grid.bounds
    # 50 m source cells: each 250 m target cell holds 5x5 source cells; class 7 fills 13
    # of them and class 3 the other 12, so the mode is 7 everywhere.
    block = np.full((5, 5), 3, dtype="uint8")
    block.flat[:13] = 7
    data = np.tile(block, (grid.height, grid.width))
    path = write_geotiff(
        tmp_path / "classes.tif",
        data,
        crs=grid.crs,
        transform=from_origin(left, top, 50, 50),
        nodata=255,
    )
    da = io.open_raster_on_grid(path, grid, kind="categorical", name="classes")
    assert da.attrs["resampling"] == "mode"
    assert (da.values == 7).all()


def test_finer_continuous_raster_is_averaged(tmp_path):
    grid = _utm_grid()
    left, _, _, top = grid.bounds
    rows, cols = np.indices((grid.height * 5, grid.width * 5))
    data = (rows * 1000 + cols).astype("float32")
    path = write_geotiff(
        tmp_path / "values.tif", data, crs=grid.crs, transform=from_origin(left, top, 50, 50)
    )
    da = io.open_raster_on_grid(path, grid, name="values")
    assert da.attrs["resampling"] == "average"
    expected = data.reshape(grid.height, 5, grid.width, 5).mean(axis=(1, 3))
    np.testing.assert_allclose(da.values, expected, rtol=1e-6)


def test_nodata_becomes_nan_outside_the_source(tmp_path):
    grid = _utm_grid(cell=100)
    data = np.full((4, 4), 1500, dtype="int16")
    data[0, 0] = -32768
    # covers only the western part of the AOI
    path = write_geotiff(
        tmp_path / "part.tif", data, transform=from_origin(99.19, 49.26, 0.01, 0.02), nodata=-32768
    )
    da = io.open_raster_on_grid(path, grid, name="dem").values
    assert np.isnan(da).any() and (da[np.isfinite(da)] == 1500).all()


def test_missing_raster_names_the_file(tmp_path):
    with pytest.raises(InputDataError, match=r"nope\.tif: file not found"):
        io.open_raster_on_grid(tmp_path / "nope.tif", _utm_grid(), name="dem")


def test_raster_without_crs_is_refused(tmp_path):
    path = write_geotiff(tmp_path / "nocrs.tif", np.ones((3, 3), "float32"), crs=None)
    with pytest.raises(InputDataError, match="has no CRS.*a_srs"):
        io.open_raster_on_grid(path, _utm_grid(), name="dem")


def test_raster_outside_the_aoi_is_refused(tmp_path):
    path = write_geotiff(
        tmp_path / "far.tif", np.ones((3, 3), "float32"), transform=from_origin(10, 50, 0.1, 0.1)
    )
    with pytest.raises(InputDataError, match="does not overlap the AOI"):
        io.open_raster_on_grid(path, _utm_grid(), name="dem")


def test_unreadable_raster_is_refused(tmp_path):
    path = tmp_path / "text.tif"
    path.write_text("not a raster")
    with pytest.raises(InputDataError, match="cannot be read as a raster"):
        io.open_raster_on_grid(path, _utm_grid(), name="dem")


def test_vectors_are_reprojected_and_include_features_just_outside(moron):
    scenario, grid, _ = moron
    vectors = siting.load_vectors(scenario, grid)
    settlements = vectors["settlements"]
    assert settlements.crs.to_epsg() == 32647
    outside = ~settlements.within(grid.aoi)
    assert outside.any(), "settlements within vector_margin_m outside the AOI must be read"
    assert "Mörön" in set(settlements["name"]) or "Moron" in set(settlements["name"])
    assert set(vectors["airports"]["kind"]) >= {"runway_centreline"}
    assert "runway_threshold" not in set(vectors["airports"]["kind"])  # the scenario's filter


def test_unreadable_vector_is_refused(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text("{ nope")
    with pytest.raises(InputDataError, match="cannot be read as a vector layer"):
        io.read_vector(path, _utm_grid(), name="rivers")
