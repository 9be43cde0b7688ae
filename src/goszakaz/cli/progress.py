"""The long commands' progress bars: rich, on stderr, and only when stderr is a terminal."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

OnProgress = Callable[[int, int], None]  # (units done just now, all units of the work)


class Bars:
    """One bar per piece of work, made on its first report; without a terminal, no callbacks at
    all (the services then skip counting the work too)."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    @property
    def shown(self) -> bool:
        """Are the bars drawn (is stderr a terminal)?"""
        return self._progress is not None

    def report(self, description: str, done: int, total: int) -> None:
        """`done` more units of `total` of the work named `description`."""
        if self._progress is None:
            return
        task = self._tasks.get(description)
        if task is None:
            task = self._tasks[description] = self._progress.add_task(description, total=total)
        self._progress.update(task, advance=done, total=total)

    def task(self, description: str) -> OnProgress | None:
        """The callback of one piece of work for a service's `on_progress`, or None unshown."""
        if self._progress is None:
            return None
        return lambda done, total: self.report(description, done, total)

    def steps(self) -> Callable[[str, int, int], None] | None:
        """The callback of work in named steps (`tick`), or None when the bars are not shown."""
        return self.report if self._progress is not None else None


@contextmanager
def bars(console: Console | None = None) -> Iterator[Bars]:
    """Progress bars on stderr while the block runs; nothing at all when stderr is no terminal
    (CI logs, pipes), so the commands' output stays exactly what other tools parse."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield Bars(None)
        return
    # stdout is never redirected: it may be a pipe to another tool while stderr is a terminal
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, redirect_stdout=False)
    with progress, _logs_above(progress.console):
        yield Bars(progress)


@contextmanager
def _logs_above(console: Console) -> Iterator[None]:
    """While the bars are drawn, the log lines (JSON on stderr) are printed above them, each
    whole (unwrapped), instead of being written over them."""
    moved = [h for h in logging.getLogger().handlers
             if type(h) is logging.StreamHandler and h.stream is console.file]
    for h in moved:
        h.setStream(_Above(console))
    try:
        yield
    finally:
        for h in moved:
            h.setStream(console.file)


class _Above(io.TextIOBase):
    """A text stream whose lines the console prints above its live bars."""

    def __init__(self, console: Console) -> None:
        self._console, self._rest = console, ""

    def write(self, text: str) -> int:
        lines = (self._rest + text).split("\n")
        self._rest = lines.pop()
        for line in lines:
            self._console.print(Text(line), soft_wrap=True)
        return len(text)
