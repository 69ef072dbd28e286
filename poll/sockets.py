"""The websocket endpoint: the connection's own task reads what the client sends; frames go out
through its Subscriber (poll.broadcast), whose sender task runs only while frames wait.

So nothing the hub publishes ever waits on this client, acks and errors keep their order with
state frames, and an idle connection holds one task. Phone sockets, thousands per debate, come
straight from `poll.app.PollApp`, around Starlette's middleware and router (`phone_socket`);
screens and moderators come through the router, since the moderator's needs the session
(`debate_socket`). Both speak plain ASGI to the server from there on (`_serve`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable
from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

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


def phone_socket(scope: Scope, receive: Receive, send: Send, debate_id: str) -> Awaitable[None]:
    """ASGI endpoint for `/ws/{debate_id}/phone` (the coroutine to await): what `debate_socket`
    does for a phone, without a Starlette WebSocket kept alive for each of thousands of phones.
    A plain function, so that it keeps no frame of its own alive either."""
    request = HTTPConnection(scope)  # read here and let go
    state = scope["state"]
    return _serve(receive, send, state["hub"], state["limits"], client_address(request),
                  debate_id, "phone", participant_of(request), allowed=True,
                  accept_language=request.headers.get("accept-language"))


async def debate_socket(websocket: WebSocket) -> None:
    """`/ws/{debate_id}/{role}` through the router: snapshot on connect, then live frames."""
    debate_id = websocket.path_params["debate_id"]
    role = websocket.path_params["role"]
    await _serve(websocket.receive, websocket.send, websocket.state.hub, websocket.state.limits,
                 client_address(websocket), debate_id, role,
                 participant_of(websocket) if role == "phone" else None,
                 allowed=role != "moderator" or is_moderator(websocket, debate_id),
                 accept_language=websocket.headers.get("accept-language"))


async def _serve(receive: Receive, send: Send, hub: Hub, limits: Limits, address: str,
                 debate_id: str, role: str, participant: str | None, *, allowed: bool,
                 accept_language: str | None = None) -> None:
    """Accept, check the limits, the role, the debate and `allowed`, then run the connection."""
    if (await receive())["type"] != "websocket.connect":
        return
    # Accept before refusing, so the page gets a close code it can act on instead of an HTTP 403.
    await send({"type": "websocket.accept"})
    if not limits.open_socket(address):
        await _close(send, CLOSE_TOO_SLOW, "too many connections")
        return
    try:
        if role not in AUDIENCES:
            await _close(send, CLOSE_BAD_ROLE, "unknown role")
            return
        live = await hub.get(debate_id)
        if live is None:
            await _close(send, CLOSE_UNKNOWN, "unknown debate")
            return
        if not allowed:
            await _close(send, CLOSE_UNAUTHORISED, "moderator key needed")
            return
        lang = live.debate.lang
        if role == "phone":
            participant = participant or new_participant()
            # error messages in the phone's language, by the same rule as its page
            lang = preferred_language(accept_language, default=lang)
        await _Connection(hub, live, role, participant, limits, address, send, lang).run(receive)
    finally:
        limits.close_socket(address)


async def _close(send: Send, code: int, reason: str) -> None:
    await send({"type": "websocket.close", "code": code, "reason": reason})


class _Connection:
    """One client: its outbox, and what it sends, checked and answered."""

    # Slots: thousands of these live at once.
    __slots__ = ("address", "hub", "lang", "limits", "live", "outbox", "participant", "role",
                 "send")

    def __init__(self, hub: Hub, live: LiveDebate, role: str, participant: str | None,
                 limits: Limits, address: str, send: Send, lang: str) -> None:
        self.hub = hub
        self.live = live
        self.role = role
        self.participant = participant
        self.limits = limits
        self.address = address
        self.send = send
        self.lang = lang  # one of LANGUAGES: a shared string, not a copy per connection
        # The outbox's send closes over `send` alone, not over self (no reference cycle).
        self.outbox = Subscriber(lambda text: send({"type": "websocket.send", "text": text}),
                                 max_pending=hub.settings.max_pending_frames,
                                 owner=asyncio.current_task())

    async def run(self, receive: Receive) -> None:
        """Snapshot, then messages in (and frames out) until the client leaves or the outbox
        gives up on it; a client too slow to read is closed with 1013."""
        hub, live, role, participant, outbox = (
            self.hub, self.live, self.role, self.participant, self.outbox)
        hub.watchdog.watch(outbox)
        try:
            async with hub.pubsub.subscribe(channel(live.debate.id, role), outbox):
                if participant is not None:
                    outbox.push(encode(hub.welcome(live, participant)))
                    hub.phone_joined(live, participant)
                try:
                    outbox.push(encode(hub.state(live, role)))
                    if role == "moderator":
                        outbox.push(encode(hub.proposals_frame(live)))
                    if role != "phone":
                        outbox.offer(encode(hub.tally(live, role)))
                    await self.receive(receive)
                finally:
                    if participant is not None:
                        hub.phone_left(live, participant)
        except asyncio.CancelledError:
            if not outbox.stopped:
                raise  # not the outbox's doing (the server is stopping)
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
        finally:
            outbox.stop()
            hub.watchdog.forget(outbox)
        if outbox.dropped:
            log.info("disconnecting a slow %s client of %s", role, live.debate.id)
            # A client that reads nothing cannot take a close frame either: give up on it quickly;
            # the server then closes the transport and frees everything the connection held.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(_close(self.send, CLOSE_TOO_SLOW, "too slow"), 2)

    def refuse(self, code: str, message: str, vote_id: Any = None) -> None:
        # The translation is looked up when needed, not kept by every connection.
        self.outbox.push(encode({"type": "error", "id": vote_id, "code": code,
                                 "message": gettext_for(self.lang)(message)}))

    async def receive(self, receive: Receive) -> None:
        """Messages in, until the client leaves."""
        limit = self.hub.settings.max_message_bytes
        while True:
            message = await receive()
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
        """One message from the client: the dispatch point for message types."""
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
