"""Rate limits and caps on open sockets, per participant and per address.

Sized for a room: hundreds of phones behind one venue NAT address must not be blocked, so the
per-address limits are far above what a room does and only stop one host flooding the server;
the per-device limits stop a script from hammering the writer from one phone.
"""

from __future__ import annotations

import time
from collections import Counter

from starlette.requests import HTTPConnection


class _Windows:
    """Sliding-window counters (the two-window estimate): no timers, no threads.

    An event counts in its fixed window; the limit applies to this window's count plus the share
    of the previous window's count that still lies inside the last `seconds`. So a burst that
    straddles a window's turn is limited as one burst (a plain fixed window would let twice the
    limit through there) and a refusal does not lift the moment the clock crosses a boundary.

    Written here rather than taken from the `limits` package: its in-memory storage walks every key
    from a new timer thread every few milliseconds, 17 % of the server's time in a 10,000-phone vote
    burst (docs/performance.md). Memory is bounded by the keys seen in two windows.
    """

    __slots__ = ("_counts", "_previous", "_share", "_window", "limit", "seconds")

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._window = -1
        self._share = 0.0
        self._counts: dict[str, int] = {}
        self._previous: dict[str, int] = {}

    def hit(self, key: str) -> bool:
        """Count one event for `key`; False when it is over the limit in the last `seconds`."""
        self._turn()
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return self._estimate(key, count) <= self.limit

    def spent(self, key: str) -> bool:
        """Whether `key` has used up its events in the last `seconds` (counting none)."""
        self._turn()
        return self._estimate(key, self._counts.get(key, 0)) >= self.limit

    def _estimate(self, key: str, count: int) -> float:
        earlier = self._previous.get(key)
        return count if earlier is None else count + earlier * self._share

    def _turn(self) -> None:
        now = time.monotonic() / self.seconds
        window = int(now)
        if window != self._window:
            self._previous = self._counts if window == self._window + 1 else {}
            self._window, self._counts = window, {}
        # the part of the previous window still inside the sliding one
        self._share = 1.0 - (now - window)


class Limits:
    """The app's rate limits and socket caps (one instance, owned by the application state)."""

    def __init__(self, max_connections: int, max_connections_per_ip: int) -> None:
        self.votes_per_device = _Windows(20, 10)
        self.votes_per_address = _Windows(5000, 10)
        self.posts_per_address = _Windows(600, 10)
        self.connects_per_address = _Windows(2000, 10)
        # a person types a statement in well over 20 s; this stops scripts, not people
        self.proposals_per_device = _Windows(3, 60)
        self.proposals_per_address = _Windows(300, 60)
        # The room's voice: a person writes a reason in well over 10 s and taps +1 on a few;
        # thousands of phones behind one NAT address still fit the per-address windows.
        self.reasons_per_device = _Windows(10, 60)
        self.reasons_per_address = _Windows(3000, 60)
        self.plus_per_device = _Windows(120, 60)
        self.plus_per_address = _Windows(40000, 60)
        self.floor_per_device = _Windows(6, 60)
        self.floor_per_address = _Windows(1000, 60)
        # Wrong room codes: a phone mistypes a few; 10,000 four-digit codes take one address
        # over five hours at 300 per ten minutes, and a venue's NAT rarely sees 300 mistakes.
        self.wrong_codes_per_device = _Windows(5, 60)
        self.wrong_codes_per_address = _Windows(300, 600)
        self.max_connections = max_connections
        self.max_connections_per_ip = max_connections_per_ip
        self.open_sockets: Counter[str] = Counter()
        self.total_sockets = 0

    def vote(self, participant: str, address: str) -> bool:
        """Whether this vote is within the limits (and count it)."""
        return self.votes_per_device.hit(participant) and self.votes_per_address.hit(address)

    def propose(self, participant: str, address: str) -> bool:
        """Whether this proposed statement is within the limits (and count it)."""
        return (self.proposals_per_device.hit(participant)
                and self.proposals_per_address.hit(address))

    def reason(self, participant: str, address: str) -> bool:
        """Whether this reason (new, edited or removed) is within the limits (and count it)."""
        return (self.reasons_per_device.hit(participant)
                and self.reasons_per_address.hit(address))

    def plus(self, participant: str, address: str) -> bool:
        """Whether this +1 (on a reason or a proposal, or undone) is within the limits."""
        return self.plus_per_device.hit(participant) and self.plus_per_address.hit(address)

    def floor(self, participant: str, address: str) -> bool:
        """Whether this request for the floor (or its withdrawal) is within the limits."""
        return self.floor_per_device.hit(participant) and self.floor_per_address.hit(address)

    def may_try_room_code(self, participant: str, address: str) -> bool:
        """Whether this phone (and its address) may try another room code now."""
        return not (self.wrong_codes_per_device.spent(participant)
                    or self.wrong_codes_per_address.spent(address))

    def wrong_room_code(self, participant: str, address: str) -> None:
        """Count a wrong room code against the phone and its address."""
        self.wrong_codes_per_device.hit(participant)
        self.wrong_codes_per_address.hit(address)

    def post(self, address: str) -> bool:
        """Whether this form POST is within the limits (and count it)."""
        return self.posts_per_address.hit(address)

    def open_socket(self, address: str) -> bool:
        """Claim a socket slot for `address`; False when a cap or the connect rate says no."""
        if self.total_sockets >= self.max_connections:
            return False
        if self.open_sockets[address] >= self.max_connections_per_ip:
            return False
        if not self.connects_per_address.hit(address):
            return False
        self.open_sockets[address] += 1
        self.total_sockets += 1
        return True

    def close_socket(self, address: str) -> None:
        self.open_sockets[address] -= 1
        if self.open_sockets[address] <= 0:
            del self.open_sockets[address]
        self.total_sockets -= 1


def client_address(conn: HTTPConnection) -> str:
    """The address a request or socket came from (the key of the per-address limits)."""
    return conn.client.host if conn.client else "unknown"
