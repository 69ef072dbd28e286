"""Live state per debate: votes in, moderator actions in, frames out.

The hub is the only place that decides whether a vote or an action is allowed. Tallies live in
memory, built from committed votes only (DESIGN invariant 3), and go out to screens and moderators
from a ticker at most every `tally_interval` seconds, one encoded frame per audience per debate
(invariant 5), so the cost follows the update rate, not the vote rate.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from .broadcast import PubSub, Watchdog
from .config import Settings
from .i18n import N_
from .memory import FreezePolicy
from .model import Action, Choice, Debate, LiveState, Phase, Statement, Tally, Vote
from .store import Store, normalise_code

log = logging.getLogger("poll.hub")

AUDIENCES = ("phone", "screen", "moderator")


class Refusal(Exception):
    """A request the debate's rules do not allow; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(slots=True)
class LiveDebate:
    """A loaded debate: its statements and live state, tallies, and who is connected."""

    debate: Debate
    tallies: dict[int, Tally]
    phones: Counter[str] = field(default_factory=Counter)  # participant -> open connections
    admitted: set[str] = field(default_factory=set)  # typed the room code (when one is required)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one moderator action at a time

    def tally(self, statement_id: int | None) -> Tally:
        if statement_id is None:
            return Tally()
        return self.tallies.get(statement_id) or Tally()

    @property
    def connected(self) -> int:
        return len(self.phones)


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def channel(debate_id: str, audience: str) -> str:
    return f"{debate_id}:{audience}"


