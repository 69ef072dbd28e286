"""What every export reads, fetched from the store once: the debate, its tallies, every vote, the
audience groups' members and the proposals."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Debate, Proposal, Statement
from ..store import Store, VoteRow
from ..tally import Tally, TallyKey


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything an export reads, fetched once."""

    debate: Debate
    tallies: dict[TallyKey, Tally]
    votes: list[VoteRow]  # every vote cast, in the order stored
    members: dict[str, int]  # participant -> audience group id
    proposals: list[Proposal]

    def tally(self, statement: Statement, round_: int) -> Tally:
        return self.tallies.get((statement.id, round_)) or Tally(self.debate.settings.scale)

    def participants(self) -> int:
        """Distinct participants who voted at all."""
        return len({v.participant for v in self.votes})

    def votes_counted(self) -> int:
        """Each participant's latest answer per statement and round, added up."""
        return sum(t.total for t in self.tallies.values())


async def snapshot(store: Store, debate: Debate) -> Snapshot:
    """Read what the exports need from the store (one consistent set of reads per export)."""
    return Snapshot(debate, await store.tallies(debate.id), await store.votes(debate.id),
                    await store.members(debate.id), await store.proposals(debate.id))

