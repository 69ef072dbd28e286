"""Publish/subscribe of encoded frames, behind one small interface chosen by URL.

The hub publishes each frame once per channel (a debate and an audience); every subscriber on
that channel gets it in its outbox (`outbox.Subscriber`). `open_pubsub("memory://")` gives the
in-process backend, the default for one server process; another backend (Redis, for several
processes) would be one more branch in `open_pubsub` and one more module beside `memory`, as in
encode/broadcaster, with nothing else touched.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol
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


class UnknownPubSub(ValueError):
    """A pub/sub URL this release does not know."""


def open_pubsub(url: str = "memory://") -> PubSub:
    """The pub/sub backend `url` names; only `memory://` (this process) today."""
    scheme = urlparse(url).scheme
    if scheme == "memory":
        return MemoryPubSub()
    raise UnknownPubSub(f"{url}: unknown pub/sub {scheme!r}; this release knows memory://")


__all__ = ["MemoryPubSub", "PubSub", "Subscriber", "UnknownPubSub", "Watchdog", "open_pubsub"]
