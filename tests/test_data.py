"""The embedded Mörön data is intact, documented and readable."""

import hashlib
from pathlib import Path

import pytest
import rasterio

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = [ROOT / "rasters" / "moron", ROOT / "vectors" / "moron"]


def _sums(folder):
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


@pytest.mark.parametrize("folder", DATA_DIRS, ids=lambda p: p.parent.name)
def test_every_file_matches_its_sha256(folder):
    sums = _sums(folder)
    data_files = {
        p.name for p in folder.iterdir() if p.is_file() and p.suffix in {".tif", ".nc", ".geojson"}
    }
    assert set(sums) == data_files
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("folder", DATA_DIRS, ids=lambda p: p.parent.name)
def test_every_file_has_a_provenance_row(folder):
    readme = (folder.parent / "README.md").read_text()
    for name in _sums(folder):
        assert name in readme, f"{name} has no row in {folder.parent.name}/README.md"


def test_landcover_keeps_its_own_clarke_1866_crs():
    with rasterio.open(ROOT / "rasters/moron/landcover_modis_mcd12c1_2019_igbp.tif") as src:
        assert "Clarke 1866" in src.crs.to_wkt()
        assert src.crs.is_geographic
