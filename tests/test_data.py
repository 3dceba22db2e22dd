"""The embedded Mörön data is intact, documented and readable."""

import hashlib
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = [ROOT / "rasters" / "moron", ROOT / "vectors" / "moron"]
DATA_SUFFIXES = {".tif", ".nc", ".geojson", ".png"}  # .png: the DEM's source tiles
DEM = ROOT / "rasters" / "moron" / "dem_srtm30plus_z6_80x50arcsec.tif"


def _sums(folder):
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


@pytest.mark.parametrize("folder", DATA_DIRS, ids=lambda p: p.parent.name)
def test_every_file_matches_its_sha256(folder):
    sums = _sums(folder)
    data_files = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in DATA_SUFFIXES
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


def test_dem_rebuilds_byte_for_byte_from_its_source_tiles(tmp_path):
    pytest.importorskip("PIL")  # the build script decodes the PNG tiles with Pillow
    script = ROOT / "rasters" / "moron" / "tools" / "build_dem_srtm30plus.py"
    rebuilt = tmp_path / DEM.name
    subprocess.run([sys.executable, str(script), str(rebuilt)], check=True, capture_output=True)
    digest = hashlib.sha256(rebuilt.read_bytes()).hexdigest()
    assert digest == _sums(DEM.parent)[DEM.name]


# Published elevations, against the DEM cell that holds the point (read with rasterio alone,
# independently of siting). The DEM's cells are 1.5 km area means, so a point on flat ground
# is expected within 15 m. A DEM displaced as far as the one it replaced (0.06 deg W, 0.02 deg
# N) reads 1,751 m at Khatgal; one displaced by a single cell (1.57 km E or 1.55 km N) misses
# Khatgal or Mörön by 18-37 m.
PUBLISHED_ELEVATIONS = [
    # Mörön ZMMN aerodrome reference point 49°39'49"N 100°05'59"E, ELEV 1,303 m: Mongolia
    # eAIP AD 2 ZMMN (AIRAC 2023-05-18), in vectors/moron/airports_ourairports.geojson.
    # Measured: 1,293 m (-10 m).
    pytest.param("ZMMN", "ARP_eAIP_Mongolia_AIRAC_2023-05-18", 1303.0, id="ZMMN-ARP-eAIP"),
    # Khatgal ZMHG reference point 50.435988 N, 100.139532 E, elevation 5,500 ft = 1,676 m:
    # OurAirports. Measured: 1,672 m (-4 m).
    pytest.param("ZMHG", "airport_reference_point_ourairports", 1676.4, id="ZMHG-ARP"),
]


def _feature(icao, kind):
    airports = gpd.read_file(ROOT / "vectors" / "moron" / "airports_ourairports.geojson")
    (point,) = airports.geometry[(airports["icao"] == icao) & (airports["kind"] == kind)]
    return point


@pytest.mark.parametrize(("icao", "kind", "published_m"), PUBLISHED_ELEVATIONS)
def test_dem_reproduces_published_airport_elevations(icao, kind, published_m):
    point = _feature(icao, kind)
    with rasterio.open(DEM) as src:
        (value,) = next(src.sample([(point.x, point.y)]))
    assert abs(float(value) - published_m) <= 15.0, (icao, float(value), published_m)


def test_dem_is_flat_on_lake_khovsgol_inside_its_outline():
    # Lake Khövsgöl's surface lies at 1,645 m (Encyclopaedia Britannica, "Hövsgöl Lake").
    # Over the DEM cells lying wholly inside the Natural Earth outline the median is 1,642 m
    # and 96.8 % of the 1,022 cells lie within 3 m of it; the rest are Modon Khüi island (the
    # outline has no holes for islands) and shore cells of the generalised outline. Shifting
    # the DEM by one cell (1.57 km E-W or 1.55 km N-S) brings land into the lake and that
    # share down to 0.91-0.95; the displacement of the DEM it replaced, to 0.77.
    lakes = gpd.read_file(ROOT / "vectors" / "moron" / "lakes_naturalearth_10m.geojson")
    khovsgol = lakes.loc[lakes["area_km2"].idxmax()].geometry
    with rasterio.open(DEM) as src:
        z = src.read(1).astype(float)
        rows, cols = np.indices(z.shape)
        west, north = src.transform * (cols, rows)
        east, south = src.transform * (cols + 1, rows + 1)
    inside = shapely.within(shapely.box(west, south, east, north), khovsgol)
    surface = z[inside]
    assert inside.sum() > 1000  # ~2,770 km2 of lake, ~2.4 km2 per cell
    level = np.median(surface)
    assert abs(level - 1645.0) <= 15.0, level
    assert np.mean(np.abs(surface - level) <= 3.0) >= 0.96
