"""A rerun replaces only what siting wrote, in one atomic swap, with normal permissions."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import warnings

import pytest

from siting import io
from siting.errors import InputDataError
from siting.io import results_dir


def _run(out, files: dict[str, str]):
    """A fake run: write ``files`` and a manifest listing them into the staged folder."""
    with io.staged_output_dir(out) as staging:
        for name, text in files.items():
            (staging / name).write_text(text)
        listed = sorted(set(files) | {io.RUN_MANIFEST})
        (staging / io.RUN_MANIFEST).write_text(json.dumps({io.MANIFEST_FILES_KEY: listed}))


def test_a_rerun_keeps_what_siting_did_not_write(tmp_path):
    out = tmp_path / "results"
    _run(out, {"report.html": "old", "credits.csv": "old"})
    (out / "notes.txt").write_text("field notes")
    (out / "photos").mkdir()
    (out / "photos" / "site1.jpg").write_bytes(b"\xff\xd8 jpeg")
    (out / "sites_field_all.gpx").write_text("<gpx/>")  # what `siting export` wrote there
    with pytest.warns(UserWarning, match=r"kept 3 file\(s\) siting did not write"):
        _run(out, {"report.html": "new", "map.html": "new"})
    assert (out / "report.html").read_text() == "new"
    assert (out / "map.html").read_text() == "new"
    assert not (out / "credits.csv").exists()  # listed by the previous run, not written again
    assert (out / "notes.txt").read_text() == "field notes"
    assert (out / "photos" / "site1.jpg").read_bytes() == b"\xff\xd8 jpeg"
    assert (out / "sites_field_all.gpx").read_text() == "<gpx/>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]  # no staging left


def test_a_user_file_the_new_run_would_overwrite_is_refused_by_name(tmp_path):
    out = tmp_path / "results"
    _run(out, {"report.html": "old"})
    (out / "map.html").write_text("my own map")  # not in the previous manifest
    with pytest.raises(InputDataError, match=r"map\.html.*did not write"):
        _run(out, {"report.html": "new", "map.html": "siting's map"})
    assert (out / "map.html").read_text() == "my own map"
    assert (out / "report.html").read_text() == "old"  # nothing changed


def test_results_of_an_older_version_keep_every_name_the_new_run_does_not_write(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / io.RUN_MANIFEST).write_text("{}")  # no file list
    (out / "report.html").write_text("old")
    (out / "thesis.docx").write_text("precious")
    with pytest.warns(UserWarning, match="thesis.docx"):
        _run(out, {"report.html": "new"})
    assert (out / "thesis.docx").read_text() == "precious"
    assert (out / "report.html").read_text() == "new"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_the_swap_is_one_atomic_exchange(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "x").write_text("first")
    (second / "x").write_text("second")
    assert results_dir.exchange_paths(first, second)
    assert (first / "x").read_text() == "second" and (second / "x").read_text() == "first"


def test_the_old_results_are_never_missing_during_the_swap(tmp_path, monkeypatch):
    """On Linux the swap is renameat2(RENAME_EXCHANGE): no rename leaves the path empty."""
    out = tmp_path / "results"
    _run(out, {"report.html": "old"})
    calls = []
    real_replace = os.replace

    def spy(src, dst):
        calls.append((str(src), str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(results_dir.os, "replace", spy)
    _run(out, {"report.html": "new"})
    assert (out / "report.html").read_text() == "new"
    if sys.platform.startswith("linux"):
        assert calls == []  # the exchange did it


def test_stale_staging_of_a_killed_run_is_removed(tmp_path):
    out = tmp_path / "results"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = tmp_path / f".results.partial-{dead}-abc123"
    stale.mkdir()
    (stale / "half.tif").write_text("x")
    live = tmp_path / f".results.partial-{os.getpid()}-zzz999"  # a run in progress: ours
    live.mkdir()
    with pytest.warns(UserWarning, match="left by an interrupted run"):
        _run(out, {"report.html": "new"})
    assert not stale.exists()
    assert live.exists()


def test_the_results_folder_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "results"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing to keep, nothing stale: no note
            _run(out, {"report.html": "x"})
        assert stat.S_IMODE(out.stat().st_mode) == 0o755
    finally:
        os.umask(old)
