"""The opinion map is computed in a separate process, so the event loop never waits for it.

`OpinionWorker` holds one spawned worker process (a `ProcessPoolExecutor` of one). numpy and
scikit-learn are imported there, on its first computation, never in the server. A worker that
dies (killed, out of memory) fails the computation it was running with `WorkerCrashed`; the next
`compute` starts a new one and logs that it did, in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .ballots import Ballots
from .result import OpinionMap

log = logging.getLogger("poll.opinion")

# One thread for numpy's and scikit-learn's loops: the other core stays the event loop's, and on
# a busy two-core machine one thread was also faster (docs/performance.md, "The opinion map").
_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


NICENESS = 19  # the worker's niceness, above the server's, where SCHED_IDLE is not to be had


class WorkerCrashed(RuntimeError):
    """The worker process died during this computation; the next one starts a new worker."""


def _initialise() -> None:
    for name in _THREADS:
        os.environ[name] = "1"
    # The server's votes come first: on two cores a map may take a little longer, a vote may not
    # (docs/performance.md, "The opinion map, live"). SCHED_IDLE (Linux) runs the worker only on
    # a core nothing else wants, and a waking server takes the core back at once; a niced worker
    # still gets its slices of a core the server is using.
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)


def _compute(ballots: Ballots, previous: OpinionMap | None) -> OpinionMap:
    from .compute import compute  # in the worker process only: brings numpy and scikit-learn

    return compute(ballots, previous)


def _warm() -> None:
    from . import compute  # noqa: F401  (numpy and scikit-learn, imported once, ahead of need)


def _memory() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


class OpinionWorker:
    """One worker process for opinion maps; computations run one at a time, in order."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._crashed = False
        self.restarts = 0  # new workers started after a crash

    def start(self) -> None:
        """Start the worker process (a computation also starts it when needed)."""
        if self._pool is not None:
            return
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_initialise)
        if self._crashed:
            self._crashed = False
            self.restarts += 1
            log.warning("started a new opinion worker after a crash (restart %d)", self.restarts)

    async def stop(self) -> None:
        """Stop the worker, abandoning a computation still running."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def compute(self, ballots: Ballots, previous: OpinionMap | None = None) -> OpinionMap:
        """The map of `ballots`, computed in the worker (letters kept from `previous`).
        Raises WorkerCrashed when the worker died while computing it."""
        try:
            result = await self._run(_compute, ballots, previous)
        except BrokenProcessPool:
            self._discard()
            log.warning("the opinion worker died during a computation; the next computation "
                        "starts a new one")
            raise WorkerCrashed("the opinion worker died") from None
        assert isinstance(result, OpinionMap)
        return result

    async def warm(self) -> None:
        """Import numpy and scikit-learn in the worker now, so the first map does not wait
        for them (a few seconds on a busy machine)."""
        try:
            await self._run(_warm)
        except BrokenProcessPool:
            self._discard()

    async def memory(self) -> int:
        """The worker process's resident memory in bytes (for the benchmark)."""
        return int(str(await self._run(_memory)))

    async def _run(self, function: Callable[..., object], *args: object) -> object:
        # A worker that died while idle shows only when work is handed to it: start a new one
        # then, once (start() says so).
        for attempt in (1, 2):
            self.start()
            assert self._pool is not None
            try:
                future = self._pool.submit(function, *args)
            except BrokenProcessPool:
                self._discard()
                if attempt == 2:
                    raise
                continue
            return await asyncio.wrap_future(future)
        raise AssertionError("unreachable")

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        self._crashed = True
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
