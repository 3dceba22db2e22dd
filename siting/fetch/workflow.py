"""One ``siting fetch``: the layers fetched, placed in a folder with a scenario that uses them.

Every asked-for layer is fetched (or taken from the cache) and copied into the output folder
with its manifest and licences.

The folder is written file by file through temporary names and atomic renames, and the
scenario last: a folder with a ``scenario.yaml`` is complete. ``manifest.json`` records, per
file, its SHA-256, size and sources; a file in the folder whose SHA-256 no longer matches the
manifest is reported, not overwritten, unless the fetch is asked to refresh.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import yaml

from siting import __version__
from siting.errors import ConfigError, describe
from siting.fetch.aoi import FetchArea, parse_aoi
from siting.fetch.cache import Cache, default_cache_dir, verify
from siting.fetch.copernicus_dem import fetch_dem
from siting.fetch.era5 import fetch_era5
from siting.fetch.http import Retry
from siting.fetch.licences import licences_text
from siting.fetch.osm import fetch_osm
from siting.fetch.product import FetchContext, Product, load_sources
from siting.fetch.progress import NullProgress, Progress
from siting.fetch.scenario_writer import HEADER, fetched_scenario
from siting.fetch.wind_atlas import fetch_wind_atlas
from siting.fetch.worldcover import fetch_landcover
from siting.grid import WGS84
from siting.io.checksums import sha256_of
from siting.scenario.load import load_scenario

#: Layers ``siting fetch`` knows, in the order they are fetched; ERA5 is opt-in.
LAYERS = ("dem", "landcover", "wind", "osm", "era5")
DEFAULT_LAYERS = ("dem", "landcover", "wind", "osm")
MANIFEST = "manifest.json"
SCENARIO = "scenario.yaml"


@dataclass
class FetchOptions:
    """Choices of one fetch (each a command-line option)."""

    layers: Sequence[str] = DEFAULT_LAYERS
    base_scenario: Path | None = None
    cache_dir: Path | None = None
    base_urls: Mapping[str, str] = field(default_factory=dict)
    dem_resolution_m: int = 30
    gwa_country: str = "MNG"
    gwa_heights_m: Sequence[int] | None = None
    era5_years: tuple[int, int] = (2014, 2023)
    raster_margin_m: float = 5000.0
    whole_files: bool = False
    refresh: bool = False
    retry: Retry = field(default_factory=Retry)


@dataclass
class FetchResult:
    """What a fetch wrote.

    Attributes
    ----------
    out_dir, scenario : pathlib.Path
        The folder and its scenario file.
    products : dict of str to Product
        Per layer.
    warnings : list of str
        Things the user should know before running (e.g. a kept layer not covering the AOI).
    seconds : float
        Wall time.
    """

    out_dir: Path
    scenario: Path
    products: dict[str, Product]
    warnings: list[str]
    seconds: float

    @property
    def all_cached(self) -> bool:
        """True when nothing was transferred (every layer came from the cache)."""
        return all(p.cached for p in self.products.values())


def _check_layers(layers: Sequence[str]) -> list[str]:
    unknown = [name for name in layers if name not in LAYERS]
    if unknown or not layers:
        raise ConfigError(
            describe(
                f"--layers {','.join(layers)}",
                f"unknown layer(s) {unknown}" if unknown else "is empty",
                f"choose from {','.join(LAYERS)}",
            )
        )
    return [name for name in LAYERS if name in layers]


def _check_out_dir(out_dir: Path) -> dict:
    """The previous manifest of ``out_dir`` ({} when new); refuse a folder of other files."""
    if not out_dir.exists():
        return {}
    if not out_dir.is_dir():
        raise ConfigError(describe(str(out_dir), "is a file", "give a folder for --out"))
    manifest = out_dir / MANIFEST
    if manifest.is_file():
        try:
            return json.loads(manifest.read_text("utf-8"))
        except ValueError:
            return {}
    if any(out_dir.iterdir()):
        raise ConfigError(
            describe(
                str(out_dir),
                "holds files that siting fetch did not write",
                "give a new or empty folder for --out",
            )
        )
    return {}


def _place(source: Path, dest: Path, previous: dict | None, refresh: bool) -> dict:
    """Copy a product into the folder (atomic) unless the same file is already there."""
    sha = sha256_of(source)
    if dest.exists() and previous and not refresh:
        verify(
            dest,
            previous["sha256"],
            how_to_fix=f"delete {dest} or fetch with --refresh to write it again",
        )
        if previous["sha256"] == sha:
            return previous
    temporary = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, dest)
    return {"file": dest.name, "sha256": sha, "bytes": dest.stat().st_size}


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def fetch(
    aoi: str | FetchArea,
    out_dir: str | Path,
    options: FetchOptions | None = None,
    *,
    progress: Progress | None = None,
) -> FetchResult:
    """Fetch the layers of an AOI into a folder and write a scenario that uses them.

    Parameters
    ----------
    aoi : str or FetchArea
        ``"west,south,east,north"`` in degrees, a polygon file, or a parsed area.
    out_dir : str or pathlib.Path
        The folder to write (new, empty, or written by an earlier fetch).
    options : FetchOptions, optional
        Layers, cache, sources and transfer settings.
    progress : Progress, optional
        Where to show transfers (default: nothing).

    Returns
    -------
    FetchResult

    Raises
    ------
    SitingError
        Bad options, a transfer that failed (offline, HTTP error, timeout), a checksum that
        does not match: each names the file or URL and how to get the data by hand.
    """
    start = time.perf_counter()
    options = options or FetchOptions()
    layers = _check_layers(list(options.layers))
    area = parse_aoi(aoi) if isinstance(aoi, str) else aoi
    out_dir = Path(out_dir)
    previous = _check_out_dir(out_dir)
    base = load_scenario(options.base_scenario)
    cell, crs = base.grid.cell_size_m, base.grid.crs
    raster_bounds = area.bounds(options.raster_margin_m, cell_size_m=cell, crs=crs)
    vector_bounds = area.bounds(base.layers.vector_margin_m, cell_size_m=cell, crs=crs)
    ctx = FetchContext(
        cache=Cache(Path(options.cache_dir or default_cache_dir())),
        sources=load_sources(options.base_urls),
        retry=options.retry,
        progress=progress or NullProgress(),
        whole_files=options.whole_files,
        refresh=options.refresh,
    )
    steps = {
        "dem": lambda: fetch_dem(ctx, raster_bounds, resolution_m=options.dem_resolution_m),
        "landcover": lambda: fetch_landcover(ctx, raster_bounds),
        "wind": lambda: fetch_wind_atlas(
            ctx,
            raster_bounds,
            country=options.gwa_country,
            heights_m=list(options.gwa_heights_m) if options.gwa_heights_m else None,
        ),
        "osm": lambda: fetch_osm(ctx, vector_bounds),
        "era5": lambda: fetch_era5(ctx, raster_bounds, years=options.era5_years),
    }
    with ctx.progress:
        products = {name: steps[name]() for name in layers}

    out_dir.mkdir(parents=True, exist_ok=True)
    old_files = previous.get("files", {})
    files: dict[str, dict[str, str]] = {}
    manifest_files = {}
    for name, product in products.items():
        files[name] = {}
        for role, path in product.files.items():
            placed = _place(path, out_dir / path.name, old_files.get(path.name), options.refresh)
            manifest_files[path.name] = {**placed, "layer": name, "role": role}
            files[name][role] = path.name
    if area.bbox is not None:
        aoi_section = {"bbox_lonlat": list(area.bbox)}
    else:
        gpd.GeoDataFrame(geometry=[area.geometry], crs=WGS84).to_file(
            out_dir / "aoi.geojson", driver="GeoJSON", engine="pyogrio"
        )
        aoi_section = {"polygon": "aoi.geojson"}
    scenario, warnings = fetched_scenario(
        base, products, files, ctx.sources, name=out_dir.resolve().name, aoi=aoi_section
    )
    used = [p.source for p in products.values()]
    _write_text(out_dir / "LICENCES.md", licences_text(ctx.sources, used))
    notes = [note for p in products.values() for note in p.notes]
    manifest = {
        "siting_version": __version__,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "aoi": aoi_section,
        "bounds_lonlat": {"rasters": list(raster_bounds), "vectors": list(vector_bounds)},
        "cache": str(ctx.cache.root),
        "layers": {
            name: {
                "source": product.source,
                "title": ctx.sources[product.source]["title"],
                "licence": ctx.sources[product.source]["licence"],
                "urls": product.urls,
                "files": sorted(files[name].values()),
                "from_cache": product.cached,
                "notes": product.notes,
                "details": product.details,
            }
            for name, product in products.items()
        },
        "files": manifest_files,
        "notes": notes,
        "warnings": warnings,
    }
    _write_text(out_dir / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")
    scenario_path = out_dir / SCENARIO
    header = HEADER.format(
        name=scenario["name"],
        base=options.base_scenario or "the embedded Mörön scenario",
        path=scenario_path,
    )
    _write_text(
        scenario_path, header + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
    )
    load_scenario(scenario_path)  # the scenario written must validate
    return FetchResult(
        out_dir, scenario_path, products, notes + warnings, time.perf_counter() - start
    )
