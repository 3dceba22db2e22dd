"""Progress of transfers: a rich progress bar with bytes and ETA, or nothing.

The fetchers report through a :class:`Progress`; :class:`NullProgress` (the default) prints
nothing, :class:`RichProgress` (the command line) shows one bar per download with bytes,
speed and time left, and one per raster layer with the tiles read so far.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class Task(Protocol):
    """One bar: advanced by bytes (downloads) or by items (tiles)."""

    def advance(self, amount: float) -> None:
        """Add ``amount`` bytes or items done."""

    def set_total(self, total: float | None) -> None:
        """Set (or correct) the total once it is known."""

    def finish(self) -> None:
        """Mark the task done."""


class Progress(Protocol):
    """Creates tasks; a context manager that shows them while it is open."""

    def task(self, description: str, *, total: float | None, unit: str = "bytes") -> Task:
        """A new task; ``unit`` is ``"bytes"`` or a noun counted (``"tiles"``)."""


class _NullTask:
    def advance(self, amount: float) -> None:
        pass

    def set_total(self, total: float | None) -> None:
        pass

    def finish(self) -> None:
        pass


class NullProgress:
    """Reports nothing (library use and tests)."""

    def task(self, description: str, *, total: float | None, unit: str = "bytes") -> Task:
        """A task that ignores every update."""
        return _NullTask()

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc) -> None:
        return None


class _RichTask:
    def __init__(self, progress, task_id) -> None:
        self._progress, self._id = progress, task_id

    def advance(self, amount: float) -> None:
        self._progress.advance(self._id, amount)

    def set_total(self, total: float | None) -> None:
        self._progress.update(self._id, total=total)

    def finish(self) -> None:
        task = self._progress.tasks[self._id]
        if task.total is None:
            self._progress.update(self._id, total=task.completed)
        self._progress.update(self._id, completed=task.total)


class RichProgress(AbstractContextManager):
    """Bars with bytes transferred, speed and ETA on a rich console (stderr by default)."""

    def __init__(self, console=None) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as _Progress

        self._bytes = _Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._count_columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        self._items = _Progress(*self._count_columns, console=console, transient=False)
        self._live = None

    def __enter__(self) -> RichProgress:
        from rich.console import Group
        from rich.live import Live

        self._live = Live(Group(self._bytes, self._items), console=self._bytes.console)
        self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)
            self._live = None
            if self._bytes.tasks or self._items.tasks:
                self._bytes.console.line()

    def task(self, description: str, *, total: float | None, unit: str = "bytes") -> Task:
        """A bar of bytes (with speed and ETA) or of counted items."""
        progress = self._bytes if unit == "bytes" else self._items
        label = description if unit == "bytes" else f"{description} ({unit})"
        return _RichTask(progress, progress.add_task(label, total=total))