class Hub:
    """Owns every loaded debate's live state; views and sockets go through it."""

    def __init__(self, store: Store, pubsub: PubSub, settings: Settings) -> None:
        self.store = store
        self.pubsub = pubsub
        self.settings = settings
        self._debates: dict[str, LiveDebate] = {}
        self._codes: dict[str, str] = {}
        self._loading: dict[str, asyncio.Task[LiveDebate | None]] = {}
        self._dirty: set[str] = set()
        self.watchdog = Watchdog(settings.send_timeout)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._tick(), name="poll-hub-ticker"),
                       asyncio.create_task(self.watchdog.run(), name="poll-send-watchdog"),
                       asyncio.create_task(self._tune_memory(), name="poll-gc-policy")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    # -- loading -------------------------------------------------------------------------------

    async def get(self, debate_id: str) -> LiveDebate | None:
        """The live debate with this id, loaded (and its tallies rebuilt) on first use."""
        live = self._debates.get(debate_id)
        if live is not None:
            return live
        task = self._loading.get(debate_id)
        if task is None:
            task = asyncio.create_task(self._load(debate_id))
            self._loading[debate_id] = task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self._loading.pop(debate_id, None)

    async def _load(self, debate_id: str) -> LiveDebate | None:
        debate = await self.store.debate(debate_id)
        if debate is None:
            return None  # not cached: `poll new` may create it later
        live = LiveDebate(debate, await self.store.tallies(debate_id),
                          admitted=await self.store.admitted(debate_id))
        self._debates[debate_id] = live
        self._codes[debate.join_code] = debate_id
        return live

    async def by_code(self, code: str) -> LiveDebate | None:
        """The live debate a join code belongs to, or None."""
        code = normalise_code(code)
        debate_id = self._codes.get(code)
        if debate_id is None:
            debate = await self.store.debate_by_code(code)
            if debate is None:
                return None
            debate_id = debate.id
        return await self.get(debate_id)

    # -- votes ---------------------------------------------------------------------------------

    async def vote(
        self, live: LiveDebate, participant: str, statement_id: int, choice: Choice, client_id: str
    ) -> Choice:
        """Store and count a vote; returns only after it is committed.

        Raises Refusal when the statement is unknown, not the current one, or voting is not open.
        A repeated (participant, client_id) is acknowledged again but counted once.
        """
        debate = live.debate
        if not self.may_vote(live, participant):
            raise Refusal("not_admitted", N_("Type the room code shown on the screen first."),
                          403)
        if debate.statement(statement_id) is None:
            raise Refusal("unknown_statement", N_("This statement is not part of the debate."), 404)
        if debate.live.statement_id != statement_id:
            raise Refusal("not_current", N_("This statement is no longer being voted on."))
        if debate.live.phase is Phase.WAITING:
            raise Refusal("voting_closed", N_("Voting has not opened yet."))
        if debate.live.phase is Phase.CLOSED:
            raise Refusal("voting_closed", N_("Voting is closed."))
        vote = Vote(debate.id, statement_id, participant, choice, client_id)
        if await self.store.record_vote(vote):
            tally = live.tallies.get(statement_id)
            if tally is None:
                tally = live.tallies[statement_id] = Tally()
            tally.apply(participant, choice)
            self._dirty.add(debate.id)
        return choice

    # -- the room code ---------------------------------------------------------------------------

    def may_vote(self, live: LiveDebate, participant: str) -> bool:
        """False only when the debate asks for the room code and this phone has not typed it."""
        return live.debate.room_code is None or participant in live.admitted

    async def admit(self, live: LiveDebate, participant: str, code: str) -> bool:
        """Let this phone vote when `code` is the room code (any case, spaces ignored)."""
        expected = live.debate.room_code
        if expected is None or participant in live.admitted:
            return True
        if not hmac.compare_digest(code.strip().replace(" ", "").upper(), expected):
            return False
        await self.store.admit(live.debate.id, participant)
        live.admitted.add(participant)
        return True

    async def require_room_code(self, live: LiveDebate, required: bool) -> str | None:
        """Turn the room code check on (with a new code) or off; every page hears of it."""
        async with live.lock:
            code = "".join(secrets.choice("0123456789") for _ in range(4)) if required else None
            await self.store.set_room_code(live.debate.id, code)
            live.debate.room_code = code
            await self._publish_state(live)
            return code

    def votes_of(self, live: LiveDebate, participant: str) -> dict[int, Choice]:
        """This participant's counted choice per statement."""
        return {
            sid: tally.choices[participant]
            for sid, tally in live.tallies.items()
            if participant in tally.choices
        }

    # -- presence ------------------------------------------------------------------------------

    def phone_joined(self, live: LiveDebate, participant: str) -> None:
        live.phones[participant] += 1
        self._dirty.add(live.debate.id)

    def phone_left(self, live: LiveDebate, participant: str) -> None:
        live.phones[participant] -= 1
        if live.phones[participant] <= 0:
            del live.phones[participant]
        self._dirty.add(live.debate.id)

    # -- moderator actions ---------------------------------------------------------------------

    async def control(
        self, live: LiveDebate, action: Action, statement_id: int | None = None
    ) -> LiveState:
        """Apply a moderator action, persist it, and tell every page; returns the new state."""
        async with live.lock:
            debate = live.debate
            current = debate.live
            new = self._next_state(live, action, statement_id)
            if new == current:
                return current
            # Set in memory before the commit: a vote checked after this point sees the new phase,
            # and any vote accepted before it is queued ahead of this write (one FIFO writer).
            debate.live = new
            try:
                await self.store.save_live(debate.id, new)
            except BaseException:
                debate.live = current
                raise
            await self._publish_state(live)
            return new

    def _next_state(self, live: LiveDebate, action: Action, statement_id: int | None) -> LiveState:
        debate = live.debate
        current = debate.live
        if action in (Action.NEXT, Action.PREV, Action.GOTO):
            if action is Action.GOTO:
                if statement_id is None:
                    raise Refusal("bad_request", N_("Choose a statement to go to."), 400)
                target = debate.statement(statement_id)
                if target is None:
                    raise Refusal("unknown_statement",
                                  N_("This statement is not part of the debate."), 404)
            else:
                target = debate.neighbour(1 if action is Action.NEXT else -1)
                if target is None:
                    raise Refusal("no_statement", N_("There is no next statement.")
                                  if action is Action.NEXT
                                  else N_("There is no previous statement."))
            if target.id == current.statement_id:
                return current
            # A statement that was voted on before comes back closed, ready to reopen or reveal.
            phase = Phase.CLOSED if live.tally(target.id).total else Phase.WAITING
            return LiveState(target.id, phase, revealed=False)
        if current.statement_id is None:
            raise Refusal("no_statement", N_("This debate has no statements yet."))
        if action is Action.TOGGLE:
            action = Action.CLOSE if current.phase is Phase.OPEN else Action.OPEN
        match action:
            case Action.OPEN:
                return replace(current, phase=Phase.OPEN)
            case Action.CLOSE:
                return replace(current, phase=Phase.CLOSED)
            case Action.REVEAL:
                return replace(current, revealed=True)
            case Action.HIDE:
                return replace(current, revealed=False)
        raise Refusal("bad_request", N_("Unknown action."), 400)

    async def add_statement(self, live: LiveDebate, text: str) -> Statement:
        """Append a statement; the first one of an empty debate becomes current."""
        async with live.lock:
            statement = await self.store.add_statement(live.debate.id, text)
            live.debate.statements.append(statement)
            if live.debate.live.statement_id is None:
                live.debate.live = LiveState(statement.id)
                await self.store.save_live(live.debate.id, live.debate.live)
            await self._publish_state(live)
            return statement

    async def edit_statement(self, live: LiveDebate, statement_id: int, text: str) -> Statement:
        """Replace a statement's text; pages showing it update at once."""
        async with live.lock:
            if live.debate.statement(statement_id) is None:
                raise Refusal("unknown_statement",
                              N_("This statement is not part of the debate."), 404)
            statement = await self.store.edit_statement(live.debate.id, statement_id, text)
            live.debate.statements = [
                statement if s.id == statement_id else s for s in live.debate.statements
            ]
            await self._publish_state(live)
            return statement

    # -- frames --------------------------------------------------------------------------------

    def state(self, live: LiveDebate, audience: str = "phone") -> dict[str, Any]:
        """The `state` frame (docs/protocol.md) as a dict. Only screens and moderators are told
        the room code itself; phones learn whether one is required."""
        debate = live.debate
        current = debate.current
        frame = {
            "type": "state",
            "debate": {"id": debate.id, "title": debate.title, "lang": debate.lang,
                       "join_code": debate.join_code},
            "statement": None if current is None else {
                "id": current.id, "position": current.position, "text": current.text},
            "count": len(debate.statements),
            "phase": debate.live.phase.value,
            "revealed": debate.live.revealed,
            "results": live.tally(current.id).as_dict()
            if current is not None and debate.live.revealed else None,
            "room_check": debate.room_code is not None,
        }
        if audience != "phone":
            frame["room_code"] = debate.room_code
        return frame

    def tally(self, live: LiveDebate, audience: str) -> dict[str, Any]:
        """The `tally` frame for screens or moderators; screens see numbers only once revealed."""
        statement_id = live.debate.live.statement_id
        frame: dict[str, Any] = {"type": "tally", "statement": statement_id}
        frame.update(live.tally(statement_id).as_dict())
        if audience == "screen" and not live.debate.live.revealed:
            frame["counts"] = frame["percent"] = None
        frame["connected"] = live.connected
        return frame

    def welcome(self, live: LiveDebate, participant: str) -> dict[str, Any]:
        votes = self.votes_of(live, participant)
        return {"type": "welcome", "participant": participant,
                "votes": {str(sid): choice.value for sid, choice in votes.items()},
                "admitted": self.may_vote(live, participant)}

    async def _publish_state(self, live: LiveDebate) -> None:
        # One encoding per audience, not per client (invariant 5).
        for audience in AUDIENCES:
            await self.pubsub.publish(channel(live.debate.id, audience),
                                      encode(self.state(live, audience)))
        self._dirty.add(live.debate.id)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tally_interval)
            try:
                await self.flush()
            except Exception:  # a bug here must not stop every future update
                log.exception("tally broadcast failed")

    async def _tune_memory(self) -> None:
        policy = FreezePolicy()
        while True:
            await asyncio.sleep(2)
            if (done := policy.update(len(self.watchdog))) is not None:
                log.info("gc %s at %d connections", done, len(self.watchdog))

    async def flush(self) -> None:
        """Send one tally frame per audience for every debate that changed since the last flush."""
        dirty, self._dirty = self._dirty, set()
        for debate_id in dirty:
            live = self._debates.get(debate_id)
            if live is None:
                continue
            for audience in ("screen", "moderator"):
                await self.pubsub.publish(
                    channel(debate_id, audience), encode(self.tally(live, audience)),
                    latest_only=True,
                )
