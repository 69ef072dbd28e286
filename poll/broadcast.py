"""Publish/subscribe of encoded frames, and the per-connection sender that never blocks the hub.

The hub publishes a frame once per channel; each subscriber owns a bounded queue and one sender task
(DESIGN invariant 4). State frames are queued in order; tally frames go to a latest-only slot, so a
newer tally replaces an unsent one. A subscriber that falls too far behind, or whose socket accepts
nothing for `send_timeout` seconds, is dropped: its page reconnects and receives a fresh snapshot.

`PubSub` is the small interface a Redis backend can implement later (invariant 9);
`MemoryPubSub` is the in-process default.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class SlowSubscriber(Exception):
    """The client could not keep up and is being disconnected."""


class Subscriber:
    """One connection's outbox and the task that drains it into the socket."""

    __slots__ = ("_frames", "_latest", "_max_pending", "_send", "_send_timeout", "_wake", "dropped")

    def __init__(
        self, send: Callable[[str], Awaitable[None]], *, max_pending: int = 64,
        send_timeout: float = 10.0,
    ) -> None:
        self._send = send
        self._frames: deque[str] = deque()
        self._latest: str | None = None
        self._wake = asyncio.Event()
        self._max_pending = max_pending
        self._send_timeout = send_timeout
        self.dropped = False

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

    async def run(self) -> None:
        """Send queued frames until cancelled; raise SlowSubscriber when the client lags."""
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
                try:
                    await asyncio.wait_for(self._send(frame), self._send_timeout)
                except TimeoutError as exc:
                    raise SlowSubscriber("socket accepted nothing in time") from exc


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
