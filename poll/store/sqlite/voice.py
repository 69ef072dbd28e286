"""The room's voice in SQLite: reasons given with votes and their +1s, requests for the floor,
and +1s on the proposals waiting for the moderator."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from ...model import Choice, FloorRequest, FloorStatus, Reason
from .. import StoreError
from .. import rows as from_row
from ..fresh import now
from .base import SQLiteBase


class VoiceQueries(SQLiteBase):
    """The `reasons`, `reason_votes`, `floor_requests` and `proposal_votes` tables."""

    async def save_reason(self, debate_id: str, statement_id: int, round_: int,
                          participant: str, text: str, held: bool) -> Reason:
        """This participant's reason on a statement in a round: a new one, or their earlier one
        with its text replaced (its +1s stay). `held`: it waits for the moderator."""
        stamp = now()

        async def upsert(db: aiosqlite.Connection) -> Reason:
            await db.execute(
                "INSERT INTO reasons (debate_id, statement_id, round, participant, text,"
                " created_at, updated_at, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (statement_id, round, participant) DO UPDATE SET"
                " text = excluded.text, updated_at = excluded.updated_at, held = excluded.held",
                (debate_id, statement_id, round_, participant, text, stamp, stamp, int(held)))
            ((reason_id, created),) = await db.execute_fetchall(
                "SELECT id, created_at FROM reasons"
                " WHERE statement_id = ? AND round = ? AND participant = ?",
                (statement_id, round_, participant))
            return Reason(reason_id, statement_id, round_, participant, text, created,
                          held=held)

        return await self._write(upsert)

    async def remove_reason(self, debate_id: str, reason_id: int) -> None:
        """Delete a reason and its +1s (its author took it back)."""

        async def delete(db: aiosqlite.Connection) -> None:
            await db.execute("DELETE FROM reason_votes WHERE reason_id = ?", (reason_id,))
            await db.execute("DELETE FROM reasons WHERE id = ? AND debate_id = ?",
                             (reason_id, debate_id))

        await self._write(delete)

    async def mark_reason(self, debate_id: str, reason_id: int, *, hidden: bool,
                          held: bool) -> None:
        """Set a reason's flags (hidden by the moderator; held for the moderator)."""

        async def update(db: aiosqlite.Connection) -> None:
            cursor = await db.execute(
                "UPDATE reasons SET hidden = ?, held = ? WHERE id = ? AND debate_id = ?",
                (int(hidden), int(held), reason_id, debate_id))
            if cursor.rowcount == 0:
                raise StoreError("no such reason")

        await self._write(update)

    async def plus_one(self, reason_id: int, participant: str, on: bool) -> None:
        """Add (or take back) this participant's +1 on a reason; a repeat changes nothing.
        +1s come by the thousand: each is one statement, batched by the writer."""
        if self._writer is None:
            raise StoreError("the store is closed")
        if on:
            await self._writer.execute(
                "INSERT INTO reason_votes (reason_id, participant, created_at)"
                " VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (reason_id, participant, now()))
        else:
            await self._writer.execute(
                "DELETE FROM reason_votes WHERE reason_id = ? AND participant = ?",
                (reason_id, participant))

    async def reasons(self, debate_id: str) -> list[Reason]:
        """Every reason of the debate, oldest first (hidden and held ones too)."""
        return [from_row.reason(r) for r in await self._read(
            "SELECT * FROM reasons WHERE debate_id = ? ORDER BY id", (debate_id,))]

    async def reason_votes(self, debate_id: str) -> dict[int, set[str]]:
        """Who gave each reason of the debate a +1."""
        votes: dict[int, set[str]] = {}
        for reason_id, participant in await self._read(
                "SELECT v.reason_id, v.participant FROM reason_votes v"
                " JOIN reasons r ON r.id = v.reason_id WHERE r.debate_id = ?", (debate_id,)):
            votes.setdefault(reason_id, set()).add(participant)
        return votes

    async def ask_floor(self, debate_id: str, statement_id: int, participant: str, name: str,
                        stance: Choice | None, token: str) -> FloorRequest:
        """Queue a request for the floor."""
        stamp = now()

        async def insert(db: aiosqlite.Connection) -> FloorRequest:
            cursor = await db.execute(
                "INSERT INTO floor_requests (debate_id, statement_id, participant, name, stance,"
                " token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (debate_id, statement_id, participant, name,
                 None if stance is None else stance.value, token, stamp))
            assert cursor.lastrowid is not None
            return FloorRequest(cursor.lastrowid, statement_id, participant, name, stance,
                                FloorStatus.WAITING, stamp, token)

        return await self._write(insert)

    async def set_floor_status(self, debate_id: str, request_ids: Iterable[int],
                               status: FloorStatus) -> None:
        """Mark requests called or withdrawn."""
        ids = list(request_ids)
        stamp = now()

        async def update(db: aiosqlite.Connection) -> None:
            await db.executemany(
                "UPDATE floor_requests SET status = ?, decided_at = ?"
                " WHERE id = ? AND debate_id = ?",
                [(status.value, stamp, request_id, debate_id) for request_id in ids])

        await self._write(update)

    async def floor_requests(self, debate_id: str) -> list[FloorRequest]:
        """Every request for the floor in the debate, oldest first."""
        return [from_row.floor_request(r) for r in await self._read(
            "SELECT * FROM floor_requests WHERE debate_id = ? ORDER BY id", (debate_id,))]

    async def vote_proposal(self, proposal_id: int, participant: str, on: bool) -> None:
        """Add (or take back) this participant's +1 on a waiting proposal."""

        async def change(db: aiosqlite.Connection) -> None:
            if on:
                await db.execute(
                    "INSERT INTO proposal_votes (proposal_id, participant, created_at)"
                    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (proposal_id, participant, now()))
            else:
                await db.execute(
                    "DELETE FROM proposal_votes WHERE proposal_id = ? AND participant = ?",
                    (proposal_id, participant))

        await self._write(change)

    async def proposal_votes(self, debate_id: str) -> dict[int, set[str]]:
        """Who gave each proposal of the debate a +1."""
        votes: dict[int, set[str]] = {}
        for proposal_id, participant in await self._read(
                "SELECT v.proposal_id, v.participant FROM proposal_votes v"
                " JOIN proposals p ON p.id = v.proposal_id WHERE p.debate_id = ?", (debate_id,)):
            votes.setdefault(proposal_id, set()).add(participant)
        return votes
