"""A debate as it runs in the room: the debate, its tallies, and who is there.

A `Room` is the hub's in-memory copy of one loaded debate. Everything in it can be rebuilt from
the store: the tallies from the committed votes, the admitted phones, the members of each
audience group (and who chose none) and the waiting proposals from their tables. Only the
connected phones live here alone (they reconnect after a restart).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from .. import analysis
from ..model import Audience, Choice, Debate, Proposal
from ..opinion.ballots import Packer
from ..opinion.result import OpinionMap
from ..tally import Tally, TallyKey
from .voices import Voices

GAP_INTERVAL = 2.0  # seconds between recomputing where groups differ most while votes come in


@dataclass(frozen=True, slots=True)
class Gap:
    """Where the audience groups differ most: the statement and how many points apart."""

    statement: int
    points: int


@dataclass(slots=True)
class Room:
    """One loaded debate: its statements and stage, tallies, and who is connected."""

    debate: Debate
    tallies: dict[TallyKey, Tally]
    phones: Counter[str] = field(default_factory=Counter)  # participant -> open connections
    # (here); with several workers, how many phones each other worker has (poll.live.peers)
    elsewhere: dict[str, int] = field(default_factory=dict)
    admitted: set[str] = field(default_factory=set)  # typed the room code (when one is required)
    members: dict[str, int] = field(default_factory=dict)  # participant -> audience group id
    skipped: set[str] = field(default_factory=set)  # answered the group question with "no group"
    pending: list[Proposal] = field(default_factory=list)  # proposals waiting for the moderator
    voices: Voices = field(default_factory=Voices)  # reasons, +1s, the floor
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one moderator action at a time
    timer: asyncio.Task[None] | None = None  # closes voting when the countdown ends
    peak_saved: int = 0
    phone_tally_at: float = 0.0  # loop time the phones last got a tally frame
    phone_tally: str | None = None  # the last tally frame the phones got, encoded
    gap: Gap | None = None  # where groups differ most, as last computed
    gap_at: float = float("-inf")  # loop time it was computed
    voice_sent: dict[Audience, float] = field(default_factory=dict)  # loop time of the last
    # reasons frame to each audience
    voice_frames: dict[Audience, str] = field(default_factory=dict)  # that frame, encoded: a page
    # that connects gets it without ranking every reason again (the ticker sends what changed since)
    phone_reasons: tuple[int | None, int, str] | None = None  # (statement, round, encoded
    # reasons frame) the phones have, sent or implied: see Ticker._phones_have
    phone_proposals: str | None = None  # the last proposals frame the phones got, encoded
    counted: int = 0  # votes counted since the room was loaded: the opinion map's "changed"
    opinion: OpinionMap | None = None  # who thinks alike, as last computed (poll.live.opinions)
    opinion_of: tuple[int, ...] = ()  # what it was computed from (opinions.signature)
    packer: Packer = field(default_factory=Packer)  # its ballots, kept from map to map
    places: dict[str, tuple[bool, bool, str | None, int, int, int]] = field(
        default_factory=dict)  # participant -> the line its phones last got (poll.live.places)
    lines_at: dict[str, float] = field(default_factory=dict)  # participant -> when (loop time)
    screen_map: tuple[object, object, int, str] | None = None  # (the map, the statements list
    # and its length, the projector's opinion frame of them, encoded): a state published while
    # the map is shown sends it without encoding 2,000 dots again (frames.screen_map_text)

    @property
    def id(self) -> str:
        return self.debate.id

    @property
    def connected(self) -> int:
        """How many phones (participants, not tabs) are connected now, to any worker."""
        if self.elsewhere:
            return len(self.phones) + sum(self.elsewhere.values())
        return len(self.phones)

    def tally(self, statement_id: int | None, round_: int | None = None) -> Tally:
        """The tally of a statement in `round_` (default: the current round for the statement on
        stage, else the statement's latest round); an empty one when nobody voted."""
        scale = self.debate.settings.scale
        if statement_id is None:
            return Tally(scale)
        if round_ is None:
            round_ = self.round_of(statement_id)
        return self.tallies.get((statement_id, round_)) or Tally(scale)

    def round_of(self, statement_id: int) -> int:
        """The round a statement's votes go to now: the stage's round for the statement on stage,
        else the statement's latest."""
        if statement_id == self.debate.stage.statement_id:
            return self.debate.stage.round
        statement = self.debate.statement(statement_id)
        return statement.rounds if statement is not None else 1

    def count(self, statement_id: int, round_: int, participant: str, choice: Choice) -> None:
        """Count a committed vote, replacing this participant's earlier choice."""
        key = (statement_id, round_)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally(self.debate.settings.scale)
        tally.apply(participant, choice)
        self.counted += 1

    def may_vote(self, participant: str) -> bool:
        """False only when the debate asks for the room code and this phone has not typed it."""
        return self.debate.room_code is None or participant in self.admitted

    def votes_of(self, participant: str) -> dict[int, Choice]:
        """This participant's counted choice per statement, in the statement's current round
        (so in a second round a phone that has not voted again shows no choice)."""
        return {
            sid: tally.choices[participant]
            for (sid, round_), tally in self.tallies.items()
            if round_ == self.round_of(sid) and participant in tally.choices
        }

    def widest_gap(self, clock: float, *, fresh: bool = False) -> Gap | None:
        """Where the audience groups differ most, recomputed at most every GAP_INTERVAL seconds
        (`clock`: the loop's time) unless `fresh`: it walks every vote of the debate."""
        if not self.debate.groups:
            return None
        if fresh or clock - self.gap_at >= GAP_INTERVAL:
            widest = analysis.widest_gap(self.debate, self.tallies, self.members)
            self.gap = None if widest is None else Gap(widest.statement.id, widest.points)
            self.gap_at = clock
        return self.gap
