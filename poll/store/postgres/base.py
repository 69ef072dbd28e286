"""The PostgreSQL store's connections: the writer's own, and a small pool for reads.

Reads never wait for a batch of votes: they go through the pool, beside the writer
(`writer.Writer`). The query modules build on this class with `_read` and `_write` and nothing
else, as SQLite's do.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any, Self, TypeVar

import asyncpg

from .. import StoreError, shown_url
from .migrations import migrate, schema_version
from .writer import WriteFn, Writer

T = TypeVar("T")

READERS = 4  # pooled connections for reads, per process


class PostgresBase:
    """Connecting and disconnecting, and the two ways to reach the database."""

    def __init__(self, url: str, *, max_batch: int = 500) -> None:
        self.url = url
        self.max_batch = max_batch
        self._writer: Writer | None = None
        self._pool: asyncpg.Pool | None = None

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url)

    async def open(self) -> Self:
        """Connect, apply pending migrations (one process at a time), start the writer."""
        writing: asyncpg.Connection | None = None
        try:
            writing = await self._connect()
            await migrate(writing, shown_url(self.url))
            # min_size=0: connections are made when a read needs one (and kept for the next);
            # with a floor, asyncpg reconnects in the background while the database is away and
            # logs a traceback every retry. A read while it is away fails as a StoreError.
            self._pool = await asyncpg.create_pool(self.url, min_size=0, max_size=READERS)
        except BaseException as exc:
            if writing is not None:
                await writing.close()
            if isinstance(exc, asyncpg.PostgresError | OSError | asyncpg.InterfaceError):
                raise StoreError(f"cannot open the database {shown_url(self.url)}: {exc}") from exc
            raise
        self._writer = Writer(writing, self._connect, max_batch=self.max_batch)
        return self

    async def close(self) -> None:
        """Finish every queued write, then close the connections."""
        writer, self._writer = self._writer, None
        if writer is not None:
            await writer.stop()
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _write(self, fn: WriteFn[T]) -> T:
        """Run `fn` inside the writer's next transaction; return its result after COMMIT."""
        if self._writer is None:
            raise StoreError("the store is closed")
        return await self._writer.write(fn)

    async def _read(self, sql: str, params: Iterable[Any] = ()) -> list[asyncpg.Record]:
        if self._pool is None:
            raise StoreError("the store is closed")
        try:
            return list(await self._pool.fetch(sql, *params))
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as exc:
            raise StoreError(f"could not read: {exc}") from exc

    async def schema_version(self) -> int:
        """The database's schema version (the row of `schema_version`)."""
        if self._pool is None:
            raise StoreError("the store is closed")
        async with self._pool.acquire() as conn:
            return await schema_version(conn)

    async def secret(self, name: str) -> str:
        """A random secret kept in the database under `name`, made on first use (the same one
        for every process: the first to store it wins)."""
        rows = await self._read("SELECT value FROM meta WHERE key = $1", (name,))
        if rows:
            return str(rows[0][0])
        value = secrets.token_urlsafe(32)

        async def insert(db: asyncpg.Connection) -> str:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                name, value)
            return str(await db.fetchval("SELECT value FROM meta WHERE key = $1", name))

        return await self._write(insert)

    async def fact(self, name: str) -> str | None:
        """What the server remembered under `name` (see `remember`), or None."""
        rows = await self._read("SELECT value FROM meta WHERE key = $1", (name,))
        return str(rows[0][0]) if rows else None

    async def remember(self, name: str, value: str) -> None:
        """Keep `value` under `name` for later runs (and for `poll new`), replacing what was."""

        async def upsert(db: asyncpg.Connection) -> None:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", name, value)

        await self._write(upsert)
