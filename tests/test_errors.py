"""The error family: specific classes users catch, with what/problem/fix as attributes."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting.errors import (
    InconsistentAHPError,
    InputDataError,
    InputNotFoundError,
    MissingCRSError,
    ParameterError,
    SitingError,
)
from siting.land.ahp import ahp_weights


def test_parts_are_attributes_and_compose_the_message():
    err = MissingCRSError(what="a.tif", problem="has no CRS", fix="assign one")
    assert (err.what, err.problem, err.fix) == ("a.tif", "has no CRS", "assign one")
    assert str(err) == "a.tif: has no CRS. Fix: assign one"
    assert isinstance(err, InputDataError) and err.exit_code == 2


def test_a_message_alone_still_works_and_parts_are_then_none():
    err = SitingError("plain message")
    assert str(err) == "plain message" and err.what is None


def test_an_incomplete_set_of_parts_is_a_programming_error():
    with pytest.raises(TypeError):
        SitingError(what="x", problem="y")


def test_inconsistent_ahp_carries_its_ratio():
    # Saaty's example of an intransitive matrix: A > B (9), B > C (9), C > A (9).
    matrix = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(InconsistentAHPError) as caught:
        ahp_weights(matrix, ["a", "b", "c"])
    err = caught.value
    assert isinstance(err, ParameterError)
    assert err.consistency_ratio > err.limit == pytest.approx(0.10)
    assert "revisit the judgements" in err.fix


def test_missing_file_and_missing_crs_are_their_own_classes(tmp_path):
    from siting.io import read_aoi_polygon

    with pytest.raises(InputNotFoundError) as caught:
        read_aoi_polygon(tmp_path / "nope.geojson")
    assert caught.value.what.endswith("nope.geojson")
    frame = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)])  # no CRS
    frame.to_file(tmp_path / "aoi.gpkg")
    with pytest.raises(MissingCRSError):
        read_aoi_polygon(tmp_path / "aoi.gpkg")
