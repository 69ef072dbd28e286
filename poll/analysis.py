"""What the results say: the split by audience group, where groups differ most, the swing between
rounds, and the debate's most agreed, most divided and most changed statements.

Pure functions over tallies, shared by the live frames (hub), the report page and the exports, so
every place names the same statement "most divided".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .model import Choice, Debate, Group, Statement
from .tally import Numbers, Swing, Tally, TallyKey, agree_share, swing


class GroupNumbers(Numbers):
    """One audience group's numbers for a statement, as sent and exported (id and name None:
    the participants who picked no group)."""

    id: int | None
    name: str | None
    agree: int


@dataclass(frozen=True, slots=True)
class GroupResult:
    """One audience group's answer to one statement."""

    group: Group | None  # None: participants who picked no group
    tally: Tally

    @property
    def agree(self) -> int:
        return agree_share(self.tally)

    def numbers(self) -> GroupNumbers:
        """The JSON shape used on the wire and in exports."""
        numbers = self.tally.numbers()
        out = GroupNumbers(id=None if self.group is None else self.group.id,
                           name=None if self.group is None else self.group.name,
                           agree=self.agree, counts=numbers["counts"],
                           percent=numbers["percent"], total=numbers["total"])
        if "mean" in numbers:
            out["mean"] = numbers["mean"]
        return out


@dataclass(frozen=True, slots=True)
class GroupGap:
    """The two groups that answered a statement most differently (by share agreeing)."""

    statement: Statement
    points: int  # difference in percentage points agreeing
    high: GroupResult
    low: GroupResult


def split(tally: Tally, groups: Iterable[Group], members: Mapping[str, int]) -> list[GroupResult]:
    """`tally` counted per group, in the debate's group order, then those without a group (only
    when there are any)."""
    by_group: dict[int | None, list[str]] = {}
    for participant in tally.choices:
        by_group.setdefault(members.get(participant), []).append(participant)
    results = [GroupResult(g, tally.subset(by_group.get(g.id, ()))) for g in groups]
    known = {g.id for g in groups}
    # members of a group removed meanwhile count as "no group"
    rest = [p for gid, ps in by_group.items() if gid not in known for p in ps]
    if rest:
        results.append(GroupResult(None, tally.subset(rest)))
    return results


MIN_GROUP_VOTERS = 5  # smaller groups count only when fewer than two groups are this large


def gap(statement: Statement, results: list[GroupResult]) -> GroupGap | None:
    """How far apart the groups are in share agreeing; None with fewer than two groups that
    voted. Groups of fewer than MIN_GROUP_VOTERS are left out when two larger ones voted, so one
    or two people cannot make the headline."""
    voted = [r for r in results if r.group is not None and r.tally.total]
    large = [r for r in voted if r.tally.total >= MIN_GROUP_VOTERS]
    if len(large) >= 2:
        voted = large
    if len(voted) < 2:
        return None
    high = max(voted, key=lambda r: r.agree)
    low = min(voted, key=lambda r: r.agree)
    return GroupGap(statement, high.agree - low.agree, high, low)


def latest(tallies: Mapping[TallyKey, Tally], statement: Statement, debate: Debate) -> Tally:
    """The statement's result in its latest round (an empty tally when nobody voted)."""
    return tallies.get((statement.id, statement.rounds)) or Tally(debate.settings.scale)


def widest_gap(debate: Debate, tallies: Mapping[TallyKey, Tally],
               members: Mapping[str, int]) -> GroupGap | None:
    """The statement on which the audience groups differ most (latest round), or None when the
    debate has no groups or no statement was answered by two groups."""
    if not debate.groups:
        return None
    gaps = [g for s in debate.statements
            if (g := gap(s, split(latest(tallies, s, debate), debate.groups, members)))]
    return max(gaps, key=lambda g: g.points, default=None)


def swing_of(tallies: Mapping[TallyKey, Tally], statement: Statement) -> Swing | None:
    """The swing between the statement's two rounds, or None without a second round."""
    first, second = tallies.get((statement.id, 1)), tallies.get((statement.id, 2))
    if first is None or second is None:
        return None
    return swing(first, second)


def division(tally: Tally) -> int:
    """How evenly the room is split, 0 (unanimous) to 100 (as many agree as disagree)."""
    if not tally.total:
        return 0
    agree = sum(n for c, n in tally.counts.items() if c.agrees)
    disagree = sum(n for c, n in tally.counts.items()
                   if c in (Choice.DISAGREE, Choice.STRONGLY_DISAGREE))
    if not agree + disagree:
        return 0
    return round(100 - abs(agree - disagree) * 100 / (agree + disagree))


@dataclass(frozen=True, slots=True)
class Highlights:
    """The statements a report's summary names (None where no statement qualifies)."""

    most_agreed: tuple[Statement, int] | None  # and its share agreeing
    most_divided: tuple[Statement, int] | None  # and its division (100: an even split)
    most_changed: tuple[Statement, Swing] | None
    groups_differ: GroupGap | None


def highlights(debate: Debate, tallies: Mapping[TallyKey, Tally],
               members: Mapping[str, int]) -> Highlights:
    """The most agreed, most divided and most changed statements, and where groups differ most."""
    answered = [(s, latest(tallies, s, debate)) for s in debate.statements]
    answered = [(s, t) for s, t in answered if t.total]
    agreed = max(((s, agree_share(t)) for s, t in answered), key=lambda x: x[1], default=None)
    divided = max(((s, division(t)) for s, t in answered), key=lambda x: x[1], default=None)
    swings = [(s, w) for s in debate.statements if (w := swing_of(tallies, s)) is not None]
    changed = max(swings, key=lambda x: abs(x[1].points), default=None)
    return Highlights(agreed, divided if divided and divided[1] else None, changed,
                      widest_gap(debate, tallies, members))
