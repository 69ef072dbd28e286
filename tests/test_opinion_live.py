"""Who thinks alike, on a real server: three planted opinion groups of phones vote over
websockets; the moderator's socket gets the map with their three groups (and no participant id),
the moderator page and the report draw it without JavaScript, and a statement voted on twice
shows how minds moved."""

from __future__ import annotations

import asyncio
import json
import re

from support.clients import new_participant
from support.planted import prototypes

GROUPS, PER_GROUP, STATEMENTS = 3, 12, 6
CHOICE = {1: "agree", -1: "disagree"}
# Statement 1 had two rounds: in round 1 group 0 was neutral, the others disagreed.
ROUND_ONE = {0: "neutral", 1: "disagree", 2: "disagree"}
STATEMENT_TEXTS = [f"Statement {n} <b>&amp;</b> hubs" for n in range(1, STATEMENTS + 1)]


async def _vote_all(phones, sid: int, choice_of) -> None:
    replies = await asyncio.gather(*(phone.cast(sid, choice_of(g))
                                     for g, phone in phones))
    assert all(r["type"] == "ack" for r in replies), replies


async def planted_room(site, moderator, connect, *, per_group: int = PER_GROUP):
    """A debate where three groups of phones voted their group's answers on every statement,
    statement 1 in two rounds; returns (debate, server, moderator, phones, prototypes)."""
    debate = site.new("Who thinks alike", STATEMENT_TEXTS, "en", "--visibility", "live")
    server = site.start("--map-interval", "0.3")
    mod = await moderator(server, debate)
    rows = prototypes(GROUPS, STATEMENTS, seed=3)
    participants = [(g, new_participant()) for g in range(GROUPS) for _ in range(per_group)]
    phones = [(g, await connect(server, debate, participant=p)) for g, p in participants]
    await mod.show(debate.sid(1), "open")
    await _vote_all(phones, debate.sid(1), lambda g: ROUND_ONE[g])
    await mod.control("round2")
    for n in range(1, STATEMENTS + 1):
        if n > 1:
            await mod.show(debate.sid(n), "open")
        await _vote_all(phones, debate.sid(n), lambda g, j=n - 1: CHOICE[rows[g][j]])
    return debate, server, mod, [p for _, p in participants], rows


def _groups_of(frame: dict) -> list[int]:
    return sorted(g["size"] for g in frame["groups"])


async def test_the_moderator_gets_the_map_of_three_planted_groups(site, moderator,
                                                                  connect) -> None:
    debate, server, mod, participants, rows = await planted_room(site, moderator, connect)
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    frame = await desk.recv_until(
        lambda f: f["type"] == "opinion" and len(f["groups"]) == GROUPS, timeout=120,
        what="a map with three groups")
    assert _groups_of(frame) == [PER_GROUP] * GROUPS
    assert frame["placed"] == frame["voters"] == GROUPS * PER_GROUP
    assert len(frame["dots"]) == GROUPS * PER_GROUP
    assert {d["group"] for d in frame["dots"]} == {"A", "B", "C"}
    raw = json.dumps(frame)
    assert not any(p in raw for p in participants)  # dots, never identities
    # each group's beliefs are its planted answers, in the statement's own words
    for group in frame["groups"]:
        for belief in group["beliefs"]:
            assert belief["text"] == STATEMENT_TEXTS[belief["position"] - 1]
            assert belief["percent"] == 100
    planted_sides = {tuple(CHOICE[r[j]] for r in rows) for j in range(STATEMENTS)}
    assert planted_sides  # the prototypes differ, so some statement divides the groups
    assert frame["divisive"], frame


async def test_the_moderator_page_and_the_report_draw_the_map_and_the_moves(
        site, moderator, connect) -> None:
    debate, server, mod, _, rows = await planted_room(site, moderator, connect)
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    await desk.recv_until(lambda f: f["type"] == "opinion" and len(f["groups"]) == GROUPS,
                          timeout=120, what="a map with three groups")
    page = (await mod.get(f"/d/{debate.id}/moderate")).text
    report = (await mod.get(f"/d/{debate.id}/report")).text
    agree_first = sum(PER_GROUP for g in range(GROUPS) if rows[g][0] > 0)
    for html in (page, report):
        panel = html[html.index('data-opinion-panel'):]
        assert "Who thinks alike" in html
        assert panel.count('class="map__dot') == GROUPS * PER_GROUP
        for letter in "ABC":
            assert re.search(rf"Group {letter}\b.{{0,80}}12 people", panel, re.S), letter
        assert "Statement 1 &lt;b&gt;&amp;amp;" in panel  # the statement's text, as text
        assert "<b>&amp;" not in panel
        moves = html[html.index('data-moves="1"'):]
        moves = moves[:moves.index("</table>")]
        # of those neutral in round 1 (group 0), all now answer group 0's way
        cell = f'data-before="neutral" data-after="{CHOICE[rows[0][0]]}"'
        assert re.search(rf"{cell}[^>]*>\s*{PER_GROUP}\s*<", moves), moves
        disagreed_then_agree = sum(PER_GROUP for g in (1, 2) if rows[g][0] > 0)
        cell = 'data-before="disagree" data-after="agree"'
        assert re.search(rf"{cell}[^>]*>\s*{disagreed_then_agree}\s*<", moves), moves
    assert agree_first >= 0


async def test_too_few_voters_say_when_the_map_appears(site, moderator, connect) -> None:
    debate = site.new("Small room", STATEMENT_TEXTS, "en")
    server = site.start("--map-interval", "0.3")
    mod = await moderator(server, debate)
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    frame = await desk.recv_type("opinion")
    assert frame["ready"] is False and frame["needs_people"] == 10
    assert frame["needs_statements"] == 3
    page = (await mod.get(f"/d/{debate.id}/moderate")).text
    assert "The map appears once at least 10 people voted on 3 statements." in page
