"""The hub's actions for the room's voice: reasons (give, edit, remove, +1), the moderator's
hand on them (hide, approve, spotlight), the floor (ask, withdraw, call the next of a side) and
+1s on waiting proposals.

Every change is checked by `voice_rules`, stored, applied to the room's `Voices`, and then told:
reason lists through the ticker (coalesced), the floor and proposals at once (they change
rarely), the spotlight as part of the stage.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING

from ..i18n import N_
from ..model import Audience, FloorRequest, FloorStatus, Reason
from ..text import clean
from . import frames, voice_rules
from .refusals import Refusal, Why
from .room import Room

if TYPE_CHECKING:  # the hub owns this desk; the desk calls back into it
    from .hub import Hub


class VoiceDesk:
    """The room's voice, for the rooms of one hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    # -- reasons -----------------------------------------------------------------------------------

    async def give_reason(self, room: Room, participant: str, statement_id: int,
                          text: str) -> Reason:
        """Store this phone's reason on the statement on stage (a new one, or its earlier one
        edited). A reason with a held word waits for the moderator."""
        text = clean(text)
        round_ = voice_rules.check_reason(room, participant, statement_id, text)
        held = voice_rules.held(room.debate, text)
        reason = await self.hub.store.save_reason(room.id, statement_id, round_, participant,
                                                  text, held)
        room.voices.keep(reason)
        self._changed(room)
        return reason

    async def remove_reason(self, room: Room, participant: str, reason_id: int) -> None:
        """Its author takes a reason back (and its +1s go with it)."""
        voice_rules.check_own(room, participant, reason_id)
        await self.hub.store.remove_reason(room.id, reason_id)
        room.voices.forget(reason_id)
        await self._unspotlight(room, reason_id)
        self._changed(room)

    async def plus_one(self, room: Room, participant: str, reason_id: int, on: bool) -> None:
        """Give (or take back) this phone's +1 on a reason the room sees."""
        if on:
            voice_rules.check_plus_one(room, participant, reason_id)
        elif reason_id not in room.voices.reasons:
            raise Refusal(Why.UNKNOWN_REASON, N_("This reason cannot be seen now."))
        await self.hub.store.plus_one(reason_id, participant, on)
        room.voices.plus_one(reason_id, participant, on)
        self._changed(room)

    async def moderate(self, room: Room, reason_id: int, action: str) -> None:
        """The moderator's hand on a reason: `hide` (it leaves every phone and the projector and
        stays in the archive marked hidden), `show` (back again), `approve` (a held reason goes to
        the room)."""
        reason = room.voices.reasons.get(reason_id)
        if reason is None:
            raise Refusal(Why.UNKNOWN_REASON, N_("This reason is not part of the debate."))
        match action:
            case "hide":
                hidden, held = True, reason.held
            case "show":
                hidden, held = False, reason.held
            case "approve":
                hidden, held = reason.hidden, False
            case _:
                raise Refusal(Why.BAD_REQUEST, N_("Hide, show or approve the reason."))
        await self.hub.store.mark_reason(room.id, reason_id, hidden=hidden, held=held)
        room.voices.mark(reason_id, hidden=hidden, held=held)
        if hidden:
            await self._unspotlight(room, reason_id)
        self._changed(room)

    async def spotlight(self, room: Room, reason_id: int | None) -> None:
        """Put one reason of the statement on stage on the projector (None: take it off)."""
        async with room.lock:
            stage = room.debate.stage
            if reason_id is not None:
                reason = room.voices.reasons.get(reason_id)
                if reason is None or reason.hidden or reason.statement_id != stage.statement_id \
                        or reason.round != stage.round:
                    raise Refusal(Why.UNKNOWN_REASON,
                                  N_("Only a reason on the statement on stage can be shown."))
            await self.hub.set_stage(room, replace(stage, spotlight=reason_id))

    async def _unspotlight(self, room: Room, reason_id: int) -> None:
        if room.debate.stage.spotlight == reason_id:
            await self.spotlight(room, None)

    # -- the floor ---------------------------------------------------------------------------------

    async def ask_floor(self, room: Room, participant: str, name: str) -> FloorRequest:
        """Put this phone on the floor's list for the statement on stage, with its vote there as
        its stance and an optional first name."""
        statement_id = voice_rules.check_floor(room, participant)
        stance = room.tally(statement_id).choices.get(participant)
        request = await self.hub.store.ask_floor(room.id, statement_id, participant,
                                                 clean(name), stance, secrets.token_urlsafe(9))
        room.voices.floor.append(request)
        await self._publish_floor(room)
        return request

    async def withdraw(self, room: Room, participant: str) -> None:
        """Take this phone off the floor's list (or give the floor back)."""
        statement_id = room.debate.stage.statement_id
        request = None if statement_id is None else room.voices.request_of(statement_id,
                                                                            participant)
        if request is None:
            return
        await self.hub.store.set_floor_status(room.id, [request.id], FloorStatus.WITHDRAWN)
        room.voices.set_status({request.id}, FloorStatus.WITHDRAWN)
        await self._publish_floor(room)

    async def call_next(self, room: Room, side: str) -> FloorRequest:
        """Give the floor to the longest-waiting phone of a side ("agree", "disagree",
        "neutral" or "any"); whoever had it is done."""
        async with room.lock:
            request = voice_rules.next_speaker(room, side)
            statement_id = room.debate.stage.statement_id
            speaking = None if statement_id is None else room.voices.called(statement_id)
            if speaking is not None:
                await self.hub.store.set_floor_status(room.id, [speaking.id],
                                                      FloorStatus.WITHDRAWN)
                room.voices.set_status({speaking.id}, FloorStatus.WITHDRAWN)
            await self.hub.store.set_floor_status(room.id, [request.id], FloorStatus.CALLED)
            room.voices.set_status({request.id}, FloorStatus.CALLED)
            await self._publish_floor(room)
            return request

    async def _publish_floor(self, room: Room) -> None:
        for audience in Audience:
            await self.hub.pubsub.publish(frames.channel(room.id, audience),
                                          frames.encode(frames.floor(room, audience)))
        if self.hub.peers is not None:
            self.hub.peers.changed(room, "voice")

    def _changed(self, room: Room) -> None:
        """Reasons or +1s changed: the lists go out at each audience's pace, and the other
        workers (if any) read them again."""
        self.hub.ticker.voice_changed(room)
        if self.hub.peers is not None:
            self.hub.peers.changed(room, "voice")

    # -- ideas ranked by the room ------------------------------------------------------------------

    async def plus_proposal(self, room: Room, participant: str, proposal_id: int,
                            on: bool) -> None:
        """Give (or take back) this phone's +1 on a proposal waiting for the moderator."""
        voice_rules.check_proposal_plus(room, participant, proposal_id)
        await self.hub.store.vote_proposal(proposal_id, participant, on)
        who = room.voices.proposal_plus.setdefault(proposal_id, set())
        if on:
            who.add(participant)
        else:
            who.discard(participant)
        self._changed(room)
