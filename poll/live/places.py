"""Each phone's own line on the opinion map while the projector shows it ("you are in group B
with 31 others; you agree with them on 8 of 10 statements"), pushed after a recomputation to
the phones whose line changed, and only to them.

A phone's line is its own, so it goes to the phone's own channel (frames.own_channel), never to
the debate's phones. The room remembers the line each phone last got (`Room.places`: a phone's
answer to its `my_group` message counts too), so a recomputation that moves nobody sends nothing;
showing the map anew forgets them (every phone asks then).
"""

from __future__ import annotations

import asyncio

from ..broadcast import PubSub
from . import frames
from .room import Room

CHUNK = 3  # phones between two turns of the event loop: votes go on being answered meanwhile
# (a vote's answer waits for a step at each of its few turns: with 500, 2,000 phones' lines held
# votes up by 15 ms at a time; with 100, the map on the projector still took vote->ack p99 from
# 6.8 to 30.8 ms; with 10, 13.8 ms; with 3 instead of 10, 9.6 against 10.7 ms, three runs each:
# docs/performance.md, "The opinion map, live")

Place = tuple[bool, bool, str | None, int, int, int]  # what a phone's line says


def _place(frame: frames.MyGroupFrame) -> Place:
    return (frame["shown"], frame["placed"], frame["group"], frame["others"], frame["same"],
            frame["of"])


def answer(room: Room, participant: str) -> str:
    """The phone's `my_group` frame, encoded, remembered as the line it got."""
    frame = frames.my_group(room, participant)
    room.places[participant] = _place(frame)
    return frames.encode_my_group(frame)


async def push(room: Room, pubsub: PubSub) -> int:
    """Send each connected phone its line on the room's map when it differs from the one it
    last got; returns how many phones got one. The map must be on the projector."""
    if not room.debate.stage.show_map or room.opinion is None:
        return 0
    sent = 0
    phones = tuple(room.phones)
    for start in range(0, len(phones), CHUNK):
        if start:
            await asyncio.sleep(0)
            if not room.debate.stage.show_map:
                break  # taken off meanwhile: the phones hid their line with the state frame
        for participant in phones[start:start + CHUNK]:
            frame = frames.my_group(room, participant)
            place = _place(frame)
            if room.places.get(participant) == place:
                continue
            room.places[participant] = place
            await pubsub.publish(frames.own_channel(room.id, participant),
                                 frames.encode_my_group(frame))
            sent += 1
    # forget phones that left: one that comes back asks for its line
    for participant in [p for p in room.places if p not in room.phones]:
        del room.places[participant]
    return sent
