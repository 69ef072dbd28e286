"""Phone clients for the load benchmark: one worker process holds a share of the phones.

`load.py` starts several of these processes (multiprocessing, "spawn") and drives them over a pipe
with small commands (`connect`, `wait_state`, `vote`, `close`). Every phone is a real
`websockets` client connection with its own participant cookie and, when several source
addresses are used, its own 127.0.0.x source address (to stay clear of ephemeral-port limits).

Clock: all processes run on one machine. Receive times are `time.time()` (comparable across
processes, so the parent can subtract its own `time.time()` taken just before it triggered a
broadcast); a vote's round trip is measured inside the worker with `time.perf_counter()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import resource
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

CHOICES = ("agree", "neutral", "disagree")


def raise_nofile_limit() -> int:
    """Raise this process's open-file soft limit to its hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# Frames a phone here only counts: their type is read off the frame's start, not parsed. A
# real phone parses its own frames on its own CPU; here one process holds thousands of phones,
# and parsing every tally and reason list of all of them at once made acknowledgements that
# arrived meanwhile wait in this process (measured as the server's latency).
COUNTED_ONLY = frozenset({"tally", "reasons", "floor", "proposals", "opinion", "my_group"})
_PREFIX = '{"type":"'


def _skipped_kind(raw: str | bytes) -> str | None:
    """The type of a frame that is only counted, else None (parse it)."""
    if not isinstance(raw, str) or not raw.startswith(_PREFIX):
        return None
    end = raw.find('"', len(_PREFIX))
    kind = raw[len(_PREFIX):end]
    return kind if kind in COUNTED_ONLY else None


@dataclass(slots=True, eq=False)
class Phone:
    index: int  # global index over all workers
    participant: str
    local_addr: str | None
    ws: Any = None
    reader: asyncio.Task[None] | None = None
    error: str | None = None
    welcome_at: float | None = None
    handshake_at: float | None = None  # when its handshake began (after the concurrency gate)
    first_state_at: float | None = None
    # (receive time, statement id, phase, revealed) for every state frame
    states: list[tuple[float, int | None, str, bool]] = field(default_factory=list)
    vote_id: str | None = None
    choice: str | None = None
    sent_wall: float | None = None
    sent_pc: float | None = None
    ack_pc: float | None = None
    ack_wall: float | None = None
    acks: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False


def _matches(record: tuple[float, int | None, str, bool], want: dict[str, Any]) -> bool:
    ts, statement, phase, revealed = record
    if ts < want.get("after", 0.0):
        return False
    if "statement" in want and statement != want["statement"]:
        return False
    if "phase" in want and phase != want["phase"]:
        return False
    return not ("revealed" in want and revealed != want["revealed"])


