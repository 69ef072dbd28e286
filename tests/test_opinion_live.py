"""Who thinks alike, on a real server: three planted opinion groups of phones vote over
websockets; the moderator's socket gets the map with their three groups (and no participant id),
the moderator page and the report draw it without JavaScript, and a statement voted on twice
shows how minds moved."""

from __future__ import annotations

import json
import re

from support.clients import http_client, new_participant
from support.opinion_room import CHOICE, planted_rows, vote_planted

GROUPS, PER_GROUP, STATEMENTS = 3, 12, 6
# Statement 1 had two rounds: in round 1 group 0 was neutral, the others disagreed.
ROUND_ONE = {0: "neutral", 1: "disagree", 2: "disagree"}
STATEMENT_TEXTS = [f"Statement {n} <b>&amp;</b> hubs" for n in range(1, STATEMENTS + 1)]


async def planted_room(site, moderator, connect, *options: str):
    """A debate where three groups of phones voted their group's answers on every statement,
    statement 1 in two rounds; returns (debate, server, moderator, participants, prototypes)."""
    debate = site.new("Who thinks alike", STATEMENT_TEXTS, "en", "--visibility", "live",
                      *options)
    server = site.start("--map-interval", "0.3")
    mod = await moderator(server, debate)
    rows = planted_rows(GROUPS, STATEMENTS)
    participants = [(g, new_participant()) for g in range(GROUPS) for _ in range(PER_GROUP)]
    phones = [(g, await connect(server, debate, participant=p)) for g, p in participants]
    await vote_planted(mod, debate, phones, rows, first_round=ROUND_ONE)
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
    # a statement where the planted groups differ divides them
    assert any(len({r[j] for r in rows}) > 1 for j in range(STATEMENTS))
    assert frame["divisive"], frame


async def test_the_moderator_page_and_the_report_draw_the_map_and_the_moves(
        site, moderator, connect) -> None:
    debate, server, mod, _, rows = await planted_room(site, moderator, connect)
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    # a map of every vote (one computed after the first statements could come first)
    await desk.recv_until(lambda f: f["type"] == "opinion" and len(f["groups"]) == GROUPS
                          and f["votes"] == GROUPS * PER_GROUP * STATEMENTS,
                          timeout=120, what="a map of every vote with three groups")
    page = (await mod.get(f"/d/{debate.id}/moderate")).text
    report = (await mod.get(f"/d/{debate.id}/report")).text
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


async def test_others_see_the_map_in_the_report_once_it_is_published(site, moderator,
                                                                      connect) -> None:
    # results are revealed one by one: the last statement's never were
    debate, server, mod, _, _ = await planted_room(site, moderator, connect, "--visibility",
                                                   "reveal")
    async with http_client(server) as reader:
        hidden = (await reader.get(f"/d/{debate.id}/report")).text
        assert "The map of who thinks alike appears here once" in hidden
        assert 'class="map__dot' not in hidden
        assert (await mod.post(f"/d/{debate.id}/publish", {"published": "1"})).status_code == 303
        shown = (await reader.get(f"/d/{debate.id}/report")).text
    assert shown.count('class="map__dot') == GROUPS * PER_GROUP
    assert "Group C" in shown and "Where the groups split" in shown


async def test_too_few_voters_say_when_the_map_appears(site, moderator, connect) -> None:
    debate = site.new("Small room", STATEMENT_TEXTS, "en")
    dutch = site.new("Kleine zaal", STATEMENT_TEXTS, "nl")
    server = site.start("--map-interval", "0.3")
    mod = await moderator(server, debate)
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    frame = await desk.recv_type("opinion")
    assert frame["ready"] is False and frame["needs_people"] == 10
    assert frame["needs_statements"] == 3
    page = (await mod.get(f"/d/{debate.id}/moderate")).text
    assert "The map appears once at least 10 people voted on 3 statements." in page
    page = (await (await moderator(server, dutch)).get(f"/d/{dutch.id}/moderate")).text
    assert "Wie denkt er hetzelfde" in page
    assert "De kaart verschijnt zodra minstens 10 mensen over 3 stellingen hebben gestemd." in page
