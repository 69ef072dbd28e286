"""Statements in PostgreSQL: adding one to a debate, and editing its text and notes."""

from __future__ import annotations

import asyncpg

from ...model import Statement
from .. import StoreError
from .base import PostgresBase


class StatementQueries(PostgresBase):
    """The `statements` table's writes (debates.py reads them with their debate)."""

    async def add_statement(self, debate_id: str, text: str,
                            translation: str = "") -> Statement:
        """Append a statement (and its text in the debate's other language) to the debate."""

        async def insert(db: asyncpg.Connection) -> Statement:
            last = await db.fetchval(
                "SELECT coalesce(max(position), 0) FROM statements WHERE debate_id = $1",
                debate_id)
            statement_id = await db.fetchval(
                "INSERT INTO statements (debate_id, position, text, translation)"
                " VALUES ($1, $2, $3, $4) RETURNING id", debate_id, last + 1, text, translation)
            return Statement(statement_id, debate_id, last + 1, text, translation=translation)

        return await self._write(insert)

    async def edit_statement(self, debate_id: str, statement_id: int, text: str,
                             notes: str | None = None,
                             translation: str | None = None) -> Statement:
        """Replace a statement's text (and its notes and translation, each unless None); its
        votes and reasons stay."""

        async def update(db: asyncpg.Connection) -> Statement:
            row = await db.fetchrow(
                "UPDATE statements SET text = $1, notes = coalesce($2, notes),"
                " translation = coalesce($3, translation) WHERE id = $4 AND debate_id = $5"
                " RETURNING position, notes, rounds, proposed, revealed_round, translation",
                text, notes, translation, statement_id, debate_id)
            if row is None:
                raise StoreError("no such statement")
            position, stored_notes, rounds, proposed, revealed_round, stored_other = row
            return Statement(statement_id, debate_id, position, text, stored_notes, rounds,
                             bool(proposed), revealed_round, stored_other)

        return await self._write(update)
