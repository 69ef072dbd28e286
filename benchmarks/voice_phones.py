"""Phone clients for the room's voice benchmark (`benchmarks/voice.py`).

The load benchmark's phones (`phones.Worker`: connect, wait for a state, vote once), which can
also give a reason, +1 another phone's reason and change their vote, on a schedule the parent
sends a slice at a time, and which count what each phone receives meanwhile: frames, characters
(the frames are ASCII JSON here, so characters are bytes), `reasons` and `tally` frames.

Answers are timed in the worker (`time.perf_counter()`): a vote until its `ack`, a reason until
the `reason` frame that answers it, a +1 until its `plus` frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from phones import Phone, Worker, _serve, raise_nofile_limit

# One scheduled action: (due time.time(), kind, phone index, argument):
#   ("vote", i, [statement, choice, vote id]), ("reason", i, [statement, text]),
#   ("plus", i, reason id)
Action = tuple[float, str, int, Any]


class VoiceWorker(Worker):
    def __init__(self, worker_id: int) -> None:
        super().__init__(worker_id)
        self.counting = False
        # phone index -> [frames, characters, reasons frames, tally frames]
        self.counts: dict[int, list[int]] = {}
        self.by_index: dict[int, Phone] = {}
        self.pending_votes: dict[str, tuple[float, int, str]] = {}  # id -> sent, phone, choice
        self.pending_reasons: dict[int, float] = {}  # phone index -> sent (one at a time)
        self.pending_plus: dict[tuple[int, int], float] = {}  # (phone, reason id) -> sent
        self.latencies: dict[str, list[float]] = {"vote": [], "reason": [], "plus": []}
        self.acked_votes: list[tuple[str, str]] = []  # (participant, choice) of vote changes
        self.new_reasons: list[tuple[int, int]] = []  # (reason id, author's phone index)
        self.refusals: dict[str, list[str]] = {"vote": [], "reason": [], "plus": []}
        self.send_errors = 0
        self.lateness: list[float] = []  # how late each action was sent (generator too busy?)
        self.senders: list[asyncio.Task[None]] = []  # one per slice: waits for each due time
        self.sending: set[asyncio.Task[None]] = set()  # one per action, until its frame is sent

    def on_frame(self, phone: Phone, kind: str, msg: dict[str, Any], ts: float,
                 raw: str | bytes) -> None:
        if self.counting:
            count = self.counts[phone.index]
            count[0] += 1
            count[1] += len(raw)
            if kind == "reasons":
                count[2] += 1
            elif kind == "tally":
                count[3] += 1
        if kind == "ack":
            vote = self.pending_votes.pop(str(msg.get("id")), None)
            if vote is not None:
                self.latencies["vote"].append(time.perf_counter() - vote[0])
                self.acked_votes.append((phone.participant, vote[2]))
        elif kind == "reason":
            sent = self.pending_reasons.pop(phone.index, None)
            if sent is not None:
                self.latencies["reason"].append(time.perf_counter() - sent)
                self.new_reasons.append((int(msg["id"]), phone.index))
        elif kind == "plus":
            sent = self.pending_plus.pop((phone.index, int(msg["reason"])), None)
            if sent is not None:
                self.latencies["plus"].append(time.perf_counter() - sent)
        elif kind == "error":
            answers, code = msg.get("id"), str(msg.get("code"))
            if answers in self.pending_votes:
                del self.pending_votes[answers]
                self.refusals["vote"].append(code)
            elif isinstance(answers, str) and answers.startswith("r-"):
                self.pending_reasons.pop(phone.index, None)
                self.refusals["reason"].append(code)
            elif answers != getattr(phone, "vote_id", None):
                self.refusals["plus"].append(code)  # a +1's refusal names no id

    # -- commands ----------------------------------------------------------------------------

    async def voice_begin(self) -> dict[str, Any]:
        """Start counting what every phone receives."""
        self.by_index = {p.index: p for p in self.phones}
        self.counts = {p.index: [0, 0, 0, 0] for p in self.phones}
        self.counting = True
        return {"phones": len(self.phones)}

    async def voice_news(self) -> list[tuple[int, int]]:
        """The reasons whose answers arrived since the last call (ids for the next +1s)."""
        new, self.new_reasons = self.new_reasons, []
        return new

    async def voice_slice(self, actions: list[Action]) -> None:
        """Send these actions at their times, in the background (this returns at once)."""
        self.senders.append(asyncio.create_task(self._send_all(actions)))

    async def _send_all(self, actions: list[Action]) -> None:
        for due, kind, index, arg in actions:
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            phone = self.by_index[index]
            if phone.ws is None or phone.closed:
                self.send_errors += 1
                continue
            if kind == "vote":
                statement, choice, vote_id = arg
                frame = {"type": "vote", "id": vote_id, "statement": statement,
                         "choice": choice}
                self.pending_votes[vote_id] = (time.perf_counter(), index, choice)
            elif kind == "reason":
                statement, text = arg
                frame = {"type": "reason", "id": f"r-{index}", "statement": statement,
                         "text": text}
                self.pending_reasons[index] = time.perf_counter()
            else:
                frame = {"type": "plus", "reason": arg, "on": True}
                self.pending_plus[(index, arg)] = time.perf_counter()
            self.lateness.append(time.time() - due)
            # Not awaited here: one phone whose socket is slow to take a frame must not hold up
            # every other phone's schedule.
            task = asyncio.create_task(self._send(phone, json.dumps(frame, separators=(",", ":"))))
            self.sending.add(task)
            task.add_done_callback(self.sending.discard)

    async def _send(self, phone: Phone, text: str) -> None:
        try:
            await phone.ws.send(text)
        except Exception:
            self.send_errors += 1

    async def voice_end(self, timeout: float, linger: float) -> dict[str, Any]:
        """Wait for the last answers (at most `timeout` s), then `linger` s more for the last
        coalesced lists; stop counting and report."""
        await asyncio.gather(*self.senders, return_exceptions=True)
        await asyncio.gather(*self.sending, return_exceptions=True)
        deadline = time.time() + timeout
        while (self.pending_votes or self.pending_reasons or self.pending_plus) \
                and time.time() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(linger)
        self.counting = False
        late = sorted(self.lateness)
        return {
            "latencies": self.latencies,
            "acked_votes": self.acked_votes,
            "unanswered": {"vote": len(self.pending_votes), "reason": len(self.pending_reasons),
                           "plus": len(self.pending_plus)},
            "refusals": self.refusals,
            "send_errors": self.send_errors,
            "late_p99": late[int(0.99 * (len(late) - 1))] if late else None,
            "late_max": late[-1] if late else None,
            "per_phone": [self.counts[p.index] for p in self.phones],
            "unexpected_closes": self.unexpected_closes,
        }


def main(conn: Any, worker_id: int) -> None:
    """Entry point of a worker process."""
    raise_nofile_limit()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(conn, worker_id, VoiceWorker))
