"""Publish/subscribe of encoded frames, and the per-connection sender that never blocks the hub.

The hub publishes a frame once per channel; each subscriber owns a bounded queue and one sender task
(DESIGN invariant 4). State frames are queued in order; tally frames go to a latest-only slot, so a
newer tally replaces an unsent one. A subscriber that falls too far behind is dropped at once; one
whose socket accepts nothing for `send_timeout` seconds is dropped by the Watchdog (one task for all
connections: a timer per frame sent cost more than the send itself, see docs/performance.md). Its
page reconnects and receives a fresh snapshot.

`PubSub` is the small interface a Redis backend can implement later (invariant 9);
`MemoryPubSub` is the in-process default.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Protocol


class SlowSubscriber(Exception):
    """The client could not keep up and is being disconnected."""


class Subscriber:
    """One connection's outbox and the task that drains it into the socket."""

    __slots__ = ("_frames", "_latest", "_max_pending", "_send", "_task", "_wake", "dropped",
                 "sending_since")

    def __init__(
        self, send: Callable[[str], Awaitable[None]], *, max_pending: int = 64,
    ) -> None:
        self._send = send
        self._frames: deque[str] = deque()
        self._latest: str | None = None
        self._wake = asyncio.Event()
        self._max_pending = max_pending
        self._task: asyncio.Task[None] | None = None
        self.dropped = False
        self.sending_since: float | None = None  # loop time a send started and has not returned

    def push(self, frame: str) -> None:
        """Queue a frame that must arrive (state, ack); drop the client if its queue is full."""
        if len(self._frames) >= self._max_pending:
            self.dropped = True
        else:
            self._frames.append(frame)
        self._wake.set()

    def offer(self, frame: str) -> None:
        """Offer a frame that a newer one may replace before it is sent (tally)."""
        self._latest = frame
        self._wake.set()

    def drop(self) -> None:
        """Give up on this client now (its sender stops; the connection is closed with 1013)."""
        self.dropped = True
        if self._task is not None:
            self._task.cancel()

    async def run(self) -> None:
        """Send queued frames until cancelled; raise SlowSubscriber when the client lags."""
        self._task = asyncio.current_task()
        clock = asyncio.get_running_loop().time
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                if self.dropped:
                    raise SlowSubscriber("too many frames waiting")
                if self._frames:
                    frame = self._frames.popleft()
                elif self._latest is not None:
                    frame, self._latest = self._latest, None
                else:
                    break
                self.sending_since = clock()
                await self._send(frame)
                self.sending_since = None


class Watchdog:
    """Drops subscribers whose socket has accepted nothing for `send_timeout` seconds: one check
    a second over all of them instead of a timer per frame."""

    def __init__(self, send_timeout: float = 10.0, every: float = 1.0) -> None:
        self.send_timeout = send_timeout
        self.every = every
        self._watched: set[Subscriber] = set()

    @contextmanager
    def watching(self, subscriber: Subscriber) -> Iterator[None]:
        self._watched.add(subscriber)
        try:
            yield
        finally:
            self._watched.discard(subscriber)

    def check(self) -> int:
        """Drop every stalled subscriber; returns how many were dropped."""
        now = asyncio.get_running_loop().time()
        stalled = [s for s in self._watched
                   if s.sending_since is not None and now - s.sending_since > self.send_timeout]
        for subscriber in stalled:
            subscriber.drop()
        return len(stalled)

    def __len__(self) -> int:
        return len(self._watched)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.check()


class PubSub(Protocol):
    def subscribe(
        self, channel: str, subscriber: Subscriber
    ) -> AbstractAsyncContextManager[None]: ...

    async def publish(self, channel: str, frame: str, *, latest_only: bool = False) -> None: ...


class MemoryPubSub:
    """Channels held in this process: publishing is a loop over sets, never an await on a client."""

    def __init__(self) -> None:
        self._channels: dict[str, set[Subscriber]] = {}

    @asynccontextmanager
    async def subscribe(self, channel: str, subscriber: Subscriber) -> AsyncIterator[None]:
        self._channels.setdefault(channel, set()).add(subscriber)
        try:
            yield
        finally:
            members = self._channels.get(channel)
            if members is not None:
                members.discard(subscriber)
                if not members:
                    del self._channels[channel]

    async def publish(self, channel: str, frame: str, *, latest_only: bool = False) -> None:
        for subscriber in tuple(self._channels.get(channel, ())):
            if latest_only:
                subscriber.offer(frame)
            else:
                subscriber.push(frame)

    def count(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))
