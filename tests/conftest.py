"""Shared fixtures: the embedded scenario and small synthetic inputs."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import rasterio
import yaml
from rasterio.transform import from_origin

from siting.scenario.defaults import default_scenario_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def default_dict() -> dict:
    """The embedded Mörön scenario as a dictionary (copy it before changing it)."""
    return yaml.safe_load(default_scenario_text())


@pytest.fixture
def scenario_dict(default_dict) -> dict:
    """A fresh, modifiable copy of the embedded scenario."""
    return copy.deepcopy(default_dict)


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def write_geotiff(path: Path, data: np.ndarray, *, crs="EPSG:4326", transform=None, nodata=None):
    """A single-band GeoTIFF (crs=None writes one without a CRS)."""
    transform = transform or from_origin(98.5, 51.75, 1 / 12, 1 / 12)
    profile = dict(
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=data.dtype,
        transform=transform,
        nodata=nodata,
    )
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server of fixture files (range requests, injectable faults)."""
    from tests.fetch_server import FixtureServer

    running = FixtureServer(tmp_path / "www").start()
    yield running
    running.stop()
