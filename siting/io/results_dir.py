"""The results folder: staged beside its destination, moved into place only when complete.

A folder holding :data:`RUN_MANIFEST` is a complete earlier results folder and may be replaced
by a new run; any other non-empty folder, or one holding an input, is refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from siting.errors import InputDataError, describe

#: Marker file of a complete results folder; a folder holding it may be replaced by a new run.
RUN_MANIFEST = "run.json"


@contextlib.contextmanager
def staged_output_dir(out_dir: str | Path, protected: list[Path] = ()) -> Iterator[Path]:
    """Yield an empty staging folder that replaces ``out_dir`` only if the block succeeds.

    The staging folder sits beside ``out_dir`` (same file system), so the final move is a
    rename. A failed or interrupted run leaves ``out_dir`` as it was and removes the staging
    folder. An existing ``out_dir`` is replaced only if it is a previous results folder
    (it holds ``run.json``) or is empty.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Final results folder.
    protected : list of pathlib.Path
        Input files and folders the results folder must not contain or replace.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    check_output_dir(out_dir, protected)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        yield staging
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_output_dir(out_dir: str | Path, protected=()) -> None:
    """Refuse a results folder that would overwrite inputs or a folder that is not ours.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Intended results folder.
    protected : iterable of pathlib.Path
        Input files the folder must not contain or be.

    Raises
    ------
    InputDataError
        When the folder holds an input, is a file, or is a non-empty folder without ``run.json``.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    for item in protected:
        item = Path(item).resolve()
        if out_dir == item or out_dir in item.parents:
            raise InputDataError(
                describe(
                    str(out_dir),
                    f"would overwrite the input {item}",
                    "choose another output folder (--out)",
                )
            )
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists())
    if existing != out_dir and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        raise InputDataError(
            describe(str(out_dir), f"cannot be created under {existing}",
                     "choose a folder you can write to for --out")
        )  # fmt: skip
    if out_dir.exists():
        if not out_dir.is_dir():
            raise InputDataError(
                describe(str(out_dir), "exists and is a file", "choose a folder for --out")
            )
        if any(out_dir.iterdir()) and not (out_dir / RUN_MANIFEST).exists():
            raise InputDataError(
                describe(
                    str(out_dir),
                    "is not empty and holds no earlier siting results",
                    "choose a new or empty folder for --out",
                )
            )


def _replace_dir(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, retired / out_dir.name)
    os.replace(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)
