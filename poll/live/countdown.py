"""The countdown: one task per debate sleeps until the stage's `timer_ends`, then ends voting.

The end time is part of the stage, which is saved, so a restart resumes the countdown (or ends
it at once when its time has passed meanwhile); a moderator's action in the meantime replaces or
cancels the task. Pages count down from the `seconds_left` a frame carries, not from their clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from .room import Room

log = logging.getLogger("poll.live.countdown")

TimeUp = Callable[[Room, float], Awaitable[None]]  # what to do when the countdown to `ends` ends


def schedule(room: Room, time_up: TimeUp) -> None:
    """(Re)start the task that calls `time_up` when the room's countdown ends; stop the old one.
    Without a countdown on the stage, no task runs."""
    if room.timer is not None and room.timer is not asyncio.current_task():
        room.timer.cancel()
    room.timer = None
    ends = room.debate.stage.timer_ends
    if ends is not None:
        room.timer = asyncio.create_task(_count_down(room, ends, time_up),
                                         name=f"poll-timer-{room.id}")


async def _count_down(room: Room, ends: float, time_up: TimeUp) -> None:
    await asyncio.sleep(max(0.0, ends - time.time()))
    try:
        await time_up(room, ends)
    except Exception:  # the countdown must not die silently with voting left open
        log.exception("ending voting at the end of a countdown failed")
