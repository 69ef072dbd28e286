"""Who thinks alike, in the exports: the opinion map's section of the JSON document and the
Pol.is set's opinion group ids (docs/exports.md).

The map itself is computed by the caller: the server through its `OpinionWorker`, `poll export`
in its own process (`map_for_export`, which alone imports numpy, when called), so importing
this module brings only the pure-Python parts of poll.opinion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Debate
from ..opinion.ballots import MIN_PARTICIPANTS, ballots_from_tallies, min_votes
from ..opinion.result import OpinionMap
from ..opinion.worker import OpinionWorker
from ..tally import Tally, TallyKey

# The formats that carry the map: the others never wait for a computation.
NEEDS_MAP = frozenset({"json", "polis", "xlsx"})

METHOD = ("PCA of the vote matrix (agree +1, disagree -1, neutral and missing 0), k-means for 2 "
          "to 5 groups chosen by silhouette, Pol.is's representativeness (docs/opinion.md)")


async def computed_map(debate: Debate, tallies: Mapping[TallyKey, Tally],
                       worker: OpinionWorker) -> OpinionMap | None:
    """The map of the debate's votes as they stand, computed in `worker` (None: fewer than
    MIN_PARTICIPANTS people answered enough statements). Raises WorkerCrashed."""
    ballots = ballots_from_tallies(debate, tallies)
    if ballots.placeable() < MIN_PARTICIPANTS:
        return None
    return await worker.compute(ballots)


def map_for_export(debate: Debate, tallies: Mapping[TallyKey, Tally]) -> OpinionMap | None:
    """The map for an export made without a running server (`poll export`), computed in this
    process (None: too few people answered enough statements). Never call it from the server:
    it imports numpy and scikit-learn, which only the worker process may (docs/opinion.md)."""
    ballots = ballots_from_tallies(debate, tallies)
    if ballots.placeable() < MIN_PARTICIPANTS:
        return None
    # A command line is not an event loop: computing here spares it a worker process (spawn,
    # a second import of the package and of numpy) and takes the same numbers.
    from ..opinion.compute import compute

    return compute(ballots)


def opinion_json(debate: Debate, tallies: Mapping[TallyKey, Tally],
                 found: OpinionMap | None) -> dict[str, Any]:
    """The JSON document's `opinion` section: how the map was computed, each placed
    participant's position and group letter (the same anonymous ids as `votes`), the groups
    with their representative statements, the consensus and the divisive statements. Without
    a map (too few people voted on enough statements) the same keys, empty."""
    section: dict[str, Any] = {
        "method": METHOD, "min_votes": min_votes(len(debate.statements)),
        "min_participants": MIN_PARTICIPANTS,
    }
    if found is None:
        return {**section, "computed_at": None, "votes": 0,
                "voters": ballots_from_tallies(debate, tallies).voters(),
                "why_no_groups": "too_few", "silhouette": None, "seconds": 0.0,
                "placed": [], "groups": [], "consensus": [], "divisive": []}
    return {**section, **found.numbers()}


def polis_group_ids(found: OpinionMap | None) -> dict[str, int]:
    """participant -> Pol.is's numeric group id (0 for group A, 1 for B, ... in letter order),
    for every placed participant in a group."""
    if found is None:
        return {}
    number = {g.letter: i for i, g in enumerate(sorted(found.groups, key=lambda g: g.letter))}
    return {p: number[letter] for p, letter in found.letters().items() if letter in number}


def group_informed_consensus(groups: Mapping[int, int], votes: Mapping[int, Mapping[int, int]]
                             ) -> dict[int, float]:
    """Per comment Pol.is's group-informed consensus: the product over the opinion groups of
    (agrees + 1) / (votes + 2), votes counting passes too. `groups` is participant id ->
    group id, `votes` comment id -> participant id -> vote (1, 0, -1). Empty without groups."""
    ids = sorted(set(groups.values()))
    if not ids:
        return {}
    out: dict[int, float] = {}
    for comment, answers in votes.items():
        agrees = dict.fromkeys(ids, 0)
        seen = dict.fromkeys(ids, 0)
        for pid, vote in answers.items():
            if (group := groups.get(pid)) is not None:
                seen[group] += 1
                agrees[group] += vote == 1
        product = 1.0
        for group in ids:
            product *= (agrees[group] + 1) / (seen[group] + 2)
        out[comment] = product
    return out


MAP_COLUMNS = ["participant", "opinion_group", "x", "y"]
BELIEF_COLUMNS = ["kind", "group", "group_size", "position", "statement", "direction",
                  "share_pct", "votes", "ratio", "z", "agreeing_groups", "disagreeing_groups",
                  "spread_points"]


def map_rows(found: OpinionMap | None) -> list[list[object]]:
    """Each placed participant's position and group letter, as the JSON's `opinion.placed`
    (empty group: the map has no groups)."""
    if found is None:
        return []
    return [[p.participant, p.group or "", p.x, p.y] for p in found.placed]


def belief_rows(debate: Debate, found: OpinionMap | None) -> list[list[object]]:
    """What each group believes (its representative statements, most representative first),
    then the consensus and the divisive statements, one row each, in BELIEF_COLUMNS.
    `share_pct` is the share of the group's votes on the statement that went `direction` (for
    consensus: the lowest group's smoothed share); `spread_points` the divisive statement's
    gap between the most and the least agreeing group."""
    if found is None:
        return []
    texts = {s.id: (s.position, s.text) for s in debate.statements}
    rows: list[list[object]] = []
    for group in found.groups:
        for b in group.representative:
            position, text = texts.get(b.statement_id, ("", ""))
            rows.append(["representative", group.letter, group.size, position, text,
                         b.direction, round(100 * b.count / b.voters) if b.voters else 0,
                         b.voters, round(b.ratio, 3), round(b.z, 3), "", "", ""])
    for s in found.consensus:
        position, text = texts.get(s.statement_id, ("", ""))
        rows.append(["consensus", "", "", position, text, s.direction,
                     round(100 * s.probability), "", "", "", "", "", ""])
    for d in found.divisive:
        position, text = texts.get(d.statement_id, ("", ""))
        rows.append(["divisive", "", "", position, text, "", "", "", "", "",
                     ", ".join(d.agreeing), ", ".join(d.disagreeing), round(100 * d.spread)])
    return rows


def groups_text(found: OpinionMap | None) -> str:
    """The groups and their sizes in a line ("A 38, B 32, C 20"), or why there are none."""
    if found is None:
        return "no map (too few people voted on enough statements)"
    if not found.groups:
        return ("too few people on the map for groups" if found.why_no_groups == "too_few"
                else "no clear groups")
    return ", ".join(f"{g.letter} {g.size}" for g in found.groups)
