"""The people's independent calls of one part of a day (the preschools' marks, the parents'
month-end answers), run by several worker processes at once on PostgreSQL, as many people's
requests run at once in life. The calls are decided first, in one process, from the seed; the
workers only make them; their answers come back in the order the calls were decided. So a
seed gives the same year with one worker or many."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from django.db import connection, connections
from django.utils import translation

from goszakaz.simulation.world import Api

_apis: dict[str, Api] = {}  # this process's API clients, by token


def api_for(token: str, prefix: str) -> Api:
    """The in-process API client of a system with this token (one per process)."""
    if token not in _apis:
        _apis[token] = Api(token, prefix)
    return _apis[token]


class Crowd:
    """`workers` processes making calls (1: the calls are made here, one after another)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if workers > 1 and connection.vendor != "postgresql":
            raise ValueError("several workers need PostgreSQL: SQLite takes one writer at a time")
        if workers > 1 and connection.in_atomic_block:
            raise ValueError("several workers see only what is committed: not inside a "
                             "transaction")
        self.workers = workers
        self.made = 0  # calls the workers made
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1:
            # each worker opens a connection of its own: none is shared across the fork. The
            # workers are forked at the first call, all at once and never again: it is made
            # here, right after this process closed its connections. A worker that dies fails
            # the run (BrokenProcessPool) instead of losing its calls.
            connections.close_all()
            self.pool = ProcessPoolExecutor(workers, initializer=_worker_starts,
                                            mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(int).result()

    def map(self, call: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        """call(*args) for each args, the answers in the same order."""
        if self.pool is None or len(calls) < 2:
            return [call(*args) for args in calls]
        size = max(1, min(64, len(calls) // (self.workers * 4)))
        answers = list(self.pool.map(call, *zip(*calls, strict=True), chunksize=size))
        self.made += len(calls)
        return answers

    def close(self) -> None:
        """Stop the workers (their connections close with them)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _worker_starts() -> None:
    """A new worker: the simulation's language (its people read the system's refusals in
    English, simulation.run) and no API client of its parent's."""
    translation.activate("en")
    _apis.clear()
