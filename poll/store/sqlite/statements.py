"""Statements in SQLite: adding one to a debate, and editing its text and notes."""

from __future__ import annotations

import aiosqlite

from ...model import Statement
from .. import StoreError
from .base import SQLiteBase


class StatementQueries(SQLiteBase):
    """The `statements` table's writes (debates.py reads them with their debate)."""

    async def add_statement(self, debate_id: str, text: str,
                            translation: str = "") -> Statement:
        """Append a statement (and its text in the debate's other language) to the debate."""

        async def insert(db: aiosqlite.Connection) -> Statement:
            ((last,),) = await db.execute_fetchall(
                "SELECT coalesce(max(position), 0) FROM statements WHERE debate_id = ?",
                (debate_id,),
            )
            cursor = await db.execute(
                "INSERT INTO statements (debate_id, position, text, translation)"
                " VALUES (?, ?, ?, ?)", (debate_id, last + 1, text, translation),
            )
            assert cursor.lastrowid is not None
            return Statement(cursor.lastrowid, debate_id, last + 1, text,
                             translation=translation)

        return await self._write(insert)

    async def edit_statement(self, debate_id: str, statement_id: int, text: str,
                             notes: str | None = None,
                             translation: str | None = None) -> Statement:
        """Replace a statement's text (and its notes and translation, each unless None); its
        votes and reasons stay."""

        async def update(db: aiosqlite.Connection) -> Statement:
            await db.execute(
                "UPDATE statements SET text = ?, notes = coalesce(?, notes),"
                " translation = coalesce(?, translation) WHERE id = ? AND debate_id = ?",
                (text, notes, translation, statement_id, debate_id),
            )
            rows = list(await db.execute_fetchall(
                "SELECT position, notes, rounds, proposed, revealed_round, translation"
                " FROM statements WHERE id = ? AND debate_id = ?",
                (statement_id, debate_id),
            ))
            if not rows:
                raise StoreError("no such statement")
            position, stored_notes, rounds, proposed, revealed_round, stored_other = rows[0]
            return Statement(statement_id, debate_id, position, text, stored_notes, rounds,
                             bool(proposed), revealed_round, stored_other)

        return await self._write(update)
