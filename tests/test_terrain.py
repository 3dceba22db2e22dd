"""Terrain derivatives: hand-computed planes, gdaldem as reference, chunked equals whole."""

from __future__ import annotations

import math
import shutil
import subprocess

import dask
import dask.array as da
import numpy as np
import pytest
import rasterio
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.errors import ParameterError
from siting.land import terrain

UTM_47N = "EPSG:32647"
DERIVATIVES = {
    "slope": terrain.slope,
    "aspect": terrain.aspect,
    "northness": terrain.northness,
    "tpi": terrain.tpi,
    "tpi_radius_2": lambda dem: terrain.tpi(dem, radius_cells=2),
    "tri": terrain.tri,
    "hillshade": terrain.hillshade,
}


def grid(
    z: np.ndarray,
    dx: float = 30.0,
    dy: float = 30.0,
    *,
    north_up: bool = True,
    crs: str | None = UTM_47N,
) -> xr.DataArray:
    """A DEM DataArray with cell-centre coords (dx by dy metres) in UTM 47N."""
    ny, nx = z.shape
    x = 400_000.0 + dx * (np.arange(nx) + 0.5)
    rows = np.arange(ny) + 0.5
    y = 5_500_000.0 - dy * rows if north_up else 5_400_000.0 + dy * rows
    dem = xr.DataArray(z, coords={"y": y, "x": x}, dims=("y", "x"), name="elevation")
    return dem.rio.write_crs(crs) if crs else dem


def plane(
    a: float, b: float, shape=(6, 7), dx=30.0, dy=20.0, *, north_up=True, dtype=np.float64
) -> xr.DataArray:
    """The plane z = 1000 + a * easting + b * northing (metres), on a grid."""
    dem = grid(np.zeros(shape), dx, dy, north_up=north_up)
    east = dem.x - dem.x[0]
    north = dem.y - dem.y.min()
    return (1000.0 + a * east + b * north).transpose("y", "x").astype(dtype).rename("elevation")


