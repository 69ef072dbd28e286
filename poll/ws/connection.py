"""One client's websocket after it was accepted: the snapshot, then messages in and frames out.

The connection's own task reads what the client sends; frames go out through its outbox
(`poll.broadcast.Subscriber`), whose sender task runs only while frames wait. So nothing the hub
publishes ever waits on this client, acks and errors keep their order with state frames, and an
idle connection holds one task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from starlette.types import Receive, Send

from ..broadcast import Subscriber
from ..i18n import N_, gettext_for
from ..live import Refusal, Room, Why, frames, places
from ..model import Audience
from ..state import AppState
from ..store import StoreError
from . import messages
from .voice import voice

log = logging.getLogger("poll.ws")

CLOSE_TRY_LATER = 1013  # too slow or too many: the page reconnects later and resyncs


async def close(send: Send, code: int, reason: str) -> None:
    """Close the websocket with `code` (docs/protocol.md lists them)."""
    await send({"type": "websocket.close", "code": code, "reason": reason})


class Connection:
    """One client: its outbox, and what it sends, checked and answered."""

    # Slots: thousands of these live at once.
    __slots__ = ("address", "app", "audience", "lang", "outbox", "participant", "room", "send")

    def __init__(self, app: AppState, room: Room, audience: Audience, participant: str | None,
                 address: str, send: Send, lang: str,
                 send_now: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.room = room
        self.audience = audience
        self.participant = participant  # phones only
        self.address = address
        self.send = send
        self.lang = lang  # one of LANGUAGES: a shared string, not a copy per connection
        # The outbox's send closes over `send` alone, not over self (no reference cycle).
        self.outbox = Subscriber(lambda text: send({"type": "websocket.send", "text": text}),
                                 max_pending=app.settings.max_pending_frames,
                                 owner=asyncio.current_task(), send_now=send_now)

    async def run(self, receive: Receive) -> None:
        """Snapshot, then messages in (and frames out) until the client leaves or the outbox
        gives up on it; a client too slow to read is closed with 1013."""
        app, room, audience, participant, outbox = (
            self.app, self.room, self.audience, self.participant, self.outbox)
        hub = app.hub
        app.watchdog.watch(outbox)
        try:
            async with hub.pubsub.subscribe(frames.channel(room.id, audience), outbox), (
                    contextlib.nullcontext() if participant is None else  # what is its own alone
                    hub.pubsub.subscribe(frames.own_channel(room.id, participant), outbox)):
                if participant is not None:
                    outbox.push(frames.encode(frames.welcome(room, participant)))
                    hub.phone_joined(room, participant)
                try:
                    outbox.push(frames.encode(frames.state(room, audience)))
                    if audience is Audience.MODERATOR or (
                            room.debate.settings.proposals_public and participant is not None):
                        outbox.push(frames.encode(frames.proposals(room, audience)))
                    # the room's voice too, so a page that reconnects is not left with old lists
                    outbox.push(frames.encode(frames.floor(room, audience)))
                    outbox.push(room.voice_frames.get(audience)
                                or frames.encode(frames.reasons(room, audience)))
                    if audience is Audience.MODERATOR:  # who thinks alike, as last computed
                        outbox.push(frames.encode(frames.opinion(room.debate, room.opinion)))
                    elif audience is Audience.SCREEN and room.debate.stage.show_map:
                        outbox.push(frames.screen_map_text(room))
                    if audience is not Audience.PHONE:
                        outbox.offer(frames.encode(frames.tally(room, audience)))
                    await self.receive(receive)
                finally:
                    if participant is not None:
                        hub.phone_left(room, participant)
        except asyncio.CancelledError:
            if not outbox.stopped:
                raise  # not the outbox's doing (the server is stopping)
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
        finally:
            outbox.stop()
            app.watchdog.forget(outbox)
        if outbox.dropped:
            log.info("disconnecting a slow %s client of %s", audience.value, room.id)
            # A client that reads nothing cannot take a close frame either: give up on it quickly;
            # the server then closes the transport and frees everything the connection held.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(close(self.send, CLOSE_TRY_LATER, "too slow"), 2)

    def refuse(self, reason: Why, message: str, answers: str | None = None) -> None:
        """Send an error frame in the client's language (`answers`: the vote or proposal id)."""
        # The translation is looked up when needed, not kept by every connection.
        self.outbox.push(frames.encode(frames.error(reason, gettext_for(self.lang)(message),
                                                    answers)))

    async def receive(self, receive: Receive) -> None:
        """Messages in, until the client leaves."""
        limit = self.app.settings.max_message_bytes
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                self.refuse(Why.BAD_MESSAGE, N_("Messages must be JSON text."))
            elif len(text) > limit or len(text.encode("utf-8", "replace")) > limit:
                self.refuse(Why.TOO_LARGE, N_("This message is too large."))
            else:
                await self.handle(text)

    async def handle(self, text: str) -> None:
        """One message from the client: the dispatch point for message types."""
        try:
            message = messages.read(text)
        except messages.Unreadable as unreadable:
            self.refuse(unreadable.why, unreadable.message, unreadable.answers)
            return
        if isinstance(message, messages.Ping):
            self.outbox.push(frames.PONG)
            return
        participant = self.participant
        answers = getattr(message, "id", None)  # a vote's, proposal's or reason's own id
        if participant is None:
            self.refuse(Why.NOT_ALLOWED, _ONLY_PHONES.get(type(message), _ONLY_PHONES_VOICE),
                        answers)
            return
        try:
            match message:
                case messages.VoteMessage():
                    await self.vote(participant, message)
                case messages.GroupMessage():
                    await self.group(participant, message)
                case messages.ProposeMessage():
                    await self.propose(participant, message)
                case messages.MyGroupMessage():
                    if not self.app.limits.plus(participant, self.address):
                        raise Refusal(Why.RATE_LIMITED,
                                      N_("Too many messages at once. Wait a moment."))
                    self.outbox.push(places.answer(self.room, participant))
                case _:
                    self.outbox.push(frames.encode(await voice(
                        self.app, self.room, participant, self.address, message)))
        except Refusal as refusal:
            self.refuse(refusal.why, refusal.message, answers)
        except StoreError as exc:
            # the database refused or is away: the phone is told, the log gets one line (an
            # outage would otherwise print a traceback per phone)
            log.warning("could not store a %s: %s", type(message).__name__, exc)
            self.refuse(Why.NOT_SAVED, _NOT_SAVED.get(
                type(message), N_("This could not be saved. Please try again.")), answers)

    async def vote(self, participant: str, vote: messages.VoteMessage) -> None:
        if not self.app.limits.vote(participant, self.address):
            raise Refusal(Why.RATE_LIMITED, N_("Too many votes at once. Wait a moment."))
        counted_in = await self.app.hub.vote(self.room, participant, vote.statement,
                                             vote.choice, vote.id, vote.round)
        self.outbox.push(frames.encode(frames.ack(vote.id, vote.statement, vote.choice,
                                                  counted_in)))

    async def group(self, participant: str, pick: messages.GroupMessage) -> None:
        if not self.app.limits.vote(participant, self.address):
            raise Refusal(Why.RATE_LIMITED, N_("Too many messages at once. Wait a moment."))
        await self.app.hub.join_group(self.room, participant, pick.group)
        self.outbox.push(frames.encode(frames.group(pick.group)))

    async def propose(self, participant: str, proposal: messages.ProposeMessage) -> None:
        if not self.app.limits.propose(participant, self.address):
            raise Refusal(Why.RATE_LIMITED, N_("Too many proposals at once. Wait a moment."))
        await self.app.hub.proposals.propose(self.room, participant, proposal.text)
        self.outbox.push(frames.encode(frames.proposed(proposal.id)))


_ONLY_PHONES = {
    messages.VoteMessage: N_("Only phones can vote."),
    messages.GroupMessage: N_("Only phones can join a group."),
    messages.ProposeMessage: N_("Only phones can propose statements."),
}
_ONLY_PHONES_VOICE = N_("Only phones can do this.")
_NOT_SAVED = {
    messages.VoteMessage: N_("Your vote could not be saved. Please try again."),
    messages.GroupMessage: N_("This could not be saved. Please try again."),
    messages.ProposeMessage: N_("This could not be saved. Please try again."),
}
