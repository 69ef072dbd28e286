"""Keeping Python's cycle collector out of the broadcast path when thousands of phones connect.

Every connection brings about 180 objects that live as long as it does. With 10,000 phones the
collector tracks almost two million objects, and each full collection stops the server for close to
a second, in the middle of a statement switch or a vote burst (docs/performance.md). Once the number
of connections has grown by a good step, the objects present are moved to the permanent generation
with `gc.freeze()`, so full collections only walk what is new. When most connections are gone
again, `gc.unfreeze()` hands the old ones back to the collector, so cycles left by closed
connections are still reclaimed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable

log = logging.getLogger("poll.ws.gc")


class FreezePolicy:
    """Decides, from the number of open connections, when to freeze and unfreeze."""

    def __init__(self, step: int = 1000) -> None:
        self.step = step
        self.frozen_at = 0  # connections open at the last freeze (0: nothing frozen)

    def update(self, connections: int) -> str | None:
        """Freeze or unfreeze for this many connections; returns what it did, if anything."""
        if connections >= self.frozen_at + self.step:
            gc.freeze()
            self.frozen_at = connections
            return "freeze"
        if self.frozen_at and connections < self.frozen_at // 2:
            gc.unfreeze()
            self.frozen_at = 0
            return "unfreeze"
        return None


async def keep_collections_short(connections: Callable[[], int], every: float = 2.0) -> None:
    """Apply FreezePolicy to the number of open connections every `every` seconds, until
    cancelled."""
    policy = FreezePolicy()
    while True:
        await asyncio.sleep(every)
        count = connections()
        if (done := policy.update(count)) is not None:
            log.info("gc %s at %d connections", done, count)
