"""The in-process pub/sub: channels are sets of this process's subscribers."""

from __future__ import annotations

import asyncio

from .outbox import Subscriber

# Subscribers served between two turns of the event loop while publishing. A frame to 10,000
# phones is written to each socket in the loop (poll.broadcast.outbox); in one pass, every vote
# waiting to be read or answered would wait for all of them (docs/performance.md, "The room's
# voice"). A vote's answer takes a few turns (read, commit, ack), each waiting for one chunk:
# 200 phones (about 3 ms) rather than 500 took the voice window's p95 from 105 to 69 ms, at no
# cost per switch that the benchmark could see.
CHUNK = 200


class MemoryPubSub:
    """Channels held in this process: publishing is a loop over sets, never an await on a client.
    A large channel is served in chunks, the event loop turning between them; publishes to one
    channel never interleave, so every subscriber gets the channel's frames in the order they
    were published."""

    def __init__(self) -> None:
        self._channels: dict[str, set[Subscriber]] = {}
        # While a channel is published to in chunks: its publishes take turns, and how many
        # hold or wait for the turn.
        self._turns: dict[str, asyncio.Lock] = {}
        self._queued: dict[str, int] = {}

    def subscribe(self, channel: str, subscriber: Subscriber) -> _Subscription:
        """`async with` this to receive the channel's frames."""
        return _Subscription(self._channels, channel, subscriber)

    async def disconnect(self, channel: str) -> None:
        for subscriber in tuple(self._channels.get(channel, ())):
            subscriber.drop()

    async def publish(self, channel: str, frame: str, *, latest_only: bool = False) -> None:
        # Who gets it is decided now: those who join later get a snapshot newer than this frame;
        # those who leave meanwhile are stopped, and a stopped outbox takes nothing.
        everyone = tuple(self._channels.get(channel, ()))
        if len(everyone) <= CHUNK and channel not in self._turns:
            _hand(everyone, frame, latest_only)  # small, and nothing before it: at once
            return
        # The turn is asked for before the first await, so a channel's publishes keep the order
        # they were called in (asyncio.Lock serves its waiters first come, first served).
        turn = self._turns.setdefault(channel, asyncio.Lock())
        self._queued[channel] = self._queued.get(channel, 0) + 1
        try:
            async with turn:
                for start in range(0, len(everyone), CHUNK):
                    if start:
                        await asyncio.sleep(0)  # let votes be read and answered
                    _hand(everyone[start:start + CHUNK], frame, latest_only)
        finally:
            left = self._queued[channel] - 1
            if left:
                self._queued[channel] = left
            else:  # no publish holds or waits for the turn: the channel is quiet again
                del self._queued[channel], self._turns[channel]


def _hand(subscribers: tuple[Subscriber, ...], frame: str, latest_only: bool) -> None:
    for subscriber in subscribers:
        if latest_only:
            subscriber.offer(frame)
        else:
            subscriber.push(frame)

class _Subscription:
    """MemoryPubSub's subscription as a small class: an @asynccontextmanager would keep an async
    generator frame and its helper objects alive for as long as each connection is open."""

    __slots__ = ("_channel", "_channels", "_subscriber")

    def __init__(self, channels: dict[str, set[Subscriber]], channel: str,
                 subscriber: Subscriber) -> None:
        self._channels = channels
        self._channel = channel
        self._subscriber = subscriber

    async def __aenter__(self) -> None:
        self._channels.setdefault(self._channel, set()).add(self._subscriber)

    async def __aexit__(self, *exc: object) -> None:
        members = self._channels.get(self._channel)
        if members is not None:
            members.discard(self._subscriber)
            if not members:
                del self._channels[self._channel]
