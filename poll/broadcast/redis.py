"""The pub/sub of several server processes: frames for this process's pages, and messages
between the processes through one Redis channel.

Frames are never sent through Redis. Every process keeps its own copy of each loaded debate's
room and builds its pages' frames from it, as one process does; what crosses Redis is what
changed in a room (a vote counted, the stage moved, a +1, a key replaced), so every process's copy
follows, and each process publishes the frames to its own pages (an owned `MemoryPubSub`, with
its chunks and latest-only tallies). So no frame is doubled (each page has one process), and a
tally is built where it is sent, from a room that holds every process's votes.

Messages are JSON objects on one channel, stamped with the sending process (`origin`) and a
sequence number that grows by one per message, even when the publish failed. Each process skips
its own, and notices when it missed some: a gap in a sender's numbers, a heartbeat (every
HEARTBEAT seconds, carrying the sender's last number) ahead of what arrived, or its own
subscription lost and made again (Redis restarted, a network blip). Then `on_missed` runs: the
hub rebuilds its rooms from the database (poll.live.peers).

Redis pub/sub ignores database numbers: two deployments sharing one Redis server need channel
names of their own (`redis://host:6379/0?channel=poll-a`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .memory import MemoryPubSub, _Subscription

log = logging.getLogger("poll.broadcast.redis")

HEARTBEAT = 1.0  # seconds between two heartbeats: how soon a missed last message is noticed
RETRY = 0.5  # seconds between two attempts to subscribe again while Redis is away
DEFAULT_CHANNEL = "debate-poll"

Message = dict[str, Any]
Handler = Callable[[Message], Awaitable[None]]


class RedisPubSub:
    """Frames to this process's subscribers (in memory); messages to and from the others through
    Redis (`send`, `run`). `disconnect` reaches every process's subscribers."""

    shared = True  # several processes: the hub checks votes against the database (poll.live.hub)

    def __init__(self, url: str) -> None:
        query = parse_qs(urlparse(url).query)
        self.channel = query.pop("channel", [DEFAULT_CHANNEL])[0]
        self.url = url
        self.local = MemoryPubSub()
        self.origin = secrets.token_hex(6)  # this process, in every message it sends
        self._redis: aioredis.Redis = aioredis.Redis.from_url(
            _without_channel(url), socket_connect_timeout=2, socket_timeout=5,
            health_check_interval=5)
        self._seq = 0  # the number of the last message sent (or tried)
        self._seen: dict[str, int] = {}  # origin -> the number of its last message received
        # What else each heartbeat says (set by the hub: the phones connected here, per debate).
        self.beat: Callable[[], Message] = dict
        self.connected = asyncio.Event()  # subscribed now (tests and `poll serve` wait on it)

    # -- frames: this process's pages --------------------------------------------------------------

    def subscribe(self, channel: str, subscriber: Any) -> _Subscription:
        return self.local.subscribe(channel, subscriber)

    async def publish(self, channel: str, frame: str, *, latest_only: bool = False) -> None:
        await self.local.publish(channel, frame, latest_only=latest_only)

    async def disconnect(self, channel: str) -> None:
        await self.local.disconnect(channel)
        await self.send({"kind": "disconnect", "channel": channel})

    # -- messages between processes ----------------------------------------------------------------

    async def send(self, message: Message) -> bool:
        """Publish `message` to every other process; False when Redis could not take it (the
        others then notice a gap in this process's numbers and resync)."""
        self._seq += 1
        return await self._publish({**message, "origin": self.origin, "seq": self._seq})

    async def _publish(self, message: Message) -> bool:
        try:
            await self._redis.publish(self.channel, json.dumps(message, separators=(",", ":")))
        except (RedisError, OSError) as exc:
            log.warning("could not publish to Redis (%s): the other workers will resync", exc)
            return False
        return True

    async def run(self, handle: Handler, on_missed: Callable[[], Awaitable[None]]) -> None:
        """Receive the other processes' messages and hand each to `handle`, in order; call
        `on_missed` whenever some may have been lost. Until cancelled; reconnects when Redis is
        away, and sends the heartbeats."""
        beating = asyncio.create_task(self._heartbeat(), name="poll-redis-heartbeat")
        try:
            first = True
            while True:
                try:
                    await self._listen(handle, on_missed, resync=not first)
                except (RedisError, OSError) as exc:
                    if self.connected.is_set():
                        log.warning("lost the Redis subscription (%s); subscribing again", exc)
                    self.connected.clear()
                first = False
                await asyncio.sleep(RETRY)
        finally:
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)

    async def _listen(self, handle: Handler, on_missed: Callable[[], Awaitable[None]],
                      *, resync: bool) -> None:
        async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self.channel)
            self.connected.set()
            if resync:  # whatever was sent while we were away is lost: read the database again
                log.warning("subscribed to Redis again; resyncing from the database")
                await on_missed()
            while True:
                raw = await pubsub.get_message(timeout=None)
                if raw is None:
                    continue
                try:
                    message = json.loads(raw["data"])
                    origin, seq = message["origin"], int(message["seq"])
                except (ValueError, KeyError, TypeError):
                    log.warning("ignored a message that is not ours on Redis channel %s",
                                self.channel)
                    continue
                if origin == self.origin:
                    continue
                last = self._seen.get(origin, 0)
                kind = message.get("kind")
                if kind == "heartbeat":
                    if seq > last:  # its last messages never came
                        self._seen[origin] = seq
                        await on_missed()
                    await handle(message)
                    continue
                self._seen[origin] = max(last, seq)
                if seq != last + 1:
                    await on_missed()  # some before it never came: read the database again
                try:
                    if kind == "disconnect":
                        await self.local.disconnect(str(message["channel"]))
                    else:  # (applying it after a resync is harmless: each is idempotent)
                        await handle(message)
                except Exception:  # one bad message must not end every later one
                    log.exception("applying a message from another worker failed")
                    await on_missed()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            beat = {"kind": "heartbeat", "origin": self.origin, "seq": self._seq}
            beat.update(self.beat())
            await self._publish(beat)

    async def close(self) -> None:
        await self._redis.aclose()


def _without_channel(url: str) -> str:
    parsed = urlparse(url)
    query = "&".join(part for part in parsed.query.split("&")
                     if part and not part.startswith("channel="))
    return parsed._replace(query=query).geturl()
