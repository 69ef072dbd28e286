"""Model objects from database rows, the same for every backend: an aiosqlite `Row` and an
asyncpg `Record` are both read by column name, and both backends keep the same columns (the
schema versions are the same, docs/architecture.md), so each object is built in one place."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from ..model import (
    Choice,
    Debate,
    DebateSettings,
    FloorRequest,
    FloorStatus,
    Group,
    Phase,
    Reason,
    ReasonsShown,
    Scale,
    ScreenLanguages,
    Stage,
    Statement,
    Visibility,
)
from ..tally import Tally, TallyKey


class Row(Protocol):
    """A row read by column name."""

    def __getitem__(self, column: str) -> Any: ...


# The columns `statement` reads, in this order.
STATEMENT_COLUMNS = "id, position, text, notes, rounds, proposed, revealed_round, translation"


def statement(s: Row, debate_id: str) -> Statement:
    return Statement(s["id"], debate_id, s["position"], s["text"], s["notes"], s["rounds"],
                     bool(s["proposed"]), s["revealed_round"], s["translation"])


def debate(r: Row, statements: list[Statement], groups: list[Group]) -> Debate:
    """A debate from its `debates` row, with its statements and audience groups."""
    stage = Stage(r["current_statement"], Phase(r["phase"]), bool(r["revealed"]),
                  r["round"], bool(r["show_groups"]), r["timer_ends"], bool(r["timer_reveal"]),
                  r["spotlight"], bool(r["show_map"]), bool(r["show_moves"]))
    settings = DebateSettings(
        Scale(r["scale"]), Visibility(r["visibility"]), bool(r["proposals"]),
        ReasonsShown(r["reasons_shown"]), bool(r["proposals_public"]),
        ScreenLanguages(r["screen_languages"]),
        tuple(w for w in r["held_words"].split("\n") if w))
    return Debate(r["id"], r["title"], r["lang"], r["join_code"], r["created_at"],
                  statements, stage, r["room_code"], settings, groups, r["copied_from"],
                  r["peak_connected"], r["key_tag"], r["screen_key"],
                  bool(r["report_published"]))


def reason(r: Row) -> Reason:
    return Reason(r["id"], r["statement_id"], r["round"], r["participant"], r["text"],
                  r["created_at"], bool(r["hidden"]), bool(r["held"]))


def floor_request(r: Row) -> FloorRequest:
    return FloorRequest(r["id"], r["statement_id"], r["participant"], r["name"],
                        None if r["stance"] is None else Choice(r["stance"]),
                        FloorStatus(r["status"]), r["created_at"], r["token"])


def tallies(scale: Scale, votes: Iterable[Any]) -> dict[TallyKey, Tally]:
    """Every (statement, round)'s tally from (statement_id, round, participant, choice) rows
    in the order they were stored: a participant's latest choice counts."""
    out: dict[TallyKey, Tally] = {}
    for statement_id, round_, participant, choice in votes:
        key = (statement_id, round_)
        tally = out.get(key)
        if tally is None:
            tally = out[key] = Tally(scale)
        tally.apply(participant, Choice(choice))
    return out
