"""The CSV exports: results per statement and round, every vote cast, the statements with their
translation and the room's voice in numbers, every reason, every request for the floor (the
workbook's sheets of the same name reuse these rows). Spreadsheet-safe, UTF-8 with a byte-order
mark for Excel."""

from __future__ import annotations

import csv
import io

from ..model import Debate
from .cells import spreadsheet_safe
from .snapshot import Snapshot


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    # The BOM makes Excel read UTF-8 (accents, emoji) correctly; other tools ignore it.
    return "\ufeff" + buffer.getvalue()


def result_columns(debate: Debate) -> list[str]:
    """The header of results.csv (and the Results sheet): choices follow the debate's scale."""
    choices = [c.value for c in debate.choices]
    mean = ["mean"] if debate.settings.scale.value == "five" else []
    return ["position", "statement_id", "statement", "round", *choices, "total",
            *(f"{c}_pct" for c in choices), *mean]


def result_rows(data: Snapshot) -> list[list[object]]:
    """One row per statement and round, in the order of result_columns."""
    debate = data.debate
    rows: list[list[object]] = []
    for s in debate.statements:
        for round_ in range(1, s.rounds + 1):
            tally = data.tally(s, round_)
            percent = tally.percentages()
            mean = [tally.mean()] if debate.settings.scale.value == "five" else []
            rows.append([s.position, s.id, s.text, round_,
                         *(tally.counts.get(c, 0) for c in debate.choices), tally.total,
                         *(percent.get(c, 0) for c in debate.choices), *mean])
    return rows


def results_csv(data: Snapshot) -> str:
    """One row per statement and round: counts and whole percentages of each choice."""
    return _csv(result_columns(data.debate), result_rows(data))



VOTE_COLUMNS = ["debate", "statement_id", "position", "statement", "round", "participant", "group",
                "choice", "cast_at"]


def vote_rows(data: Snapshot) -> list[list[object]]:
    return [[data.debate.id, v.statement_id, v.position, v.statement, v.round, v.participant,
             v.group or "", v.choice, v.cast_at] for v in data.votes]


def votes_csv(data: Snapshot) -> str:
    """Every vote cast, in order (a change of mind is a second row; the latest counts)."""
    return _csv(VOTE_COLUMNS, vote_rows(data))



STATEMENT_COLUMNS = ["position", "statement_id", "statement", "translation", "proposed", "rounds",
                     "reasons", "reasons_hidden", "reasons_held", "floor_asked", "floor_called"]


def statement_rows(data: Snapshot) -> list[list[object]]:
    """One row per statement: its texts, and how much the room said besides voting."""
    given = data.reasons()
    rows: list[list[object]] = []
    for s in data.debate.statements:
        own = [g.reason for g in given if g.reason.statement_id == s.id]
        floor = data.floor(s)
        rows.append([s.position, s.id, s.text, s.translation, int(s.proposed), s.rounds,
                     len(own), sum(r.hidden for r in own),
                     sum(r.held and not r.hidden for r in own), floor.asked, floor.called])
    return rows


def statements_csv(data: Snapshot) -> str:
    """One row per statement: translation, reasons given (hidden and held apart), the floor."""
    return _csv(STATEMENT_COLUMNS, statement_rows(data))


REASON_COLUMNS = ["debate", "statement_id", "position", "statement", "round", "reason_id",
                  "participant", "stance", "plus", "hidden", "held", "created_at", "text"]


def reason_rows(data: Snapshot) -> list[list[object]]:
    """Every reason, oldest first, in the order of REASON_COLUMNS."""
    position = {s.id: s for s in data.debate.statements}
    rows: list[list[object]] = []
    for g in data.reasons():
        r = g.reason
        s = position.get(r.statement_id)
        rows.append([data.debate.id, r.statement_id, "" if s is None else s.position,
                     "" if s is None else s.text, r.round, r.id, r.participant,
                     "" if g.stance is None else g.stance.value, g.plus, int(r.hidden),
                     int(r.held), r.created_at, r.text])
    return rows


def reasons_csv(data: Snapshot) -> str:
    """Every reason given with a vote: its stance, +1s and the moderator's flags."""
    return _csv(REASON_COLUMNS, reason_rows(data))


FLOOR_COLUMNS = ["debate", "statement_id", "position", "request_id", "participant", "stance",
                 "status", "created_at"]


def floor_rows(data: Snapshot) -> list[list[object]]:
    """Every request for the floor, oldest first; never the first name typed with it (personal
    data, and it would put a name to the participant's every vote: docs/exports.md)."""
    position = {s.id: s.position for s in data.debate.statements}
    return [[data.debate.id, f.statement_id, position.get(f.statement_id, ""), f.id,
             f.participant, "" if f.stance is None else f.stance.value, f.status.value,
             f.created_at] for f in data.voice.floor]


def floor_csv(data: Snapshot) -> str:
    """Every request for the floor: the stance it asked with, whether it got the floor."""
    return _csv(FLOOR_COLUMNS, floor_rows(data))