class Worker:
    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id
        self.phones: list[Phone] = []
        self.closing = False
        self.unexpected_closes = 0
        self.bad_frames = 0
        self._connected_event: asyncio.Event | None = None
        self._pending_state = 0
        self._waiter: dict[str, Any] | None = None
        self._ack_event: asyncio.Event | None = None
        self._acks_missing = 0

    # -- receiving ---------------------------------------------------------------------------

    async def _read(self, phone: Phone) -> None:
        try:
            async for raw in phone.ws:
                ts = time.time()
                try:
                    kind = _skipped_kind(raw)
                    if kind is None:
                        msg = json.loads(raw)
                        kind = msg["type"]
                    else:
                        msg = {}
                except (ValueError, KeyError, TypeError):
                    self.bad_frames += 1
                    continue
                if kind == "state":
                    statement = msg.get("statement")
                    record = (ts, statement["id"] if statement else None, msg.get("phase"),
                              bool(msg.get("revealed")))
                    phone.states.append(record)
                    if phone.first_state_at is None:
                        phone.first_state_at = ts
                        self._pending_state -= 1
                        if self._pending_state == 0 and self._connected_event is not None:
                            self._connected_event.set()
                    waiter = self._waiter
                    if (waiter is not None and phone.index not in waiter["matched"]
                            and _matches(record, waiter["want"])):
                        waiter["matched"][phone.index] = ts
                        if len(waiter["matched"]) == waiter["expected"]:
                            waiter["event"].set()
                elif kind == "ack":
                    if msg.get("id") == phone.vote_id and phone.ack_pc is None:
                        phone.ack_pc = time.perf_counter()
                        phone.ack_wall = ts
                        self._acks_missing -= 1
                        if self._acks_missing == 0 and self._ack_event is not None:
                            self._ack_event.set()
                    phone.acks += 1
                elif kind == "welcome":
                    phone.welcome_at = ts
                    # the id the server counts this phone under: ours, or a new one where the
                    # server signs ids and ours carries no signature
                    phone.participant = msg.get("participant") or phone.participant
                elif kind == "error":
                    phone.errors.append(msg)
                    if msg.get("id") is not None and msg.get("id") == phone.vote_id:
                        # a refused vote will never be acked: stop waiting for it
                        self._acks_missing -= 1
                        if self._acks_missing == 0 and self._ack_event is not None:
                            self._ack_event.set()
                self.on_frame(phone, kind, msg, ts, raw)
        except Exception as exc:  # ConnectionClosedError and friends
            if phone.error is None and not self.closing:
                phone.error = f"reader: {type(exc).__name__}: {exc}"[:200]
        finally:
            phone.closed = True
            if not self.closing:
                self.unexpected_closes += 1
                if phone.first_state_at is None:
                    self._pending_state -= 1
                    if self._pending_state == 0 and self._connected_event is not None:
                        self._connected_event.set()

    def on_frame(self, phone: Phone, kind: str, msg: dict[str, Any], ts: float,
                 raw: str | bytes) -> None:
        """Every frame a phone received, after the bookkeeping above (for subclasses)."""

    # -- commands ----------------------------------------------------------------------------

    async def connect(self, url: str, phones: list[tuple[int, str, str | None]], concurrency: int,
                      timeout: float) -> dict[str, Any]:
        from websockets.asyncio.client import connect

        self.closing = False
        self.unexpected_closes = 0
        self.bad_frames = 0
        self.phones = [Phone(i, p, addr) for i, p, addr in phones]
        self._pending_state = len(self.phones)
        self._connected_event = asyncio.Event()
        if not self.phones:
            self._connected_event.set()
        gate = asyncio.Semaphore(concurrency)

        async def one(phone: Phone) -> None:
            kwargs: dict[str, Any] = {}
            if phone.local_addr:
                kwargs["local_addr"] = (phone.local_addr, 0)
            try:
                async with gate:
                    phone.handshake_at = time.time()
                    phone.ws = await connect(
                        url,
                        additional_headers={"Cookie": f"poll_participant={phone.participant}"},
                        compression=None,
                        proxy=None,  # never route through a proxy from the environment
                        open_timeout=timeout,
                        ping_interval=None,
                        close_timeout=1,
                        max_size=2**20,
                        **kwargs,
                    )
            except Exception as exc:
                phone.error = f"connect: {type(exc).__name__}: {exc}"[:200]
                phone.closed = True
                self._pending_state -= 1
                if self._pending_state == 0:
                    self._connected_event.set()  # type: ignore[union-attr]
                return
            phone.reader = asyncio.create_task(self._read(phone))

        started = time.time()
        opener = asyncio.gather(*(one(p) for p in self.phones))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected_event.wait(), timeout)
        finished = time.time()
        if not opener.done():
            opener.cancel()
            with contextlib.suppress(BaseException):
                await opener
        for p in self.phones:
            if p.error is None and p.first_state_at is None:
                p.error = "connect: no state frame in time" if p.ws else "connect: timed out"
        # The generator must not add pauses of its own: move the connections' objects out of
        # the collector's reach, so a full collection in this process stays short.
        gc.collect()
        gc.freeze()
        return {
            "started": started,
            "finished": finished,
            "first_state": [p.first_state_at for p in self.phones],
            # per socket: from the start of its handshake to its state frame
            "latencies": [p.first_state_at - p.handshake_at for p in self.phones
                          if p.first_state_at is not None and p.handshake_at is not None],
            "errors": [p.error for p in self.phones if p.error],
            "connected": sum(1 for p in self.phones if p.ws is not None and not p.closed),
        }

    async def wait_state(self, want: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Wait until every open phone has a state frame matching `want`; return receive times."""
        live = [p for p in self.phones if p.ws is not None and not p.closed]
        waiter = {"want": want, "matched": {}, "expected": len(live), "event": asyncio.Event()}
        for p in live:
            for record in p.states:
                if _matches(record, want):
                    waiter["matched"][p.index] = record[0]
                    break
        self._waiter = waiter
        if len(waiter["matched"]) >= waiter["expected"]:
            waiter["event"].set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter["event"].wait(), timeout)
        self._waiter = None
        matched = waiter["matched"]
        return {"times": [matched.get(p.index) for p in self.phones],
                "expected": len(live), "unexpected_closes": self.unexpected_closes}

    async def vote(self, statement: int, start_at: float, window: float, total: int,
                   timeout: float) -> dict[str, Any]:
        """Each open phone votes once at start_at + index/total*window; wait for the acks."""
        live = [p for p in self.phones if p.ws is not None and not p.closed]
        schedule = sorted(live, key=lambda p: p.index)
        self._ack_event = asyncio.Event()
        self._acks_missing = len(schedule)
        if not schedule:
            self._ack_event.set()
        send_errors = 0
        for p in schedule:
            due = start_at + p.index * window / total
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            p.choice = CHOICES[p.index % 3]
            p.vote_id = f"v-{statement}-{p.index}"
            p.ack_pc = p.ack_wall = None
            frame = json.dumps({"type": "vote", "id": p.vote_id, "statement": statement,
                                "choice": p.choice}, separators=(",", ":"))
            p.sent_wall = time.time()
            p.sent_pc = time.perf_counter()
            try:
                await p.ws.send(frame)
            except Exception as exc:
                send_errors += 1
                p.error = p.error or f"send: {type(exc).__name__}: {exc}"[:200]
                self._acks_missing -= 1
        if self._acks_missing <= 0:
            self._ack_event.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ack_event.wait(), timeout)
        self._ack_event = None
        out = []
        for p in schedule:
            out.append({
                "participant": p.participant,
                "choice": p.choice,
                "sent": p.sent_wall,
                "latency": None if p.ack_pc is None or p.sent_pc is None
                else p.ack_pc - p.sent_pc,
                "ack": p.ack_wall,
                "errors": [e.get("code") for e in p.errors if e.get("id") == p.vote_id],
            })
        return {"votes": out, "send_errors": send_errors,
                "unexpected_closes": self.unexpected_closes}

    async def close(self) -> dict[str, Any]:
        """Drop every connection at once (TCP abort) and report what went wrong meanwhile."""
        report = {
            "unexpected_closes": self.unexpected_closes,
            "bad_frames": self.bad_frames,
            "errors": [p.error for p in self.phones if p.error][:20],
            "error_frames": sum(len(p.errors) for p in self.phones),
            "error_codes": sorted({str(e.get("code")) for p in self.phones for e in p.errors}),
        }
        self.closing = True
        for p in self.phones:
            if p.ws is not None and p.ws.transport is not None:
                p.ws.transport.abort()
        readers = [p.reader for p in self.phones if p.reader is not None]
        if readers:
            await asyncio.wait(readers, timeout=10)
        self.phones = []
        gc.unfreeze()
        gc.collect()
        return report


async def _serve(conn: Any, worker_id: int, worker_class: type[Worker] = Worker) -> None:
    """Run the commands the parent sends over `conn` on one `worker_class`, until "exit"."""
    loop = asyncio.get_running_loop()
    worker = worker_class(worker_id)
    inbox: asyncio.Queue[Any] = asyncio.Queue()

    def readable() -> None:
        while conn.poll():
            try:
                inbox.put_nowait(conn.recv())
            except EOFError:
                inbox.put_nowait(None)
                loop.remove_reader(conn.fileno())
                return

    loop.add_reader(conn.fileno(), readable)
    while True:
        command = await inbox.get()
        if command is None or command[0] == "exit":
            break
        name, kwargs = command
        try:
            result = await getattr(worker, name)(**kwargs)
            conn.send(("ok", result))
        except Exception:
            conn.send(("error", traceback.format_exc()))
    await worker.close()


def main(conn: Any, worker_id: int) -> None:
    """Entry point of a worker process."""
    raise_nofile_limit()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(conn, worker_id))
