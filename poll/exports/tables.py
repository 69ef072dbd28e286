"""The CSV exports: results per statement and round, and every vote cast (the workbook's sheets
of the same name reuse these rows). Spreadsheet-safe, UTF-8 with a byte-order mark for Excel."""

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

