"""`poll copy SRC DST`: a whole archive moved between two databases of any kind, both ways.

Both stores are opened (so both are at this release's schema version, the same tables and
columns under either backend), every table of the source is read in one consistent snapshot and
written into the target in one transaction, ids and all: debates, statements, votes, groups,
members, proposals, reasons and their +1s, the floor, the stage, keys and the server's facts.
The target must hold no debates yet, so nothing in it is overwritten or mixed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from . import StoreError, store_at

# Every table, parents before the rows that point at them.
TABLES = ("debates", "statements", "audience_groups", "members", "admitted", "proposals",
          "votes", "reasons", "reason_votes", "proposal_votes", "floor_requests", "meta")


@dataclass(slots=True)
class Table:
    """One table's rows with the names of their columns."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@runtime_checkable
class Archive(Protocol):
    """What a backend offers `poll copy` (beside the `Store` the app uses)."""

    async def dump(self) -> dict[str, Table]:
        """Every table in TABLES, read in one snapshot."""
        ...

    async def load(self, tables: dict[str, Table]) -> None:
        """Write these rows, ids included, in one transaction (all or nothing); the server's
        facts (`meta`) replace the target's own of the same name."""
        ...


@dataclass(slots=True)
class Copied:
    """What `copy_archive` moved: rows per table, as counted again in the target."""

    rows: dict[str, int]


async def copy_archive(source: str | Path, target: str | Path) -> Copied:
    """Copy every debate (and everything of it) from `source` into `target`, which must hold no
    debates yet; the row count of every table is checked in the target afterwards."""
    if str(source) == str(target):
        raise StoreError("the source and the target are the same database")
    async with store_at(source) as src, store_at(target) as dst:
        if not isinstance(src, Archive) or not isinstance(dst, Archive):
            raise StoreError("this kind of database cannot be copied")
        held = len(await dst.summaries())
        if held:
            raise StoreError(f"{target} holds {held} debates already; copy into an empty "
                             "database")
        tables = await src.dump()
        await dst.load(tables)
        again = await dst.dump()
    counts = {name: len(again[name].rows) for name in TABLES}
    for name in TABLES:
        if name != "meta" and counts[name] != len(tables[name].rows):
            raise StoreError(f"the copy of {name} has {counts[name]} rows, the source "
                             f"{len(tables[name].rows)}")
    return Copied(counts)
