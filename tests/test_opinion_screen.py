"""The opinion map on the projector, on a real server: the moderator puts it on (a plain form);
the screen's socket and page get the groups and dots (never a participant id); each phone asks
for its own line ("you are in group B with 11 others; you agree with them on 6 of 6") and its
page draws it; taking the map off, or the next statement, removes it everywhere."""

from __future__ import annotations

import json

from support.clients import http_client, new_participant, participant_cookie, screen_cookie
from support.opinion_room import CHOICE
from test_opinion_live import GROUPS, PER_GROUP, ROUND_ONE, STATEMENTS, planted_room


async def _map_ready(server, debate, mod, connect) -> None:
    desk = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    # a map of every vote (one computed after the first statements could come first)
    await desk.recv_until(lambda f: f["type"] == "opinion" and len(f["groups"]) == GROUPS
                          and f["votes"] == GROUPS * PER_GROUP * STATEMENTS,
                          timeout=120, what="a map of every vote with three groups")


async def _my_place(phone) -> dict:
    phone.skip_all()
    await phone.send({"type": "my_group"})
    return await phone.recv_type("my_group")


async def test_the_moderator_shows_the_map_on_the_screen_and_each_phone_sees_its_group(
        site, moderator, connect) -> None:
    debate, server, mod, participants, _ = await planted_room(site, moderator, connect)
    await _map_ready(server, debate, mod, connect)
    screen = await connect(server, debate, "screen")
    # one phone of each planted group (participants come group by group), and a newcomer
    phones = [await connect(server, debate, participant=participants[g * PER_GROUP])
              for g in range(GROUPS)]
    newcomer = await connect(server, debate, participant=new_participant())
    before = await _my_place(phones[0])
    assert before["shown"] is False and before["group"] is None  # not before it is shown

    assert (await mod.post(f"/d/{debate.id}/map", {"show": "1"})).status_code == 303
    state = await screen.recv_until(lambda f: f["type"] == "state" and f["show_map"],
                                    what="the state with the map shown")
    assert state["show_map"] is True
    frame = await screen.recv_until(lambda f: f["type"] == "opinion", what="the screen's map")
    assert sorted(g["size"] for g in frame["groups"]) == [PER_GROUP] * GROUPS
    assert len(frame["dots"]) == GROUPS * PER_GROUP
    assert all(len(g["beliefs"]) <= 1 for g in frame["groups"])
    assert frame["divisive"] == []
    raw = json.dumps(frame)
    assert not any(p in raw for p in participants)  # dots by group, never identities

    letters = set()
    for phone in phones:
        place = await _my_place(phone)
        assert place["shown"] and place["placed"], place
        assert (place["others"], place["same"], place["of"]) == (PER_GROUP - 1, STATEMENTS,
                                                                 STATEMENTS)
        letters.add(place["group"])
    assert letters == {"A", "B", "C"}  # each planted group its own letter
    fresh = await _my_place(newcomer)
    assert fresh["shown"] and not fresh["placed"] and fresh["group"] is None

    # without JavaScript: the projector's page and the phone's page draw the same
    async with http_client(server) as viewer:
        cookie = await screen_cookie(server, debate)
        page = (await viewer.get(f"/d/{debate.id}/screen",
                                 headers={"Cookie": cookie})).text
    assert page.count('class="map__dot') == GROUPS * PER_GROUP
    assert "Group A" in page and "Who thinks alike" in page
    async with http_client(server) as phone_page:
        html = (await phone_page.get(f"/j/{debate.join_code}", headers={
            "Cookie": participant_cookie(participants[0])})).text
    assert f"with {PER_GROUP - 1} others" in html
    assert f"you agree with them on {STATEMENTS} of {STATEMENTS} statements" in html

    assert (await mod.post(f"/d/{debate.id}/map", {"show": "0"})).status_code == 303
    await screen.recv_until(lambda f: f["type"] == "state" and not f["show_map"],
                            what="the state with the map off")
    assert (await _my_place(phones[0]))["shown"] is False
    async with http_client(server) as viewer:
        page = (await viewer.get(f"/d/{debate.id}/screen",
                                 headers={"Cookie": await screen_cookie(server, debate)})).text
    assert 'class="map__dot' not in page


async def test_the_map_leaves_the_projector_with_the_next_statement(site, moderator,
                                                                    connect) -> None:
    debate, server, mod, _, _ = await planted_room(site, moderator, connect)
    await _map_ready(server, debate, mod, connect)
    await mod.post(f"/d/{debate.id}/map", {"show": "1"})
    screen = await connect(server, debate, "screen")
    snapshot = await screen.recv_until(lambda f: f["type"] == "opinion",
                                       what="the map in the screen's snapshot")
    assert len(snapshot["groups"]) == GROUPS
    await mod.control("goto", debate.sid(1))
    await screen.recv_until(lambda f: f["type"] == "state" and not f["show_map"],
                            what="the next statement, without the map")
    bad = await mod.post(f"/d/{debate.id}/map", {"show": "maybe"})
    assert bad.status_code == 400


async def _nothing_more_of(phone, kind: str) -> None:
    """No `kind` frame came to `phone` since its last skip_all(): a ping's pong comes after
    every frame the server queued for it before the ping."""
    start = phone.cursor
    await phone.send({"type": "ping"})
    await phone.recv_type("pong")
    assert not [f for f in phone.frames[start:] if f["type"] == kind], phone.frames[start:]


