"""The debate's own vocabulary: Debate, Statement, Stage, Phase, Choice, Scale, Vote.

Plain dataclasses and enums with no I/O, so the store, the hub, the views and the exports share
one meaning of every word. Counting votes is `poll.tally`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

MAX_TITLE = 200
MAX_STATEMENT = 5000
LANGUAGES = ("nl", "en")


class Phase(StrEnum):
    """Where voting on the current statement stands."""

    WAITING = "waiting"  # statement shown, voting not opened yet
    OPEN = "open"  # phones may vote
    CLOSED = "closed"  # voting over; votes kept


class Choice(StrEnum):
    """What a participant can answer to a statement, in display order (most agreeing first)."""

    STRONGLY_AGREE = "strongly_agree"
    AGREE = "agree"
    NEUTRAL = "neutral"
    DISAGREE = "disagree"
    STRONGLY_DISAGREE = "strongly_disagree"

    @property
    def score(self) -> int:
        """The choice on a 1-5 scale (strongly disagree 1 ... strongly agree 5), for means."""
        return _SCORES[self]

    @property
    def agrees(self) -> bool:
        return self in (Choice.AGREE, Choice.STRONGLY_AGREE)


_SCORES = {Choice.STRONGLY_AGREE: 5, Choice.AGREE: 4, Choice.NEUTRAL: 3, Choice.DISAGREE: 2,
           Choice.STRONGLY_DISAGREE: 1}


class Scale(StrEnum):
    """Which choices a debate offers."""

    THREE = "three"  # agree / neutral / disagree (the default)
    TWO = "two"  # agree / disagree
    FIVE = "five"  # strongly agree ... strongly disagree, shown with a mean

    @property
    def choices(self) -> tuple[Choice, ...]:
        return _SCALES[self]


_SCALES = {
    Scale.THREE: (Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE),
    Scale.TWO: (Choice.AGREE, Choice.DISAGREE),
    Scale.FIVE: tuple(Choice),
}


class Visibility(StrEnum):
    """When the projector and the phones see a statement's results (moderators always do)."""

    REVEAL = "reveal"  # only once the moderator reveals them (the default)
    CLOSED = "closed"  # once voting closes (or the moderator reveals earlier)
    VOTED = "voted"  # a phone after it has voted; the projector as votes come in
    LIVE = "live"  # always, as votes come in


class Audience(StrEnum):
    """Who is looking at a debate: each gets its own frames (the numbers they may see)."""

    PHONE = "phone"  # an attendee's phone: votes, never learns the room code
    SCREEN = "screen"  # the projector: the room code, results when the debate shows them
    MODERATOR = "moderator"  # everything, always


class Action(StrEnum):
    """What a moderator can do to a debate's stage."""

    NEXT = "next"
    PREV = "prev"
    GOTO = "goto"
    OPEN = "open"
    CLOSE = "close"
    TOGGLE = "toggle"  # open when not open, close when open (one key for both)
    REVEAL = "reveal"
    HIDE = "hide"
    ROUND2 = "round2"  # vote on the current statement again after the discussion (Oxford style)
    SHOW_GROUPS = "show_groups"  # the projector splits results by audience group
    HIDE_GROUPS = "hide_groups"
    TIMER = "timer"  # count down `seconds`, then close voting (and reveal when asked)
    TIMER_STOP = "timer_stop"


MAX_ROUNDS = 2
MAX_GROUPS = 12
MAX_GROUP_NAME = 40
MAX_NOTES = 5000
MAX_PROPOSAL = 300
MAX_TIMER = 3600
MAX_CLIENT_ID = 64  # characters in the id a phone gives a vote or proposal, on every way in
MAX_REASON = 280  # characters in a reason given with a vote
MAX_FIRST_NAME = 40  # characters in the name a phone gives when it asks for the floor
MAX_HELD_WORDS = 200  # words in a debate's list of words that hold a reason for the moderator


@dataclass(frozen=True, slots=True)
class Statement:
    id: int
    debate_id: str
    position: int  # 1-based order in the debate
    text: str
    notes: str = ""  # the moderator's notes or verdict, printed in the report
    rounds: int = 1  # 2 once a second round was started
    proposed: bool = False  # came from the audience and was approved
    revealed_round: int = 0  # the last round whose results the moderator revealed (0: none)
    translation: str = ""  # the text in the debate's other language ("" when there is none)

    def text_in(self, lang: str, debate_lang: str) -> str:
        """The statement for a reader of `lang`: its translation when the reader's language is
        not the debate's and there is one, else the text as typed."""
        return self.translation if lang != debate_lang and self.translation else self.text


