"""Wind roses: direction distributions, Weibull fits, ERA5 sample, raster site means."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, special, stats

from siting.errors import InputDataError
from siting.grid import grid_for_aoi
from siting.io.era5 import read_era5
from siting.wind.climate import (
    fit_weibull,
    rose_from_era5,
    rose_from_weibull,
    site_means,
    von_mises_frequencies,
    weibull_a_from_mean,
    wind_direction_deg,
)

ERA5_SAMPLE = Path(__file__).resolve().parents[1] / "rasters/moron/era5_sample_2026-03-25_31.nc"


@given(st.floats(0, 359.9), st.floats(0, 5))
def test_von_mises_frequencies_sum_to_one_and_peak_at_prevailing(direction, kappa):
    frequency = von_mises_frequencies(12, direction, kappa)
    assert frequency.sum() == pytest.approx(1.0)
    assert (frequency >= 0).all()
    if kappa > 0.1:
        nearest = int(np.round(direction / 30.0)) % 12
        assert frequency[nearest] == pytest.approx(frequency.max(), rel=1e-6)


def test_von_mises_by_quadrature_and_uniform_limit():
    np.testing.assert_allclose(von_mises_frequencies(8, 0.0, 0.0), 1 / 8)
    # North sector (-15..15 deg) of kappa = 1 around 315 deg, by scipy quadrature.
    pdf = lambda t: stats.vonmises.pdf(t, 1.0, loc=np.deg2rad(315.0))  # noqa: E731
    expected, _ = integrate.quad(pdf, np.deg2rad(-15), np.deg2rad(15))
    assert von_mises_frequencies(12, 315.0, 1.0)[0] == pytest.approx(expected, rel=1e-6)


def test_weibull_a_from_mean_by_hand():
    # k = 2: Gamma(1.5) = sqrt(pi) / 2 = 0.886227
    assert weibull_a_from_mean(7.0, 2.0) == pytest.approx(7.0 / 0.8862269)
    rose = rose_from_weibull(
        weibull_a_from_mean(7.0, 2.0),
        2.0,
        height_m=80,
        frequency=np.full(12, 1 / 12),
        source="layer",
        direction_source="test",
    )
    assert rose.mean_speed_ms() == pytest.approx(7.0)


def test_probabilities_cover_the_distribution():
    rose = rose_from_weibull(
        8.0,
        2.2,
        height_m=80,
        frequency=von_mises_frequencies(12, 300.0, 1.0),
        source="layer",
        direction_source="test",
    )
    wd, ws, p = rose.probabilities(np.arange(0, 61.0, 1.0), directions_per_sector=3)
    assert p.shape == (36, 60) and wd.size == 36
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    mean = np.sum(p.sum(axis=0) * ws)
    assert mean == pytest.approx(8.0 * special.gamma(1 + 1 / 2.2), rel=0.002)


def test_weibull_fit_recovers_parameters():
    sample = stats.weibull_min.rvs(
        2.3, scale=7.5, size=20_000, random_state=np.random.default_rng(3)
    )
    a, k = fit_weibull(sample)
    assert a == pytest.approx(7.5, rel=0.02) and k == pytest.approx(2.3, rel=0.03)


def test_meteorological_direction():
    # Wind blowing towards the south (v < 0) comes from the north; towards the west, from east.
    np.testing.assert_allclose(
        wind_direction_deg([0.0, -5.0, 0.0, 5.0], [-5.0, 0.0, 5.0, 0.0]), [0, 90, 180, 270]
    )


def test_era5_sample_rose_matches_an_independent_count():
    era5 = read_era5(ERA5_SAMPLE)
    rose = rose_from_era5(
        era5, 100.0, 50.0, n_sectors=12, min_samples_per_sector=20, point="nearest"
    )
    u = era5["u10"].sel(latitude=50.0, longitude=100.0).values
    v = era5["v10"].sel(latitude=50.0, longitude=100.0).values
    speed = np.hypot(u, v)
    direction = np.degrees(np.arctan2(-u, -v)) % 360
    # Sector counts by histogram on directions shifted by half a sector.
    counts, _ = np.histogram((direction + 15) % 360, bins=np.arange(0, 361, 30))
    np.testing.assert_allclose(rose.frequency, counts / 24)
    k, _, a = stats.weibull_min.fit(speed, floc=0)  # every sector < 20 samples: overall fit
    np.testing.assert_allclose(rose.weibull_a_ms, a, rtol=1e-5)
    np.testing.assert_allclose(rose.weibull_k, k, rtol=1e-5)
    assert rose.height_m == 10 and rose.source == "era5"
    assert "not a climatology" in rose.note


def test_era5_errors(tmp_path):
    with pytest.raises(InputDataError, match="not found"):
        read_era5(tmp_path / "none.nc")
    path = tmp_path / "t2m_only.nc"
    xr.Dataset(
        {"t2m": (("time", "latitude", "longitude"), np.zeros((2, 2, 2)))},
        coords={"time": [0, 1], "latitude": [50, 49], "longitude": [99, 100]},
    ).to_netcdf(path)
    with pytest.raises(InputDataError, match="u10/v10"):
        read_era5(path)
    with pytest.raises(InputDataError, match="outside"):
        rose_from_era5(read_era5(ERA5_SAMPLE), 110.0, 50.0, n_sectors=12, min_samples_per_sector=20)


def test_site_means_over_cells():
    grid = grid_for_aoi(shapely.box(100.0, 49.5, 100.05, 49.52), 250)
    values = np.arange(grid.width * grid.height, dtype="float32").reshape(grid.shape)
    raster = grid.wrap(values, name="v", units="")
    left, bottom, right, top = grid.bounds
    # Two cells of the top row, and one cell with a NaN neighbour.
    first = shapely.box(left, top - 250, left + 500, top)
    values_nan = values.copy()
    values_nan[0, 1] = np.nan
    sites = gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[first], crs=grid.crs)
    means = site_means(
        sites, {"v": raster, "w": grid.wrap(values_nan, name="w", units="")}, ["v", "w"]
    )
    assert means["v"][0] == pytest.approx((values[0, 0] + values[0, 1]) / 2)
    assert means["w"][0] == pytest.approx(values[0, 0])
    with pytest.raises(InputDataError, match="not in the run's rasters"):
        site_means(sites, {"v": raster}, ["gwa_a"])


def test_site_means_read_only_site_windows_of_chunked_rasters_and_clip_at_the_edge():
    grid = grid_for_aoi(shapely.box(100.0, 49.5, 100.05, 49.52), 250)
    values = np.arange(grid.width * grid.height, dtype="float32").reshape(grid.shape)
    raster = grid.wrap(values, name="v", units="").chunk(3)
    left, bottom, right, top = grid.bounds
    # B: the last column's two bottom cells plus land beyond the grid; C: wholly outside.
    edge = shapely.box(right - 250, bottom - 1_000, right + 1_000, bottom + 500)
    outside = shapely.box(right + 1_000, top, right + 2_000, top + 1_000)
    sites = gpd.GeoDataFrame({"site_id": ["B", "C"]}, geometry=[edge, outside], crs=grid.crs)
    means = site_means(sites, {"v": raster}, ["v"])["v"]
    assert means[0] == pytest.approx((values[-1, -1] + values[-2, -1]) / 2)
    assert np.isnan(means[1])
