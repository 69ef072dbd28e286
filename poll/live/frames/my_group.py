"""The `my_group` frame: one phone's place on the opinion map while the projector shows it --
"you are in group B with 31 others; you agree with them on 8 of 10 statements". Each phone's
line is its own, so it is an answer to the phone's `my_group` message (or drawn into its page),
or sent to the phone's own channel after a recomputation changed it (poll.live.places), never a
broadcast."""

from __future__ import annotations

import json
from typing import Literal, TypedDict

from ..room import Room


class MyGroupFrame(TypedDict):
    type: Literal["my_group"]
    shown: bool  # the moderator shows the map on the projector (else the rest is empty)
    placed: bool  # this phone is on the map (it answered enough statements)
    group: str | None  # its group's letter (None: not placed, or the map has no groups)
    others: int  # the group's other members
    same: int  # statements on which its answer is the group's most common one ...
    of: int  # ... of those both it and the group answered


def my_group(room: Room, participant: str) -> MyGroupFrame:
    """Where `participant` stands on the room's last map, while the map is on the projector,
    as of the votes the map was computed from (its agreement with its group comes with the
    map: a dictionary look-up here)."""
    frame = MyGroupFrame(type="my_group", shown=False, placed=False, group=None, others=0,
                         same=0, of=0)
    found = room.opinion
    if not room.debate.stage.show_map or found is None:
        return frame
    frame["shown"] = True
    rows = found.placed
    i = rows.row(participant)
    if i is None:
        return frame  # not on the map: too few answers (or no vote since it was computed)
    frame["placed"] = True
    letter = rows.groups[i]
    group = found.group(letter)
    if group is None:
        return frame  # on the map, which found no clear groups
    frame["group"], frame["others"] = letter, group.size - 1
    frame["same"], frame["of"] = rows.same[i], rows.of[i]
    return frame


def encode_my_group(frame: MyGroupFrame) -> str:
    """`frame` as `wire.encode` writes it, formatted directly: after a recomputation it is
    encoded once for every phone (2,000 json.dumps calls were some 13 ms of the event loop's
    time per map; docs/performance.md, "The opinion map, live")."""
    group = "null" if frame["group"] is None else json.dumps(frame["group"], ensure_ascii=False)
    shown = "true" if frame["shown"] else "false"
    placed = "true" if frame["placed"] else "false"
    return (f'{{"type":"my_group","shown":{shown},"placed":{placed},"group":{group},'
            f'"others":{frame["others"]:d},"same":{frame["same"]:d},"of":{frame["of"]:d}}}')
