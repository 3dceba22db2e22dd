"""What a fetch step produces, the settings every step shares, and the source catalogue.

:func:`load_sources` reads ``sources.yaml`` (URLs, licences, attribution of each source) and
applies base-URL overrides: ``SITING_FETCH_<NAME>_URL`` environment variables, then those
given on the command line. :class:`FetchContext` carries the cache, retry policy, progress
display and options of one ``siting fetch``; :func:`raster_product` fetches the clipped COG of
one raster layer, or takes it from the cache.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from siting.errors import ConfigError, describe
from siting.fetch.cache import Cache, product_key, read_record, write_record
from siting.fetch.http import DownloadError, Retry
from siting.fetch.progress import NullProgress, Progress
from siting.fetch.rasters import locate_tiles, mosaic_window

SOURCES_FILE = Path(__file__).with_name("sources.yaml")
#: Bumped when the processing of a product changes, so that old cache entries are not reused.
PRODUCT_VERSION = 1


def load_sources(overrides: Mapping[str, str] | None = None) -> dict[str, dict]:
    """The source catalogue with base URLs overridden by the environment and ``overrides``.

    Parameters
    ----------
    overrides : mapping of str to str, optional
        Source name (e.g. ``"worldcover"``) to base URL.

    Raises
    ------
    ConfigError
        An override names an unknown source.
    """
    sources = yaml.safe_load(SOURCES_FILE.read_text("utf-8"))
    for name, spec in sources.items():
        env = os.environ.get(f"SITING_FETCH_{name.upper()}_URL")
        if env:
            spec["base_url"] = env
    for name, url in (overrides or {}).items():
        if name not in sources:
            raise ConfigError(
                describe(
                    f"--base-url {name}=...", "unknown source", f"use one of {sorted(sources)}"
                )
            )
        sources[name]["base_url"] = url
    for spec in sources.values():
        spec["base_url"] = spec["base_url"].rstrip("/")
    return sources


@dataclass
class FetchContext:
    """Settings shared by the steps of one fetch.

    Attributes
    ----------
    cache : Cache
        Where files and products are kept.
    sources : dict
        The source catalogue (:func:`load_sources`).
    retry : Retry
        Attempts, backoff and timeout of every request.
    progress : Progress
        Where transfers are shown.
    whole_files : bool
        Download whole tiles instead of reading the AOI window over HTTP.
    refresh : bool
        Ignore cached products (fetch again).
    """

    cache: Cache
    sources: dict
    retry: Retry = field(default_factory=Retry)
    progress: Progress = field(default_factory=NullProgress)
    whole_files: bool = False
    refresh: bool = False


@dataclass
class Product:
    """The files of one fetched layer, with where they came from.

    Attributes
    ----------
    layer : str
        ``dem``, ``landcover``, ``wind``, ``osm`` or ``era5``.
    source : str
        Its entry in ``sources.yaml``.
    files : dict of str to pathlib.Path
        Role (e.g. ``elevation``, ``mean_speed_100m``) to the file in the cache.
    urls : list of str
        What was read.
    cached : bool
        True when every file came from the cache (nothing transferred).
    notes : list of str
        Caveats (e.g. tiles the server does not have).
    details : dict
        Numbers worth keeping in the manifest (sizes, bytes transferred, counts).
    """

    layer: str
    source: str
    files: dict[str, Path]
    urls: list[str]
    cached: bool
    notes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)


def raster_product(
    ctx: FetchContext,
    *,
    name: str,
    urls: list[str],
    bounds: tuple[float, float, float, float],
    kind: str,
    label: str,
    what: str,
) -> tuple[Path, bool, dict]:
    """The clipped COG of one raster from its tiles: from the cache, or fetched now.

    Parameters
    ----------
    ctx : FetchContext
        Cache and transfer settings.
    name : str
        File name of the product (e.g. ``elevation.tif``).
    urls : list of str
        The tiles (or single file) covering ``bounds``.
    bounds : tuple of float
        West, south, east, north, degrees.
    kind : {"continuous", "categorical"}
        How to mosaic and resample.
    label : str
        Name on the progress bar.
    what : str
        The layer, for error messages (e.g. ``"Copernicus DEM GLO-30"``).

    Returns
    -------
    (pathlib.Path, bool, dict)
        The COG, True if it came from the cache, and transfer details.

    Raises
    ------
    DownloadError
        No tile of the AOI is on the server, or a transfer failed.
    """
    key = product_key(urls=urls, bounds=bounds, kind=kind, name=name, version=PRODUCT_VERSION)
    if not ctx.refresh:
        cached = ctx.cache.cached_product(key, name)
        if cached is not None:
            record = read_record(cached) or {}
            return cached, True, record.get("details", {"key": key})
    tiles = locate_tiles(
        urls,
        ctx.cache,
        whole_files=ctx.whole_files,
        retry=ctx.retry,
        progress=ctx.progress,
        label=label,
    )
    if not tiles.paths:
        raise DownloadError(
            what=what,
            problem=f"none of its {len(urls)} file(s) for the AOI is on the server "
            f"(not found: {', '.join(urls[:3])}{' ...' if len(urls) > 3 else ''})",
            fix="check the AOI (and --base-url), or download the files by hand into "
            f"{ctx.cache.files}",
        )
    dest = ctx.cache.product_dir(key) / name
    mosaic_window(
        tiles,
        bounds,
        dest,
        kind=kind,
        retry=ctx.retry,
        progress=ctx.progress,
        label=label,
        by_hand=f"or download the tiles by hand into {ctx.cache.files} (see the fetch manifest)",
    )
    details = {
        "key": key,
        "tiles_read": len(tiles.paths),
        "tiles_missing": tiles.missing,
        "tiles_bytes": tiles.whole_bytes,
        "downloaded_whole_bytes": tiles.downloaded,
        "read": "whole files" if ctx.whole_files else "AOI window (HTTP range requests)",
    }
    write_record(dest, key=key, urls=tiles.urls, details=details)
    return dest, False, details
