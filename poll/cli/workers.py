"""`poll serve --workers N`: N server processes on one listening socket, and this process
watching them.

The socket is bound once, here, and handed to every worker (multiprocessing passes the file
descriptor); the kernel gives each new connection to one worker that is waiting in accept(). A
phone stays on the worker that accepted its websocket; what it changes reaches the others
through Redis (poll.live.peers). A worker that dies is started again (its pages reconnect, to any
worker); SIGINT or SIGTERM here stops every worker the way one server stops.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType

from ..config import Settings

STOP_DEADLINE = 20.0  # seconds the workers get to close their connections, then they are killed
RESTART_PAUSE = 1.0  # seconds before a worker that died is started again


def _worker(settings: Settings, listener: socket.socket) -> None:
    from .serve import run_server

    # The supervisor tells us when to stop; a terminal's Ctrl-C reaches the whole process group,
    # and uvicorn's own handler takes it as well.
    run_server(settings, listener)


def supervise(settings: Settings, listener: socket.socket) -> int:
    """Run `settings.workers` workers on `listener` until SIGINT or SIGTERM; returns the exit
    status (0 once every worker stopped)."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no loop, no threads
    stopping = False

    def start(number: int) -> BaseProcess:
        process = spawn.Process(target=_worker, args=(settings, listener),
                                name=f"poll-worker-{number}", daemon=False)
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    workers = [start(n) for n in range(1, settings.workers + 1)]
    try:
        while not stopping:
            time.sleep(0.2)
            for n, process in enumerate(workers):
                if not process.is_alive() and not stopping:
                    print(f"worker {n + 1} (pid {process.pid}) ended with {process.exitcode}; "
                          "starting it again", file=sys.stderr, flush=True)
                    time.sleep(RESTART_PAUSE)
                    if not stopping:
                        workers[n] = start(n + 1)
    finally:
        for process in workers:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn closes its connections and stops
        deadline = time.monotonic() + STOP_DEADLINE
        for process in workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
    return 0
