"""uvicorn's server, waking once a second instead of ten times when nothing happens.

uvicorn's main loop sleeps 0.1 s at a time to see whether it should stop (and to renew the Date
header once a second). On this kind of machine every wake-up from idle costs more than the work
it does: an idle `poll serve` spent 0.8 % of a core on its timers, the bare `websockets` server
nothing, and that idle share is part of what every switch and vote is measured at
(docs/performance.md, "Cheaper votes and switches"). Here the loop ticks once a second (the Date
header's own resolution) and a stop signal wakes it at once, so stopping is as quick as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import FrameType

import uvicorn

TICK = 1.0  # seconds; uvicorn's on_tick renews the Date header every 10th of its 0.1 s ticks


class QuietServer(uvicorn.Server):
    """`uvicorn.Server` with a one-second tick that a stop signal cuts short."""

    _stop: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 10) % 864000  # each tick is ten of uvicorn's
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), TICK)
            should_exit = await self.on_tick(counter)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)  # a signal handler may not touch the loop else
