"""The hub: every change to a running debate goes through here, and every page hears of it.

A vote, a moderator's action, a proposal or a group pick is checked by the debate's rules
(`rules`), stored (`poll.store`), applied to the room in memory (`room`), and published as frames
(`frames`) to the debate's channels. Tallies are built from committed votes only, so they can
always be rebuilt from the archive; they go out through the `ticker`, not once per vote.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Sequence
from dataclasses import replace

from ..broadcast import PubSub, Relay
from ..config import Settings
from ..i18n import N_
from ..model import (
    Action,
    Audience,
    Choice,
    DebateSettings,
    Phase,
    Stage,
    Statement,
    Vote,
)
from ..store import Store, VotingClosed
from . import countdown, frames, rules
from .access import Access
from .peers import Peers
from .proposals import ProposalDesk
from .refusals import Refusal, Why
from .room import Room
from .rooms import Rooms
from .ticker import Ticker
from .voice import VoiceDesk


class Hub:
    """Owns every loaded debate's room; views and sockets change debates only through it."""

    def __init__(self, store: Store, pubsub: PubSub, settings: Settings) -> None:
        self.store = store
        self.pubsub = pubsub
        self.settings = settings
        self.rooms = Rooms(store, on_load=self._resume)
        self.ticker = Ticker(self.rooms, pubsub, store, settings.tally_interval)
        # The other workers of the same database, when the pub/sub reaches them (Redis); None
        # in one process, which then does no work for them at all.
        self.peers = Peers(self, pubsub) if isinstance(pubsub, Relay) else None
        # admissions, keys, the report's publication
        self.access = Access(store, pubsub, self.peers)
        self.voice = VoiceDesk(self)  # reasons, +1s, the floor
        self.proposals = ProposalDesk(self)  # statements proposed by the audience
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the ticker; resume countdowns that were running when the server stopped (so
        voting closes even if no page reconnects)."""
        for debate_id in await self.store.counting_down():
            await self.rooms.get(debate_id)
        if self.peers is not None:
            await self.peers.start()
        self._task = asyncio.create_task(self.ticker.run(), name="poll-hub-ticker")

    async def stop(self) -> None:
        """Let pending peak figures be saved, then stop the ticker and every countdown (a
        countdown's end is in the database: it resumes at the next start)."""
        await self.ticker.finish()
        tasks = [t for t in (self._task, *(room.timer for room in self.rooms)) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None
        if self.peers is not None:
            await self.peers.stop()

    async def get(self, debate_id: str) -> Room | None:
        """The room of the debate with this id (loaded on first use), or None."""
        return await self.rooms.get(debate_id)

    async def by_code(self, code: str) -> Room | None:
        """The room of the debate this join code belongs to, or None."""
        return await self.rooms.by_code(code)

    # -- the room --------------------------------------------------------------------------------

    async def vote(self, room: Room, participant: str, statement_id: int, choice: Choice,
                   client_id: str, round_: int | None = None) -> int:
        """Store and count a vote in the current round; returns that round, only after the vote
        is committed. A Refusal when the rules say no (rules.check_vote). A repeated
        (participant, client_id) is acknowledged again but counted once. With other workers,
        the database checks the stage too, in the vote's own transaction: a close committed by
        any worker refuses every later vote, whatever this worker's room says yet."""
        counted_in = rules.check_vote(room, participant, statement_id, choice, round_)
        vote = Vote(room.id, statement_id, participant, choice, client_id, round=counted_in)
        peers = self.peers
        if peers is None:
            recorded = await self.store.record_vote(vote)
        else:
            try:
                recorded = await self.store.record_vote(vote, while_open=True)
            except VotingClosed:
                peers.stale(room)  # the close is on its way from the other worker
                raise Refusal(Why.VOTING_CLOSED, N_("Voting is closed.")) from None
            if recorded:
                peers.counted(room, statement_id, counted_in, participant, choice)
        if recorded:
            room.count(statement_id, counted_in, participant, choice)
            self.ticker.changed(room)
            if room.voices.own(statement_id, counted_in, participant) is not None:
                self.ticker.voice_changed(room)  # the voter's reason moves to its new side
        return counted_in

    async def require_room_code(self, room: Room, required: bool) -> str | None:
        """Turn the room code check on (with a new code) or off; every page hears of it."""
        async with room.lock:
            code = "".join(secrets.choice("0123456789") for _ in range(4)) if required else None
            await self.store.set_room_code(room.id, code)
            room.debate.room_code = code
            await self.publish_state(room)
            return code

    async def join_group(self, room: Room, participant: str, group_id: int | None) -> None:
        """Record the group this participant belongs to (None: no group); changeable later."""
        if group_id is not None and room.debate.group(group_id) is None:
            raise Refusal(Why.UNKNOWN_GROUP, N_("This group is not part of the debate."))
        await self.store.join_group(room.id, participant, group_id)
        if group_id is None:  # answered: no group (the phone is not asked again)
            room.members.pop(participant, None)
            room.skipped.add(participant)
        else:
            room.members[participant] = group_id
            room.skipped.discard(participant)
        if self.peers is not None:
            self.peers.member(room, participant, group_id)
        self.ticker.changed(room)

    def phone_joined(self, room: Room, participant: str) -> None:
        room.phones[participant] += 1
        self.ticker.changed(room)

    def phone_left(self, room: Room, participant: str) -> None:
        room.phones[participant] -= 1
        if room.phones[participant] <= 0:
            del room.phones[participant]
        self.ticker.changed(room)

    # -- the moderator -----------------------------------------------------------------------------

    async def control(self, room: Room, action: Action, statement_id: int | None = None, *,
                      seconds: int | None = None, reveal: bool = False) -> Stage:
        """Apply a moderator action (rules.next_stage), persist it, and tell every page; returns
        the new stage. `seconds` and `reveal` belong to TIMER: count down, then close (and
        reveal)."""
        async with room.lock:
            return await self._control(room, action, statement_id, seconds, reveal)

    async def _control(self, room: Room, action: Action, statement_id: int | None,
                       seconds: int | None, reveal: bool) -> Stage:
        new = rules.next_stage(room, action, statement_id, seconds=seconds, reveal=reveal,
                               now=time.time())
        return await self.set_stage(room, new)

    async def set_stage(self, room: Room, new: Stage) -> Stage:
        """Put the debate on this stage (the caller holds the room's lock): in memory, in the
        store, and on every page; returns it."""
        debate = room.debate
        current = debate.stage
        if new == current:
            return current
        # Set in memory before the commit: a vote checked after this point sees the new phase,
        # and any vote accepted before it is queued ahead of this write (one FIFO writer).
        debate.stage = new
        try:
            await self.store.save_stage(debate.id, new)
        except BaseException:
            debate.stage = current
            raise
        statement = debate.current
        if statement is not None and (statement.rounds < new.round or (
                new.revealed and statement.revealed_round < new.round)):
            # as the store keeps them: the rounds voted on, and how far results were revealed
            _replace_statement(room, replace(
                statement, rounds=max(statement.rounds, new.round),
                revealed_round=max(statement.revealed_round,
                                   new.round if new.revealed else 0)))
        countdown.schedule(room, self.time_up)
        await self.publish_state(room)
        return new

    def _resume(self, room: Room) -> None:
        # A countdown running before a restart goes on (or ends now); the votes read with the
        # room are news to the opinion maps, which compute its map without waiting for a vote.
        countdown.schedule(room, self.time_up)
        self.ticker.news.set()

    async def time_up(self, room: Room, ends: float) -> None:
        """The countdown to `ends` is over: close voting (and reveal, if it said so)."""
        async with room.lock:
            stage = room.debate.stage
            if stage.timer_ends != ends:
                return  # stopped or replaced meanwhile
            if self.peers is not None:
                # Every worker counts down; the first one closes. The others find the stage
                # moved on in the database and read it (a close on a stale copy could undo what
                # a moderator did meanwhile on another worker).
                stored = await self.store.debate(room.id)
                if stored is None or stored.stage.timer_ends != ends:
                    self.peers.stale(room)
                    return
            await self._control(room, Action.CLOSE, None, None, False)
            if stage.timer_reveal:
                await self._control(room, Action.REVEAL, None, None, False)

    async def configure(self, room: Room, settings: DebateSettings) -> None:
        """Change the scale, the results' visibility and whether proposals are taken. The scale
        cannot change once anyone has voted. Turning proposals off keeps those already made in
        the queue for the moderator to decide."""
        async with room.lock:
            rules.check_settings(room, settings)
            await self.store.set_settings(room.id, settings)
            room.debate.settings = settings
            await self.publish_state(room)

    async def set_groups(self, room: Room, names: Sequence[str]) -> None:
        """Make the debate's audience groups `names` (in order; renaming keeps members)."""
        async with room.lock:
            groups = await self.store.set_groups(room.id, names)
            room.debate.groups = groups
            known = {g.id for g in groups}
            room.members = {p: g for p, g in room.members.items() if g in known}
            if not groups and room.debate.stage.show_groups:
                room.debate.stage = replace(room.debate.stage, show_groups=False)
                await self.store.save_stage(room.id, room.debate.stage)
            await self.publish_state(room)

    async def add_statement(self, room: Room, text: str, translation: str = "") -> Statement:
        """Append a statement; the first one of an empty debate goes on stage."""
        async with room.lock:
            statement = await self.store.add_statement(room.id, text, translation)
            await self.append(room, statement)
            return statement

    async def edit_statement(self, room: Room, statement_id: int, text: str,
                             notes: str | None = None,
                             translation: str | None = None) -> Statement:
        """Replace a statement's text (and notes and translation, each unless None); pages
        showing it update at once."""
        async with room.lock:
            if room.debate.statement(statement_id) is None:
                raise Refusal(Why.UNKNOWN_STATEMENT,
                              N_("This statement is not part of the debate."))
            statement = await self.store.edit_statement(room.id, statement_id, text, notes,
                                                        translation)
            _replace_statement(room, statement)
            await self.publish_state(room)
            return statement

    async def append(self, room: Room, statement: Statement) -> None:
        """Add a statement at the end of the debate (it goes on stage if none is)."""
        room.debate.statements.append(statement)
        if room.debate.stage.statement_id is None:
            room.debate.stage = Stage(statement.id, Phase.WAITING)
            await self.store.save_stage(room.id, room.debate.stage)
        await self.publish_state(room)

    # -- telling the pages -----------------------------------------------------------------------

    async def publish_state(self, room: Room, *, tell_peers: bool = True) -> None:
        """Send every page of this worker the room's state (and tell the other workers to read
        the room again, unless `tell_peers` is False: they told us)."""
        # One encoding per audience, not per client: thousands of phones share one string.
        room.voice_frames.clear()  # the statement, round or visibility may have changed
        for audience in Audience:
            where = frames.channel(room.id, audience)
            await self.pubsub.publish(where, frames.encode(frames.state(room, audience)))
            if audience is Audience.SCREEN and room.debate.stage.show_map:
                await self.pubsub.publish(where, frames.screen_map_text(room))
            if (floor := _floor_at_stage(room, audience)) is not None:  # the voice's view too
                await self.pubsub.publish(where, floor)
        self.ticker.changed(room)
        self.ticker.voice_changed(room)
        if tell_peers and self.peers is not None:
            self.peers.changed(room)


def _replace_statement(room: Room, statement: Statement) -> None:
    room.debate.statements = [
        statement if s.id == statement.id else s for s in room.debate.statements]


def _floor_at_stage(room: Room, audience: Audience) -> str | None:
    """The `floor` frame an audience gets when the stage changed (the statement, round or
    visibility may have), encoded; None for phones when nobody has the floor on the statement
    on stage: a phone reads only who is called and forgets that on a new statement
    (static/js/floor.js, `atStage`), so thousands of such frames at every switch change
    nothing."""
    floor = frames.floor(room, audience)
    if audience is Audience.PHONE and floor["called"] is None:
        return None
    return frames.encode(floor)
