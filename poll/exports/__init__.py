"""Exports after the debate: results per statement and round (CSV), every vote (CSV), the
statements with the room's voice in numbers, every reason and every request for the floor (CSV),
everything (JSON), a workbook (XLSX) and a Pol.is-compatible CSV set (ZIP). docs/exports.md
describes every column.

Built from committed data in the store (`snapshot`), so the server and `poll export` give the same
files. The JSON document, the workbook and the Pol.is set also carry the opinion map (who thinks
alike), which the caller computes (`opinion.NEEDS_MAP`: the server in its OpinionWorker, `poll
export` in its own process). Each format is one module; this one only picks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..model import Debate
from ..opinion.result import OpinionMap
from ..store import Store
from .document import debate_json
from .snapshot import Snapshot, snapshot
from .tables import floor_csv, reasons_csv, results_csv, statements_csv, votes_csv


class Format(NamedTuple):
    media_type: str
    filename: str  # after the debate's id: "abc123-results.csv"
    binary: bool = False  # bytes, not text: to a file, not a terminal


FORMATS = {
    "csv": Format("text/csv; charset=utf-8", "results.csv"),
    "votes-csv": Format("text/csv; charset=utf-8", "votes.csv"),
    "statements-csv": Format("text/csv; charset=utf-8", "statements.csv"),
    "reasons-csv": Format("text/csv; charset=utf-8", "reasons.csv"),
    "floor-csv": Format("text/csv; charset=utf-8", "floor.csv"),
    "json": Format("application/json", "debate.json"),
    "xlsx": Format("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   "results.xlsx", binary=True),
    "polis": Format("application/zip", "polis.zip", binary=True),
}

_TEXT: dict[str, Callable[[Snapshot], str]] = {
    "csv": results_csv, "votes-csv": votes_csv, "statements-csv": statements_csv,
    "reasons-csv": reasons_csv, "floor-csv": floor_csv, "json": debate_json,
}


async def export(store: Store, debate: Debate, fmt: str, *, join_url: str = "",
                 opinion: OpinionMap | None = None) -> str | bytes:
    """The debate in one of FORMATS: text for the CSV and JSON formats, bytes for the binary
    ones. `join_url` (the debate's join link) goes into the Pol.is summary; `opinion`, the map
    of the debate's votes as they stand, into the JSON document and the Pol.is set."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = await snapshot(store, debate, opinion)
    if fmt in _TEXT:
        return _TEXT[fmt](data)
    if fmt == "xlsx":
        from .xlsx import workbook  # XlsxWriter is loaded only when asked for

        return workbook(data)
    from .polis import polis_zip

    return polis_zip(data, join_url)


def filename(debate: Debate, fmt: str) -> str:
    """The download's file name: the debate's id, then the format's."""
    return f"{debate.id}-{FORMATS[fmt].filename}"
