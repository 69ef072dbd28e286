"""Who may come in: phones that typed the room code, the moderator's and the projector's keys,
and whether the report is published. The hub's `access` does these; none changes what the room
sees of the debate itself."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from ..broadcast import PubSub
from ..model import Audience
from ..store import Store
from ..text import normalise_code
from . import frames
from .room import Room

if TYPE_CHECKING:
    from .peers import Peers


class Access:
    """Admissions, keys and the report's publication, for the rooms of one hub."""

    def __init__(self, store: Store, pubsub: PubSub, peers: Peers | None = None) -> None:
        self.store = store
        self.pubsub = pubsub
        self.peers = peers  # the other workers, told of each change (poll.live.peers)

    async def admit(self, room: Room, participant: str, code: str) -> bool:
        """Let this phone vote when `code` is the room code (any case, spaces ignored)."""
        expected = room.debate.room_code
        if expected is None or participant in room.admitted:
            return True
        if not hmac.compare_digest(normalise_code(code), expected):
            return False
        await self.store.admit(room.id, participant)
        room.admitted.add(participant)
        if self.peers is not None:
            self.peers.admitted(room, participant)
        return True

    async def replace_key(self, room: Room) -> str:
        """A new moderator key: every moderator session made with the old one ends, and the
        moderator pages open with it are disconnected. Returns the key (shown once)."""
        async with room.lock:
            key, tag = await self.store.new_key(room.id)
            room.debate.key_tag = tag
            self._changed(room)
            await self.pubsub.disconnect(frames.channel(room.id, Audience.MODERATOR))
            return key

    async def replace_screen_key(self, room: Room) -> str:
        """A new projector key: the old projector link stops working, and projectors open with
        it are disconnected (a moderator's browser may still show the projector)."""
        async with room.lock:
            room.debate.screen_key = await self.store.replace_screen_key(room.id)
            self._changed(room)
            await self.pubsub.disconnect(frames.channel(room.id, Audience.SCREEN))
            return room.debate.screen_key

    async def publish_report(self, room: Room, published: bool) -> None:
        """Open the report's results to everyone who may open the report (or close them)."""
        async with room.lock:
            await self.store.publish_report(room.id, published)
            room.debate.report_published = published
            self._changed(room)

    def _changed(self, room: Room) -> None:
        if self.peers is not None:  # they read the debate again (its keys, the report)
            self.peers.changed(room)
