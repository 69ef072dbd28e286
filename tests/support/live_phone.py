"""A phone that behaves as static/js/live.js and vote.js do when its connection breaks: the
fault tests' phones (tests/test_faults.py).

- `LivePhone.run()` keeps the phone's websocket open: on a close (or a refused connect) it waits
  0.5 s doubling to 15 s, with random jitter, and connects again, to whichever worker the
  kernel hands it; a successful connect starts the delay over.
- `vote(statement, choice)` makes the vote pending (a fresh id, as `newVoteId()`), sends it when
  the socket is open, and otherwise leaves it for the next connection.
- After a (re)connect, as vote.js's `applyState`: once the `state` shows the pending vote's
  statement open, the vote is either counted already (the `welcome` said so: no longer pending)
  or sent again with the SAME id, which the server stores only once.
- An `ack` for the pending id: acknowledged (`acked`, the choice the server confirmed). An
  `error` for it: refused (`refused`, its code), no longer pending, as the page shows it.

`where()` is the socket's local (host, port): the server side's peer address, by which a test
finds the worker process holding it (psutil's connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from support.clients import participant_cookie
from support.debate import Debate

FIRST_DELAY = 0.5  # as live.js
MAX_DELAY = 15.0


class LivePhone:
    """One phone page's socket and its pending vote (see the module)."""

    def __init__(self, base_url: str, debate: Debate, participant: str) -> None:
        self.origin = base_url
        self.url = f"{base_url.replace('http', 'ws', 1)}/j/{debate.join_code}/ws"
        self.participant = participant
        self.ws: ClientConnection | None = None
        self.connects = 0  # successful connects, the first included
        self.pending: dict[str, Any] | None = None
        self.in_flight: str | None = None  # the pending id sent on the socket open now
        self.acked: dict[str, Any] | None = None  # the last ack for this phone's own vote
        self.confirmed_by_welcome = False  # a reconnect's welcome showed the vote counted
        self.resent = 0  # times the pending vote went out again after a reconnect
        self.refused: list[str] = []  # error codes answering this phone's votes
        self.current: int | None = None  # the statement on screen
        self.phase: str | None = None
        self.counted: dict[str, str] = {}  # statement -> choice, from welcome and acks
        self.open = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    def start(self) -> LivePhone:
        self._task = asyncio.create_task(self.run(), name=f"phone-{self.participant}")
        return self

    async def run(self) -> None:
        delay = FIRST_DELAY
        while not self._stopped:
            try:
                async with ws_connect(
                    self.url, origin=self.origin,  # type: ignore[arg-type]
                    additional_headers={"Cookie": participant_cookie(self.participant)},
                    open_timeout=30, proxy=None, ping_interval=None,
                ) as ws:
                    self.ws, self.in_flight = ws, None
                    self.connects += 1
                    delay = FIRST_DELAY
                    self.open.set()
                    async for raw in ws:
                        await self._on_frame(json.loads(raw))
            except (OSError, ConnectionClosed, InvalidStatus, TimeoutError):
                pass
            finally:
                self.open.clear()
                self.ws = self.in_flight = None
            if self._stopped:
                break
            # live.js: a random wait up to the current delay, never under half of it
            await asyncio.sleep(delay / 2 + random.random() * delay / 2)
            delay = min(delay * 2, MAX_DELAY)

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "welcome":
            self.counted = {str(k): str(v) for k, v in (frame.get("votes") or {}).items()}
        elif kind == "state":
            self.current = (frame.get("statement") or {}).get("id")
            self.phase = frame.get("phase")
            pending = self.pending
            if pending is not None and pending["statement"] == self.current:
                if self.counted.get(str(self.current)) == pending["choice"]:
                    self.pending = None  # counted already, on whichever worker
                    self.confirmed_by_welcome = True
                elif self.phase == "open" and self.in_flight != pending["id"]:
                    self.resent += 1
                    await self._send(pending)
        elif kind == "ack":
            self.counted[str(frame["statement"])] = frame["choice"]
            if self.pending is not None and frame.get("id") == self.pending["id"]:
                self.acked = frame
                self.pending = None
        elif (kind == "error" and self.pending is not None
              and frame.get("id") == self.pending["id"]):
            self.refused.append(str(frame.get("code")))
            self.pending = None

    async def _send(self, vote: dict[str, Any]) -> None:
        ws = self.ws
        if ws is None:
            return  # goes out after the next connect
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps({"type": "vote", **vote}))
            self.in_flight = vote["id"]

    async def vote(self, statement: int, choice: str) -> str:
        """Press a choice: the vote is pending until acknowledged; its id."""
        vote = {"id": f"v-{uuid.uuid4().hex[:12]}", "statement": statement, "choice": choice}
        self.pending = vote
        await self._send(vote)
        return vote["id"]

    def settled(self) -> bool:
        """Nothing pending: the vote was acknowledged, confirmed by a welcome, or refused."""
        return self.pending is None

    def where(self) -> tuple[str, int] | None:
        """This socket's local address (the server's peer address for it), while open."""
        ws = self.ws
        if ws is None:
            return None
        name = ws.transport.get_extra_info("sockname")
        return None if name is None else (str(name[0]), int(name[1]))

    async def stop(self) -> None:
        self._stopped = True
        ws = self.ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