async def test_a_recomputed_map_reaches_the_phones_whose_line_changed_and_only_them(
        site, moderator, connect) -> None:
    debate, server, mod, participants, rows = await planted_room(site, moderator, connect)
    await _map_ready(server, debate, mod, connect)
    assert (await mod.post(f"/d/{debate.id}/map", {"show": "1"})).status_code == 303
    # two phones of the same planted group; statement 6 is open
    mover = await connect(server, debate, participant=participants[0])
    fellow = await connect(server, debate, participant=participants[1])
    line = await _my_place(mover)
    assert (line["others"], line["same"], line["of"]) == (PER_GROUP - 1, STATEMENTS, STATEMENTS)
    assert await _my_place(fellow) == line

    # the mover turns against its group on statement 6: its next line comes without asking
    planted = CHOICE[rows[0][STATEMENTS - 1]]
    against = "disagree" if planted == "agree" else "agree"
    mover.skip_all()
    fellow.skip_all()
    assert (await mover.cast(debate.sid(STATEMENTS), against))["type"] == "ack"
    moved = await mover.recv_until(lambda f: f["type"] == "my_group", timeout=120,
                                   what="its line after the map was recomputed")
    assert moved == {**line, "same": STATEMENTS - 1}  # "you agree with them on 5 of 6"
    await _nothing_more_of(fellow, "my_group")  # its line is the same: nothing sent to it

    # back with its group: 6 of 6 again, pushed
    mover.skip_all()
    assert (await mover.cast(debate.sid(STATEMENTS), planted))["type"] == "ack"
    back = await mover.recv_until(lambda f: f["type"] == "my_group", timeout=120,
                                  what="its line after it changed back")
    assert back == line
    await _nothing_more_of(fellow, "my_group")

    # a second round of statement 6: nobody has voted in it, so every line counts 5
    # statements; each phone hears so without asking, and once more after its own new vote
    fellow.skip_all()
    await mod.control("round2")
    fewer = await fellow.recv_until(lambda f: f["type"] == "my_group", timeout=120,
                                    what="its line once statement 6 went to a second round")
    assert (fewer["group"], fewer["same"], fewer["of"]) == (
        line["group"], STATEMENTS - 1, STATEMENTS - 1)
    fellow.skip_all()
    assert (await fellow.cast(debate.sid(STATEMENTS), planted))["type"] == "ack"
    again = await fellow.recv_until(lambda f: f["type"] == "my_group", timeout=120,
                                    what="its line after its vote in the second round")
    assert (again["same"], again["of"]) == (STATEMENTS, STATEMENTS)


def _moves(frame: dict) -> dict[tuple[str, str], int]:
    return {(m["before"], m["after"]): m["count"] for m in frame["moves"]["moves"] if m["count"]}


async def test_the_moderator_shows_how_minds_moved_on_the_projector(site, moderator,
                                                                    connect) -> None:
    """Statement 1 was voted on twice (group 0 neutral then its planted answer, the others
    disagree then theirs): the moderator's button puts the moves on the projector, live; the
    page draws them without JavaScript; the next statement takes them off."""
    debate, server, mod, participants, rows = await planted_room(site, moderator, connect)
    first = debate.sid(1)
    expected: dict[tuple[str, str], int] = {}
    for g in range(GROUPS):
        key = (ROUND_ONE[g], CHOICE[rows[g][0]])
        expected[key] = expected.get(key, 0) + PER_GROUP
    # statement 6 is on stage, in its first round: there is nothing to show yet
    refused = await mod.post(f"/d/{debate.id}/moves", {"show": "1"})
    assert refused.status_code == 409 and "second round" in refused.text
    assert (await mod.post(f"/d/{debate.id}/moves", {"show": "maybe"})).status_code == 400

    await mod.control("goto", first)  # back to statement 1, in its second round
    await mod.post(f"/d/{debate.id}/map", {"show": "1"})
    screen = await connect(server, debate, "screen")
    assert (await mod.post(f"/d/{debate.id}/moves", {"show": "1"})).status_code == 303
    state = await screen.recv_until(lambda f: f["type"] == "state" and f["show_moves"],
                                    what="the state with how minds moved shown")
    assert state["show_map"] is False, "one thing at a time on the projector"
    assert state["results"]["moves"]["voters"] == GROUPS * PER_GROUP
    assert _moves(state["results"]) == expected

    # the page as the projector loads it, without JavaScript
    async with http_client(server) as viewer:
        page = (await viewer.get(f"/d/{debate.id}/screen", headers={
            "Cookie": await screen_cookie(server, debate)})).text
    assert 'data-moves="on"' in page
    section = page[page.index("data-screen-moves"):page.index("</section>",
                                                                page.index("data-screen-moves"))]
    assert "How minds moved" in section
    assert f"Of the {GROUPS * PER_GROUP} people who voted in both rounds" in section
    assert "Round 1: Neutral" in section and "Round 1: Disagree" in section
    for (before, after), n in expected.items():
        said = "stayed at" if before == after else "now"
        assert f"<strong>{n}</strong> {said} {after.capitalize()}" in section, (before, after)

    # live: a phone of group 1 changes its round-2 answer; the projector's numbers follow
    await mod.control("open")
    phone = await connect(server, debate, participant=participants[PER_GROUP])
    planted = CHOICE[rows[1][0]]
    other = "neutral"
    assert (await phone.cast(first, other))["type"] == "ack"
    changed = {**expected}
    changed[(ROUND_ONE[1], planted)] -= 1
    changed = {k: v for k, v in changed.items() if v}
    changed[(ROUND_ONE[1], other)] = changed.get((ROUND_ONE[1], other), 0) + 1
    await screen.recv_until(lambda f: f["type"] == "tally" and "moves" in f
                            and _moves(f) == changed, what="the moves after the changed vote")

    await mod.control("next")
    await screen.recv_until(lambda f: f["type"] == "state" and not f["show_moves"],
                            what="the next statement, without the moves")