def terrain_like(ny=300, nx=400, dx=30.0, dy=30.0, seed=7) -> xr.DataArray:
    """Seeded hills and valleys (sum of Gaussians) with noise, a flat plateau and NaN holes."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:ny, 0:nx].astype(float)
    z = np.full((ny, nx), 1500.0)
    for _ in range(12):
        centre_row, centre_col = rng.uniform(0, ny), rng.uniform(0, nx)
        width, height = rng.uniform(10, 80), rng.uniform(-200, 400)
        z += height * np.exp(
            -((rows - centre_row) ** 2 + (cols - centre_col) ** 2) / (2 * width**2)
        )
    z += rng.normal(0, 0.5, z.shape)
    z[100:110, 50:60] = 1400.0  # flat: aspect undefined
    holes = rng.integers(0, [ny, nx], size=(15, 2))
    z[holes[:, 0], holes[:, 1]] = np.nan
    z[0, 0] = z[0, 5] = z[7, 0] = z[3, -1] = z[-1, -3] = np.nan  # nodata on the border
    return grid(z.astype(np.float32), dx, dy)


def corners(shape) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[[0, 0, -1, -1], [0, -1, 0, -1]] = True
    return mask


# --- hand-computed values ------------------------------------------------------------------


def test_plane_on_non_square_cells():
    a, b = 0.3, -0.2  # rises to the east, falls to the north
    dem = plane(a, b, dx=30.0, dy=20.0)
    inside = ~corners(dem.shape)  # corners: see test_corners_follow_gdaldem
    np.testing.assert_allclose(
        terrain.slope(dem).values[inside], math.degrees(math.atan(math.hypot(a, b))), rtol=1e-12
    )
    # Downslope points west and north: azimuth atan2(-a, -b) = 303.69 degrees.
    np.testing.assert_allclose(
        terrain.aspect(dem).values[inside], math.degrees(math.atan2(-a, -b)) % 360, rtol=1e-12
    )
    np.testing.assert_allclose(
        terrain.northness(dem).values[inside], -b / math.hypot(a, b), rtol=1e-12
    )
    np.testing.assert_allclose(terrain.tpi(dem).values[inside], 0.0, atol=1e-9)
    rises = [a * 30 * i + b * 20 * j for i in (-1, 0, 1) for j in (-1, 0, 1)]
    np.testing.assert_allclose(
        terrain.tri(dem).values[inside], math.sqrt(sum(r * r for r in rises)), rtol=1e-12
    )


def test_tpi_with_a_wider_window_is_zero_on_a_plane_everywhere():
    dem = plane(0.3, -0.2, shape=(7, 8))
    np.testing.assert_allclose(terrain.tpi(dem, radius_cells=3).values, 0.0, atol=1e-9)


@pytest.mark.parametrize("radius", [2, 5, 14])
def test_wide_tpi_matches_a_brute_force_window_mean(radius):
    rng = np.random.default_rng(radius)
    z = rng.normal(1500.0, 40.0, (23, 31))
    z[4, 6] = z[15, 20] = np.nan
    # Point reflection beyond the edges (z[-k] = 2 z[0] - z[k], both axes at corners) is
    # numpy's odd reflection; NaN neighbours count as the centre value.
    padded = np.pad(z, radius, mode="reflect", reflect_type="odd")
    expected = np.full_like(z, np.nan)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            if np.isnan(z[i, j]):
                continue
            window = padded[i : i + 2 * radius + 1, j : j + 2 * radius + 1].copy()
            window[np.isnan(window)] = z[i, j]
            expected[i, j] = z[i, j] - (window.sum() - z[i, j]) / (window.size - 1)
    result = terrain.tpi(grid(z), radius_cells=radius).values
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-9)


def test_wide_tpi_chunked_equals_whole_exactly_at_a_large_radius():
    """Integer running sums: the same bits whatever the chunks (radius 12, uneven chunks)."""
    dem = terrain_like(60, 70, seed=11)
    whole = terrain.tpi(dem, radius_cells=12).values
    with dask.config.set(scheduler="synchronous"):
        chunked = terrain.tpi(dem.chunk({"y": (13, 30, 17), "x": (25, 9, 36)}), 12).values
    np.testing.assert_array_equal(chunked, whole)


def test_wide_tpi_refuses_values_that_are_not_elevations():
    z = np.full((30, 30), 20_000.0)
    with pytest.raises(ParameterError, match="16,384 m"):
        _ = terrain.tpi(grid(z), radius_cells=3).values


def test_tpi_of_a_single_peak():
    z = np.zeros((7, 7))
    z[3, 3] = 8.0
    assert terrain.tpi(grid(z)).values[3, 3] == 8.0
    assert terrain.tpi(grid(z), radius_cells=2).values[3, 3] == 8.0
    assert terrain.tpi(grid(z), radius_cells=2).values[3, 5] == pytest.approx(-8.0 / 24)


def test_corners_follow_gdaldem():
    # gdaldem extrapolates only the missing row at a corner and repeats the centre
    # column, so the east-west gradient there is halved.
    a, b = 0.3, -0.2
    dem = plane(a, b, dx=30.0, dy=20.0)
    expected = math.degrees(math.atan(math.hypot(a / 2, b)))
    np.testing.assert_allclose(terrain.slope(dem).values[corners(dem.shape)], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "azimuth"), [(0, -1, 0), (-1, 0, 90), (0, 1, 180), (1, 0, 270), (-1, -1, 45)]
)
@pytest.mark.parametrize("north_up", [True, False])
def test_aspect_compass_directions(a, b, azimuth, north_up):
    dem = plane(0.1 * a, 0.1 * b, dx=25.0, dy=25.0, north_up=north_up)
    result = terrain.aspect(dem).values
    inside = ~corners(dem.shape)  # corners: see test_corners_follow_gdaldem
    np.testing.assert_allclose(result[inside], azimuth, atol=1e-9)
    assert np.all(result < 360)


def test_flat_ground():
    dem = grid(np.full((5, 6), 1234.0, dtype=np.float32))
    result = terrain.aspect(dem)
    assert np.isnan(result.values).all()
    assert "flat" in result.attrs
    assert (terrain.northness(dem).values == 0).all()
    assert (terrain.northness(result).values == 0).all()
    assert (terrain.slope(dem).values == 0).all()
    assert (terrain.tri(dem).values == 0).all()
    np.testing.assert_allclose(terrain.hillshade(dem, altitude_deg=30).values, 0.5, rtol=1e-6)


def test_hillshade_faces_and_shadow():
    facing_sun = plane(0.5, -0.5, dx=10.0, dy=10.0)  # faces north-west, sun from 315
    away = plane(-2.0, 2.0, dx=10.0, dy=10.0)  # steep, faces south-east
    slope = math.atan(math.hypot(0.5, 0.5))
    expected = math.cos(math.radians(45) - slope)  # sun and normal in one vertical plane
    inside = ~corners(facing_sun.shape)
    np.testing.assert_allclose(terrain.hillshade(facing_sun).values[inside], expected, rtol=1e-12)
    assert (terrain.hillshade(away).values == 0).all()


def test_nodata_neighbour_takes_the_centre_value():
    z = np.arange(25, dtype=np.float64).reshape(5, 5) ** 1.5
    z[1, 2] = np.nan
    result = terrain.tpi(grid(z)).values
    assert np.isnan(result[1, 2])
    window = z[1:4, 1:4].copy()
    window[0, 1] = z[2, 2]
    assert result[2, 2] == pytest.approx(z[2, 2] - (window.sum() - z[2, 2]) / 8)


def test_nodata_stays_nodata_and_nothing_else_is():
    dem = terrain_like(30, 40)  # noisy: no flat cell, so aspect is defined everywhere
    for name, derive in DERIVATIVES.items():
        np.testing.assert_array_equal(
            np.isnan(derive(dem).values), np.isnan(dem.values), err_msg=name
        )


def test_encoded_nodata_is_masked():
    z = terrain_like(40, 50).fillna(-9999.0)
    z = z.rio.write_nodata(-9999.0)
    expected = terrain.slope(terrain_like(40, 50))
    np.testing.assert_array_equal(terrain.slope(z).values, expected.values)


def test_metadata_and_dtypes_are_kept():
    dem = terrain_like(20, 30)
    for name, derive in DERIVATIVES.items():
        result = derive(dem)
        assert result.dims == ("y", "x")
        assert result.rio.crs == dem.rio.crs, name
        np.testing.assert_array_equal(result.x, dem.x)
        np.testing.assert_array_equal(result.y, dem.y)
        assert result.attrs["units"] in {"degree", "m", "1"}
        assert result.dtype == np.float32
        assert derive(dem.astype(np.float64)).dtype == np.float64
    assert terrain.slope(dem).name == "slope_deg"
    assert terrain.aspect(dem).name == "aspect_deg"
    assert terrain.tpi(dem).name == "tpi_m"
    assert terrain.tri(dem).name == "tri_m"
    assert terrain.hillshade(dem).name == "hillshade"
    assert terrain.northness(dem).name == "northness"


def test_integer_dem():
    dem = terrain_like(20, 30).fillna(0).round().astype(np.int16)
    expected = terrain.slope(dem.astype(np.float64))
    np.testing.assert_allclose(terrain.slope(dem).values, expected.values, rtol=1e-6)


# --- refusals ------------------------------------------------------------------------------


def test_geographic_crs_is_refused():
    dem = grid(np.zeros((4, 4)), 0.001, 0.001, crs="EPSG:4326")
    with pytest.raises(ParameterError, match="geographic.*reproject"):
        terrain.slope(dem)


def test_dem_without_crs_uses_its_coords():
    dem = plane(0.3, -0.2)
    bare = dem.drop_vars("spatial_ref")
    np.testing.assert_array_equal(terrain.slope(bare).values, terrain.slope(dem).values)


@pytest.mark.parametrize(
    ("dem", "match"),
    [
        (grid(np.zeros((4, 5))).transpose("x", "y"), "dims"),
        (grid(np.zeros((1, 5))), "2 x 2"),
        (grid(np.zeros((4, 5))).isel(x=[0, 1, 3, 4]), "evenly spaced"),
    ],
)
def test_unusable_dem_is_refused(dem, match):
    with pytest.raises(ParameterError, match=match):
        terrain.slope(dem)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda dem: terrain.tpi(dem, radius_cells=0), "radius_cells"),
        (lambda dem: terrain.tpi(dem, radius_cells=1.5), "radius_cells"),
        (lambda dem: terrain.tpi(dem, radius_cells=4), "radius_cells"),
        (lambda dem: terrain.hillshade(dem, altitude_deg=95), "altitude_deg"),
        (lambda dem: terrain.hillshade(dem, z_factor=0), "z_factor"),
    ],
)
def test_bad_parameters_are_refused(call, match):
    with pytest.raises(ParameterError, match=match):
        call(grid(np.zeros((4, 5))))


# --- gdaldem as reference ------------------------------------------------------------------


def run_gdaldem(tmp_path, dem: xr.DataArray, mode: str) -> np.ndarray:
    """Output of ``gdaldem <mode> -compute_edges`` on the DEM, nodata as NaN."""
    if shutil.which("gdaldem") is None:
        pytest.skip(
            "gdaldem not found: install Debian package gdal-bin (make test does this where it can)"
        )
    source = tmp_path / "dem.tif"
    if not source.exists():
        dem.rio.write_nodata(np.nan, encoded=False).rio.to_raster(source)
    target = tmp_path / f"{mode}.tif"
    subprocess.run(
        ["gdaldem", mode, str(source), str(target), "-compute_edges", "-q"],
        check=True,
        capture_output=True,
    )
    with rasterio.open(target) as dataset:
        return dataset.read(1, masked=True).astype(np.float64).filled(np.nan)


def assert_close_with_same_nodata(
    ours: np.ndarray, reference: np.ndarray, tolerance: float, *, circular: bool = False
) -> None:
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference))
    difference = np.abs(ours - reference)
    if circular:
        difference = np.minimum(difference, 360.0 - difference)
    assert np.nanmax(difference) < tolerance


@pytest.mark.parametrize("cell", [(30.0, 30.0), (30.0, 20.0)], ids=["square", "non-square"])
def test_matches_gdaldem(tmp_path, cell):
    dem = terrain_like(dx=cell[0], dy=cell[1])
    checks = [
        ("slope", terrain.slope, 1e-3),
        ("TPI", terrain.tpi, 1e-3),
        ("TRI", terrain.tri, 1e-3),
    ]
    for mode, derive, tolerance in checks:
        reference = run_gdaldem(tmp_path, dem, mode)
        assert_close_with_same_nodata(derive(dem).values, reference, tolerance)

    shade = terrain.hillshade(dem).values
    as_gdaldem_bytes = np.floor(1.0 + 254.0 * shade + 0.5)
    assert_close_with_same_nodata(as_gdaldem_bytes, run_gdaldem(tmp_path, dem, "hillshade"), 1.5)

    if cell[0] == cell[1]:  # gdaldem's aspect ignores the cell size (see aspect's docstring)
        reference = run_gdaldem(tmp_path, dem, "aspect")
        ours = terrain.aspect(dem).values
        assert_close_with_same_nodata(ours, reference, 1e-3, circular=True)
        assert np.isnan(ours[101:109, 51:59]).all()  # the flat plateau


# --- chunked equals whole ------------------------------------------------------------------


def assert_chunked_equals_whole(dem: xr.DataArray, chunks: dict) -> None:
    for name, derive in DERIVATIVES.items():
        if name == "tpi_radius_2" and min(dem.shape) <= 2:
            continue
        whole = derive(dem)
        lazy = derive(dem.chunk(chunks))
        assert isinstance(lazy.data, da.Array), name
        with dask.config.set(scheduler="synchronous"):
            chunked = lazy.values
        np.testing.assert_array_equal(chunked, whole.values, err_msg=name)


@pytest.mark.parametrize(
    "chunks",
    [
        {"y": 1, "x": 1},
        {"y": 2, "x": 3},
        {"y": 3, "x": 1},
        {"y": (4, 1, 2, 2), "x": (1, 2, 3, 4, 6)},
    ],
)
def test_chunked_equals_whole(chunks):
    dem = terrain_like(9, 16, seed=3)
    assert_chunked_equals_whole(dem, chunks)


@st.composite
def dems_and_chunks(draw):
    ny = draw(st.integers(2, 10))
    nx = draw(st.integers(2, 10))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    z = rng.normal(1000.0, 50.0, (ny, nx)).astype(draw(st.sampled_from([np.float32, np.float64])))
    z[rng.random((ny, nx)) < draw(st.sampled_from([0.0, 0.1, 0.4]))] = np.nan
    chunks = {"y": draw(st.integers(1, ny)), "x": draw(st.integers(1, nx))}
    cells = draw(st.sampled_from([(30.0, 30.0), (10.0, 27.5)]))
    return grid(z, *cells), chunks


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dems_and_chunks())
def test_chunked_equals_whole_property(dem_and_chunks):
    dem, chunks = dem_and_chunks
    assert_chunked_equals_whole(dem, chunks)
