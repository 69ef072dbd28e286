"""The room's voice in memory: reasons given with votes, their +1s, the floor, and +1s on the
proposals waiting for the moderator.

Like the tallies, all of it is rebuilt from the store when a debate loads, and changed only after
the store committed. A reason's stance is never stored: it is the author's vote in the same
statement and round, read from the tally whenever the reason is shown, so a changed vote shows
at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..model import Choice, FloorRequest, FloorStatus, Reason
from ..tally import Tally

ReasonKey = tuple[int, int, str]  # (statement id, round, participant): one reason each


@dataclass(slots=True)
class Voices:
    """One debate's reasons, +1s and floor."""

    reasons: dict[int, Reason] = field(default_factory=dict)  # by id, hidden and held too
    by_author: dict[ReasonKey, int] = field(default_factory=dict)
    plus: dict[int, set[str]] = field(default_factory=dict)  # reason id -> who gave a +1
    floor: list[FloorRequest] = field(default_factory=list)  # waiting and called, oldest first
    proposal_plus: dict[int, set[str]] = field(default_factory=dict)  # proposal id -> +1s

    @classmethod
    def of(cls, reasons: list[Reason], plus: dict[int, set[str]], floor: list[FloorRequest],
           proposal_plus: dict[int, set[str]]) -> Voices:
        """The state as the store has it (withdrawn floor requests left out)."""
        voices = cls(plus=plus, proposal_plus=proposal_plus,
                     floor=[f for f in floor if f.status is not FloorStatus.WITHDRAWN])
        for reason in reasons:
            voices.keep(reason)
        return voices

    # -- reasons ---------------------------------------------------------------------------------

    def keep(self, reason: Reason) -> None:
        """Remember a reason (new, or replacing the author's earlier text or flags)."""
        self.reasons[reason.id] = reason
        self.by_author[(reason.statement_id, reason.round, reason.participant)] = reason.id

    def forget(self, reason_id: int) -> None:
        """Drop a reason its author took back, with its +1s."""
        reason = self.reasons.pop(reason_id, None)
        if reason is not None:
            self.by_author.pop((reason.statement_id, reason.round, reason.participant), None)
        self.plus.pop(reason_id, None)

    def mark(self, reason_id: int, *, hidden: bool, held: bool) -> None:
        reason = self.reasons.get(reason_id)
        if reason is not None:
            self.reasons[reason_id] = replace(reason, hidden=hidden, held=held)

    def own(self, statement_id: int, round_: int, participant: str) -> Reason | None:
        """This participant's reason on a statement in a round, if any."""
        reason_id = self.by_author.get((statement_id, round_, participant))
        return None if reason_id is None else self.reasons.get(reason_id)

    def of_statement(self, statement_id: int, round_: int) -> list[Reason]:
        """The reasons given on a statement in a round, oldest first (every one)."""
        return [r for r in self.reasons.values()
                if r.statement_id == statement_id and r.round == round_]

    def plus_count(self, reason_id: int) -> int:
        return len(self.plus.get(reason_id, ()))

    def plus_one(self, reason_id: int, participant: str, on: bool) -> None:
        voters = self.plus.setdefault(reason_id, set())
        if on:
            voters.add(participant)
        else:
            voters.discard(participant)

    def plus_of(self, participant: str) -> list[int]:
        """The reasons this participant gave a +1."""
        return [reason_id for reason_id, voters in self.plus.items() if participant in voters]

    # -- the floor -------------------------------------------------------------------------------

    def waiting(self, statement_id: int) -> list[FloorRequest]:
        """The requests for the floor waiting on a statement, oldest first."""
        return [f for f in self.floor
                if f.statement_id == statement_id and f.status is FloorStatus.WAITING]

    def request_of(self, statement_id: int, participant: str) -> FloorRequest | None:
        """This participant's request (waiting or called) on a statement, if any."""
        return next((f for f in reversed(self.floor)
                     if f.statement_id == statement_id and f.participant == participant), None)

    def called(self, statement_id: int) -> FloorRequest | None:
        """Who has the floor on a statement now (the last one called)."""
        return next((f for f in reversed(self.floor)
                     if f.statement_id == statement_id and f.status is FloorStatus.CALLED), None)

    def set_status(self, request_ids: set[int], status: FloorStatus) -> None:
        kept = [replace(f, status=status) if f.id in request_ids else f for f in self.floor]
        self.floor = [f for f in kept if f.status is not FloorStatus.WITHDRAWN]


def stance(reason: Reason, tally: Tally) -> Choice | None:
    """The reason's stance: its author's counted vote in the reason's statement and round."""
    return tally.choices.get(reason.participant)
