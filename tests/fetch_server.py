"""A local HTTP server for the fetch tests (loopback only) and the fixture data it serves.

:class:`FixtureServer` serves the files of a folder over HTTP/1.1 on 127.0.0.1 with single byte
ranges (206 Partial Content), redirects, an Overpass-like POST endpoint, and faults injected
per path (an HTTP status, a connection dropped mid-body, a delay). It counts every request and
the body bytes it sent, so the tests can check what was transferred. The ``write_*`` helpers
make tiny tiles in the real sources' URL layout.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


@dataclass
class Hit:
    method: str
    path: str
    status: int
    sent: int
    range: str | None


class FixtureServer:
    """Serve ``root`` on 127.0.0.1 in a thread; ``faults[path]`` is a queue of faults."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits: list[Hit] = []
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.redirects: dict[str, str] = {}
        self.overpass: dict[str, dict] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:
                server._serve(self, head=True)

            def do_GET(self) -> None:
                server._serve(self, head=False)

            def do_POST(self) -> None:
                server._post(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # clients hang up on purpose
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FixtureServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ------------------------------------------------------------------------------------
    def requests(self, prefix: str = "/") -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path.startswith(prefix)]

    def bytes_sent(self, prefix: str = "/") -> int:
        return sum(h.sent for h in self.requests(prefix))

    def _record(self, handler, status: int, sent: int) -> None:
        with self._lock:
            self.hits.append(
                Hit(handler.command, handler.path, status, sent, handler.headers.get("Range"))
            )

    def _fault(self, path: str) -> str | None:
        with self._lock:
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None

    def _status(self, handler, status: int, body: bytes = b"") -> None:
        self._record(handler, status, len(body))  # first: the client may be quicker
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _serve(self, handler, *, head: bool) -> None:
        path = urllib.parse.urlparse(handler.path).path
        fault = self._fault(path)
        try:
            if fault and fault.startswith("delay:"):
                time.sleep(float(fault.split(":")[1]))
                fault = None
            if fault and fault.isdigit():
                return self._status(handler, int(fault))
            if path in self.redirects:
                handler.send_response(302)
                handler.send_header("Location", self.url + self.redirects[path])
                handler.send_header("Content-Length", "0")
                self._record(handler, 302, 0)
                handler.end_headers()
                return None
            file = self.root / path.lstrip("/")
            if not file.is_file():
                return self._status(handler, 404)
            data = file.read_bytes()
            start, end, status = 0, len(data) - 1, 200
            match = _RANGE.match(handler.headers.get("Range", ""))
            if match:
                start = int(match.group(1))
                end = min(int(match.group(2)) if match.group(2) else len(data) - 1, len(data) - 1)
                if start >= len(data):
                    handler.send_response(416)
                    handler.send_header("Content-Range", f"bytes */{len(data)}")
                    handler.send_header("Content-Length", "0")
                    self._record(handler, 416, 0)
                    handler.end_headers()
                    return None
                status = 206
            body = data[start : end + 1]
            handler.send_response(status)
            handler.send_header("Content-Type", "application/octet-stream")
            handler.send_header("Accept-Ranges", "bytes")
            handler.send_header("Content-Length", str(len(body)))
            if status == 206:
                handler.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            if head:
                self._record(handler, status, 0)
                handler.end_headers()
                return None
            handler.end_headers()
            if fault and fault.startswith("drop:"):  # send part of the body, then hang up
                cut = int(fault.split(":")[1])
                self._record(handler, status, cut)
                handler.wfile.write(body[:cut])
                handler.wfile.flush()
                handler.close_connection = True
                handler.connection.shutdown(2)
                return None
            self._record(handler, status, len(body))
            handler.wfile.write(body)
            return None
        except (BrokenPipeError, ConnectionResetError, OSError):
            handler.close_connection = True
            return None

    def _post(self, handler) -> None:
        path = urllib.parse.urlparse(handler.path).path
        length = int(handler.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(handler.rfile.read(length).decode())
        fault = self._fault(path)
        if fault and fault.isdigit():
            return self._status(handler, int(fault))
        query = form.get("data", [""])[0]
        theme = overpass_theme(query)
        body = json.dumps(self.overpass.get(theme, {"elements": []})).encode()
        self._status(handler, 200, body)
        return None


def overpass_theme(query: str) -> str:
    """Which theme an Overpass query of siting asks for."""
    if "highway" in query:
        return "roads"
    if "substation" in query:
        return "substations"
    if "protected_area" in query:
        return "protected_areas"
    return "power_lines"


# ----------------------------------------------------------------------------------------
# Fixture data in the real URL layouts


def write_cog(path: Path, data: np.ndarray, transform, *, nodata=None, blocksize=256) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = dict(
        driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype=data.dtype,
        crs="EPSG:4326", transform=transform, nodata=nodata,
    )  # fmt: skip
    with MemoryFile() as memory:
        with memory.open(**profile) as staged:
            staged.write(data, 1)
        with memory.open() as staged:
            rasterio.shutil.copy(
                staged, path, driver="COG", COMPRESS="DEFLATE", BLOCKSIZE=str(blocksize)
            )
    return path


def elevation(lon, lat):
    """The fixture DEM: a plane falling to the north-east, 1700 m at 100 E 49 N, -200 m per
    degree east, -300 m per degree north (north-facing, inside the larch elevation band)."""
    return 1700.0 - 200.0 * (lon - 100.0) - 300.0 * (lat - 49.0)


def copernicus_path(lat: int, lon: int, code: str = "10") -> str:
    name = f"Copernicus_DSM_COG_{code}_N{lat:02d}_00_E{lon:03d}_00_DEM"
    return f"{name}/{name}.tif"


def write_dem_tile(root: Path, lat: int, lon: int, *, cells: int = 360, noise_m: float = 0.0):
    """A GLO-30-like tile: the plane of :func:`elevation`, cells shifted half a cell north-west
    as in the AWS COGs, 1.5x wider cells in longitude north of 50 degrees."""
    width = cells if lat < 50 else cells * 2 // 3
    dx, dy = 1.0 / width, 1.0 / cells
    transform = from_origin(lon - dx / 2, lat + 1 + dy / 2, dx, dy)
    cols, rows = np.meshgrid(np.arange(width), np.arange(cells))
    lons, lats = lon - dx / 2 + (cols + 0.5) * dx, lat + 1 + dy / 2 - (rows + 0.5) * dy
    values = elevation(lons, lats)
    if noise_m:
        values = values + np.random.default_rng(lat * 1000 + lon).uniform(
            -noise_m, noise_m, values.shape
        )
    path = root / "copernicus-dem-30m" / copernicus_path(lat, lon)
    return write_cog(path, values.astype("float32"), transform)


def worldcover_classes(lons, lats):
    """The fixture land cover: grassland, with tree cover north of 49.62 N, water in a box."""
    classes = np.full(lons.shape, 30, dtype="uint8")
    classes[lats > 49.62] = 10
    classes[(lons > 100.30) & (lons < 100.34) & (lats > 49.45) & (lats < 49.48)] = 80
    classes[(lons > 100.05) & (lons < 100.07) & (lats > 49.42) & (lats < 49.44)] = 50
    return classes


def write_worldcover_tile(root: Path, lat: int, lon: int, *, cells: int = 600) -> Path:
    step = 3.0 / cells
    cols, rows = np.meshgrid(np.arange(cells), np.arange(cells))
    lons, lats = lon + (cols + 0.5) * step, lat + 3 - (rows + 0.5) * step
    name = f"ESA_WorldCover_10m_2021_v200_N{lat:02d}E{lon:03d}_Map.tif"
    path = root / "esa-worldcover" / "v200" / "2021" / "map" / name
    return write_cog(
        path, worldcover_classes(lons, lats), from_origin(lon, lat + 3, step, step), nodata=0
    )


def gwa_mean_speed(lons, lats, height):
    """The fixture wind atlas: 6.5 m/s at 100 m, rising 1 m/s per degree east, shear 0.14."""
    return (6.5 + (lons - 100.0)) * (height / 100.0) ** 0.14


GWA_K = 2.2


def write_wind_atlas(server: FixtureServer, root: Path, country: str = "MNG") -> None:
    """GWA-like country files for 99-102 E, 48.5-51 N at 0.01 degree, behind API redirects."""
    from scipy.special import gamma

    step = 0.01
    width, height_cells = 300, 250
    cols, rows = np.meshgrid(np.arange(width), np.arange(height_cells))
    lons, lats = 99.0 + (cols + 0.5) * step, 51.0 - (rows + 0.5) * step
    transform = from_origin(99.0, 51.0, step, step)
    for height in (50, 100, 150):
        speed = gwa_mean_speed(lons, lats, height)
        layers = {
            "wind-speed": speed,
            "combined-Weibull-A": speed / gamma(1 + 1 / GWA_K),
            "combined-Weibull-k": np.full(speed.shape, GWA_K),
        }
        for layer, values in layers.items():
            file = f"/gwa-cdn/{country}_{layer}_{height}m.tif"
            write_cog(root / file.lstrip("/"), values.astype("float32"), transform, nodata=np.nan)
            server.redirects[f"/gwa/{country}/{layer}/{height}"] = file


def overpass_answers() -> dict[str, dict]:
    """Overpass-style JSON per theme (a few features near the e2e AOI, hand-made)."""

    def way(i, coords, **tags):
        return {"type": "way", "id": i, "tags": tags,
                "geometry": [{"lon": x, "lat": y} for x, y in coords]}  # fmt: skip

    square = [(100.1, 49.5), (100.2, 49.5), (100.2, 49.6), (100.1, 49.6), (100.1, 49.5)]
    hole = [(100.14, 49.54), (100.16, 49.54), (100.16, 49.56), (100.14, 49.56), (100.14, 49.54)]
    relation = {
        "type": "relation", "id": 7, "tags": {"boundary": "protected_area", "name": "Test park",
                                             "protect_class": "2"},
        "members": [  # the outer ring in two ways, and one inner ring
            {"type": "way", "ref": 1, "role": "outer",
             "geometry": [{"lon": x, "lat": y} for x, y in square[:3]]},
            {"type": "way", "ref": 2, "role": "outer",
             "geometry": [{"lon": x, "lat": y} for x, y in square[2:]]},
            {"type": "way", "ref": 3, "role": "inner",
             "geometry": [{"lon": x, "lat": y} for x, y in hole]},
        ],
    }  # fmt: skip
    return {
        "roads": {"elements": [
            way(10, [(99.9, 49.55), (100.5, 49.55)], highway="primary", name="A0301"),
            way(11, [(100.2, 49.3), (100.2, 49.8)], highway="tertiary"),
        ]},
        "power_lines": {"elements": [
            way(20, [(99.8, 49.45), (100.6, 49.65)], power="line", voltage="110000"),
            way(21, [(100.0, 49.6), (100.1, 49.7)], power="minor_line"),
        ]},
        "substations": {"elements": [
            {"type": "node", "id": 30, "lat": 49.45, "lon": 99.8,
             "tags": {"power": "substation", "name": "Test 110 kV"}},
            {"type": "way", "id": 31, "center": {"lat": 49.65, "lon": 100.6},
             "tags": {"power": "substation"}},
        ]},
        "protected_areas": {"elements": [relation]},
    }  # fmt: skip
