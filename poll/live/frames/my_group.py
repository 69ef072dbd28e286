"""The `my_group` frame: one phone's place on the opinion map while the projector shows it --
"you are in group B with 31 others; you agree with them on 8 of 10 statements". Each phone's
line is its own, so it is an answer to the phone's `my_group` message (or drawn into its page),
or sent to the phone's own channel after a recomputation changed it (poll.live.places), never a
broadcast."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypedDict

from ...model import Choice
from ...opinion.result import agreement
from ..room import Room


class MyGroupFrame(TypedDict):
    type: Literal["my_group"]
    shown: bool  # the moderator shows the map on the projector (else the rest is empty)
    placed: bool  # this phone is on the map (it answered enough statements)
    group: str | None  # its group's letter (None: not placed, or the map has no groups)
    others: int  # the group's other members
    same: int  # statements on which its answer is the group's most common one ...
    of: int  # ... of those both it and the group answered


def my_group(room: Room, participant: str,
             votes: Mapping[int, Choice] | None = None) -> MyGroupFrame:
    """Where `participant` stands on the room's last map, while the map is on the projector.
    Cheap: a dictionary look-up and one pass over the phone's own votes (`votes`, its counted
    choice per statement in the current round, when the caller has them at hand)."""
    frame = MyGroupFrame(type="my_group", shown=False, placed=False, group=None, others=0,
                         same=0, of=0)
    found = room.opinion
    if not room.debate.stage.show_map or found is None:
        return frame
    frame["shown"] = True
    if participant not in room.opinion_letters:
        return frame  # not on the map: too few answers (or no vote since it was computed)
    frame["placed"] = True
    letter = room.opinion_letters[participant]
    group = found.group(letter)
    if group is None:
        return frame  # on the map, which found no clear groups
    if votes is None:
        votes = room.votes_of(participant)
    choices = {sid: choice.value for sid, choice in votes.items()}
    same, of = agreement(group, choices)
    frame["group"], frame["others"], frame["same"], frame["of"] = letter, group.size - 1, same, of
    return frame
