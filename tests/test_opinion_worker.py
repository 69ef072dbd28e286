"""The opinion map is computed in another process: the server never imports numpy or
scikit-learn, and a worker that dies is replaced on the next computation."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import pytest
from support.planted import planted

from poll.opinion.worker import OpinionWorker, WorkerCrashed


def test_the_server_never_imports_numpy_or_scikit_learn() -> None:
    code = ("import sys, poll.app, poll.opinion.worker, poll.opinion.ballots, "
            "poll.opinion.result, poll.moved\n"
            "print(sorted(m for m in ('numpy', 'sklearn', 'scipy', 'pandas') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]"


async def test_the_map_is_computed_in_another_process() -> None:
    worker = OpinionWorker()
    try:
        ballots, _ = planted(3, 50, 12, noise=0.1)
        result = await worker.compute(ballots)
        assert len(result.groups) == 3 and result.votes == 150 * 12
        again = await worker.compute(ballots, result)
        assert again.letters() == result.letters()
        assert await worker.memory() > 0
        pids = [p.pid for p in worker._pool._processes.values()]  # type: ignore[union-attr]
        assert pids and os.getpid() not in pids
        # it runs only on a core the server leaves idle (Linux), never taking one from a vote
        if hasattr(os, "SCHED_IDLE"):
            assert all(os.sched_getscheduler(pid) == os.SCHED_IDLE for pid in pids)
            assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the server stays as it was
    finally:
        await worker.stop()


async def test_a_killed_worker_is_replaced(caplog: pytest.LogCaptureFixture) -> None:
    worker = OpinionWorker()
    ballots, _ = planted(2, 30, 10, noise=0.1)
    try:
        await worker.compute(ballots)
        for process in list(worker._pool._processes.values()):  # type: ignore[union-attr]
            os.kill(process.pid, signal.SIGKILL)
            process.join(30)
        with caplog.at_level(logging.WARNING, "poll.opinion"):
            try:
                result = await worker.compute(ballots)  # the pool may not know yet
            except WorkerCrashed:
                result = await worker.compute(ballots)
        assert len(result.groups) == 2
        assert worker.restarts == 1
        assert any("new opinion worker" in r.getMessage() for r in caplog.records)
        assert not any(r.exc_info for r in caplog.records)  # one line, no traceback
    finally:
        await worker.stop()
