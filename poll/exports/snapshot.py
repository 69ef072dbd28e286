"""What every export reads, fetched from the store once: the debate, its tallies, every vote, the
audience groups' members, the proposals and the room's voice (reasons, +1s, the floor); and the
opinion map, computed by the caller (poll.exports.opinion)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Debate, Proposal, Statement
from ..opinion.result import OpinionMap
from ..store import Store, VoteRow
from ..tally import Tally, TallyKey
from .voice import FloorCount, GivenReason, Voice, floor_counts, given_reasons, voice_of


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything an export reads, fetched once."""

    debate: Debate
    tallies: dict[TallyKey, Tally]
    votes: list[VoteRow]  # every vote cast, in the order stored
    members: dict[str, int]  # participant -> audience group id
    proposals: list[Proposal]
    voice: Voice = field(default_factory=Voice)
    opinion: OpinionMap | None = None  # who thinks alike (None: no map)

    def tally(self, statement: Statement, round_: int) -> Tally:
        return self.tallies.get((statement.id, round_)) or Tally(self.debate.settings.scale)

    def participants(self) -> int:
        """Distinct participants who voted at all."""
        return len({v.participant for v in self.votes})

    def votes_counted(self) -> int:
        """Each participant's latest answer per statement and round, added up."""
        return sum(t.total for t in self.tallies.values())

    def reasons(self) -> list[GivenReason]:
        """Every reason, oldest first, with its author's stance and its +1 count."""
        return given_reasons(self.voice, self.tallies)

    def floor(self, statement: Statement) -> FloorCount:
        """How many phones asked for the floor on this statement, and how many got it."""
        return floor_counts(self.voice.floor).get(statement.id, FloorCount())


async def snapshot(store: Store, debate: Debate,
                   opinion: OpinionMap | None = None) -> Snapshot:
    """Read what the exports need from the store (one consistent set of reads per export);
    `opinion` is the map of these votes, when the caller computed one."""
    return Snapshot(debate, await store.tallies(debate.id), await store.votes(debate.id),
                    await store.members(debate.id), await store.proposals(debate.id),
                    await voice_of(store, debate.id), opinion)

