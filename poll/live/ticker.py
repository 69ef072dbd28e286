"""The ticker: tallies go out at a steady pace, not once per vote.

Votes mark their debate changed; every `interval` seconds the ticker encodes ONE tally frame per
audience for each changed debate and offers it to every subscriber's latest-only slot, so the
cost follows the update rate, not the vote rate. Phones get tallies at most once per
PHONE_INTERVAL, and only while they may see the numbers: at 10,000 phones a tally every 100 ms
would cost more than the votes themselves. The ticker also saves the most phones connected at
once, as it grows. A ticker with nothing to send sleeps until something changes: an idle server
with no timer of its own wakes nobody (each wake-up costs this kind of machine more than the
work it does; docs/performance.md, "Cheaper votes and switches").
"""

from __future__ import annotations

import asyncio
import logging

from ..broadcast import PubSub
from ..model import Audience
from ..store import Store, StoreError
from . import frames
from .room import Room
from .rooms import Rooms
from .rules import results_visible

log = logging.getLogger("poll.live.ticker")

PHONE_INTERVAL = 1.0  # seconds between tallies to phones
# Seconds between reason lists (and the proposals' ranking) to each audience while +1s pour in:
# the moderator's list holds every reason, the phones' go to thousands.
VOICE_INTERVAL = {Audience.MODERATOR: 0.5, Audience.SCREEN: 0.5, Audience.PHONE: 2.0}


class Ticker:
    """Changed debates, and the task that broadcasts their tallies."""

    def __init__(self, rooms: Rooms, pubsub: PubSub, store: Store, interval: float) -> None:
        self.rooms = rooms
        self.pubsub = pubsub
        self.store = store
        self.interval = interval
        self._changed: set[str] = set()
        self._phones_due: set[str] = set()  # changed, waiting for the phones' slower pace
        self._voice_due: dict[str, set[Audience]] = {}  # reasons changed: who is owed a list
        self._saving: set[asyncio.Task[None]] = set()
        self._due = asyncio.Event()  # something waits to be sent (or paced)
        # Set by every change (votes, joins, the moderator's actions) and cleared by whoever
        # waits for news: the opinion maps sleep on it while nothing happens.
        self.news = asyncio.Event()

    def changed(self, room: Room) -> None:
        """This debate's numbers (or who is connected) changed: send its tallies next tick."""
        self._changed.add(room.id)
        self._due.set()
        self.news.set()

    def voice_changed(self, room: Room) -> None:
        """This debate's reasons, +1s or proposals' +1s changed: send the lists at each
        audience's pace."""
        self._voice_due[room.id] = set(Audience)
        self._due.set()

    async def run(self) -> None:
        """Flush every `interval` seconds while anything is owed, until cancelled."""
        while True:
            await self._due.wait()
            await asyncio.sleep(self.interval)
            self._due.clear()  # before the flush: what changes during it is owed next tick
            try:
                await self.flush()
            except Exception:  # a bug here must not stop every future update
                log.exception("tally broadcast failed")
            if self._changed or self._phones_due or self._voice_due:
                self._due.set()  # held back for its audience's pace: look again next tick

    async def finish(self) -> None:
        """Let the peak figures being saved reach the store."""
        await asyncio.gather(*self._saving, return_exceptions=True)

    async def flush(self) -> None:
        """Send one tally frame per audience for every debate that changed since the last flush
        (to phones at most every PHONE_INTERVAL, and only when they may see results)."""
        changed, self._changed = self._changed, set()
        clock = asyncio.get_running_loop().time()
        for debate_id in changed:
            room = self.rooms.loaded(debate_id)
            if room is None:
                continue
            for audience in (Audience.SCREEN, Audience.MODERATOR):
                await self.pubsub.publish(frames.channel(debate_id, audience),
                                          frames.encode(frames.tally(room, audience)),
                                          latest_only=True)
            if results_visible(room.debate, Audience.PHONE):
                self._phones_due.add(debate_id)
            if room.connected > room.peak_saved:
                room.peak_saved = room.connected
                self._save_peak(room)
        await self._flush_voice(clock)
        for debate_id in list(self._phones_due):
            room = self.rooms.loaded(debate_id)
            if room is None or clock - room.phone_tally_at >= PHONE_INTERVAL:
                self._phones_due.discard(debate_id)
                if room is None:
                    continue
                # Phones' tallies carry no count of who is connected: while thousands join
                # (or rejoin) the numbers stay the same, and the same frame to every phone once
                # a second is what slowed a 10,000-phone connect (docs/performance.md, "The
                # room's voice"). A phone that joins has the results in its state frame.
                tally = frames.encode(frames.tally(room, Audience.PHONE))
                if tally != room.phone_tally:
                    room.phone_tally_at, room.phone_tally = clock, tally
                    await self.pubsub.publish(frames.channel(debate_id, Audience.PHONE), tally,
                                              latest_only=True)

    async def _flush_voice(self, clock: float) -> None:
        for debate_id, owed in list(self._voice_due.items()):
            room = self.rooms.loaded(debate_id)
            if room is None:
                del self._voice_due[debate_id]
                continue
            for audience in list(owed):
                if clock - room.voice_sent.get(audience, float("-inf")) < VOICE_INTERVAL[audience]:
                    continue
                owed.discard(audience)
                room.voice_sent[audience] = clock
                # Queued, not latest-only: the one latest-only slot a connection has is the
                # tally's, and at this pace a queue never grows.
                where = frames.channel(debate_id, audience)
                listed = frames.reasons(room, audience)
                encoded = frames.encode(listed)
                room.voice_frames[audience] = encoded
                if audience is not Audience.PHONE or not _phones_have(room, listed, encoded):
                    await self.pubsub.publish(where, encoded)
                if audience is Audience.MODERATOR:
                    await self.pubsub.publish(
                        where, frames.encode(frames.proposals(room, audience)))
                elif audience is Audience.PHONE and room.debate.settings.proposals_public:
                    pending = frames.encode(frames.proposals(room, audience))
                    if pending != room.phone_proposals:
                        room.phone_proposals = pending
                        await self.pubsub.publish(where, pending)
            if not owed:
                del self._voice_due[debate_id]

    def _save_peak(self, room: Room) -> None:
        # Fire and forget: a lost peak figure is not worth delaying the tally broadcast.
        task = asyncio.create_task(self._store_peak(room.id, room.peak_saved))
        self._saving.add(task)
        task.add_done_callback(self._saving.discard)

    async def _store_peak(self, debate_id: str, connected: int) -> None:
        try:
            await self.store.save_peak(debate_id, connected)
        except StoreError:
            log.warning("could not save the peak number of connected phones")


def _phones_have(room: Room, listed: frames.ReasonsFrame, encoded: str) -> bool:
    """Whether every phone already shows what this reasons frame says, so sending it to
    thousands would change nothing: it is the frame they last got, or it lists no reason and is
    for another statement or round than that one (a phone empties its list when the state
    frame brings a new statement or round: static/js/reasons.js, `atStage`). After a switch
    that is most switches: the phones' frames per switch go from two or three to one (the
    state), as a bare broadcast has it (docs/performance.md, "Cheaper votes and
    switches")."""
    last, room.phone_reasons = room.phone_reasons, (listed["statement"], listed["round"], encoded)
    if last is None:
        return False
    if encoded == last[2]:
        return True
    return not listed["top"] and (listed["statement"], listed["round"]) != last[:2]
