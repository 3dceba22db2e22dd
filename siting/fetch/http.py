"""HTTP transfers: resumable downloads with retries and backoff, and probes of remote files.

:func:`download` writes a URL to a file through a ``.part`` file beside it: an interrupted
transfer is resumed with an HTTP ``Range`` request from the bytes already there, a failed one
is retried with exponential backoff, and the file appears under its final name (an atomic
rename) only once complete and, when a SHA-256 is expected, verified. :func:`probe` asks a
server for a file's size and whether it serves byte ranges (a ``Range: bytes=0-0`` request),
so that a Cloud-Optimized GeoTIFF can be read window by window.

Only the standard library's ``urllib`` is used. Every failure the user can act on (offline,
HTTP error, timeout, checksum mismatch) is a :class:`DownloadError` naming the URL, the problem
and how to get the file by hand.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from siting import __version__
from siting.errors import InputDataError, describe
from siting.fetch.progress import NullProgress, Progress
from siting.io.checksums import sha256_of

#: Sent with every request (Overpass and other public services ask clients to identify).
USER_AGENT = f"siting/{__version__} (siting fetch; Python urllib)"
#: Statuses worth retrying: rate limiting and server-side failures.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
#: Bytes read per chunk.
CHUNK_BYTES = 1 << 16

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class DownloadError(InputDataError):
    """A remote file could not be fetched (offline, HTTP error, timeout, bad checksum)."""


@dataclass(frozen=True)
class Retry:
    """How often and how patiently to retry.

    Attributes
    ----------
    attempts : int
        Tries in all (the first plus the retries).
    backoff_s : float
        Wait before the first retry, s; doubled for each further one.
    timeout_s : float
        Socket timeout of one request, s (connect and each read).
    """

    attempts: int = 5
    backoff_s: float = 1.0
    timeout_s: float = 60.0

    def wait(self, attempt: int) -> None:
        """Sleep before retry number ``attempt`` (1-based)."""
        time.sleep(self.backoff_s * 2 ** (attempt - 1))


@dataclass(frozen=True)
class Transfer:
    """What a download did.

    Attributes
    ----------
    path : pathlib.Path
        The complete file.
    sha256 : str
        Its SHA-256 (hex).
    size : int
        Its size, bytes.
    transferred : int
        Bytes received over the network in this call (less than ``size`` after a resume).
    requests : int
        HTTP requests made.
    """

    path: Path
    sha256: str
    size: int
    transferred: int
    requests: int


@dataclass(frozen=True)
class Probe:
    """What a server says of a remote file.

    Attributes
    ----------
    url : str
        The URL asked for.
    final_url : str
        The URL after redirects (what GDAL will read).
    size : int or None
        File size, bytes, when the server tells it.
    ranges : bool
        True when the server answered a byte range with 206 Partial Content.
    """

    url: str
    final_url: str
    size: int | None
    ranges: bool


def _request(url: str, *, data: bytes | None = None, headers: dict | None = None):
    merged = {"User-Agent": USER_AGENT, **(headers or {})}
    if data is not None:
        merged.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return urllib.request.Request(url, data=data, headers=merged)


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"no connection ({err.reason})"
    if isinstance(err, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(err, http.client.IncompleteRead):
        return "connection broken mid-transfer"
    return f"{type(err).__name__}: {err}"


def _retryable(err: BaseException) -> bool:
    if isinstance(err, urllib.error.HTTPError):
        return err.code in RETRY_STATUSES
    return isinstance(err, urllib.error.URLError | http.client.HTTPException | OSError)


def _failure(url: str, err: BaseException, attempts: int, by_hand: str) -> DownloadError:
    tries = f" after {attempts} tries" if attempts > 1 else ""
    return DownloadError(
        what=url,
        problem=f"cannot be downloaded{tries}: {_reason(err)}",
        fix=f"check the internet connection and rerun `siting fetch` (transfers resume); {by_hand}",
    )


def _with_retries(url: str, retry: Retry, by_hand: str, call: Callable[[], object]):
    """Run ``call`` until it succeeds, retrying what may pass; raise a DownloadError."""
    for attempt in range(1, retry.attempts + 1):
        try:
            return call()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            if attempt == retry.attempts or not _retryable(err):
                raise _failure(url, err, attempt, by_hand) from None
            retry.wait(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def probe(
    url: str, *, retry: Retry = Retry(), by_hand: str = "", missing: tuple[int, ...] = (404,)
) -> Probe | None:
    """Size of a remote file and whether it serves byte ranges; None when it is not there.

    Parameters
    ----------
    url : str
        HTTP(S) URL.
    retry : Retry
        Retries of failed or timed-out requests.
    by_hand : str
        How to get the file without this tool (ends the error message).
    missing : tuple of int
        Statuses that mean "no such file" (S3 answers 403 for a missing key when listing is
        not allowed).

    Returns
    -------
    Probe or None
        None when the server answers a ``missing`` status (e.g. a DEM tile over the open sea).

    Raises
    ------
    DownloadError
        Any other failure, after the retries.
    """

    def ask() -> Probe | None:
        request = _request(url, headers={"Range": "bytes=0-0"})
        try:
            with urllib.request.urlopen(request, timeout=retry.timeout_s) as response:
                response.read(CHUNK_BYTES)
                final_url, status = response.geturl(), response.status
                content_range = response.headers.get("Content-Range", "")
                length = response.headers.get("Content-Length")
        except urllib.error.HTTPError as err:
            if err.code in missing:
                return None
            raise
        match = _CONTENT_RANGE.match(content_range)
        if status == 206 and match and match.group(3) != "*":
            return Probe(url, final_url, int(match.group(3)), True)
        return Probe(url, final_url, int(length) if length else None, False)

    return _with_retries(url, retry, by_hand, ask)


def download(
    url: str,
    dest: str | Path,
    *,
    data: bytes | None = None,
    expected_sha256: str | None = None,
    retry: Retry = Retry(),
    progress: Progress | None = None,
    label: str | None = None,
    by_hand: str = "",
) -> Transfer:
    """Download a URL to a file: resumable, retried, verified, atomically renamed.

    Parameters
    ----------
    url : str
        HTTP(S) URL.
    dest : str or pathlib.Path
        Final path. Bytes go to ``<dest>.part`` first; a ``.part`` left by an interrupted
        earlier call is resumed with a ``Range`` request (GET only).
    data : bytes, optional
        A POST body (e.g. an Overpass query). POST responses are not resumed: a retry starts
        again from the first byte.
    expected_sha256 : str, optional
        The file's SHA-256; a mismatch deletes the ``.part`` and raises.
    retry : Retry
        Attempts, backoff and timeout.
    progress : Progress, optional
        Where to show bytes and ETA.
    label : str, optional
        Name shown on the progress bar (default: the file name).
    by_hand : str
        How to get the file without this tool (ends the error message).

    Returns
    -------
    Transfer

    Raises
    ------
    DownloadError
        HTTP error, no connection, timeout (after the retries) or checksum mismatch.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    if data is not None:
        part.unlink(missing_ok=True)
    task = (progress or NullProgress()).task(label or dest.name, total=None)
    counters = {"transferred": 0, "requests": 0}

    def attempt_once() -> None:
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset and data is None else {}
        counters["requests"] += 1
        try:
            response = urllib.request.urlopen(
                _request(url, data=data, headers=headers), timeout=retry.timeout_s
            )
        except urllib.error.HTTPError as err:
            if err.code == 416 and offset:  # nothing after the bytes we hold: complete
                return
            raise
        with response:
            status = response.status
            content_range = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            resumed = bool(offset) and status == 206 and content_range is not None
            if resumed and int(content_range.group(1)) != offset:
                raise http.client.HTTPException("server resumed at the wrong byte")
            start = offset if resumed else 0
            length = response.headers.get("Content-Length")
            total = None
            if content_range and content_range.group(3) != "*":
                total = int(content_range.group(3))
            elif length is not None:
                total = start + int(length)
            task.set_total(total)
            if counters["requests"] == 1:
                task.advance(start)  # bytes held from an earlier call
            with open(part, "ab" if resumed else "wb") as handle:
                while chunk := response.read(CHUNK_BYTES):
                    handle.write(chunk)
                    counters["transferred"] += len(chunk)
                    task.advance(len(chunk))
            size = part.stat().st_size
            if total is not None and size != total:
                raise http.client.IncompleteRead(b"", total - size)

    _with_retries(url, retry, by_hand, attempt_once)
    digest = sha256_of(part)
    if expected_sha256 is not None and digest != expected_sha256:
        part.unlink(missing_ok=True)
        raise DownloadError(
            describe(
                url,
                f"downloaded file has SHA-256 {digest}, expected {expected_sha256}",
                "rerun `siting fetch` to download it again; if it fails again the source changed: "
                "fetch with --refresh",
            )
        )
    size = part.stat().st_size
    os.replace(part, dest)
    task.finish()
    return Transfer(dest, digest, size, counters["transferred"], counters["requests"])
