"""Exports after the debate: results per statement and round (CSV), every vote (CSV), everything
(JSON), a workbook (XLSX, poll.export_xlsx) and a Pol.is-compatible CSV set (ZIP,
poll.export_polis). docs/exports.md describes every column.

Built from committed data in the store, so the server and `poll export` give the same files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from . import analysis
from .model import Choice, Debate, Proposal, Statement, Tally, TallyKey
from .store import Store, VoteRow

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "results.csv"),
    "votes-csv": ("text/csv; charset=utf-8", "votes.csv"),
    "json": ("application/json", "debate.json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "results.xlsx"),
    "polis": ("application/zip", "polis.zip"),
}
BINARY = {"xlsx", "polis"}  # formats whose body is bytes, not text

# A cell starting with one of these runs as a formula in Excel, LibreOffice or Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that cannot run as a formula: prefix a risky first character with a quote (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def formula_risk(value: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return value.startswith(_FORMULA_START)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything an export reads, fetched once."""

    debate: Debate
    tallies: dict[TallyKey, Tally]
    votes: list[VoteRow]  # every vote cast, in the order stored
    members: dict[str, int]  # participant -> audience group id
    proposals: list[Proposal]

    def tally(self, statement: Statement, round_: int) -> Tally:
        return self.tallies.get((statement.id, round_)) or Tally(self.debate.settings.scale)

    def participants(self) -> int:
        """Distinct participants who voted at all."""
        return len({v.participant for v in self.votes})

    def votes_counted(self) -> int:
        """Each participant's latest answer per statement and round, added up."""
        return sum(t.total for t in self.tallies.values())


async def snapshot(store: Store, debate: Debate) -> Snapshot:
    """Read what the exports need from the store (one consistent set of reads per export)."""
    return Snapshot(debate, await store.tallies(debate.id), await store.votes(debate.id),
                    await store.members(debate.id), await store.proposals(debate.id))


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


def _highlights(data: Snapshot) -> dict[str, Any]:
    h = analysis.highlights(data.debate, data.tallies, data.members)
    return {
        "most_agreed": None if h.most_agreed is None else {
            "statement_id": h.most_agreed[0].id, "agree": h.most_agreed[1]},
        "most_divided": None if h.most_divided is None else {
            "statement_id": h.most_divided[0].id, "division": h.most_divided[1]},
        "most_changed": None if h.most_changed is None else {
            "statement_id": h.most_changed[0].id, "swing": h.most_changed[1].as_dict()},
        "groups_differ": None if h.groups_differ is None else {
            "statement_id": h.groups_differ.statement.id, "points": h.groups_differ.points,
            "high": h.groups_differ.high.as_dict(), "low": h.groups_differ.low.as_dict()},
    }


def _statement_json(data: Snapshot, s: Statement) -> dict[str, Any]:
    debate = data.debate
    latest = data.tally(s, s.rounds)
    swing = analysis.swing_of(data.tallies, s)
    return {
        "id": s.id, "position": s.position, "text": s.text, "notes": s.notes,
        "proposed": s.proposed, "rounds": s.rounds,
        "results": latest.as_dict(),  # the latest round, as counted
        "results_by_round": [{"round": n, **data.tally(s, n).as_dict()}
                             for n in range(1, s.rounds + 1)],
        "groups": [g.as_dict() for g in analysis.split(latest, debate.groups, data.members)]
        if debate.groups else [],
        "swing": None if swing is None else swing.as_dict(),
    }


def debate_json(data: Snapshot) -> str:
    """The whole debate as one JSON document: debate, settings, groups, attendance, statements
    with results per round, group split, swing and notes, highlights, votes, proposals."""
    debate = data.debate
    document: dict[str, Any] = {
        "debate": {"id": debate.id, "title": debate.title, "lang": debate.lang,
                   "join_code": debate.join_code, "created_at": debate.created_at,
                   "copied_from": debate.copied_from},
        "settings": {"scale": debate.settings.scale.value,
                     "choices": [c.value for c in debate.choices],
                     "visibility": debate.settings.visibility.value,
                     "proposals": debate.settings.proposals},
        "groups": [{"id": g.id, "name": g.name} for g in debate.groups],
        "attendance": {"participants": data.participants(),
                       "peak_connected": debate.peak_connected,
                       "votes_counted": data.votes_counted(), "votes_cast": len(data.votes)},
        "statements": [_statement_json(data, s) for s in debate.statements],
        "highlights": _highlights(data),
        "votes": [
            {"statement_id": v.statement_id, "round": v.round, "participant": v.participant,
             "group": v.group, "choice": v.choice, "cast_at": v.cast_at, "vote_id": v.vote_id}
            for v in data.votes
        ],
        "proposals": [
            {"id": p.id, "text": p.text, "status": p.status.value, "created_at": p.created_at,
             "statement_id": p.statement_id, "participant": p.participant}
            for p in data.proposals
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def choice_label(choice: Choice | str) -> str:
    """A choice as exports name it (its value: "strongly_agree")."""
    return choice.value if isinstance(choice, Choice) else choice


async def export(store: Store, debate: Debate, fmt: str, *, base_url: str = "") -> str | bytes:
    """The debate in one of FORMATS: text for the CSV and JSON formats, bytes for BINARY ones.
    `base_url` (the server's public address) completes the join link in the Pol.is summary."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = await snapshot(store, debate)
    if fmt == "csv":
        return results_csv(data)
    if fmt == "votes-csv":
        return votes_csv(data)
    if fmt == "json":
        return debate_json(data)
    if fmt == "xlsx":
        from .export_xlsx import workbook  # XlsxWriter is loaded only when asked for

        return workbook(data)
    from .export_polis import polis_zip

    return polis_zip(data, base_url)


def filename(debate: Debate, fmt: str) -> str:
    return f"{debate.id}-{FORMATS[fmt][1]}"
