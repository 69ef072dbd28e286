"""A room of phones in planted opinion groups, voting over real websockets on a real server:
for the live opinion-map tests (moderator socket, pages, report, browser)."""

from __future__ import annotations

import asyncio
from typing import Any

from support.clients import Moderator, Phone
from support.debate import Debate
from support.planted import prototypes

CHOICE = {1: "agree", -1: "disagree"}


def planted_rows(groups: int, statements: int) -> list[list[int]]:
    """Each group's answer (+1 agree, -1 disagree) per statement."""
    return prototypes(groups, statements, seed=3)


async def vote_all(phones: list[tuple[int, Phone]], statement: int, choice_of: Any) -> None:
    """Every phone votes `choice_of(its group)` on the statement on stage; all acknowledged."""
    replies = await asyncio.gather(*(phone.cast(statement, choice_of(g)) for g, phone in phones))
    assert all(r["type"] == "ack" for r in replies), replies


async def vote_planted(mod: Moderator, debate: Debate, phones: list[tuple[int, Phone]],
                       rows: list[list[int]], first_round: dict[int, str] | None = None) -> None:
    """Each statement in turn is opened and every phone votes its group's answer. With
    `first_round` (group -> choice), statement 1 is first voted that way, then in a second
    round the planted way."""
    for n in range(1, len(rows[0]) + 1):
        await mod.show(debate.sid(n), "open")
        if n == 1 and first_round is not None:
            await vote_all(phones, debate.sid(1), lambda g: first_round[g])
            await mod.control("round2")
        await vote_all(phones, debate.sid(n), lambda g, j=n - 1: CHOICE[rows[g][j]])
