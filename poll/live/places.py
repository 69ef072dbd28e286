"""Each phone's own line on the opinion map while the projector shows it ("you are in group B
with 31 others; you agree with them on 8 of 10 statements"), pushed after a recomputation to
the phones whose line changed, and only to them, at most one line per phone every `gap` seconds.

A phone's line is its own, so it goes to the phone's own channel (frames.own_channel), never to
the debate's phones. The room remembers the line each phone last got and when (`Room.places`,
`Room.lines_at`: a phone's answer to its `my_group` message counts too), so a recomputation that
moves nobody sends nothing; showing the map anew forgets them (every phone asks then).
"""

from __future__ import annotations

import asyncio

from ..broadcast import PubSub
from . import frames
from .room import Room

CHUNK = 3  # phones' lines sent in one turn of the event loop: votes go on being answered between
# turns (a vote's answer waits for a step at each of its few turns: with 500, 2,000 phones' lines
# held votes up by 15 ms at a time; with 100, the map on the projector still took vote->ack p99
# from 6.8 to 30.8 ms; with 10, 13.8 ms; with 3 instead of 10, 9.6 against 10.7 ms, three runs
# each: docs/performance.md, "The opinion map, live")
LOOK = 100  # phones whose line is worked out in one turn (a dictionary look-up and a compare each)
GAP = 10.0  # at most one line per phone in this many seconds (Opinions passes two map intervals):
# while votes stream in, most phones' lines change on every map ("8 of 10" counts the phone's
# newest vote), and a line per phone per map was 1.8 own frames per vote, every one a socket
# write on the server and a frame through the venue's air (docs/performance.md, "The opinion
# map, live"); a line that changed meanwhile waits for its phone's next turn, never lost
SPREAD = 2.0  # at most this many seconds over which a map's lines go out, paced: sent back to
# back, 2,000 phones' lines were 2,000 writes within a tenth of a second, and a vote that came
# meanwhile waited at every one of its turns (vote->ack p99 1.4x without the map; paced, 1.2x)

Place = tuple[bool, bool, str | None, int, int, int]  # what a phone's line says


def _place(frame: frames.MyGroupFrame) -> Place:
    return (frame["shown"], frame["placed"], frame["group"], frame["others"], frame["same"],
            frame["of"])


def forget(room: Room) -> None:
    """The map goes on the projector anew: every phone asks for its line, and pushes start
    afresh."""
    room.places.clear()
    room.lines_at.clear()


def answer(room: Room, participant: str) -> str:
    """The phone's `my_group` frame, encoded, remembered as the line it got."""
    frame = frames.my_group(room, participant)
    room.places[participant] = _place(frame)
    room.lines_at[participant] = asyncio.get_running_loop().time()
    return frames.encode_my_group(frame)


async def push(room: Room, pubsub: PubSub, spread: float = SPREAD, gap: float = GAP) -> int:
    """Send each connected phone its line on the room's map when it differs from the one it
    last got: at once (CHUNK at a time, paced evenly over at most `spread` seconds) to the
    phones that got none in the last `gap` seconds, and to each of the others as soon as its
    `gap` has passed (the line as of then). Returns how many phones got one; ends when every
    connected phone has its line. The map must be on the projector; a newer map cancels this
    and pushes its own lines."""
    clock = asyncio.get_running_loop().time
    sent = 0
    while True:
        now = clock()
        due, wait = await _changed(room, now, gap)
        sent += await _send(room, pubsub, due, spread)
        if wait is None or not room.debate.stage.show_map or room.opinion is None:
            break
        await asyncio.sleep(max(0.0, now + wait - clock()))
    # forget phones that left: one that comes back asks for its line
    for participant in [p for p in room.places if p not in room.phones]:
        del room.places[participant]
        room.lines_at.pop(participant, None)
    return sent


async def _changed(room: Room, now: float, gap: float,
                   ) -> tuple[list[tuple[str, frames.MyGroupFrame]], float | None]:
    """The connected phones whose line changed and whose `gap` has passed, with their lines, and
    the seconds until the next of the others' has (None: no other line changed)."""
    due: list[tuple[str, frames.MyGroupFrame]] = []
    wait: float | None = None
    if not room.debate.stage.show_map or room.opinion is None:
        return due, wait
    phones = tuple(room.phones)
    for start in range(0, len(phones), LOOK):
        if start:
            await asyncio.sleep(0)
        for participant in phones[start:start + LOOK]:
            frame = frames.my_group(room, participant)
            if room.places.get(participant) == _place(frame):
                continue
            left = room.lines_at.get(participant, -gap) + gap - now
            if left <= 0:
                due.append((participant, frame))
            elif wait is None or left < wait:
                wait = left
    return due, wait


async def _send(room: Room, pubsub: PubSub, lines: list[tuple[str, frames.MyGroupFrame]],
                spread: float) -> int:
    """Each of `lines` to its phone's own channel, CHUNK at a time, paced evenly over at most
    `spread` seconds; returns how many went out."""
    clock = asyncio.get_running_loop().time
    pause = min(spread, SPREAD) * CHUNK / len(lines) if lines else 0.0
    sent = 0
    for start in range(0, len(lines), CHUNK):
        if start:
            await asyncio.sleep(pause)
        if not room.debate.stage.show_map or room.opinion is None:
            break  # taken off meanwhile: the phones hid their line with the state frame
        for participant, frame in lines[start:start + CHUNK]:
            if participant not in room.phones:
                continue  # left meanwhile
            place = _place(frame)
            if room.places.get(participant) == place:
                continue  # asked for it meanwhile (a phone that came back)
            room.places[participant] = place
            room.lines_at[participant] = clock()
            await pubsub.publish(frames.own_channel(room.id, participant),
                                 frames.encode_my_group(frame))
            sent += 1
    return sent
