"""The debate as an Excel workbook (XlsxWriter): Summary, Results, Groups, Swing, Votes, Proposals,
Statements, Reasons, Floor, and who thinks alike: Opinion map (each participant's group and
position) and Opinion groups (what each group believes, consensus, divisive).

Text is always written with `write_string`, so no cell ever becomes a formula; text a spreadsheet
would take for one (`=`, `+`, `-`, `@` first) also gets Excel's quote prefix, which keeps it text
when someone edits the cell later. The text itself stays exactly as typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .. import analysis
from .cells import formula_risk
from .opinion import BELIEF_COLUMNS, MAP_COLUMNS, belief_rows, groups_text, map_rows
from .snapshot import Snapshot
from .tables import (
    FLOOR_COLUMNS,
    REASON_COLUMNS,
    STATEMENT_COLUMNS,
    VOTE_COLUMNS,
    floor_rows,
    reason_rows,
    result_columns,
    result_rows,
    statement_rows,
    vote_rows,
)

MAX_WIDTH = 80  # characters; long statements wrap instead of making a mile-wide column


class _Sheets:
    """One workbook being written, with its few formats."""

    def __init__(self, buffer: io.BytesIO) -> None:
        # No guessing: a string stays a string (never a formula, URL or number).
        self.book = xlsxwriter.Workbook(buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self.header = self.book.add_format({"bold": True, "bg_color": "#F0F2F7",
                                            "bottom": 1, "text_wrap": True, "valign": "top"})
        self.text = self.book.add_format({"valign": "top", "text_wrap": True})
        self.risky = self.book.add_format({"valign": "top", "text_wrap": True,
                                           "quote_prefix": True})
        self.number = self.book.add_format({"valign": "top"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})

    def cell(self, sheet: Worksheet, row: int, col: int, value: Any,
             fmt: Format | None = None) -> int:
        """Write one value; returns its display width in characters (for the column width)."""
        if value is None or value == "":
            sheet.write_blank(row, col, None, fmt or self.number)
            return 0
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt or self.number)
            return 5
        if isinstance(value, int | float):
            sheet.write_number(row, col, value, fmt or self.number)
            return len(str(value))
        text = str(value)
        sheet.write_string(row, col, text, fmt or (self.risky if formula_risk(text) else self.text))
        return max((len(line) for line in text.splitlines()), default=0)

    def table(self, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Worksheet:
        """A sheet with a bold, frozen header row, a filter, and columns sized to their content."""
        sheet = self.book.add_worksheet(name)
        widths = [len(h) for h in header]
        for col, h in enumerate(header):
            sheet.write_string(0, col, h, self.header)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                widths[col] = max(widths[col], self.cell(sheet, r, col, value))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width, 4) + 2, MAX_WIDTH))
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(header) - 1)
        return sheet

    def close(self) -> None:
        self.book.close()


def _summary(out: _Sheets, data: Snapshot) -> None:
    debate = data.debate
    sheet = out.book.add_worksheet("Summary")
    h = analysis.highlights(debate, data.tallies, data.members)

    def statement(s: Any) -> str:
        return f"{s.position}. {s.text}"

    rows: list[tuple[str, Any]] = [
        ("Title", debate.title),
        ("Date (UTC)", _when(debate.created_at)),
        ("Debate id", debate.id),
        ("Language", debate.lang),
        ("Scale", debate.settings.scale.value),
        ("Choices", ", ".join(c.value for c in debate.choices)),
        ("Visibility", debate.settings.visibility.value),
        ("Audience proposals", "yes" if debate.settings.proposals else "no"),
        ("Audience groups", ", ".join(g.name for g in debate.groups)),
        ("Statements", len(debate.statements)),
        ("Participants", data.participants()),
        ("Peak connected", debate.peak_connected),
        ("Votes counted", data.votes_counted()),
        ("Votes cast", len(data.votes)),
        ("", ""),
        ("Most agreed", "" if h.most_agreed is None
         else f"{statement(h.most_agreed[0])} ({h.most_agreed[1]}% agree)"),
        ("Most divided", "" if h.most_divided is None
         else f"{statement(h.most_divided[0])} (division {h.most_divided[1]} of 100)"),
        ("Most changed", "" if h.most_changed is None
         else f"{statement(h.most_changed[0])} ({_swing_text(h.most_changed[1])})"),
        ("Groups differ most", "" if h.groups_differ is None else _gap_text(h.groups_differ)),
        ("Opinion groups", groups_text(data.opinion)),
    ]
    sheet.write_string(0, 0, "Debate report", out.title)
    width = 10
    for r, (key, value) in enumerate(rows, start=2):
        if key:
            sheet.write_string(r, 0, key, out.header)
        width = max(width, out.cell(sheet, r, 1, value))
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, min(width + 2, MAX_WIDTH))


def _gap_text(gap: analysis.GroupGap) -> str:
    def name(result: analysis.GroupResult) -> str:
        return "(no group)" if result.group is None else result.group.name

    return (f"{gap.statement.position}. {gap.statement.text} ({name(gap.high)} {gap.high.agree}%"
            f" agree, {name(gap.low)} {gap.low.agree}% agree: {gap.points} points apart)")


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _swing_text(swing: Any) -> str:
    return "draw" if swing.draw else f"{swing.leader.value} {swing.points:+d} points"


def _groups(data: Snapshot) -> tuple[list[str], list[list[Any]]]:
    debate = data.debate
    choices = debate.choices
    header = ["position", "statement", "round", "group", "voters",
              *(c.value for c in choices), *(f"{c.value}_pct" for c in choices), "agree_share"]
    rows = []
    for s in debate.statements:
        tally = data.tally(s, s.rounds)
        for g in analysis.split(tally, debate.groups, data.members) if debate.groups else []:
            percent = g.tally.percentages()
            rows.append([s.position, s.text, s.rounds,
                         "(no group)" if g.group is None else g.group.name, g.tally.total,
                         *(g.tally.counts.get(c, 0) for c in choices),
                         *(percent.get(c, 0) for c in choices), g.agree])
    return header, rows


def _swings(data: Snapshot) -> tuple[list[str], list[list[Any]]]:
    choices = data.debate.choices
    header = ["position", "statement", "voters_in_both",
              *(f"{c.value}_before_pct" for c in choices),
              *(f"{c.value}_after_pct" for c in choices),
              *(f"{c.value}_shift" for c in choices), "leader", "points", "draw"]
    rows = []
    for s in data.debate.statements:
        swing = analysis.swing_of(data.tallies, s)
        if swing is None:
            continue
        rows.append([s.position, s.text, swing.voters,
                     *(swing.before.get(c, 0) for c in choices),
                     *(swing.after.get(c, 0) for c in choices),
                     *(swing.shift.get(c, 0) for c in choices),
                     "" if swing.leader is None else swing.leader.value, swing.points,
                     swing.draw])
    return header, rows


def workbook(data: Snapshot) -> bytes:
    """The workbook's bytes (an .xlsx file)."""
    buffer = io.BytesIO()
    out = _Sheets(buffer)
    _summary(out, data)
    out.table("Results", result_columns(data.debate), result_rows(data))
    out.table("Groups", *_groups(data))
    out.table("Swing", *_swings(data))
    out.table("Votes", [*VOTE_COLUMNS, "vote_id"],
              [[*row, v.vote_id] for row, v in zip(vote_rows(data), data.votes, strict=True)])
    out.table("Proposals", ["id", "text", "status", "created_at", "statement_id", "participant"],
              [[p.id, p.text, p.status.value, p.created_at, p.statement_id or "", p.participant]
               for p in data.proposals])
    out.table("Statements", STATEMENT_COLUMNS, statement_rows(data))
    out.table("Reasons", REASON_COLUMNS, reason_rows(data))
    out.table("Floor", FLOOR_COLUMNS, floor_rows(data))
    out.table("Opinion map", MAP_COLUMNS, map_rows(data.opinion))
    out.table("Opinion groups", BELIEF_COLUMNS, belief_rows(data.debate, data.opinion))
    out.close()
    return buffer.getvalue()
