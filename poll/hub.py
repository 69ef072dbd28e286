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
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import analysis
from .broadcast import PubSub, Watchdog
from .config import Settings
from .i18n import N_
from .memory import FreezePolicy
from .model import (
    MAX_ROUNDS,
    MAX_TIMER,
    Action,
    Choice,
    Debate,
    DebateSettings,
    LiveState,
    Phase,
    Proposal,
    ProposalStatus,
    Statement,
    Tally,
    TallyKey,
    Visibility,
    Vote,
)
from .store import Store, StoreError, normalise_code

log = logging.getLogger("poll.hub")

AUDIENCES = ("phone", "screen", "moderator")
MAX_PENDING_PROPOSALS = 3  # per participant, so one phone cannot flood the queue
PHONE_TALLY_INTERVAL = 1.0  # seconds; live results on 10,000 phones cost more than on one screen
GAP_INTERVAL = 2.0  # seconds between recomputing where groups differ most while votes come in


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
    tallies: dict[TallyKey, Tally]
    phones: Counter[str] = field(default_factory=Counter)  # participant -> open connections
    admitted: set[str] = field(default_factory=set)  # typed the room code (when one is required)
    members: dict[str, int] = field(default_factory=dict)  # participant -> audience group id
    pending: list[Proposal] = field(default_factory=list)  # proposals waiting for the moderator
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one moderator action at a time
    timer: asyncio.Task[None] | None = None  # closes voting when the countdown ends
    peak_saved: int = 0
    phone_tally_at: float = 0.0  # loop time the phones last got a tally frame
    gap: dict[str, int] | None = None  # where groups differ most, as last computed
    gap_at: float = float("-inf")  # loop time it was computed

    def tally(self, statement_id: int | None, round_: int | None = None) -> Tally:
        """The tally of a statement in `round_` (default: the current round for the current
        statement, else the statement's latest round)."""
        scale = self.debate.settings.scale
        if statement_id is None:
            return Tally(scale)
        if round_ is None:
            round_ = self.round_of(statement_id)
        return self.tallies.get((statement_id, round_)) or Tally(scale)

    def round_of(self, statement_id: int) -> int:
        if statement_id == self.debate.live.statement_id:
            return self.debate.live.round
        statement = self.debate.statement(statement_id)
        return statement.rounds if statement is not None else 1

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
        self._phone_dirty: set[str] = set()
        self._background: set[asyncio.Task[None]] = set()
        self.watchdog = Watchdog(settings.send_timeout)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the ticker, the watchdog and the memory policy; resume countdowns that were
        running when the server stopped (so voting closes even if no page reconnects)."""
        for debate_id in await self.store.counting_down():
            await self.get(debate_id)
        self._tasks = [asyncio.create_task(self._tick(), name="poll-hub-ticker"),
                       asyncio.create_task(self.watchdog.run(), name="poll-send-watchdog"),
                       asyncio.create_task(self._tune_memory(), name="poll-gc-policy")]

    async def stop(self) -> None:
        """Let pending peak figures be saved, then stop the ticker, watchdog, policy and every
        countdown (a countdown's end is in the database: it resumes at the next start)."""
        await asyncio.gather(*self._background, return_exceptions=True)
        tasks = [*self._tasks, *(live.timer for live in self._debates.values() if live.timer)]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
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
                          admitted=await self.store.admitted(debate_id),
                          members=await self.store.members(debate_id),
                          pending=await self.store.proposals(debate_id, ProposalStatus.PENDING),
                          peak_saved=debate.peak_connected)
        self._debates[debate_id] = live
        self._codes[debate.join_code] = debate_id
        self._schedule_timer(live)  # a countdown running before a restart goes on (or ends now)
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
        self, live: LiveDebate, participant: str, statement_id: int, choice: Choice, client_id: str,
        round_: int | None = None,
    ) -> int:
        """Store and count a vote in the current round; returns that round, only after the vote
        is committed.

        Raises Refusal when the statement is unknown, not the current one (or `round_` is given
        and not the current round), voting is not open, or the choice is not on the debate's
        scale. A repeated (participant, client_id) is acknowledged again but counted once.
        """
        debate = live.debate
        if choice not in debate.choices:
            raise Refusal("bad_choice", N_("This choice is not offered in this debate."), 400)
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
        current_round = debate.live.round
        if round_ is not None and round_ != current_round:
            raise Refusal("not_current", N_("This voting round is over."))
        vote = Vote(debate.id, statement_id, participant, choice, client_id, round=current_round)
        if await self.store.record_vote(vote):
            key = (statement_id, current_round)
            tally = live.tallies.get(key)
            if tally is None:
                tally = live.tallies[key] = Tally(debate.settings.scale)
            tally.apply(participant, choice)
            self._dirty.add(debate.id)
        return current_round

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
        """This participant's counted choice per statement, in the statement's current round
        (so in a second round a phone that has not voted again shows no choice)."""
        return {
            sid: tally.choices[participant]
            for (sid, round_), tally in live.tallies.items()
            if round_ == live.round_of(sid) and participant in tally.choices
        }

    # -- audience groups and proposals ---------------------------------------------------------

    async def join_group(self, live: LiveDebate, participant: str, group_id: int | None) -> None:
        """Record the group this participant belongs to (None: no group); changeable later."""
        if group_id is not None and live.debate.group(group_id) is None:
            raise Refusal("unknown_group", N_("This group is not part of the debate."), 404)
        await self.store.join_group(live.debate.id, participant, group_id)
        if group_id is None:
            live.members.pop(participant, None)
        else:
            live.members[participant] = group_id
        self._dirty.add(live.debate.id)

    async def propose(self, live: LiveDebate, participant: str, text: str) -> Proposal:
        """Queue an attendee's statement for the moderator (when the debate allows proposals)."""
        if not live.debate.settings.proposals:
            raise Refusal("proposals_closed",
                          N_("The moderator is not taking statements from the audience now."))
        if sum(p.participant == participant for p in live.pending) >= MAX_PENDING_PROPOSALS:
            raise Refusal("too_many_proposals",
                          N_("Your earlier proposals are still waiting for the moderator."), 429)
        if any(p.text.casefold() == text.casefold() for p in live.pending):
            raise Refusal("duplicate_proposal", N_("This statement was proposed already."))
        proposal = await self.store.add_proposal(live.debate.id, participant, text)
        live.pending.append(proposal)
        await self._publish_proposals(live)
        return proposal

    async def decide(self, live: LiveDebate, proposal_id: int, approve: bool,
                     text: str | None = None) -> Statement | None:
        """Approve (optionally as edited `text`) or reject a waiting proposal; an approved one
        becomes the debate's last statement."""
        async with live.lock:
            if not any(p.id == proposal_id for p in live.pending):
                raise Refusal("unknown_proposal",
                              N_("This proposal is not waiting for a decision."), 404)
            try:
                _, statement = await self.store.decide_proposal(
                    live.debate.id, proposal_id, approve, text)
            except StoreError as exc:
                raise Refusal("unknown_proposal", str(exc), 409) from None
            live.pending = [p for p in live.pending if p.id != proposal_id]
            if statement is not None:
                await self._append(live, statement)
            await self._publish_proposals(live)
            return statement

    def proposals_frame(self, live: LiveDebate) -> dict[str, Any]:
        """The `proposals` frame for moderators: every proposal still waiting, oldest first."""
        return {"type": "proposals", "pending": [
            {"id": p.id, "text": p.text, "created_at": p.created_at,
             "group": (g.name if (g := live.debate.group(live.members.get(p.participant)))
                       else None)}
            for p in live.pending]}

    async def _publish_proposals(self, live: LiveDebate) -> None:
        await self.pubsub.publish(channel(live.debate.id, "moderator"),
                                  encode(self.proposals_frame(live)))

    # -- settings ------------------------------------------------------------------------------

    async def configure(self, live: LiveDebate, settings: DebateSettings) -> None:
        """Change the scale, the results' visibility and whether proposals are taken. The scale
        cannot change once anyone has voted (the votes would not fit it). Turning proposals off
        keeps those already made in the queue for the moderator to decide."""
        async with live.lock:
            debate = live.debate
            if settings.scale is not debate.settings.scale and any(
                    t.total for t in live.tallies.values()):
                raise Refusal("scale_locked", N_(
                    "The scale cannot change after votes were cast. Duplicate the debate to "
                    "start afresh with another scale."))
            await self.store.set_settings(debate.id, settings)
            debate.settings = settings
            await self._publish_state(live)

    async def set_groups(self, live: LiveDebate, names: Sequence[str]) -> None:
        """Make the debate's audience groups `names` (in order; renaming keeps members)."""
        async with live.lock:
            groups = await self.store.set_groups(live.debate.id, names)
            live.debate.groups = groups
            known = {g.id for g in groups}
            live.members = {p: g for p, g in live.members.items() if g in known}
            if not groups and live.debate.live.show_groups:
                live.debate.live = replace(live.debate.live, show_groups=False)
                await self.store.save_live(live.debate.id, live.debate.live)
            await self._publish_state(live)

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
        self, live: LiveDebate, action: Action, statement_id: int | None = None, *,
        seconds: int | None = None, reveal: bool = False,
    ) -> LiveState:
        """Apply a moderator action, persist it, and tell every page; returns the new state.
        `seconds` and `reveal` belong to TIMER: count down, then close (and reveal)."""
        async with live.lock:
            return await self._control(live, action, statement_id, seconds, reveal)

    async def _control(self, live: LiveDebate, action: Action, statement_id: int | None,
                       seconds: int | None, reveal: bool) -> LiveState:
        debate = live.debate
        current = debate.live
        new = self._next_state(live, action, statement_id, seconds, reveal)
        if new.statement_id != current.statement_id or new.phase is not Phase.OPEN:
            new = replace(new, timer_ends=None, timer_reveal=False)
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
        if new.round > 1 and (statement := debate.current) is not None \
                and statement.rounds < new.round:
            self._replace_statement(live, replace(statement, rounds=new.round))
        self._schedule_timer(live)
        await self._publish_state(live)
        return new

    def _next_state(self, live: LiveDebate, action: Action, statement_id: int | None,
                    seconds: int | None = None, reveal: bool = False) -> LiveState:
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
            # A statement that was voted on before comes back closed (in its latest round),
            # ready to reopen, reveal or vote on again.
            phase = Phase.CLOSED if live.tally(target.id, target.rounds).total else Phase.WAITING
            return LiveState(target.id, phase, revealed=False, round=target.rounds,
                             show_groups=current.show_groups)
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
            case Action.ROUND2:
                if current.round >= MAX_ROUNDS:
                    raise Refusal("no_round", N_("This statement has had its second round."))
                if not live.tally(current.statement_id, 1).total:
                    raise Refusal("no_round", N_("Nobody has voted in the first round yet."))
                return replace(current, round=current.round + 1, phase=Phase.OPEN,
                               revealed=False)
            case Action.SHOW_GROUPS | Action.HIDE_GROUPS:
                if action is Action.SHOW_GROUPS and not debate.groups:
                    raise Refusal("no_groups", N_("This debate has no audience groups."))
                return replace(current, show_groups=action is Action.SHOW_GROUPS)
            case Action.TIMER:
                if seconds is None or not 5 <= seconds <= MAX_TIMER:
                    raise Refusal("bad_request",
                                  N_("Choose a countdown between 5 seconds and an hour."), 400)
                return replace(current, phase=Phase.OPEN, timer_ends=time.time() + seconds,
                               timer_reveal=reveal)
            case Action.TIMER_STOP:
                return replace(current, timer_ends=None, timer_reveal=False)
        raise Refusal("bad_request", N_("Unknown action."), 400)

    # -- the countdown -------------------------------------------------------------------------

    def _schedule_timer(self, live: LiveDebate) -> None:
        """(Re)start the task that closes voting when the live state's countdown ends."""
        if live.timer is not None and live.timer is not asyncio.current_task():
            live.timer.cancel()
        live.timer = None
        ends = live.debate.live.timer_ends
        if ends is not None:
            live.timer = asyncio.create_task(self._count_down(live, ends),
                                             name=f"poll-timer-{live.debate.id}")

    async def _count_down(self, live: LiveDebate, ends: float) -> None:
        await asyncio.sleep(max(0.0, ends - time.time()))
        async with live.lock:
            state = live.debate.live
            if state.timer_ends != ends:
                return  # stopped or replaced meanwhile
            try:
                await self._control(live, Action.CLOSE, None, None, False)
                if state.timer_reveal:
                    await self._control(live, Action.REVEAL, None, None, False)
            except Exception:  # the countdown must not die silently with voting left open
                log.exception("closing voting at the end of a countdown failed")

    async def add_statement(self, live: LiveDebate, text: str) -> Statement:
        """Append a statement; the first one of an empty debate becomes current."""
        async with live.lock:
            statement = await self.store.add_statement(live.debate.id, text)
            await self._append(live, statement)
            return statement

    async def _append(self, live: LiveDebate, statement: Statement) -> None:
        live.debate.statements.append(statement)
        if live.debate.live.statement_id is None:
            live.debate.live = LiveState(statement.id)
            await self.store.save_live(live.debate.id, live.debate.live)
        await self._publish_state(live)

    async def edit_statement(self, live: LiveDebate, statement_id: int, text: str,
                             notes: str | None = None) -> Statement:
        """Replace a statement's text (and notes, unless None); pages showing it update at once."""
        async with live.lock:
            if live.debate.statement(statement_id) is None:
                raise Refusal("unknown_statement",
                              N_("This statement is not part of the debate."), 404)
            statement = await self.store.edit_statement(live.debate.id, statement_id, text,
                                                        notes)
            self._replace_statement(live, statement)
            await self._publish_state(live)
            return statement

    @staticmethod
    def _replace_statement(live: LiveDebate, statement: Statement) -> None:
        live.debate.statements = [
            statement if s.id == statement.id else s for s in live.debate.statements]

    # -- frames --------------------------------------------------------------------------------

    def state(self, live: LiveDebate, audience: str = "phone") -> dict[str, Any]:
        """The `state` frame (docs/protocol.md) as a dict. Only screens and moderators are told
        the room code itself; phones learn whether one is required."""
        debate = live.debate
        current = debate.current
        state = debate.live
        frame = {
            "type": "state",
            "debate": {"id": debate.id, "title": debate.title, "lang": debate.lang,
                       "join_code": debate.join_code, "scale": debate.settings.scale.value,
                       "choices": [c.value for c in debate.choices],
                       "visibility": debate.settings.visibility.value,
                       "proposals": debate.settings.proposals,
                       "groups": [{"id": g.id, "name": g.name} for g in debate.groups]},
            "statement": None if current is None else {
                "id": current.id, "position": current.position, "text": current.text,
                "rounds": current.rounds, "proposed": current.proposed},
            "count": len(debate.statements),
            "phase": state.phase.value,
            "revealed": state.revealed,
            "round": state.round,
            "show_groups": state.show_groups,
            "timer": None if state.timer_ends is None else {
                "seconds_left": round(max(0.0, state.timer_ends - time.time()), 1),
                "reveal": state.timer_reveal},
            "results": self.results(live, audience)
            if current is not None and self.results_visible(live, audience) else None,
            "room_check": debate.room_code is not None,
        }
        if audience != "phone":
            frame["room_code"] = debate.room_code
        if audience == "moderator":
            frame["statement_notes"] = None if current is None else current.notes
            frame["groups_differ"] = self.groups_differ(live, fresh=True)
        return frame

    @staticmethod
    def groups_differ(live: LiveDebate, fresh: bool = False) -> dict[str, int] | None:
        """Where the audience groups differ most (`{"statement", "points"}`), recomputed at most
        every GAP_INTERVAL seconds unless `fresh`: it walks every vote of the debate."""
        if not live.debate.groups:
            return None
        clock = asyncio.get_running_loop().time()
        if fresh or clock - live.gap_at >= GAP_INTERVAL:
            widest = analysis.widest_gap(live.debate, live.tallies, live.members)
            live.gap = None if widest is None else {"statement": widest.statement.id,
                                                    "points": widest.points}
            live.gap_at = clock
        return live.gap

    @staticmethod
    def results_visible(live: LiveDebate, audience: str) -> bool:
        """Whether this audience may see the current statement's numbers now (the debate's
        visibility setting; a reveal always shows them; moderators always see them). Under
        "voted", phones get the numbers and show them once they have voted."""
        state = live.debate.live
        if audience == "moderator" or state.revealed:
            return True
        match live.debate.settings.visibility:
            case Visibility.LIVE | Visibility.VOTED:
                return True
            case Visibility.CLOSED:
                return state.phase is Phase.CLOSED
        return False

    def results(self, live: LiveDebate, audience: str) -> dict[str, Any]:
        """The current statement's results for this audience: the current round's counts, the
        split by group (moderators always, screens when the moderator shows it), and in a second
        round the first round's result and the swing."""
        debate = live.debate
        state = debate.live
        statement_id = state.statement_id
        tally = live.tally(statement_id)
        out: dict[str, Any] = tally.as_dict()
        out["round"] = state.round
        if debate.groups and (audience == "moderator"
                              or (audience == "screen" and state.show_groups)):
            out["groups"] = [r.as_dict() for r in
                             analysis.split(tally, debate.groups, live.members)]
        if state.round > 1 and statement_id is not None:
            first = live.tally(statement_id, 1)
            out["before"] = first.as_dict()
            change = analysis.swing_of(live.tallies, debate.current) if debate.current else None
            out["swing"] = None if change is None else change.as_dict()
        return out

    def tally(self, live: LiveDebate, audience: str) -> dict[str, Any]:
        """The `tally` frame; numbers only for an audience that may see them now (phones only
        ever get it when the debate shows results live, after voting, or once closed)."""
        statement_id = live.debate.live.statement_id
        frame: dict[str, Any] = {"type": "tally", "statement": statement_id}
        if statement_id is not None and self.results_visible(live, audience):
            frame.update(self.results(live, audience))
        else:
            frame.update(live.tally(statement_id).as_dict())
            frame["round"] = live.debate.live.round
            frame["counts"] = frame["percent"] = None
            frame.pop("mean", None)
        if audience != "phone":
            frame["connected"] = live.connected
        if audience == "moderator" and live.debate.groups:
            frame["groups_differ"] = self.groups_differ(live)
        return frame

    def welcome(self, live: LiveDebate, participant: str) -> dict[str, Any]:
        votes = self.votes_of(live, participant)
        return {"type": "welcome", "participant": participant,
                "votes": {str(sid): choice.value for sid, choice in votes.items()},
                "admitted": self.may_vote(live, participant),
                "group": live.members.get(participant)}

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
        """Send one tally frame per audience for every debate that changed since the last flush
        (to phones at most every PHONE_TALLY_INTERVAL, and only when they may see results)."""
        dirty, self._dirty = self._dirty, set()
        clock = asyncio.get_running_loop().time()
        for debate_id in dirty:
            live = self._debates.get(debate_id)
            if live is None:
                continue
            for audience in ("screen", "moderator"):
                await self.pubsub.publish(
                    channel(debate_id, audience), encode(self.tally(live, audience)),
                    latest_only=True,
                )
            if self.results_visible(live, "phone"):
                self._phone_dirty.add(debate_id)
            if live.connected > live.peak_saved:
                live.peak_saved = live.connected
                self._save_peak(live)
        for debate_id in list(self._phone_dirty):
            live = self._debates.get(debate_id)
            if live is None or clock - live.phone_tally_at >= PHONE_TALLY_INTERVAL:
                self._phone_dirty.discard(debate_id)
                if live is not None:
                    live.phone_tally_at = clock
                    await self.pubsub.publish(channel(debate_id, "phone"),
                                              encode(self.tally(live, "phone")),
                                              latest_only=True)

    async def _store_peak(self, debate_id: str, connected: int) -> None:
        try:
            await self.store.save_peak(debate_id, connected)
        except StoreError:
            log.warning("could not save the peak number of connected phones")

    def _save_peak(self, live: LiveDebate) -> None:
        # Fire and forget: a lost peak figure is not worth delaying the tally broadcast.
        task = asyncio.create_task(self._store_peak(live.debate.id, live.peak_saved))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
