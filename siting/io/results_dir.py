"""The results folder: staged beside its destination, swapped into place only when complete.

A run writes into a staging folder next to the results folder (same file system). When it is
complete the two are swapped in one step, so there is no moment without a complete folder:
on Linux by ``renameat2(RENAME_EXCHANGE)``, elsewhere by two renames.

A rerun replaces only what siting wrote. The previous run's manifest (:data:`RUN_MANIFEST`)
lists its files; anything else in the folder (notes, photos, field exports, another tool's
files) is carried into the new folder (hard links, no copy of the data) and reported. A file
siting did not write but the new run would overwrite is refused by name. A non-empty folder
without a manifest is not ours and is refused; so is a folder holding an input.

Staging folders are named ``.<name>.partial-<pid>-<random>``: one whose process is gone (a run
killed before its end) is removed by the next run into the same folder, with a note. The results
folder gets the permissions of the user's umask (a staging folder starts private).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

from siting.errors import InputDataError, describe

#: Marker file of a complete results folder; a folder holding it may be replaced by a new run.
RUN_MANIFEST = "run.json"
#: Key of the manifest listing the files a run wrote (names relative to the folder).
FILES_KEY = "files"

_STAGING = ".partial-"
_RETIRED = ".old-"


@contextlib.contextmanager
def staged_output_dir(out_dir: str | Path, protected: list[Path] = ()) -> Iterator[Path]:
    """Yield an empty staging folder that replaces ``out_dir`` only if the block succeeds.

    A failed or interrupted run leaves ``out_dir`` as it was and removes the staging folder.
    An existing ``out_dir`` is replaced only if it is a previous results folder (it holds
    ``run.json``) or is empty; files in it that the previous run did not write are kept.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Final results folder.
    protected : list of pathlib.Path
        Input files and folders the results folder must not contain or replace.

    Raises
    ------
    InputDataError
        See :func:`check_output_dir`; also when the new run would overwrite a file the previous
        run did not write.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    check_output_dir(out_dir, protected)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}{_STAGING}{os.getpid()}-", dir=out_dir.parent)
    )
    try:
        yield staging
        _set_umask_permissions(staging)
        kept = carry_over_foreign_files(out_dir, staging)
        _swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if kept:
        warnings.warn(
            f"{out_dir}: kept {len(kept)} file(s) siting did not write: "
            + ", ".join(kept[:8])
            + (" ..." if len(kept) > 8 else ""),
            stacklevel=3,
        )


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


def files_written_by(out_dir: Path) -> set[str] | None:
    """Names the run that wrote ``out_dir`` listed in its manifest (None: no list)."""
    try:
        listed = json.loads((out_dir / RUN_MANIFEST).read_text("utf-8")).get(FILES_KEY)
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
        return None
    return set(listed) | {RUN_MANIFEST}


def carry_over_foreign_files(out_dir: Path, staging: Path) -> list[str]:
    """Hard-link into ``staging`` every entry of ``out_dir`` its previous run did not write.

    Without a file list in the old manifest (results of an older version), the names the new
    run writes count as siting's and everything else is kept.

    Returns
    -------
    list of str
        The names kept, sorted.

    Raises
    ------
    InputDataError
        If the new run writes a name the previous run did not (a user's file would be lost).
    """
    if not out_dir.is_dir():
        return []
    new = {p.name for p in staging.iterdir()}
    ours = files_written_by(out_dir)
    foreign = sorted(
        p.name for p in out_dir.iterdir() if p.name not in (new if ours is None else ours)
    )
    clash = [name for name in foreign if name in new]
    if clash:
        raise InputDataError(
            describe(
                str(out_dir),
                f"holds {', '.join(clash)}, which the previous run did not write and this run "
                "would overwrite",
                "move or rename those files, then run again",
            )
        )
    for name in foreign:
        _link_tree(out_dir / name, staging / name)
    return foreign


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove the staging and retired folders of runs into ``out_dir`` that no longer run.

    A folder whose name carries the id of a live process is left alone (a run in progress);
    one without an id (an older version's) is reported, not removed.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    removed, unknown = [], []
    for path in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        rest = path.name[len(out_dir.name) + 1 :]
        for marker in (_STAGING, _RETIRED):
            if rest.startswith(marker) and path.is_dir():
                pid = rest[len(marker) :].split("-", 1)[0]
                if not pid.isdigit():
                    unknown.append(path)
                elif not _process_alive(int(pid)):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
    if removed:
        warnings.warn(
            f"removed {len(removed)} staging folder(s) left by an interrupted run: "
            + ", ".join(p.name for p in removed),
            stacklevel=3,
        )
    if unknown:
        warnings.warn(
            f"{', '.join(str(p) for p in unknown)}: staging folder(s) of an earlier siting "
            "version; remove them if no siting run is writing there",
            stacklevel=3,
        )
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link a file or folder tree (copy where the file system cannot link)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            shutil.copy2(src, dst, follow_symlinks=False)

    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=link)
    else:
        link(str(source), str(target))


def _set_umask_permissions(folder: Path) -> None:
    """Give a staging folder (created 0700) the mode a new folder gets under the umask."""
    mask = os.umask(0)
    os.umask(mask)
    folder.chmod(0o777 & ~mask)


#: ``renameat2`` flag: atomically exchange two paths (Linux >= 3.15).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange_paths(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system cannot.

    Written with ctypes because Python's ``os`` has no ``renameat2`` (bpo-41019).
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # glibc < 2.28
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result != 0:
        error = ctypes.get_errno()
        if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot
            return False
        raise OSError(error, os.strerror(error), str(second))
    return True


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    if exchange_paths(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now the old results
        return
    retired = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}{_RETIRED}{os.getpid()}-", dir=out_dir.parent)
    )
    os.replace(out_dir, retired / out_dir.name)
    os.replace(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)
