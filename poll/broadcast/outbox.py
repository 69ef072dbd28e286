"""Each connection's outbox (`Subscriber`), and the `Watchdog` that drops stalled ones.

Broadcasting never waits on a client: publishing only puts a frame into each subscriber's
outbox, and each subscriber owns a bounded queue and at most one sender task, started when a frame
arrives and ended when the queue is empty. When the server can write a frame at once (`send_now`,
poll.ws.protocol) and nothing waits before it, the frame is written there and then, with no task:
at 10,000 phones, a task per phone per frame was most of a broadcast's cost. State frames are
queued in order; tally frames go to a latest-only slot, so a newer tally replaces an unsent one.
A subscriber that falls too far behind is dropped at once; one whose socket accepts nothing for
`send_timeout` seconds is dropped by the Watchdog (one task for all connections: a timer per
frame sent cost more than the send itself, see docs/performance.md). Its page reconnects and
receives a fresh snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


class Subscriber:
    """One connection's outbox: a bounded queue of frames, a latest-only slot for tallies, and a
    sender task that exists only while something waits to be sent.

    An idle connection holds no task, Event or deque: with thousands of phones, each of those
    cost more memory than the frames themselves (docs/performance.md). There is never more than
    one sender per connection, so frames keep their order.
    """

    __slots__ = ("_frames", "_latest", "_max_pending", "_owner", "_send", "_send_now",
                 "_sender", "_watchdog", "dropped", "sending_since", "stopped")

    def __init__(
        self, send: Callable[[str], Awaitable[None]], *, max_pending: int = 64,
        owner: asyncio.Task[Any] | None = None, send_now: Callable[[str], bool] | None = None,
    ) -> None:
        self._send = send
        # Writes a frame without waiting, if the socket can take it now (True), else does
        # nothing (False); None: every frame goes through `send`.
        self._send_now = send_now
        # A list, not a deque: it holds at most max_pending frames, and an empty deque costs
        # 760 bytes.
        self._frames: list[str] = []
        self._latest: str | None = None
        self._max_pending = max_pending
        self._owner = owner  # the task serving the connection: cancelled when the outbox fails
        self._sender: asyncio.Task[None] | None = None
        self.dropped = False  # given up on as too slow
        self.stopped = False  # nothing more will be sent
        self.sending_since: float | None = None  # loop time a send started and has not returned
        # The watchdog, which looks only at subscribers with a send in flight (Watchdog.watch
        # sets it), not at every connection every second.
        self._watchdog: Watchdog | None = None

    def push(self, frame: str) -> None:
        """Queue a frame that must arrive (state, ack); drop the client if its queue is full."""
        if len(self._frames) >= self._max_pending:
            self.drop()
        elif not self.stopped and not self._sent_now(frame):
            self._frames.append(frame)
            if self._sender is None:
                self._sender = asyncio.get_running_loop().create_task(self._drain())

    def offer(self, frame: str) -> None:
        """Offer a frame that a newer one may replace before it is sent (tally)."""
        if not self.stopped and not self._sent_now(frame):
            self._latest = frame
            if self._sender is None:
                self._sender = asyncio.get_running_loop().create_task(self._drain())

    def _sent_now(self, frame: str) -> bool:
        """Write `frame` at once if nothing of ours waits or is being sent (so frames keep
        their order) and the socket takes it; False: queue it."""
        if self._sender is not None or self._send_now is None:
            return False  # (a sender exists whenever a frame waits)
        try:
            return self._send_now(frame)
        except Exception:  # the socket broke under us: as a failed send in _drain
            self._end(cancel_owner=True)
            return True  # nothing more is sent

    def drop(self) -> None:
        """Give up on a client that cannot keep up: nothing more is sent and the owner task is
        cancelled (poll.ws.connection then closes the connection with 1013)."""
        if not self.stopped:
            self.dropped = True
            self._end(cancel_owner=True)

    def stop(self) -> None:
        """The connection is over (its owner says so): send nothing more."""
        self._end(cancel_owner=False)

    def _end(self, *, cancel_owner: bool) -> None:
        self.stopped = True
        owner, self._owner = self._owner, None
        self._frames.clear()
        self._latest = None
        if self._watchdog is not None:
            self._watchdog.sent(self)
        if self._sender is not None:
            self._sender.cancel()
        if cancel_owner and owner is not None:
            owner.cancel()

    async def _drain(self) -> None:
        """Send what is queued, then end. A send that fails ends the connection: the owner task
        is cancelled with `stopped` set and `dropped` not."""
        clock = asyncio.get_running_loop().time
        watchdog = self._watchdog
        try:
            while True:
                if self._frames:
                    frame = self._frames.pop(0)
                elif self._latest is not None:
                    frame, self._latest = self._latest, None
                else:
                    return
                self.sending_since = clock()
                if watchdog is not None:
                    watchdog.sending(self)
                await self._send(frame)
                self.sending_since = None
                if watchdog is not None:
                    watchdog.sent(self)
        except Exception:
            self._sender = None  # not cancelled: it ends here anyway
            self._end(cancel_owner=True)
        finally:
            self._sender = None


class Watchdog:
    """Drops subscribers whose socket has accepted nothing for `send_timeout` seconds: one check
    a second instead of a timer per frame, over the subscribers with a send in flight only (a
    frame the socket took at once is never in flight), and only while there are any. Scanning
    all 10,000 phones every second was most of an idle server's Python time, and each wake-up
    of an idle server costs this kind of machine milliseconds (docs/performance.md, "Cheaper
    votes and switches")."""

    def __init__(self, send_timeout: float = 10.0, every: float = 1.0) -> None:
        self.send_timeout = send_timeout
        self.every = every
        self._watched: set[Subscriber] = set()
        self._in_flight: set[Subscriber] = set()
        self._busy = asyncio.Event()  # some send is in flight

    # Two calls, not a context manager: one kept open per connection costs a generator frame.
    def watch(self, subscriber: Subscriber) -> None:
        self._watched.add(subscriber)
        subscriber._watchdog = self
        if subscriber.sending_since is not None:
            self.sending(subscriber)

    def forget(self, subscriber: Subscriber) -> None:
        self._watched.discard(subscriber)
        self._in_flight.discard(subscriber)
        subscriber._watchdog = None

    def sending(self, subscriber: Subscriber) -> None:
        """A send to this subscriber started and has not returned."""
        self._in_flight.add(subscriber)
        if not self._busy.is_set():
            self._busy.set()

    def sent(self, subscriber: Subscriber) -> None:
        """Its send returned (or it ended)."""
        self._in_flight.discard(subscriber)

    def check(self) -> int:
        """Drop every stalled subscriber; returns how many were dropped."""
        now = asyncio.get_running_loop().time()
        stalled = [s for s in self._in_flight
                   if s.sending_since is not None and now - s.sending_since > self.send_timeout]
        for subscriber in stalled:
            subscriber.drop()
        return len(stalled)

    def __len__(self) -> int:
        return len(self._watched)

    async def run(self) -> None:
        """Check every `every` seconds while a send is in flight, until cancelled."""
        while True:
            await self._busy.wait()
            await asyncio.sleep(self.every)
            self.check()
            if not self._in_flight:
                self._busy.clear()
