"""Who thinks alike, live: each loaded debate's opinion map, recomputed in the background while
votes come in (docs/opinion.md, "Live").

Every `interval` seconds (Settings.map_interval, 5 s by default) the task looks at the loaded
debates; a debate whose votes changed since its last map, and where enough people answered
enough statements, gets a new map from the worker process (letters kept from the last one). The
debates are done one after another, so a debate never has two computations at once, and only
this task waits for the worker: the event loop goes on serving votes meanwhile. Each new map goes
to the debate's moderators as an `opinion` frame (and, while the moderator shows the map on the
projector, to its screens, and to each phone whose own line changed: poll.live.places); the room
keeps it for the pages.
"""

from __future__ import annotations

import asyncio
import logging

from ..broadcast import PubSub
from ..model import Audience
from ..opinion.ballots import MIN_PARTICIPANTS, ballots_from_tallies
from ..opinion.result import OpinionMap
from ..opinion.worker import OpinionWorker, WorkerCrashed
from . import frames, places
from .room import Room
from .rooms import Rooms

log = logging.getLogger("poll.live.opinions")

DOTS_STEP = 50  # dots encoded between two turns of the event loop (a quarter of a millisecond:
# with 200, a step took about a millisecond, and each of a vote's few turns can wait for one)


def signature(room: Room) -> tuple[int, ...]:
    """What the map is computed from, in brief: the votes counted, and each statement's round
    (a second round replaces the first one's votes)."""
    return (room.counted, *(n for s in room.debate.statements for n in (s.id, s.rounds)))


async def current_map(room: Room, worker: OpinionWorker) -> OpinionMap | None:
    """The room's map as of its votes now (for the report): the live one when no vote came in
    since, else computed here, letters kept from the live one (None: too few people answered
    enough statements). Raises WorkerCrashed."""
    if room.opinion is not None and room.opinion_of == signature(room):
        return room.opinion
    ballots = ballots_from_tallies(room.debate, room.tallies)
    if ballots.placeable() < MIN_PARTICIPANTS:
        return None
    # Not kept in the room: the background task keeps the live map, and tells the moderators.
    return await worker.compute(ballots, room.opinion)


class Opinions:
    """The background task that keeps every loaded debate's opinion map up to date."""

    def __init__(self, rooms: Rooms, pubsub: PubSub, worker: OpinionWorker,
                 interval: float, news: asyncio.Event) -> None:
        self.rooms = rooms
        self.pubsub = pubsub
        self.worker = worker
        self.interval = interval
        self.news = news  # set when votes (or anything else) changed: Ticker.news
        self._warm = False  # numpy and scikit-learn imported in the worker
        # Each debate's phones' lines going out, paced (places.push): a task of its own, so the
        # next map comes on time; a newer map cancels the lines of the older one.
        self._lines: dict[str, asyncio.Task[int]] = {}

    async def run(self) -> None:
        """Recompute what changed every `interval` seconds, until cancelled; while nothing
        changes, sleep (an idle server wakes for nothing)."""
        try:
            while True:
                await self.news.wait()
                self.news.clear()  # what changes from here on is the next pass's
                await asyncio.sleep(self.interval)
                for room in self.rooms:
                    try:
                        await self.refresh(room)
                    except WorkerCrashed:
                        pass  # the worker said so in one line; the last map stays
                    except Exception as exc:  # a bug here must not stop every future map
                        log.warning("the opinion map of %s failed: %r", room.id, exc)
        finally:
            for task in self._lines.values():
                task.cancel()

    def _send_lines(self, room: Room) -> None:
        """Start sending the phones of `room` their lines on its new map, in the background,
        instead of the older map's lines still going out."""
        older = self._lines.pop(room.id, None)
        if older is not None:
            older.cancel()  # its phones not yet done get the new map's line instead
        # a phone's line at most every other map, at most SPREAD (or half a map) after it
        lines = places.push(room, self.pubsub, spread=self.interval / 2, gap=2 * self.interval)
        task = asyncio.create_task(lines, name=f"poll-map-lines-{room.id}")
        self._lines[room.id] = task
        task.add_done_callback(lambda done: self._lines_sent(room.id, done))

    def _lines_sent(self, room_id: str, task: asyncio.Task[int]) -> None:
        if self._lines.get(room_id) is task:
            del self._lines[room_id]
        if not task.cancelled() and task.exception() is not None:
            log.warning("the map lines of %s failed: %r", room_id, task.exception())

    async def refresh(self, room: Room) -> None:
        """A new map of `room` when its votes changed and enough people voted; its moderators
        get it."""
        now = signature(room)
        if room.opinion_of == now:
            return
        # Only the statements whose votes changed since the last map, the loop free between
        # them: votes counted meanwhile may be in it or not (`now` was read first, so the next
        # pass has them for sure).
        ballots = await room.packer.gather(room.debate, room.tallies)
        if not self._warm and ballots.voters() >= MIN_PARTICIPANTS:
            # Warm the worker once a debate has a room's worth of voters, well before the first
            # map (they must answer several statements each): a server whose debates never
            # reach that never loads numpy at all.
            self._warm = True
            await self.worker.warm()
        if ballots.placeable() < MIN_PARTICIPANTS:
            room.opinion_of = now  # not yet: look again when votes come in
            return
        found = await self.worker.compute(ballots, room.opinion)
        room.opinion, room.opinion_of = found, now  # votes counted meanwhile: the next pass
        # Built, encoded and sent in small steps with the loop free between them: a vote's
        # answer takes a few turns of the loop, and each waits for one step. The dots (the bulk
        # of both frames) are encoded once, DOTS_STEP at a time, and spliced into both.
        frame = frames.opinion(room.debate, found, dots=False)
        parts = []
        for part in frames.encoded_dots(found, DOTS_STEP):
            parts.append(part)
            await asyncio.sleep(0)
        dots = "[" + ",".join(p for p in parts if p) + "]"
        await self.pubsub.publish(frames.channel(room.id, Audience.MODERATOR),
                                  frames.with_dots(frames.encode(frame), dots))
        if room.debate.stage.show_map:  # the projector follows, and each phone whose line moved
            await asyncio.sleep(0)
            screen = frames.with_dots(frames.encode(frames.screen_opinion_of(frame)), dots)
            frames.keep_screen_map(room, screen)
            await self.pubsub.publish(frames.channel(room.id, Audience.SCREEN), screen)
            self._send_lines(room)
