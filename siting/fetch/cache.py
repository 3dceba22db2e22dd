"""The fetch cache: files kept by URL, products kept by source and AOI, each with its SHA-256.

Layout of the cache folder (``--cache``, ``$SITING_CACHE_DIR`` or ``~/.cache/siting/fetch``)::

    files/<name>              whole remote files, by URL (downloaded, or put there by hand)
    products/<key>/<name>     clipped layers; <key> hashes the source URLs, AOI and options
    */<name>.json             beside each file: URL or key, size, SHA-256 (written last)

A file counts only once its ``.json`` record is there, and the record is written after the file
is complete (both by atomic rename), so an interrupted fetch never leaves a file that looks
complete. On reuse the file's SHA-256 is checked against its record: a mismatch is an error
naming the file (it was changed or damaged on disk), never a silent re-download.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from siting.errors import InputDataError
from siting.io.checksums import sha256_of

#: Environment variable naming the cache folder.
CACHE_ENV = "SITING_CACHE_DIR"


class ChecksumError(InputDataError):
    """A cached or fetched file no longer has the SHA-256 recorded when it was written."""


def default_cache_dir() -> Path:
    """The cache folder: ``$SITING_CACHE_DIR``, else ``$XDG_CACHE_HOME/siting/fetch``.

    Without either variable: ``~/.cache/siting/fetch``.
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "siting" / "fetch"


def product_key(**parts: object) -> str:
    """A short stable hash of what makes a product (sources, AOI bounds, options)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def safe_name(url: str) -> str:
    """A file name for a URL: a hash of the whole URL, then its file name.

    A URL whose last part has no extension (an API path such as ``.../MNG/wind-speed/100``)
    is named by its last three parts.

    Examples
    --------
    >>> safe_name("https://host/a/b/tile.tif")[11:]
    'tile.tif'
    >>> safe_name("https://host/api/MNG/wind-speed/100")[11:]
    'MNG_wind-speed_100'
    """
    parts = [p for p in url.split("?")[0].rstrip("/").split("/") if p]
    tail = parts[-1] if "." in parts[-1] else "_".join(parts[-3:])
    tail = re.sub(r"[^A-Za-z0-9._-]+", "_", tail)[-120:]
    return f"{hashlib.sha256(url.encode()).hexdigest()[:10]}_{tail}"


def record_path(path: Path) -> Path:
    """The ``.json`` record beside a cached file."""
    return path.with_name(path.name + ".json")


def write_record(path: Path, **fields: object) -> dict:
    """Record a complete file's size and SHA-256 (plus ``fields``); atomic."""
    record = {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
    record.update(fields)
    target = record_path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(json.dumps(record, indent=2, default=str) + "\n", "utf-8")
    os.replace(temporary, target)
    return record


def read_record(path: Path) -> dict | None:
    """The record of a cached file, or None if the file is not (completely) cached."""
    target = record_path(path)
    if not (path.is_file() and target.is_file()):
        return None
    try:
        return json.loads(target.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def verify(path: Path, sha256: str, *, how_to_fix: str) -> None:
    """Raise :class:`ChecksumError` naming ``path`` if its SHA-256 is not ``sha256``."""
    actual = sha256_of(path)
    if actual != sha256:
        raise ChecksumError(
            what=str(path),
            problem=f"SHA-256 {actual} differs from the {sha256} recorded when it was fetched "
            "(changed or damaged on disk)",
            fix=how_to_fix,
        )


@dataclass(frozen=True)
class Cache:
    """The cache folder.

    Attributes
    ----------
    root : pathlib.Path
        The folder (created on first use).
    """

    root: Path

    @property
    def files(self) -> Path:
        """Folder of whole remote files."""
        return self.root / "files"

    def file_for(self, url: str) -> Path:
        """Where the whole file of a URL is kept (or is to be put by hand)."""
        return self.files / safe_name(url)

    def product_dir(self, key: str) -> Path:
        """Folder of one product."""
        return self.root / "products" / key

    def cached_product(self, key: str, name: str) -> Path | None:
        """A complete, verified product, or None if it is not cached.

        Raises
        ------
        ChecksumError
            When the cached file's SHA-256 differs from its record.
        """
        path = self.product_dir(key) / name
        record = read_record(path)
        if record is None:
            return None
        verify(
            path,
            record["sha256"],
            how_to_fix=f"delete {path.parent} (or fetch with --refresh) to fetch it again",
        )
        return path
