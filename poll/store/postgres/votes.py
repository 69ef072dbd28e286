"""Votes in PostgreSQL: recording one (through the writer's group commit, checked against the
debate's stage in the same statement when asked), rebuilding the tallies from what was
committed, and reading every vote back for the exports."""

from __future__ import annotations

from ...model import Scale, Vote
from ...tally import Tally, TallyKey
from .. import StoreError, VoteRow
from .. import rows as from_row
from .base import PostgresBase


class VoteQueries(PostgresBase):
    """The `votes` table."""

    async def record_vote(self, vote: Vote, *, while_open: bool = False) -> bool:
        """Archive a vote. Returns after COMMIT: True when stored, False when it was a repeat
        (same participant and client id), which is stored only once. `while_open`: raises
        VotingClosed unless the debate's committed stage has voting open on this statement and
        round (checked in the insert itself, so a close committed by any process is final)."""
        if self._writer is None:
            raise StoreError("the store is closed")
        return await self._writer.record_vote(vote, while_open=while_open)

    async def tallies(self, debate_id: str) -> dict[TallyKey, Tally]:
        """Every (statement, round)'s tally rebuilt from the committed votes (latest choice
        counts), on the debate's scale."""
        rows = await self._read("SELECT scale FROM debates WHERE id = $1", (debate_id,))
        scale = Scale(rows[0][0]) if rows else Scale.THREE
        return from_row.tallies(scale, await self._read(
            "SELECT statement_id, round, participant, choice FROM votes WHERE debate_id = $1"
            " ORDER BY id", (debate_id,)))

    async def votes(self, debate_id: str) -> list[VoteRow]:
        """Every vote cast in the debate, in the order they were stored."""
        return [
            VoteRow(r["statement_id"], r["position"], r["text"], r["participant"], r["choice"],
                    r["cast_at"], r["client_id"], r["round"], r["grp"])
            for r in await self._read(
                "SELECT v.statement_id, s.position, s.text, v.participant, v.choice, v.cast_at,"
                " v.client_id, v.round, g.name AS grp"
                " FROM votes v JOIN statements s ON s.id = v.statement_id"
                " LEFT JOIN members m"
                " ON m.debate_id = v.debate_id AND m.participant = v.participant"
                " LEFT JOIN audience_groups g ON g.id = m.group_id"
                " WHERE v.debate_id = $1 ORDER BY v.id", (debate_id,))
        ]
