"""The whole PostgreSQL archive read and written table by table, for `poll copy`
(poll.store.copy): read in one REPEATABLE READ snapshot, written with COPY."""

from __future__ import annotations

import asyncpg

from .. import StoreError
from ..copy import TABLES, Table
from .base import PostgresBase

# the tables whose `id` is an identity column: its sequence must move past the copied ids
IDENTITIES = ("statements", "audience_groups", "proposals", "votes", "reasons", "floor_requests")


class ArchiveQueries(PostgresBase):
    """Every table at once."""

    async def dump(self) -> dict[str, Table]:
        """Every table, in one read-only snapshot."""
        if self._pool is None:
            raise StoreError("the store is closed")
        tables: dict[str, Table] = {}
        async with self._pool.acquire() as conn, conn.transaction(
                isolation="repeatable_read", readonly=True):
            for name in TABLES:
                order = " ORDER BY id" if name in IDENTITIES or name == "debates" else ""
                query = await conn.prepare(f"SELECT * FROM {name}{order}")
                columns = [a.name for a in query.get_attributes()]
                tables[name] = Table(columns, [tuple(r) for r in await query.fetch()])
        return tables

    async def load(self, tables: dict[str, Table]) -> None:
        """COPY every row in, ids included, in one write; a fact of the same name is replaced;
        the id sequences then start after the highest id copied."""

        async def insert(db: asyncpg.Connection) -> None:
            meta = tables["meta"]
            if meta.rows:
                key = meta.columns.index("key")
                await db.execute("DELETE FROM meta WHERE key = ANY($1::text[])",
                                 [row[key] for row in meta.rows])
            for name in TABLES:
                table = tables[name]
                if table.rows:
                    await db.copy_records_to_table(name, records=table.rows,
                                                   columns=table.columns)
            for name in IDENTITIES:
                await db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id))"
                    f" FROM {name} HAVING max(id) IS NOT NULL")

        await self._write(insert)