@dataclass(frozen=True, slots=True)
class Group:
    """An audience group a participant may say they belong to (e.g. "Werkveld")."""

    id: int
    name: str


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A statement proposed by an attendee, waiting for the moderator."""

    id: int
    debate_id: str
    participant: str
    text: str
    status: ProposalStatus
    created_at: str
    statement_id: int | None = None  # the statement it became, once approved


@dataclass(frozen=True, slots=True)
class Stage:
    """Where the debate stands now: the statement on stage and what may be done with it. The
    moderator changes it during the event; it is saved, so a restart resumes exactly here."""

    statement_id: int | None
    phase: Phase = Phase.WAITING
    revealed: bool = False
    round: int = 1  # which voting round of the current statement (2: after the discussion)
    show_groups: bool = False  # the projector shows the split by group
    timer_ends: float | None = None  # epoch seconds at which voting closes by itself
    timer_reveal: bool = False  # ... and the results are revealed
    spotlight: int | None = None  # a reason the moderator put on the projector
    show_map: bool = False  # the projector shows the opinion map (off with another statement)
    show_moves: bool = False  # the projector shows how minds moved between the statement's rounds


class ReasonsShown(StrEnum):
    """When the room (phones and projector) sees the reasons given with the votes; the moderator
    always does."""

    WITH_RESULTS = "results"  # while the room may see the results (nobody swayed before voting)
    ALWAYS = "always"
    NEVER = "never"  # only the moderator (and a reason the moderator spotlights)


class ScreenLanguages(StrEnum):
    """Which texts of a statement the projector shows."""

    ONE = "one"  # the debate's language
    BOTH = "both"  # the debate's language, and the translation under it


@dataclass(frozen=True, slots=True)
class DebateSettings:
    """How a debate votes and shows results; set when it is made, changeable by the moderator."""

    scale: Scale = Scale.THREE
    visibility: Visibility = Visibility.REVEAL
    proposals: bool = False  # attendees may propose statements
    reasons: ReasonsShown = ReasonsShown.WITH_RESULTS
    proposals_public: bool = False  # phones see the waiting proposals and +1 them
    screen_languages: ScreenLanguages = ScreenLanguages.ONE
    held_words: tuple[str, ...] = ()  # a reason with one of these waits for the moderator


@dataclass(slots=True)
class Debate:
    id: str
    title: str
    lang: str
    join_code: str
    created_at: str  # ISO 8601, UTC
    statements: list[Statement] = field(default_factory=list)
    stage: Stage = field(default_factory=lambda: Stage(None))
    # When set, a phone must type this code (shown only on the projector) before it may vote,
    # so a forwarded join link alone is not enough.
    room_code: str | None = None
    settings: DebateSettings = field(default_factory=DebateSettings)
    groups: list[Group] = field(default_factory=list)
    copied_from: str | None = None  # the debate this one was duplicated from
    peak_connected: int = 0  # most phones connected at once (as last saved)
    # Moderator sessions carry this tag; a new moderator key gets a new one, which signs every
    # earlier session out.
    key_tag: str = ""
    # The projector's own key: its link opens the projector (and nothing else).
    screen_key: str = ""
    # The moderator published the report: from then on everyone who may open it sees every result.
    report_published: bool = False

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.settings.scale.choices

    def group(self, group_id: int | None) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def statement(self, statement_id: int) -> Statement | None:
        """The statement with this id, or None when it is not part of this debate."""
        for statement in self.statements:  # a loop, not next(genexpr): asked on every vote
            if statement.id == statement_id:
                return statement
        return None

    @property
    def current(self) -> Statement | None:
        """The statement on stage, or None before the first one."""
        if self.stage.statement_id is None:
            return None
        return self.statement(self.stage.statement_id)

    def neighbour(self, step: int) -> Statement | None:
        """The statement `step` places away from the current one, or None past either end."""
        current = self.current
        if current is None:
            return self.statements[0] if self.statements and step > 0 else None
        index = self.statements.index(current) + step
        return self.statements[index] if 0 <= index < len(self.statements) else None


@dataclass(frozen=True, slots=True)
class Vote:
    """One vote as cast: the archive keeps every one, the latest per participant counts."""

    debate_id: str
    statement_id: int
    participant: str
    choice: Choice
    client_id: str  # made by the phone; a repeated (participant, client_id) is stored once
    cast_at: str = ""
    round: int = 1


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a participant voted as they did, on one statement in one round (one per participant);
    its stance is the participant's vote there, read when it is shown, so a changed vote shows."""

    id: int
    statement_id: int
    round: int
    participant: str
    text: str
    created_at: str
    hidden: bool = False  # the moderator took it off every phone and the projector
    held: bool = False  # it has a word of the debate's list: it waits for the moderator


class FloorStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"  # the moderator gave this phone the floor
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class FloorRequest:
    """A phone asking to speak on a statement, with its stance when it asked."""

    id: int
    statement_id: int
    participant: str
    name: str  # an optional first name for the moderator (and the projector's "next")
    stance: Choice | None  # the phone's vote when it asked (None: it had not voted)
    status: FloorStatus
    created_at: str
    token: str  # told to the asking phone; frames name the called request by it, never the id
