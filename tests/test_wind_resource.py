"""Wind-speed estimate from terrain exposure, and a given wind layer."""

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from siting.errors import ParameterError
from siting.grid import grid_for_aoi
from siting.wind.resource import (
    estimated_mean_speed,
    exposure_factor,
    given_mean_speed,
    is_estimate,
)

GRID = grid_for_aoi(shapely.box(99.0, 49.0, 99.01, 49.01), 250)
ESTIMATE = dict(valley_factor=0.75, ridge_factor=1.15, tpi_scale_m=100.0)


def _tpi(values):
    data = np.full(GRID.shape, np.nan, dtype="float32")
    data.flat[: len(values)] = values
    return GRID.wrap(data, name="tpi_m", units="m")


def test_exposure_factor_by_hand():
    factor = exposure_factor(_tpi([-200, -100, -50, 0, 50, 100, 300]), **ESTIMATE).values.ravel()
    np.testing.assert_allclose(factor[:7], [0.75, 0.75, 0.875, 1.0, 1.075, 1.15, 1.15], rtol=1e-6)
    assert np.isnan(factor[7:]).all()


def test_estimated_speed_is_flagged_and_scaled():
    speed = estimated_mean_speed(_tpi([-100, 0, 100]), mean_speed_ms=6.0, height_m=100, **ESTIMATE)
    np.testing.assert_allclose(speed.values.ravel()[:3], [4.5, 6.0, 6.9], rtol=1e-6)
    assert speed.name == "wind_speed_ms" and speed.attrs["units"] == "m s-1"
    assert is_estimate(speed)


@given(st.floats(-1e4, 1e4, allow_nan=False))
def test_factor_stays_between_valley_and_ridge(tpi):
    factor = float(exposure_factor(_tpi([tpi]), **ESTIMATE).values.flat[0])
    assert 0.75 <= factor <= 1.15


def test_impossible_factors_are_refused():
    with pytest.raises(ParameterError, match="valley_factor"):
        exposure_factor(_tpi([0]), valley_factor=1.2, ridge_factor=1.1, tpi_scale_m=100)


def test_given_layer_is_not_an_estimate_and_drops_nodata_codes():
    layer = _tpi([5.5, -9999, 7.25])
    speed = given_mean_speed(layer, height_m=100)
    assert not is_estimate(speed)
    np.testing.assert_array_equal(speed.values.ravel()[:3], [5.5, np.nan, 7.25])
