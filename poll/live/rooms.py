"""Which debates are loaded: each is read from the store and its tallies rebuilt on first use.

Loading lazily (instead of every debate at start) lets the archive grow without slowing start-up,
and a debate that `poll new` writes while the server runs is found on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

from ..model import Audience, ProposalStatus
from ..store import Store
from ..text import normalise_code
from . import frames
from .room import Room
from .voices import Voices


class Rooms:
    """The loaded debates, by id and by join code."""

    def __init__(self, store: Store, on_load: Callable[[Room], None]) -> None:
        self.store = store
        self._on_load = on_load  # e.g. resume a countdown that was running before a restart
        self._rooms: dict[str, Room] = {}
        self._codes: dict[str, str] = {}
        self._loading: dict[str, asyncio.Task[Room | None]] = {}

    def loaded(self, debate_id: str) -> Room | None:
        """The room when this debate is loaded already (no I/O), else None."""
        return self._rooms.get(debate_id)

    def __iter__(self) -> Iterator[Room]:
        return iter(tuple(self._rooms.values()))

    async def get(self, debate_id: str) -> Room | None:
        """The room of the debate with this id, loaded on first use; None for no such debate."""
        room = self._rooms.get(debate_id)
        if room is not None:
            return room
        task = self._loading.get(debate_id)
        if task is None:
            # One load per debate however many pages ask at once.
            task = asyncio.create_task(self._load(debate_id))
            self._loading[debate_id] = task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self._loading.pop(debate_id, None)

    async def by_code(self, code: str) -> Room | None:
        """The room of the debate this join code (as typed) belongs to, or None."""
        code = normalise_code(code)
        debate_id = self._codes.get(code)
        if debate_id is None:
            debate = await self.store.debate_by_code(code)
            if debate is None:
                return None
            debate_id = debate.id
        return await self.get(debate_id)

    async def _load(self, debate_id: str) -> Room | None:
        room = await self._read(debate_id)
        if room is None:
            return None  # not remembered: `poll new` may create it later
        self._rooms[debate_id] = room
        self._codes[room.debate.join_code] = debate_id
        # No phone is connected yet: each one gets the reasons list as it is when it connects,
        # and every change after that is sent to all (Ticker._phones_have). So this is what the
        # phones have; without it the first switch sent all of them a list they already showed
        # (a second broadcast to 10,000 phones: docs/performance.md, "the first one").
        listed = frames.reasons(room, Audience.PHONE)
        room.phone_reasons = (listed["statement"], listed["round"], frames.encode(listed))
        self._on_load(room)
        return room

    async def _read(self, debate_id: str) -> Room | None:
        store = self.store
        debate = await store.debate(debate_id)
        if debate is None:
            return None
        return Room(debate, await store.tallies(debate_id),
                    admitted=await store.admitted(debate_id),
                    members=await store.members(debate_id),
                    skipped=await store.skipped(debate_id),
                    pending=await store.proposals(debate_id, ProposalStatus.PENDING),
                    voices=Voices.of(await store.reasons(debate_id),
                                     await store.reason_votes(debate_id),
                                     await store.floor_requests(debate_id),
                                     await store.proposal_votes(debate_id)),
                    peak_saved=debate.peak_connected)

    async def reload(self, room: Room) -> bool:
        """Read the room's debate again from the store into the same `Room` (its connected
        phones and open pages keep it), e.g. after another worker changed it; False when the
        debate is gone."""
        fresh = await self._read(room.id)
        if fresh is None:
            return False
        room.debate, room.tallies = fresh.debate, fresh.tallies
        room.admitted, room.members, room.skipped = fresh.admitted, fresh.members, fresh.skipped
        room.pending, room.voices = fresh.pending, fresh.voices
        room.peak_saved = max(room.peak_saved, fresh.peak_saved)
        room.gap_at = float("-inf")  # recomputed from the votes read
        return True

    async def reload_stage(self, room: Room) -> bool:
        """Read the room's debate (statements, stage, settings, groups) and its voice again, not
        its votes: after a moderator's action on another worker, whose votes reach this one a
        vote at a time (`Peers`). Reading every vote again there took 1.9 s at 100,000 votes
        (docs/scaling.md). False when the debate is gone."""
        debate = await self.store.debate(room.id)
        if debate is None:
            return False
        room.debate = debate
        known = {g.id for g in debate.groups}  # as Hub.set_groups keeps them
        room.members = {p: g for p, g in room.members.items() if g in known}
        await self.reload_voice(room)
        return True

    async def reload_voice(self, room: Room) -> None:
        """Read the room's reasons, +1s, floor and waiting proposals again (cheaper than
        `reload`: no votes), e.g. after +1s on another worker."""
        store, debate_id = self.store, room.id
        pending = await store.proposals(debate_id, ProposalStatus.PENDING)
        room.voices = Voices.of(await store.reasons(debate_id),
                                await store.reason_votes(debate_id),
                                await store.floor_requests(debate_id),
                                await store.proposal_votes(debate_id))
        room.pending = pending
