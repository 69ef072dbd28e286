"""Exports after the debate: results per statement (CSV), every vote (CSV), everything (JSON).

Built from committed data in the store, so the server and `poll export` give the same files.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .model import Debate, Tally
from .store import Store, TallyKey

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "results.csv"),
    "votes-csv": ("text/csv; charset=utf-8", "votes.csv"),
    "json": ("application/json", "debate.json"),
}

# A cell starting with one of these runs as a formula in Excel, LibreOffice or Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that cannot run as a formula: prefix a risky first character with a quote (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    # The BOM makes Excel read UTF-8 (accents, emoji) correctly; other tools ignore it.
    return "\ufeff" + buffer.getvalue()


def results_csv(debate: Debate, tallies: dict[TallyKey, Tally]) -> str:
    """One row per statement and round: counts and whole percentages of each choice."""
    choices = debate.choices
    header = ["position", "statement", "round", *choices, "total",
              *(f"{c}_pct" for c in choices)]
    rows = []
    for s in debate.statements:
        for round_ in range(1, s.rounds + 1):
            tally = tallies.get((s.id, round_)) or Tally(debate.settings.scale)
            percent = tally.percentages()
            rows.append([s.position, s.text, round_, *(tally.counts.get(c, 0) for c in choices),
                         tally.total, *(percent.get(c, 0) for c in choices)])
    return _csv([str(h) for h in header], rows)


async def votes_csv(store: Store, debate: Debate) -> str:
    """Every vote cast, in order: anonymous participant, statement, choice, time."""
    header = ["debate", "statement_id", "position", "statement", "participant", "choice",
              "cast_at"]
    rows: list[list[object]] = [
        [debate.id, v.statement_id, v.position, v.statement, v.participant, v.choice, v.cast_at]
        for v in await store.votes(debate.id)
    ]
    return _csv(header, rows)


async def debate_json(store: Store, debate: Debate) -> str:
    """The whole debate as one JSON document: debate, statements with results, votes."""
    tallies = await store.tallies(debate.id)
    document: dict[str, Any] = {
        "debate": {"id": debate.id, "title": debate.title, "lang": debate.lang,
                   "join_code": debate.join_code, "created_at": debate.created_at},
        "statements": [
            {"id": s.id, "position": s.position, "text": s.text,
             "results": (tallies.get((s.id, s.rounds))
                         or Tally(debate.settings.scale)).as_dict()}
            for s in debate.statements
        ],
        "votes": [
            {"statement_id": v.statement_id, "participant": v.participant, "choice": v.choice,
             "cast_at": v.cast_at, "vote_id": v.vote_id}
            for v in await store.votes(debate.id)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


async def export(store: Store, debate: Debate, fmt: str) -> str:
    """The debate in one of FORMATS."""
    if fmt == "csv":
        return results_csv(debate, await store.tallies(debate.id))
    if fmt == "votes-csv":
        return await votes_csv(store, debate)
    if fmt == "json":
        return await debate_json(store, debate)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def filename(debate: Debate, fmt: str) -> str:
    return f"{debate.id}-{FORMATS[fmt][1]}"
