"""Publish/subscribe of encoded frames, behind one small interface chosen by URL.

The hub publishes each frame once per channel (a debate and an audience); every subscriber on
that channel gets it in its outbox (`outbox.Subscriber`). `open_pubsub("memory://")` gives the
in-process backend, the default for one server process; `open_pubsub("redis://HOST:6379")` the
one for several processes (`redis`): frames still go to this process's pages only, and what
changed in a room goes to the other processes through Redis (`Relay`), so each one's copy of the
room follows and builds its own pages' frames (docs/scaling.md, "Redis pub/sub").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlparse

from .memory import MemoryPubSub
from .outbox import Subscriber, Watchdog


class PubSub(Protocol):
    """Where frames are published and subscribed to."""

    def subscribe(
        self, channel: str, subscriber: Subscriber
    ) -> AbstractAsyncContextManager[None]:
        """`async with pubsub.subscribe(channel, subscriber):` the subscriber gets the channel's
        frames inside the block, and never after it."""
        ...

    async def publish(self, channel: str, frame: str, *, latest_only: bool = False) -> None:
        """Hand `frame` to every subscriber of `channel` without waiting on any of them;
        `latest_only`: a newer frame may replace it before it is sent (tallies)."""
        ...

    async def disconnect(self, channel: str) -> None:
        """End the connection of every subscriber of `channel` (their pages reconnect, and are
        let in again only if they still may)."""
        ...


@runtime_checkable
class Relay(Protocol):
    """A pub/sub shared by several processes: messages (JSON objects) to the others, in order,
    and a call when some may have been lost (poll.broadcast.redis)."""

    shared: bool
    beat: Callable[[], dict[str, Any]]

    async def send(self, message: dict[str, Any]) -> bool: ...

    async def run(self, handle: Callable[[dict[str, Any]], Awaitable[None]],
                  on_missed: Callable[[], Awaitable[None]]) -> None: ...

    async def close(self) -> None: ...


class UnknownPubSub(ValueError):
    """A pub/sub URL this release does not know, or whose driver is not installed."""


def is_shared(url: str) -> bool:
    """Whether the pub/sub `url` names reaches other processes (Redis)."""
    return urlparse(url).scheme in ("redis", "rediss", "unix")


def open_pubsub(url: str = "memory://") -> PubSub:
    """The pub/sub backend `url` names: `memory://` (this process) or `redis://HOST:PORT/`,
    `rediss://` (TLS), `unix:///path/to/redis.sock` (several processes, with redis-py)."""
    scheme = urlparse(url).scheme
    if scheme == "memory":
        return MemoryPubSub()
    if is_shared(url):
        try:
            from .redis import RedisPubSub
        except ImportError:
            raise UnknownPubSub(f"{scheme}:// needs redis-py: pip install "
                                "'debate-poll[redis]'") from None
        return RedisPubSub(url)
    raise UnknownPubSub(f"{url}: unknown pub/sub {scheme!r}; this release knows memory:// and "
                        "redis://")


__all__ = ["MemoryPubSub", "PubSub", "Relay", "Subscriber", "UnknownPubSub", "Watchdog",
           "is_shared", "open_pubsub"]
