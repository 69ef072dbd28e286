"""The SQLite store's two connections: the writer's and the readers'.

WAL lets reads run beside the one writer (`writer.Writer`), so the pages and exports never wait
for a batch of votes to commit. The query modules (`debates`, `votes`, `audience`) build on this
class with `_read` and `_write` and nothing else.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Self, TypeVar

import aiosqlite

from .. import StoreError
from .migrations import check_integrity, migrate
from .writer import WriteFn, Writer

T = TypeVar("T")


class SQLiteBase:
    """Opening and closing the file, and the two ways to reach it."""

    def __init__(self, path: Path | str, *, max_batch: int = 500) -> None:
        self.path = Path(path)
        self.max_batch = max_batch
        self._writer: Writer | None = None
        self._reader: aiosqlite.Connection | None = None

    async def open(self) -> Self:
        """Open both connections, check the file, apply pending migrations, start the writer."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writing: aiosqlite.Connection | None = None
        try:
            # isolation_level=None: the writer issues BEGIN/COMMIT itself, one transaction a batch.
            writing = await aiosqlite.connect(self.path, isolation_level=None)
            for pragma in (
                "PRAGMA journal_mode=WAL",
                # NORMAL in WAL survives a crash of the process; see docs/reliability.md.
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ):
                await writing.execute(pragma)
            await check_integrity(writing, self.path)
            await migrate(writing, self.path)
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            await self._reader.execute("PRAGMA busy_timeout=5000")
            self._reader.row_factory = aiosqlite.Row
        except BaseException as exc:
            # An open connection's thread would keep the process alive after the error.
            for conn in (self._reader, writing):
                if conn is not None:
                    await conn.close()
            self._reader = None
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(
                    f"{self.path} is damaged or not a debate-poll database ({exc}). Restore a "
                    "backup made with `poll backup`, or move the file away to start afresh."
                ) from exc
            raise
        self._writer = Writer(writing, max_batch=self.max_batch)
        return self

    async def close(self) -> None:
        """Finish every queued write, then close the connections."""
        writer, self._writer = self._writer, None
        if writer is not None:
            await writer.stop()
            await writer.db.close()
        if self._reader is not None:
            await self._reader.close()
            self._reader = None

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _write(self, fn: WriteFn[T]) -> T:
        """Run `fn` inside the writer's next transaction; return its result after COMMIT."""
        if self._writer is None:
            raise StoreError("the store is closed")
        return await self._writer.write(fn)

    async def _read(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        if self._reader is None:
            raise StoreError("the store is closed")
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def schema_version(self) -> int:
        """The file's schema version (PRAGMA user_version)."""
        ((version,),) = await self._read("PRAGMA user_version")
        return int(version)

    async def secret(self, name: str) -> str:
        """A random secret kept in the database under `name`, made on first use."""
        rows = await self._read("SELECT value FROM meta WHERE key = ?", (name,))
        if rows:
            return str(rows[0][0])
        value = secrets.token_urlsafe(32)

        async def insert(db: aiosqlite.Connection) -> str:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (name, value),
            )
            ((stored,),) = await db.execute_fetchall(
                "SELECT value FROM meta WHERE key = ?", (name,))
            return str(stored)

        return await self._write(insert)

    async def fact(self, name: str) -> str | None:
        """What the server remembered under `name` (see `remember`), or None."""
        rows = await self._read("SELECT value FROM meta WHERE key = ?", (name,))
        return str(rows[0][0]) if rows else None

    async def remember(self, name: str, value: str) -> None:
        """Keep `value` under `name` for later runs (and for `poll new`), replacing what was."""

        async def upsert(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (name, value))

        await self._write(upsert)
