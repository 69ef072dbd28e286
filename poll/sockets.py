"""The websocket endpoint: one receive loop and one sender task per connection.

Frames go out only through the connection's Subscriber (poll.broadcast), so nothing the hub
publishes ever waits on this client, and acks and errors keep their order with state frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from .broadcast import Subscriber
from .hub import AUDIENCES, Hub, LiveDebate, Refusal, channel, encode
from .i18n import N_, gettext_for, preferred_language
from .model import Choice
from .security import Limits, client_address, is_moderator, new_participant, participant_of
from .store import StoreError
from .text import clean, proposal_problem

log = logging.getLogger("poll.sockets")

# Close codes in the 4000 range are ours (docs/protocol.md).
CLOSE_BAD_ROLE = 4400
CLOSE_UNAUTHORISED = 4401
CLOSE_UNKNOWN = 4404
CLOSE_TOO_SLOW = 1013  # "try again later": too slow or too many; the page reconnects later


async def debate_socket(websocket: WebSocket) -> None:
    """`/ws/{debate_id}/{role}`: snapshot on connect, then live frames; phones may vote."""
    hub: Hub = websocket.state.hub
    limits: Limits = websocket.state.limits
    address = client_address(websocket)
    # Accept before refusing, so the page gets a close code it can act on instead of an HTTP 403.
    await websocket.accept()
    if not limits.open_socket(address):
        await websocket.close(CLOSE_TOO_SLOW, "too many connections")
        return
    try:
        await _serve(websocket, hub, limits, address)
    finally:
        limits.close_socket(address)


async def _serve(websocket: WebSocket, hub: Hub, limits: Limits, address: str) -> None:
    role = websocket.path_params["role"]
    debate_id = websocket.path_params["debate_id"]
    if role not in AUDIENCES:
        await websocket.close(CLOSE_BAD_ROLE, "unknown role")
        return
    live = await hub.get(debate_id)
    if live is None:
        await websocket.close(CLOSE_UNKNOWN, "unknown debate")
        return
    if role == "moderator" and not is_moderator(websocket, debate_id):
        await websocket.close(CLOSE_UNAUTHORISED, "moderator key needed")
        return
    settings = hub.settings
    outbox = Subscriber(websocket.send_text, max_pending=settings.max_pending_frames)
    participant = (participant_of(websocket) or new_participant()) if role == "phone" else None
    # Error messages in the phone's language, by the same rule as its page (poll.views.vote).
    lang = (preferred_language(websocket.headers.get("accept-language"), default=live.debate.lang)
            if role == "phone" else live.debate.lang)
    connection = _Connection(hub, live, role, participant, outbox, limits, address, lang)
    with hub.watchdog.watching(outbox):
        await _stream(websocket, hub, live, role, participant, connection, outbox)
    if outbox.dropped:
        log.info("disconnecting a slow %s client of %s", role, debate_id)
        # A client that reads nothing cannot take a close frame either: give up on it quickly;
        # the server then closes the transport and frees everything the connection held.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(websocket.close(CLOSE_TOO_SLOW, "too slow"), 2)


async def _stream(websocket: WebSocket, hub: Hub, live: LiveDebate, role: str,
                  participant: str | None, connection: _Connection, outbox: Subscriber) -> None:
    """Snapshot, then frames out and messages in until either side stops."""
    async with hub.pubsub.subscribe(channel(live.debate.id, role), outbox):
        if participant is not None:
            outbox.push(encode(hub.welcome(live, participant)))
            hub.phone_joined(live, participant)
        outbox.push(encode(hub.state(live, role)))
        if role == "moderator":
            outbox.push(encode(hub.proposals_frame(live)))
        if role != "phone":
            outbox.offer(encode(hub.tally(live, role)))
        sender = asyncio.create_task(outbox.run())
        receiver = asyncio.create_task(connection.receive(websocket))
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, receiver):
                task.cancel()
            # a sender that gave up (SlowSubscriber) has set outbox.dropped already
            await asyncio.gather(sender, receiver, return_exceptions=True)
            if participant is not None:
                hub.phone_left(live, participant)


class _Connection:
    """What one client sends, checked and answered."""

    def __init__(self, hub: Hub, live: LiveDebate, role: str, participant: str | None,
                 outbox: Subscriber, limits: Limits, address: str, lang: str) -> None:
        self.hub = hub
        self.limits = limits
        self.address = address
        self.live = live
        self.role = role
        self.participant = participant
        self.outbox = outbox
        self.gettext = gettext_for(lang)

    def refuse(self, code: str, message: str, vote_id: Any = None) -> None:
        self.outbox.push(encode({"type": "error", "id": vote_id, "code": code,
                                 "message": self.gettext(message)}))

    async def receive(self, websocket: WebSocket) -> None:
        limit = self.hub.settings.max_message_bytes
        while True:
            try:
                message = await websocket.receive()
            except WebSocketDisconnect:
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                self.refuse("bad_message", N_("Messages must be JSON text."))
            elif len(text) > limit or len(text.encode("utf-8", "replace")) > limit:
                self.refuse("too_large", N_("This message is too large."))
            else:
                await self.handle(text)

    async def handle(self, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            self.refuse("bad_message", N_("Messages must be JSON text."))
            return
        if not isinstance(frame, dict):
            self.refuse("bad_message", N_("Messages must be JSON objects."))
            return
        kind = frame.get("type")
        if kind == "ping":
            self.outbox.push('{"type":"pong"}')
        elif kind == "vote":
            await self.vote(frame)
        elif kind == "group":
            await self.group(frame)
        elif kind == "propose":
            await self.propose(frame)
        else:
            self.refuse("bad_message", N_("Unknown message type."))

    async def vote(self, frame: dict[str, Any]) -> None:
        vote_id = frame.get("id")
        if not isinstance(vote_id, str) or not 1 <= len(vote_id) <= 64:
            self.refuse("bad_message", N_("A vote needs an id of 1 to 64 characters."))
            return
        statement = frame.get("statement")
        if type(statement) is not int:
            self.refuse("bad_message", N_("A vote needs a statement id."), vote_id)
            return
        round_ = frame.get("round")
        if round_ is not None and type(round_) is not int:
            self.refuse("bad_message", N_("A round must be a number."), vote_id)
            return
        try:
            choice = Choice(frame.get("choice"))
        except ValueError:
            self.refuse("bad_choice", N_("This choice is not offered in this debate."), vote_id)
            return
        if self.participant is None:
            self.refuse("not_allowed", N_("Only phones can vote."), vote_id)
            return
        if not self.limits.vote(self.participant, self.address):
            self.refuse("rate_limited", N_("Too many votes at once. Wait a moment."), vote_id)
            return
        try:
            counted = await self.hub.vote(self.live, self.participant, statement, choice, vote_id,
                                          round_)
        except Refusal as refusal:
            self.refuse(refusal.code, refusal.message, vote_id)
            return
        except StoreError:
            log.exception("could not store a vote")
            self.refuse("not_saved", N_("Your vote could not be saved. Please try again."), vote_id)
            return
        self.outbox.push(encode({"type": "ack", "id": vote_id, "statement": statement,
                                 "choice": choice.value, "round": counted}))

    async def group(self, frame: dict[str, Any]) -> None:
        """`{"type": "group", "group": ID or null}`: the phone says which group it belongs to."""
        group_id = frame.get("group")
        if group_id is not None and type(group_id) is not int:
            self.refuse("bad_message", N_("A group must be a group id or null."))
            return
        if self.participant is None:
            self.refuse("not_allowed", N_("Only phones can join a group."))
            return
        if not self.limits.vote(self.participant, self.address):
            self.refuse("rate_limited", N_("Too many messages at once. Wait a moment."))
            return
        try:
            await self.hub.join_group(self.live, self.participant, group_id)
        except Refusal as refusal:
            self.refuse(refusal.code, refusal.message)
            return
        except StoreError:
            log.exception("could not store a group choice")
            self.refuse("not_saved", N_("This could not be saved. Please try again."))
            return
        self.outbox.push(encode({"type": "group", "group": group_id}))

    async def propose(self, frame: dict[str, Any]) -> None:
        """`{"type": "propose", "id": ..., "text": ...}`: a statement for the moderator's queue."""
        proposal_id = frame.get("id")
        if not isinstance(proposal_id, str) or not 1 <= len(proposal_id) <= 64:
            self.refuse("bad_message", N_("A proposal needs an id of 1 to 64 characters."))
            return
        text = frame.get("text")
        problem = proposal_problem(text)
        if problem is not None:
            self.refuse("bad_proposal", problem, proposal_id)
            return
        assert isinstance(text, str)
        if self.participant is None:
            self.refuse("not_allowed", N_("Only phones can propose statements."), proposal_id)
            return
        if not self.limits.propose(self.participant, self.address):
            self.refuse("rate_limited", N_("Too many proposals at once. Wait a moment."),
                        proposal_id)
            return
        try:
            await self.hub.propose(self.live, self.participant, clean(text))
        except Refusal as refusal:
            self.refuse(refusal.code, refusal.message, proposal_id)
            return
        except StoreError:
            log.exception("could not store a proposal")
            self.refuse("not_saved", N_("This could not be saved. Please try again."),
                        proposal_id)
            return
        self.outbox.push(encode({"type": "proposed", "id": proposal_id}))
