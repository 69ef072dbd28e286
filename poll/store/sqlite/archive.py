"""The whole SQLite archive read and written table by table, for `poll copy` (poll.store.copy)."""

from __future__ import annotations

import aiosqlite

from .. import StoreError
from ..copy import TABLES, Table
from .base import SQLiteBase


class ArchiveQueries(SQLiteBase):
    """Every table at once."""

    async def dump(self) -> dict[str, Table]:
        """Every table, read inside one read transaction (one snapshot of the WAL)."""
        if self._reader is None:
            raise StoreError("the store is closed")
        db = self._reader
        tables: dict[str, Table] = {}
        await db.execute("BEGIN")
        try:
            for name in TABLES:
                async with db.execute(f"SELECT * FROM {name} ORDER BY rowid") as cursor:
                    rows = [tuple(r) for r in await cursor.fetchall()]
                    tables[name] = Table([d[0] for d in cursor.description], rows)
        finally:
            await db.execute("COMMIT")
        return tables

    async def load(self, tables: dict[str, Table]) -> None:
        """Insert every row, ids included, in one write; a fact of the same name is replaced."""

        async def insert(db: aiosqlite.Connection) -> None:
            for name in TABLES:
                table = tables[name]
                if not table.rows:
                    continue
                marks = ", ".join("?" * len(table.columns))
                verb = "INSERT OR REPLACE" if name == "meta" else "INSERT"
                await db.executemany(
                    f"{verb} INTO {name} ({', '.join(table.columns)}) VALUES ({marks})",
                    table.rows)

        await self._write(insert)
