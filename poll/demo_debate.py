"""The demo debate from the real event (shared/context), and a finished example of it.

`poll serve --demo` makes two debates once: the demo itself, ready to run live (statements, the four
audience groups of the day, the report's verdicts as notes), and an example with simulated votes of
90 people in those groups, with a second round on two statements and one statement proposed by the
audience, so the projector, the report and the exports can be seen before any event.
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


# Per statement: the chance of agree / neutral / disagree in round 1 for each group (Werkveld,
# Hogeschool, Kennisinstelling, Overheid), and how many of the others move to agree in round 2
# (None: no second round). Invented, in the spirit of the report's verdicts.
_LEANINGS: list[tuple[list[tuple[float, float, float]], float | None]] = [
    ([(.45, .25, .30), (.40, .25, .35), (.35, .35, .30), (.50, .20, .30)], .2),
    ([(.70, .15, .15), (.20, .20, .60), (.35, .30, .35), (.45, .30, .25)], .04),
    ([(.65, .20, .15), (.60, .25, .15), (.70, .15, .15), (.60, .25, .15)], None),
    ([(.70, .15, .15), (.50, .20, .30), (.60, .20, .20), (.40, .30, .30)], None),
    ([(.60, .20, .20), (.75, .15, .10), (.75, .15, .10), (.80, .10, .10)], None),
]
_GROUP_SIZES = (34, 30, 14, 8)  # and 4 people who pick no group: 90 in all
_PROPOSAL = "Stages in de techniek moeten altijd betaald worden."


async def ensure_example(store: Store) -> Debate:
    """The finished example debate with simulated votes (created once, always the same)."""
    existing = await store.demo_debate(EXAMPLE_NAME)
    if existing is not None:
        return existing
    spec = load_spec()
    debate, _ = await store.create_debate(EXAMPLE_PREFIX + spec.title, spec.lang, spec.statements,
                                          demo=EXAMPLE_NAME, groups=spec.groups, notes=spec.notes)
    rng = random.Random(2024)  # a draw in which the story of the day shows (see the notes)
    people: list[tuple[str, int | None]] = []
    for group, size in zip(debate.groups, _GROUP_SIZES, strict=True):
        people += [(f"p_demo{len(people) + i:03d}", group.id) for i in range(size)]
    people += [(f"p_demo{len(people) + i:03d}", None) for i in range(4)]
    for participant, group_id in people:
        if group_id is not None:
            await store.join_group(debate.id, participant, group_id)
    choices = (Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE)
    index = {g.id: i for i, g in enumerate(debate.groups)}

    async def cast(statement_id: int, round_: int, picks: dict[str, Choice]) -> None:
        await asyncio.gather(*(
            store.record_vote(Vote(debate.id, statement_id, p, c, f"demo-{statement_id}-{round_}",
                                   round=round_))
            for p, c in picks.items()))

    for statement, (leanings, moved) in zip(debate.statements, _LEANINGS, strict=True):
        first = {}
        for participant, group_id in people:
            if rng.random() < 0.93:  # not everyone votes on every statement
                weights = leanings[index[group_id]] if group_id is not None else (.5, .25, .25)
                first[participant] = rng.choices(choices, weights)[0]
        await cast(statement.id, 1, first)
        if moved is None:
            continue
        second = {p: (Choice.AGREE if c is not Choice.AGREE and rng.random() < moved else c)
                  for p, c in first.items() if rng.random() < 0.92}
        await store.save_stage(debate.id, Stage(statement.id, Phase.CLOSED, True, round=2))
        await cast(statement.id, 2, second)

    proposal = await store.add_proposal(debate.id, people[40][0], _PROPOSAL)
    _, added = await store.decide_proposal(debate.id, proposal.id, approve=True)
    assert added is not None
    await cast(added.id, 1, {p: rng.choices(choices, (.55, .2, .25))[0]
                             for p, _ in people if rng.random() < 0.8})
    await store.save_stage(debate.id, Stage(added.id, Phase.CLOSED, True))
    await store.save_peak(debate.id, len(people))
    found = await store.demo_debate(EXAMPLE_NAME)
    assert found is not None
    return found
