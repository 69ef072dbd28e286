"""The in-process pub/sub: channels are sets of this process's subscribers."""

from __future__ import annotations

from .outbox import Subscriber


class MemoryPubSub:
    """Channels held in this process: publishing is a loop over sets, never an await on a client."""

    def __init__(self) -> None:
        self._channels: dict[str, set[Subscriber]] = {}

    def subscribe(self, channel: str, subscriber: Subscriber) -> _Subscription:
        """`async with` this to receive the channel's frames."""
        return _Subscription(self._channels, channel, subscriber)

    async def disconnect(self, channel: str) -> None:
        for subscriber in tuple(self._channels.get(channel, ())):
            subscriber.drop()

    async def publish(self, channel: str, frame: str, *, latest_only: bool = False) -> None:
        for subscriber in tuple(self._channels.get(channel, ())):
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
