"""The demo debate from the real event (shared/context), and a finished example of it.

`poll serve --demo` makes two debates once: the demo itself, ready to run live (statements, the four
audience groups of the day, the report's verdicts as notes), and an example with simulated votes of
90 people in those groups, with a second round on two statements and one statement proposed by the
audience, so the projector, the report and the exports can be seen before any event. The example's
people vote in three camps that cut across the audience groups, so its opinion map finds them.
"""

from __future__ import annotations

import asyncio
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .model import Choice, Debate, Phase, Stage, Vote
from .paths import DEMO
from .store import Store
from .text import clean

DEMO_NAME = "htno-2023"
EXAMPLE_NAME = "htno-2023-example"
EXAMPLE_PREFIX = "Voorbeeld (gesimuleerde stemmen) · "


@dataclass(frozen=True, slots=True)
class DemoSpec:
    title: str
    lang: str
    groups: list[str]
    statements: list[str]
    notes: list[str]


def load_spec(path: Path = DEMO / f"{DEMO_NAME}.toml") -> DemoSpec:
    """The demo debate as described in its TOML file."""
    data = tomllib.loads(path.read_text("utf-8"))
    return DemoSpec(clean(data["title"]), data["lang"], [clean(g) for g in data["groups"]],
                    [clean(s["text"]) for s in data["statements"]],
                    [s.get("notes", "").strip() for s in data["statements"]])


async def ensure_demo(store: Store) -> tuple[Debate, str]:
    """The demo debate (created once) with a fresh moderator key to print."""
    spec = load_spec()
    debate = await store.demo_debate(DEMO_NAME)
    if debate is None:
        debate, key = await store.create_debate(spec.title, spec.lang, spec.statements,
                                                demo=DEMO_NAME, groups=spec.groups,
                                                notes=spec.notes)
        return debate, key
    if not debate.groups:  # made by a release before audience groups existed
        debate.groups = await store.set_groups(debate.id, spec.groups)
    # Only a hash of the key is stored, so a restart can show a link only by issuing a new key;
    # the moderator's browser stays signed in.
    key, _ = await store.new_key(debate.id, end_sessions=False)
    return debate, key


# The example's people think in three camps that cut across the audience groups, so its map of
# who thinks alike shows something worth seeing (docs/opinion.md). Per camp and statement (the
# five of the TOML file, then the audience's proposal) the chance of agree / neutral / disagree
# in round 1. Invented, in the spirit of the report's verdicts: every camp wants universities and
# companies to do more (statements 4 and 5); they part on the hubs, on hybrid teachers, on mixing
# initial and post-initial students and on paid internships.
_CAMPS: list[list[tuple[float, float, float]]] = [
    # "the hub as a company": hubs run with industry, every teacher hybrid
    [(.90, .05, .05), (.85, .10, .05), (.80, .10, .10), (.80, .10, .10), (.70, .20, .10),
     (.05, .10, .85)],
    # "education first": no hubs, no hybrid teachers, one class for every student
    [(.05, .10, .85), (.05, .05, .90), (.85, .10, .05), (.75, .15, .10), (.85, .10, .05),
     (.90, .05, .05)],
    # "hubs, carefully": hubs yes, but separate tracks and paid internships
    [(.80, .15, .05), (.10, .10, .80), (.05, .10, .85), (.85, .10, .05), (.80, .15, .05),
     (.85, .10, .05)],
]
# Per audience group (Werkveld, Hogeschool, Kennisinstelling, Overheid, then no group) the
# chance of each camp: industry leans to the first camp, the universities to the second, but
# every camp has members of every group.
_CAMP_MIX = [(.55, .15, .30), (.20, .50, .30), (.30, .40, .30), (.35, .30, .35), (.34, .33, .33)]
# Statements with a second round (by position): how many of the others move to agree.
_SECOND_ROUND = {0: .2, 1: .04}
_GROUP_SIZES = (34, 30, 14, 8)  # and 4 people who pick no group: 90 in all
_PROPOSAL = "Stages in de techniek moeten altijd betaald worden."
_CHOICES = (Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE)


async def ensure_example(store: Store) -> Debate:
    """The finished example debate with simulated votes (created once, always the same)."""
    existing = await store.demo_debate(EXAMPLE_NAME)
    if existing is not None:
        return existing
    spec = load_spec()
    debate, _ = await store.create_debate(EXAMPLE_PREFIX + spec.title, spec.lang, spec.statements,
                                          demo=EXAMPLE_NAME, groups=spec.groups, notes=spec.notes)
    rng = random.Random(2024)  # seeded: every `poll serve --demo` makes the same example
    people: list[tuple[str, int | None]] = []
    for group, size in zip(debate.groups, _GROUP_SIZES, strict=True):
        people += [(f"p_demo{len(people) + i:04d}", group.id) for i in range(size)]
    # ids a phone could have (poll.web.participants): a screenshot can show one's own page
    people += [(f"p_demo{len(people) + i:04d}", None) for i in range(4)]
    for participant, group_id in people:
        if group_id is not None:
            await store.join_group(debate.id, participant, group_id)
    index = {g.id: i for i, g in enumerate(debate.groups)}
    camp = {p: rng.choices(range(len(_CAMPS)), _CAMP_MIX[-1 if g is None else index[g]])[0]
            for p, g in people}

    def picks(position: int, turnout: float) -> dict[str, Choice]:
        """Round-1 answers to the statement at `position`: each person who votes (not
        everyone votes on every statement) answers as their camp leans."""
        return {p: rng.choices(_CHOICES, _CAMPS[camp[p]][position])[0]
                for p, _ in people if rng.random() < turnout}

    async def cast(statement_id: int, round_: int, chosen: dict[str, Choice]) -> None:
        await asyncio.gather(*(
            store.record_vote(Vote(debate.id, statement_id, p, c, f"demo-{statement_id}-{round_}",
                                   round=round_))
            for p, c in chosen.items()))

    for position, statement in enumerate(debate.statements):
        first = picks(position, 0.93)
        await cast(statement.id, 1, first)
        if (moved := _SECOND_ROUND.get(position)) is None:
            continue
        second = {p: (Choice.AGREE if c is not Choice.AGREE and rng.random() < moved else c)
                  for p, c in first.items() if rng.random() < 0.92}
        await store.save_stage(debate.id, Stage(statement.id, Phase.CLOSED, True, round=2))
        await cast(statement.id, 2, second)

    proposal = await store.add_proposal(debate.id, people[40][0], _PROPOSAL)
    _, added = await store.decide_proposal(debate.id, proposal.id, approve=True)
    assert added is not None
    await cast(added.id, 1, picks(len(debate.statements), 0.8))
    await store.save_stage(debate.id, Stage(added.id, Phase.CLOSED, True))
    await store.save_peak(debate.id, len(people))
    found = await store.demo_debate(EXAMPLE_NAME)
    assert found is not None
    return found
