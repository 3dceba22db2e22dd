"""Downloads against a local server: resume, retries, errors, checksums (no internet)."""

from __future__ import annotations

import hashlib

import pytest

from siting.fetch.http import DownloadError, Retry, download, probe
from tests.fetch_server import FixtureServer

FAST = Retry(attempts=3, backoff_s=0.0, timeout_s=2.0)


@pytest.fixture
def payload(server) -> bytes:
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    path = server.root / "files" / "tile.tif"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return data


def test_a_download_is_complete_and_checksummed(server, payload, tmp_path):
    dest = tmp_path / "out" / "tile.tif"
    done = download(f"{server.url}/files/tile.tif", dest, retry=FAST)
    assert dest.read_bytes() == payload
    assert done.sha256 == hashlib.sha256(payload).hexdigest()
    assert (done.size, done.transferred, done.requests) == (len(payload), len(payload), 1)
    assert not dest.with_name("tile.tif.part").exists()


def test_a_broken_connection_is_resumed_from_the_bytes_received(server, payload, tmp_path):
    # The server hangs up after 300,000 bytes of the body; the retry asks for the rest only.
    server.faults["/files/tile.tif"] = ["drop:300000"]
    dest = tmp_path / "tile.tif"
    done = download(f"{server.url}/files/tile.tif", dest, retry=FAST)
    assert dest.read_bytes() == payload
    first, second = server.requests("/files/")
    assert (first.range, first.sent) == (None, 300_000)
    assert second.range == "bytes=300000-" and second.status == 206
    assert second.sent == len(payload) - 300_000
    assert done.transferred == len(payload)  # nothing sent twice


def test_a_part_left_by_an_earlier_run_is_resumed(server, payload, tmp_path):
    dest = tmp_path / "tile.tif"
    dest.with_name("tile.tif.part").write_bytes(payload[:700_000])
    done = download(f"{server.url}/files/tile.tif", dest, retry=FAST)
    assert dest.read_bytes() == payload
    assert done.transferred == len(payload) - 700_000
    assert server.requests()[0].range == "bytes=700000-"


def test_server_errors_are_retried_then_reported_with_the_url(server, payload, tmp_path):
    url = f"{server.url}/files/tile.tif"
    server.faults["/files/tile.tif"] = ["500", "503"]
    download(url, tmp_path / "a.tif", retry=FAST)  # third try succeeds
    assert [h.status for h in server.requests()] == [500, 503, 200]

    server.faults["/files/tile.tif"] = ["500", "500", "500"]
    with pytest.raises(DownloadError) as err:
        download(url, tmp_path / "b.tif", retry=FAST)
    assert err.value.what == url
    assert "HTTP 500" in err.value.problem and "after 3 tries" in err.value.problem
    assert not (tmp_path / "b.tif").exists()


def test_not_found_is_not_retried(server, tmp_path):
    url = f"{server.url}/files/missing.tif"
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        download(url, tmp_path / "m.tif", retry=FAST, by_hand="or put it at X")
    assert len(server.requests()) == 1
    assert "or put it at X" in err.value.fix
    assert probe(url, retry=FAST) is None  # a probe says "not there" instead


def test_a_timeout_is_reported(server, payload, tmp_path):
    server.faults["/files/tile.tif"] = ["delay:1.0", "delay:1.0"]
    slow = Retry(attempts=2, backoff_s=0.0, timeout_s=0.3)
    with pytest.raises(DownloadError, match="timed out"):
        download(f"{server.url}/files/tile.tif", tmp_path / "t.tif", retry=slow)


def test_offline_names_the_url_and_the_way_by_hand(tmp_path):
    server = FixtureServer(tmp_path / "www")
    url = f"{server.url}/files/tile.tif"
    server.httpd.server_close()  # nothing listens on the port any more
    with pytest.raises(DownloadError) as err:
        download(url, tmp_path / "t.tif", retry=FAST, by_hand="or download it by hand")
    assert err.value.what == url
    assert "no connection" in err.value.problem
    assert "internet connection" in err.value.fix and "by hand" in err.value.fix


def test_a_checksum_mismatch_is_an_error_and_leaves_nothing(server, payload, tmp_path):
    dest = tmp_path / "tile.tif"
    with pytest.raises(DownloadError, match="expected 00") as err:
        download(f"{server.url}/files/tile.tif", dest, expected_sha256="00" * 32, retry=FAST)
    assert hashlib.sha256(payload).hexdigest() in err.value.args[0]
    assert not dest.exists() and not dest.with_name("tile.tif.part").exists()


def test_a_probe_gives_size_range_support_and_the_redirect_target(server, payload):
    server.redirects["/api/tile"] = "/files/tile.tif"
    found = probe(f"{server.url}/api/tile", retry=FAST)
    assert found.size == len(payload) and found.ranges
    assert found.final_url == f"{server.url}/files/tile.tif"
    assert server.bytes_sent() == 1  # one byte asked for
