"""The `opinion` frame: the map of the room as the moderator's page (and the report) draws it --
the groups with their sizes and representative statements, the consensus and divisive
statements, and the dots. Dots carry a position and a group letter, never who they are.

The same frame draws the server's SVG (poll.map_chart) and the page's live redraw
(static/js/desk-map.js), so both show the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Literal, TypedDict

from ...model import Debate
from ...opinion.ballots import MIN_PARTICIPANTS, min_votes
from ...opinion.result import Direction, OpinionMap
from ..room import Room
from .wire import encode

MAX_DOTS = 2000  # dots drawn at most: past that every n-th participant (sizes count everyone)


class OpinionDot(TypedDict):
    x: float  # -1..1, the map's widest extent scaled to 1 (y up)
    y: float
    group: str | None  # its group's letter (None: the map has no groups)


class OpinionBelief(TypedDict):
    statement: int
    position: int
    text: str
    direction: Direction
    percent: int  # of the group's votes on it, how many went this way


class OpinionGroupInfo(TypedDict):
    letter: str
    size: int
    beliefs: list[OpinionBelief]  # most representative first


class OpinionShared(TypedDict):
    statement: int
    position: int
    text: str
    direction: Direction
    percent: int  # the lowest group's (smoothed) share in `direction`


class OpinionDivided(TypedDict):
    statement: int
    position: int
    text: str
    agreeing: list[str]  # letters of the groups whose majority agrees
    disagreeing: list[str]
    spread: int  # percentage points between the most and the least agreeing group


class OpinionFrame(TypedDict):
    type: Literal["opinion"]
    ready: bool  # a map has been computed (enough people voted on enough statements)
    needs_people: int  # the map appears once this many people ...
    needs_statements: int  # ... voted on this many statements each
    voters: int  # people who voted at all (as of the map)
    votes: int  # the votes the map was computed from (each one's latest, in the latest round)
    placed: int  # people on the map
    why_no_groups: str | None  # "too_few", "no_structure" or None
    computed_at: str | None
    groups: list[OpinionGroupInfo]
    consensus: list[OpinionShared]
    divisive: list[OpinionDivided]
    dots: list[OpinionDot]


def opinion(debate: Debate, found: OpinionMap | None, *, dots: bool = True) -> OpinionFrame:
    """The `opinion` frame of `found` (None: no map yet), statements in `debate`'s words.
    `dots=False`: with an empty `dots` (the live task encodes them apart, in slices, and
    splices them in: `with_dots`)."""
    texts = {s.id: (s.position, s.text) for s in debate.statements}
    frame = OpinionFrame(
        type="opinion", ready=found is not None, needs_people=MIN_PARTICIPANTS,
        needs_statements=min_votes(len(debate.statements)),
        voters=0, votes=0, placed=0, why_no_groups=None, computed_at=None,
        groups=[], consensus=[], divisive=[], dots=[])
    if found is None:
        return frame
    frame["voters"], frame["placed"] = found.voters, len(found.placed)
    frame["votes"] = found.votes
    frame["why_no_groups"], frame["computed_at"] = found.why_no_groups, found.computed_at
    for group in found.groups:
        beliefs = [OpinionBelief(statement=b.statement_id, position=texts[b.statement_id][0],
                                 text=texts[b.statement_id][1], direction=b.direction,
                                 percent=_percent(b.count, b.voters))
                   for b in group.representative if b.statement_id in texts]
        frame["groups"].append(OpinionGroupInfo(letter=group.letter, size=group.size,
                                                beliefs=beliefs))
    frame["consensus"] = [
        OpinionShared(statement=s.statement_id, position=texts[s.statement_id][0],
                      text=texts[s.statement_id][1], direction=s.direction,
                      percent=round(100 * s.probability))
        for s in found.consensus if s.statement_id in texts]
    frame["divisive"] = [
        OpinionDivided(statement=d.statement_id, position=texts[d.statement_id][0],
                       text=texts[d.statement_id][1], agreeing=[*d.agreeing],
                       disagreeing=[*d.disagreeing], spread=round(100 * d.spread))
        for d in found.divisive if d.statement_id in texts]
    if dots:
        frame["dots"] = _dots(found)
    return frame


def screen_opinion(debate: Debate, found: OpinionMap | None) -> OpinionFrame:
    """The `opinion` frame for the projector (while the moderator shows the map): the dots,
    each group's size and its single most representative statement, and the strongest
    consensus statement. Like the moderator's frame it never says who a dot is."""
    return screen_opinion_of(opinion(debate, found))


def screen_map_text(room: Room) -> str:
    """The projector's `opinion` frame of the room's map, encoded: kept in the room until the
    map or the statements change (the live task stores the one it sent)."""
    kept, statements = room.screen_map, room.debate.statements
    if (kept is not None and kept[0] is room.opinion and kept[1] is statements
            and kept[2] == len(statements)):  # (a statement added is appended in place)
        return kept[3]
    return keep_screen_map(room, encode(screen_opinion(room.debate, room.opinion)))


def keep_screen_map(room: Room, text: str) -> str:
    """Keep `text`, the projector's frame of the room's map as it is now, for screen_map_text."""
    statements = room.debate.statements
    room.screen_map = (room.opinion, statements, len(statements), text)
    return text


def screen_opinion_of(frame: OpinionFrame) -> OpinionFrame:
    """The projector's `opinion` frame cut from the moderator's (`frame` is left as it is; the
    dots are shared, not copied: they are the larger part of both)."""
    screen = frame.copy()
    screen["groups"] = [OpinionGroupInfo(letter=g["letter"], size=g["size"],
                                         beliefs=g["beliefs"][:1]) for g in frame["groups"]]
    screen["consensus"] = frame["consensus"][:1]
    screen["divisive"] = []
    return screen


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _dots(found: OpinionMap) -> list[OpinionDot]:
    return [dot for part in _dot_parts(found, MAX_DOTS) for dot in part]


def _dot_parts(found: OpinionMap, size: int) -> Iterator[list[OpinionDot]]:
    rows = found.placed
    step = -(-len(rows) // MAX_DOTS) or 1  # ceil: at most MAX_DOTS, spread over everyone
    xs, ys, groups = rows.xs[::step], rows.ys[::step], rows.groups[::step]
    extent = max(max(map(abs, rows.xs), default=0.0), max(map(abs, rows.ys), default=0.0)) or 1.0
    yield []  # a step of its own: the extent is a pass over everyone placed
    for start in range(0, len(xs), size):
        end = start + size
        yield [OpinionDot(x=round(x / extent, 3), y=round(y / extent, 3), group=group)
               for x, y, group in zip(xs[start:end], ys[start:end], groups[start:end],
                                      strict=True)]


def encoded_dots(found: OpinionMap, size: int) -> Iterator[str]:
    """The frame's dots as JSON, `size` dots at a time (each part without its brackets), so
    the live task can encode 2,000 of them with the event loop turning in between."""
    for part in _dot_parts(found, size):
        yield json.dumps(part, ensure_ascii=False, separators=(",", ":"))[1:-1] if part else ""


def with_dots(encoded: str, dots: str) -> str:
    """An encoded frame made with `dots=False`, with the encoded dots array spliced in."""
    empty = '"dots":[]}'
    if not encoded.endswith(empty):
        raise ValueError("dots must be the frame's last field, and empty")
    return encoded[:-len(empty)] + '"dots":' + dots + "}"
