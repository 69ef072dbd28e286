"""What the printable report shows, computed once from a debate, its tallies and its audience
groups: attendance, per statement its rounds, mean, group split and swing, and the highlights.

Numbers only; words and charts are the template's (templates/report.html, poll.charts), so the same
facts can be printed in either language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import analysis
from .analysis import GroupResult, Highlights
from .charts import ChartText
from .model import Choice, Debate, Statement
from .moved import Moves, moves_of
from .tally import Swing, Tally, TallyKey


@dataclass(frozen=True, slots=True)
class RoundResult:
    number: int
    tally: Tally
    shown: bool = True  # False: the reader may not see this round's numbers (yet)


@dataclass(frozen=True, slots=True)
class StatementReport:
    """One statement's section of the report."""

    statement: Statement
    rounds: list[RoundResult]  # round 1, and round 2 when there was one
    groups: list[GroupResult]  # the latest round split by audience group ([] without groups)
    swing: Swing | None  # between the two rounds, counted over who voted in both
    notes_shown: bool = True  # the moderator's notes (the moderator, or a published report)
    moves: Moves | None = None  # how minds moved between the rounds (both rounds shown)

    @property
    def latest(self) -> Tally:
        return self.rounds[-1].tally

    @property
    def group_rows(self) -> list[tuple[str | None, Tally]]:
        """(group name, or None for voters without a group; tally) per row of the split."""
        return [(None if g.group is None else g.group.name, g.tally) for g in self.groups]

    @property
    def mean(self) -> float | None:
        """The latest round's mean on 1-5 (five-point debates with votes only)."""
        return self.latest.mean()


@dataclass(frozen=True, slots=True)
class Report:
    debate: Debate
    participants: int  # distinct participants who voted at all
    peak_connected: int  # most phones connected at once
    votes: int  # answers counted: each participant's latest per statement and round
    statements: list[StatementReport]
    highlights: Highlights

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.debate.choices


Shown = Callable[[Statement, int], bool]  # may the reader see this statement's round?


def _everything(statement: Statement, round_: int) -> bool:
    return True


def build(debate: Debate, tallies: Mapping[TallyKey, Tally], members: Mapping[str, int],
          connected_now: int = 0, shown: Shown = _everything, notes: bool = True) -> Report:
    """The report of `debate` as it stands (an empty debate gives an empty but whole report).
    Rounds `shown` refuses carry no numbers, and count in no highlight, split or swing; the
    moderator's notes only with `notes`. Attendance counts everyone."""
    scale = debate.settings.scale
    visible = {key: t for key, t in tallies.items()
               if (s := debate.statement(key[0])) is not None and shown(s, key[1])}
    sections = []
    for s in debate.statements:
        rounds = [RoundResult(n, visible.get((s.id, n)) or Tally(scale), shown(s, n))
                  for n in range(1, max(s.rounds, 1) + 1)]
        groups = (analysis.split(rounds[-1].tally, debate.groups, members)
                  if debate.groups and rounds[-1].shown else [])
        sections.append(StatementReport(s, rounds, groups, analysis.swing_of(visible, s),
                                        notes_shown=notes, moves=moves_of(visible, s)))
    voters = {p for t in tallies.values() for p in t.choices}
    return Report(
        debate=debate,
        participants=len(voters),
        # the saved peak lags the live count by up to a save interval
        peak_connected=max(debate.peak_connected, connected_now),
        votes=sum(t.total for t in tallies.values()),
        statements=sections,
        highlights=analysis.highlights(debate, visible, members),
    )


def chart_text(gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str],
               number: Callable[[int], str]) -> ChartText:
    """The chart words in one language (`gettext`/`ngettext` of that language's catalog)."""
    _ = gettext
    labels = {
        Choice.STRONGLY_AGREE: _("Strongly agree"),
        Choice.AGREE: _("Agree"),
        Choice.NEUTRAL: _("Neutral"),
        Choice.DISAGREE: _("Disagree"),
        Choice.STRONGLY_DISAGREE: _("Strongly disagree"),
    }

    def count(n: int) -> str:
        return ngettext("%(num)s vote", "%(num)s votes", n) % {"num": number(n)}

    return ChartText(labels, count, number, _("No group"))
