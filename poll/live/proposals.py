"""Statements proposed by the audience: an attendee's proposal joins the moderator's queue, the
moderator approves it (as proposed or edited: it becomes the debate's last statement) or
rejects it. Every change goes to the moderators at once; phones see the queue (when the debate
shows it to them) at their pace, through the ticker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import N_
from ..model import Audience, Proposal, Statement
from ..store import StoreError
from . import frames, rules
from .refusals import Refusal, Why
from .room import Room

if TYPE_CHECKING:  # the hub owns this desk; the desk calls back into it
    from .hub import Hub


class ProposalDesk:
    """The audience's proposals, for the rooms of one hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def propose(self, room: Room, participant: str, text: str) -> Proposal:
        """Queue an attendee's statement for the moderator (when the debate allows proposals)."""
        rules.check_proposal(room, participant, text)
        proposal = await self.hub.store.add_proposal(room.id, participant, text)
        room.pending.append(proposal)
        await self.publish(room)
        return proposal

    async def decide(self, room: Room, proposal_id: int, approve: bool,
                     text: str | None = None) -> Statement | None:
        """Approve (optionally as edited `text`) or reject a waiting proposal; an approved one
        becomes the debate's last statement."""
        async with room.lock:
            if not any(p.id == proposal_id for p in room.pending):
                raise Refusal(Why.UNKNOWN_PROPOSAL,
                              N_("This proposal is not waiting for a decision."))
            try:
                _, statement = await self.hub.store.decide_proposal(room.id, proposal_id,
                                                                    approve, text)
            except StoreError:  # decided meanwhile by another way in
                raise Refusal(Why.UNKNOWN_PROPOSAL,
                              N_("This proposal is not waiting for a decision.")) from None
            room.pending = [p for p in room.pending if p.id != proposal_id]
            if statement is not None:
                await self.hub.append(room, statement)
            await self.publish(room)
            return statement

    async def publish(self, room: Room) -> None:
        """The queue to the moderators now (and to the other workers; phones at their pace)."""
        await self.hub.pubsub.publish(frames.channel(room.id, Audience.MODERATOR),
                                      frames.encode(frames.proposals(room)))
        if self.hub.peers is not None:
            self.hub.peers.changed(room, "voice")
        if room.debate.settings.proposals_public:  # phones see the queue too, at their pace
            self.hub.ticker.voice_changed(room)
