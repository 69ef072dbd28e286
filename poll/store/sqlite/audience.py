"""The audience in SQLite: the room code and who typed it, audience groups and their members,
and the statements phones propose."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from ...model import Group, Proposal, ProposalStatus, Statement
from .. import StoreError
from ..fresh import now
from .base import SQLiteBase


async def insert_groups(db: aiosqlite.Connection, debate_id: str, names: Sequence[str],
                        start: int = 1) -> list[Group]:
    """Add audience groups at positions from `start`, in order (inside a write)."""
    made = []
    for position, name in enumerate(names, start=start):
        cursor = await db.execute(
            "INSERT INTO audience_groups (debate_id, position, name) VALUES (?, ?, ?)",
            (debate_id, position, name))
        assert cursor.lastrowid is not None
        made.append(Group(cursor.lastrowid, name))
    return made


class AudienceQueries(SQLiteBase):
    """The `admitted`, `audience_groups`, `members` and `proposals` tables."""

    async def set_room_code(self, debate_id: str, code: str | None) -> None:
        """Require `code` from phones before they vote (None: no check)."""

        async def update(db: aiosqlite.Connection) -> None:
            await db.execute("UPDATE debates SET room_code = ? WHERE id = ?", (code, debate_id))

        await self._write(update)

    async def admit(self, debate_id: str, participant: str) -> None:
        """Remember that this participant typed the room code."""

        async def insert(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO admitted (debate_id, participant, admitted_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING", (debate_id, participant, now()))

        await self._write(insert)

    async def admitted(self, debate_id: str) -> set[str]:
        """The participants who typed this debate's room code."""
        rows = await self._read("SELECT participant FROM admitted WHERE debate_id = ?",
                                (debate_id,))
        return {r[0] for r in rows}

    async def set_groups(self, debate_id: str, names: Sequence[str]) -> list[Group]:
        """Make the debate's audience groups `names`, in order: a group keeps its id (and its
        members) when its position stays, so renaming is safe; members of a removed group are
        left without a group and are asked again (their answer is forgotten: it named a group that
        is gone, so it is not "no group" either)."""

        async def update(db: aiosqlite.Connection) -> list[Group]:
            old = await db.execute_fetchall(
                "SELECT id FROM audience_groups WHERE debate_id = ? ORDER BY position",
                (debate_id,))
            ids = [r[0] for r in old]
            for gid, name in zip(ids, names, strict=False):
                await db.execute("UPDATE audience_groups SET name = ? WHERE id = ?", (name, gid))
            for gid in ids[len(names):]:
                await db.execute("DELETE FROM members WHERE group_id = ?", (gid,))
                await db.execute("DELETE FROM audience_groups WHERE id = ?", (gid,))
            if len(names) > len(ids):
                await insert_groups(db, debate_id, names[len(ids):], start=len(ids) + 1)
            rows = list(await db.execute_fetchall(
                "SELECT id, name FROM audience_groups WHERE debate_id = ? ORDER BY position",
                (debate_id,)))
            return [Group(r[0], r[1]) for r in rows]

        return await self._write(update)

    async def join_group(self, debate_id: str, participant: str, group_id: int | None) -> None:
        """Record the audience group this participant says they belong to (their latest pick
        counts)."""

        async def upsert(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO members (debate_id, participant, group_id, chosen_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (debate_id, participant)"
                " DO UPDATE SET group_id = excluded.group_id, chosen_at = excluded.chosen_at",
                (debate_id, participant, group_id, now()))

        await self._write(upsert)

    async def members(self, debate_id: str) -> dict[str, int]:
        """Each participant's audience group id (participants without a group are left out)."""
        rows = await self._read(
            "SELECT participant, group_id FROM members"
            " WHERE debate_id = ? AND group_id IS NOT NULL",
            (debate_id,))
        return {r[0]: r[1] for r in rows}

    async def skipped(self, debate_id: str) -> set[str]:
        """The participants who answered the group question with "no group" (skipped it, or left
        their group): they are not asked again."""
        rows = await self._read(
            "SELECT participant FROM members WHERE debate_id = ? AND group_id IS NULL",
            (debate_id,))
        return {r[0] for r in rows}

    async def add_proposal(self, debate_id: str, participant: str, text: str) -> Proposal:
        """Queue a statement proposed by an attendee for the moderator."""
        created = now()

        async def insert(db: aiosqlite.Connection) -> Proposal:
            cursor = await db.execute(
                "INSERT INTO proposals (debate_id, participant, text, created_at)"
                " VALUES (?, ?, ?, ?)", (debate_id, participant, text, created))
            assert cursor.lastrowid is not None
            return Proposal(cursor.lastrowid, debate_id, participant, text,
                            ProposalStatus.PENDING, created)

        return await self._write(insert)

    async def proposals(self, debate_id: str,
                        status: ProposalStatus | None = None) -> list[Proposal]:
        """The debate's proposals, oldest first (only those with `status`, when given)."""
        sql = ("SELECT id, participant, text, status, created_at, statement_id FROM proposals"
               " WHERE debate_id = ?")
        params: list[Any] = [debate_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        return [Proposal(r[0], debate_id, r[1], r[2], ProposalStatus(r[3]), r[4], r[5])
                for r in await self._read(sql + " ORDER BY id", params)]

    async def decide_proposal(self, debate_id: str, proposal_id: int, approve: bool,
                              text: str | None = None) -> tuple[Proposal, Statement | None]:
        """Approve a pending proposal (as `text` when given: the moderator may edit it), which
        appends it to the debate's statements, or reject it."""
        decided = now()

        async def decide(db: aiosqlite.Connection) -> tuple[Proposal, Statement | None]:
            rows = list(await db.execute_fetchall(
                "SELECT participant, text, status, created_at FROM proposals"
                " WHERE id = ? AND debate_id = ?", (proposal_id, debate_id)))
            if not rows:
                raise StoreError("no such proposal")
            participant, original, status, created = rows[0]
            if status != ProposalStatus.PENDING:
                raise StoreError("this proposal was decided already")
            statement = None
            if approve:
                final = text or original
                ((last,),) = await db.execute_fetchall(
                    "SELECT coalesce(max(position), 0) FROM statements WHERE debate_id = ?",
                    (debate_id,))
                cursor = await db.execute(
                    "INSERT INTO statements (debate_id, position, text, proposed)"
                    " VALUES (?, ?, ?, 1)", (debate_id, last + 1, final))
                assert cursor.lastrowid is not None
                statement = Statement(cursor.lastrowid, debate_id, last + 1, final,
                                      proposed=True)
            new_status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
            await db.execute(
                "UPDATE proposals SET status = ?, decided_at = ?, statement_id = ? WHERE id = ?",
                (new_status.value, decided, statement.id if statement else None, proposal_id))
            return (Proposal(proposal_id, debate_id, participant, original, new_status, created,
                             statement.id if statement else None), statement)

        return await self._write(decide)
