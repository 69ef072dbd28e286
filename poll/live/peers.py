"""The other workers: what changed in this worker's rooms goes to them, what changed in theirs
is applied here, so every worker's copy of a debate's room follows the database.

Only with a shared pub/sub (`--pubsub redis://...`, poll.broadcast.redis); one process alone has
no `Peers` and pays nothing for them. Each worker builds its own pages' frames from its own room,
so what crosses between workers is what changed, not frames:

- votes counted (debate, statement, round, participant, choice): counted into the same tally
  here (counting a vote twice changes nothing: a tally keeps each participant's last choice);
- phones admitted with the room code, and their audience groups;
- "room": the stage, the statements, the settings, keys, anything a moderator did: the debate
  and its voice are read again from the database (`Rooms.reload_stage`; not its votes, which
  come one by one) and every page here gets the new state;
- "voice": reasons, +1s, the floor, proposals: those are read again (`Rooms.reload_voice`).

Changes are gathered for SEND_DELAY and sent as one message, so a burst of votes costs one
Redis publish, not one per vote; a tally counted on another worker reaches the pages here within
SEND_DELAY + the ticker's interval (100 ms) + Redis's hop. When messages may have been lost
(`Relay.run`'s on_missed), every loaded room is read again from the database, votes and all
(`Rooms.reload`): a resync. Votes
counted while a room is being read are counted again once it is read, so the read's older
snapshot cannot undo them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from ..broadcast import Relay
from ..model import Audience, Choice
from . import countdown, frames
from .room import Room

if TYPE_CHECKING:
    from .hub import Hub

log = logging.getLogger("poll.live.peers")

SEND_DELAY = 0.01  # seconds a change waits for others to go in the same message
GONE_AFTER = 3.5  # seconds without a heartbeat after which a worker's phones no longer count

Counted = tuple[int, int, str, Choice]  # statement, round, participant, choice


class Peers:
    """This worker's link to the other workers of the same database (see the module)."""

    def __init__(self, hub: Hub, relay: Relay) -> None:
        self.hub = hub
        self.relay = relay
        relay.beat = self._beat
        self._votes: list[list[Any]] = []  # counted here, not sent yet
        self._admitted: list[list[str]] = []
        self._members: list[list[Any]] = []
        self._changed: dict[str, str] = {}  # debate -> "room" or "voice": to tell the others
        self._due = asyncio.Event()
        self._reload: dict[str, str] = {}  # debate -> "room" or "voice": to read again here
        self._reload_due = asyncio.Event()
        self._replay: dict[str, list[Counted]] = {}  # debates being read: votes counted meanwhile
        self._heard: dict[str, float] = {}  # other worker -> monotonic time of its last heartbeat
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self.relay.run(self._handle, self.resync), name="poll-peers-in"),
            asyncio.create_task(self._send_loop(), name="poll-peers-out"),
            asyncio.create_task(self._reload_loop(), name="poll-peers-reload"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.relay.close()

    # -- what changed here -------------------------------------------------------------------------

    def counted(self, room: Room, statement_id: int, round_: int, participant: str,
                choice: Choice) -> None:
        """A vote was committed and counted here."""
        self._votes.append([room.id, statement_id, round_, participant, choice.value])
        if (replay := self._replay.get(room.id)) is not None:
            replay.append((statement_id, round_, participant, choice))
        self._due.set()

    def admitted(self, room: Room, participant: str) -> None:
        self._admitted.append([room.id, participant])
        self._due.set()

    def member(self, room: Room, participant: str, group_id: int | None) -> None:
        self._members.append([room.id, participant, group_id])
        self._due.set()

    def changed(self, room: Room, what: str = "room") -> None:
        """Something else changed in the store (`what`: "room" for anything, "voice" for
        reasons, +1s, the floor and proposals only): the others read it again."""
        if self._changed.get(room.id) != "room":
            self._changed[room.id] = what
        self._due.set()

    async def _send_loop(self) -> None:
        while True:
            await self._due.wait()
            await asyncio.sleep(SEND_DELAY)
            self._due.clear()
            message: dict[str, Any] = {"kind": "changes"}
            if self._votes:
                message["votes"], self._votes = self._votes, []
            if self._admitted:
                message["admitted"], self._admitted = self._admitted, []
            if self._members:
                message["members"], self._members = self._members, []
            if self._changed:
                message["rooms"], self._changed = self._changed, {}
            await self.relay.send(message)  # on failure the others see the gap and resync

    # -- what changed elsewhere --------------------------------------------------------------------

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        if kind == "heartbeat":
            self._heartbeat(str(message["origin"]), message.get("phones", {}))
            return
        if kind != "changes":
            return
        rooms = self.hub.rooms
        for debate_id, statement_id, round_, participant, choice in message.get("votes", ()):
            room = rooms.loaded(debate_id)
            if room is not None:  # a debate not loaded here is read whole when first used
                self._count(room, (int(statement_id), int(round_), str(participant),
                                   Choice(choice)))
        for debate_id, participant in message.get("admitted", ()):
            if (room := rooms.loaded(debate_id)) is not None:
                room.admitted.add(participant)
        for debate_id, participant, group_id in message.get("members", ()):
            if (room := rooms.loaded(debate_id)) is not None:
                if group_id is None:
                    room.members.pop(participant, None)
                    room.skipped.add(participant)
                else:
                    room.members[participant] = int(group_id)
                    room.skipped.discard(participant)
                self.hub.ticker.changed(room)
        for debate_id, what in message.get("rooms", {}).items():
            if rooms.loaded(debate_id) is not None:
                # a moderator's action: the debate, not its votes (they come one by one)
                self._read_again(debate_id, "stage" if what == "room" else "voice")

    def _count(self, room: Room, vote: Counted) -> None:
        statement_id, round_, participant, choice = vote
        room.count(statement_id, round_, participant, choice)
        if (replay := self._replay.get(room.id)) is not None:
            replay.append(vote)
        self.hub.ticker.changed(room)
        if room.voices.own(statement_id, round_, participant) is not None:
            self.hub.ticker.voice_changed(room)

    async def resync(self) -> None:
        """Messages may have been lost: read every loaded room again from the database."""
        for room in self.hub.rooms:
            self._read_again(room.id, "room")

    def stale(self, room: Room) -> None:
        """This room's copy is behind the database (a vote refused there): read it again."""
        self._read_again(room.id, "room")

    def _read_again(self, debate_id: str, what: str) -> None:
        # "room" (everything, votes too) > "stage" (the debate and its voice) > "voice"
        if _READS.index(what) < _READS.index(self._reload.get(debate_id, "voice")):
            self._reload[debate_id] = what
        else:
            self._reload.setdefault(debate_id, what)
        self._reload_due.set()

    async def _reload_loop(self) -> None:
        while True:
            await self._reload_due.wait()
            self._reload_due.clear()
            due, self._reload = self._reload, {}
            for debate_id, what in due.items():
                room = self.hub.rooms.loaded(debate_id)
                if room is None:
                    continue
                try:
                    if what == "voice":
                        await self._reload_voice(room)
                    else:
                        await self._reload_room(room, votes=what == "room")
                except Exception:  # the store is away: try again with the next change
                    log.exception("reading debate %s again failed", debate_id)

    async def _reload_room(self, room: Room, votes: bool) -> None:
        hub = self.hub
        async with room.lock:  # not while an action of this worker's moderator is under way
            self._replay[room.id] = []
            try:
                read = hub.rooms.reload(room) if votes else hub.rooms.reload_stage(room)
                if not await read:
                    return
                for vote in self._replay[room.id]:  # counted while it was read: again
                    statement_id, round_, participant, choice = vote
                    room.count(statement_id, round_, participant, choice)
            finally:
                del self._replay[room.id]
            countdown.schedule(room, hub.time_up)
            await hub.publish_state(room, tell_peers=False)
            await hub.pubsub.publish(frames.channel(room.id, Audience.MODERATOR),
                                     frames.encode(frames.proposals(room)))

    async def _reload_voice(self, room: Room) -> None:
        hub = self.hub
        await hub.rooms.reload_voice(room)
        hub.ticker.voice_changed(room)
        for audience in Audience:
            await hub.pubsub.publish(frames.channel(room.id, audience),
                                     frames.encode(frames.floor(room, audience)))
        await hub.pubsub.publish(frames.channel(room.id, Audience.MODERATOR),
                                 frames.encode(frames.proposals(room)))

    # -- phones connected to the others ------------------------------------------------------------

    def _beat(self) -> dict[str, Any]:
        self._forget_silent()
        return {"phones": {room.id: len(room.phones) for room in self.hub.rooms if room.phones}}

    def _heartbeat(self, origin: str, phones: dict[str, int]) -> None:
        self._heard[origin] = time.monotonic()
        for room in self.hub.rooms:
            count = int(phones.get(room.id, 0))
            if room.elsewhere.get(origin, 0) != count:
                if count:
                    room.elsewhere[origin] = count
                else:
                    room.elsewhere.pop(origin, None)
                self.hub.ticker.changed(room)

    def _forget_silent(self) -> None:
        """A worker not heard for GONE_AFTER seconds has stopped: its phones are gone too (they
        reconnect to another worker), and every room is read again from the database: a worker
        killed between a COMMIT and its next message took votes with it that it had stored (and
        perhaps acknowledged) but never told; a phone resending one gets a repeat here, which
        counts nothing, so only the database has it."""
        now = time.monotonic()
        gone = [o for o, at in self._heard.items() if now - at > GONE_AFTER]
        for origin in gone:
            del self._heard[origin]
            log.warning("worker %s silent for %.1f s: gone; reading every room again",
                        origin, GONE_AFTER)
            for room in self.hub.rooms:
                if room.elsewhere.pop(origin, None) is not None:
                    self.hub.ticker.changed(room)
        for room in self.hub.rooms if gone else ():
            self._read_again(room.id, "room")


_READS = ("room", "stage", "voice")  # what to read again, the most first
