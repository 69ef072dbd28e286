"""The phone in a real browser, for the outside tester's findings (issue 11, items 9-13): a vote
that reached the server too late says it was not counted; the statement stays readable above the
answer buttons; every control is big enough for a thumb; without JavaScript "Skip" on the group
question is remembered and a refused vote is explained once.

Chromium at 390x844 (a phone), touch, with and without JavaScript, against a real server; what a
person would notice is asserted. Waits are Playwright's auto-waiting `expect(...)`, never fixed
sleeps.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Page, expect
from support.browser import (
    AckGate,
    Browser,
    SocketCut,
    TextLog,
    check_phone,
    status,
    tap,
)
from support.checks import read_csv

STATEMENTS = [
    "Internships should be paid.",
    "Every teacher should be able to teach hybrid.",
]
# 300 characters: the longest statement a phone proposes, and a long one for a moderator
LONG = (
    "Every student in higher professional education should spend at least one full semester "
    "working in a real company, a school or a public body before graduating, so that what they "
    "learn on campus meets practice early; the hogeschool should arrange the placement and pay "
    "for it, and nobody should lose study credit."
)
GROUPS = ("Werkveld", "Hogeschool", "Kennisinstelling", "Overheid")  # the demo's four
NOT_COUNTED = {
    "close": "Your vote (Agree) was not counted: voting had closed before it reached the server.",
    "next": "Your vote (Agree) was not counted: the moderator had moved on before it reached "
    "the server.",
}


def group_flags() -> list[str]:
    return [flag for name in GROUPS for flag in ("--group", name)]


def message(page: Page):
    return page.locator("[data-message]")


def statement(page: Page):
    return page.locator("[data-statement-text]")


async def never_counted(log: TextLog) -> None:
    """No status line, message or announcement ever said the vote was counted."""
    claimed = [t for t in await log.texts() if re.search(r"(?<!not )counted", t, re.IGNORECASE)]
    assert not claimed, f"the phone claimed a vote was counted: {claimed}"


async def counted_votes(mod) -> list[dict[str, str]]:
    return read_csv((await mod.export("votes.csv")).text)


# --------------------------------------------------------------------------------------------------
# 9. a vote cast offline that arrives too late: "not counted", in words


@pytest.mark.parametrize(
    ("action", "network"),
    [("close", "held"), ("close", "lost"), ("next", "held"), ("next", "lost")],
)
async def test_a_vote_that_arrives_too_late_says_not_counted(
    chromium: Browser, site, moderator, action: str, network: str
):
    """`held`: the network drops and Chromium holds the socket's frames (the vote reaches the
    server after the moderator acted, and is refused); `lost`: the socket is gone as well and the
    vote waits on the phone (dropped on reconnect, or refused when sent by POST)."""
    debate = site.new("Offline", STATEMENTS)
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    phone = await chromium.phone()
    cut = SocketCut()
    await cut.install(phone)
    await phone.goto(debate.join_url)
    await expect(status(phone)).to_have_text("Choose your answer")
    log = await TextLog.install(phone)

    await phone.context.set_offline(True)
    if network == "lost":
        await cut.cut()
        await expect(phone.locator("[data-connection]")).to_have_text("reconnecting…")
    await tap(phone, "Agree")
    await expect(status(phone)).to_have_text("Your vote: Agree — sending…")
    await mod.control(action)  # the moderator closes voting, or moves on, meanwhile
    cut.restore()
    await phone.context.set_offline(False)

    said = NOT_COUNTED[action]
    await expect(message(phone)).to_have_text(said)
    await expect(message(phone)).to_be_in_viewport(ratio=1)
    # and to screen readers (after "Statement 2 of 2: ..." when the page moved on meanwhile)
    await expect(phone.locator("[data-announce]")).to_contain_text(said)
    if action == "close":
        await expect(status(phone)).to_have_text("Voting is closed")
    else:
        await expect(statement(phone)).to_have_text(STATEMENTS[1])
        await expect(status(phone)).to_have_text("Voting has not started yet")
    await expect(phone.get_by_role("button", name="Agree", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    await check_phone(phone, f"a vote not counted ({action}, {network})")
    await never_counted(log)
    assert await counted_votes(mod) == []

    # the vote is gone for good: not sent again after a reload, and nothing more to say
    await phone.reload()
    await expect(status(phone)).not_to_have_text(re.compile("sending"))
    await expect(message(phone)).to_have_count(0)
    assert await counted_votes(mod) == []


async def test_a_vote_counted_just_before_voting_closed_is_not_called_lost(
    chromium: Browser, site, moderator
):
    """The server stored the vote, then voting closed, and only then did the ack reach the phone:
    the phone must wait for the server's answer, not guess "not counted"."""
    debate = site.new("Just in time", STATEMENTS)
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    gate = AckGate()
    phone = await chromium.phone()
    await gate.install(phone)
    await phone.goto(debate.join_url)
    await expect(status(phone)).to_have_text("Choose your answer")
    log = await TextLog.install(phone)

    await tap(phone, "Agree")
    await gate.wait_held(1)  # stored on the server; the phone has not heard so
    await mod.control("close")
    await expect(status(phone)).to_have_text("Voting is closed")
    gate.release()
    await expect(status(phone)).to_have_text("Voting is closed — your vote: Agree")
    await expect(message(phone)).to_have_count(0)
    assert not [t for t in await log.texts() if "not counted" in t], await log.texts()
    assert [v["choice"] for v in await counted_votes(mod)] == ["agree"]


# --------------------------------------------------------------------------------------------------
# 10. and 11. the statement above the buttons, 44 px targets: groups open, a long statement


async def test_the_statement_stays_readable_above_the_buttons(chromium: Browser, site, moderator):
    debate = site.new("Long", [LONG, STATEMENTS[0]], "en", *group_flags())
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")

    # with JavaScript: the group question open (four groups), then answered
    phone = await chromium.phone(debate.join_url)
    await expect(phone.get_by_role("button", name="Kennisinstelling")).to_be_visible()
    await expect(status(phone)).to_have_text("Choose your answer")
    await check_phone(phone, "script, group question open, 300 characters")
    await tap(phone, "Skip")
    await expect(phone.get_by_role("button", name="Kennisinstelling")).to_be_hidden()
    await check_phone(phone, "script, group question skipped")
    # the buttons stay under the thumb when the statement fits above them
    agree = await phone.get_by_role("button", name="Agree", exact=True).bounding_box()
    assert agree is not None and agree["y"] + agree["height"] <= 844, agree
    await tap(phone, "Agree")
    await expect(status(phone)).to_have_text("Your vote: Agree — counted")
    await check_phone(phone, "script, voted")

    # without JavaScript: the question open, then the 409 page of a vote after voting closed
    plain = await chromium.phone(debate.join_url, device="no-js phone", js=False)
    await expect(plain.get_by_role("button", name="Kennisinstelling")).to_be_visible()
    await check_phone(plain, "no script, group question open, 300 characters")
    await mod.control("close")
    async with plain.expect_navigation():
        await tap(plain, "Agree")
    await expect(plain.get_by_role("alert")).to_have_text(NOT_COUNTED["close"])
    await expect(plain.get_by_role("alert")).to_be_in_viewport(ratio=1)
    await check_phone(plain, "no script, the 409 page")
    # said once: the status line says voting is closed, the message why the vote did not count
    visible = await plain.locator("body").inner_text()
    assert visible.lower().count("voting is closed") == 1, visible
    await expect(status(plain)).to_have_text("Voting is closed")


# --------------------------------------------------------------------------------------------------
# 11. every control at least 44x44 px: the room-code form and the error pages


async def test_room_code_form_and_error_pages_have_thumb_sized_controls(
    chromium: Browser, site, moderator
):
    debate = site.new("Room code", STATEMENTS)
    server = site.start()
    mod = await moderator(server, debate)
    reply = await mod.post(f"/d/{debate.id}/room-code", {"required": "1"}, json_reply=True)
    code = reply.json()["room_code"]
    for js in (True, False):
        phone = await chromium.phone(debate.join_url, device=f"phone js={js}", js=js)
        field = phone.get_by_label("Type the room code shown on the screen")
        await expect(field).to_be_visible()
        await check_phone(phone, f"room-code form, js={js}")
        await field.fill("0000" if code != "0000" else "1111")
        async with phone.expect_navigation():
            await phone.get_by_role("button", name="Join the vote").tap()
        await expect(phone.get_by_role("alert")).to_have_text(
            "That is not the code on the screen. Try again."
        )
        await check_phone(phone, f"room-code form, wrong code, js={js}")
        await phone.get_by_label("Type the room code shown on the screen").fill(code)
        async with phone.expect_navigation():
            await phone.get_by_role("button", name="Join the vote").tap()
        await expect(status(phone)).to_have_text("Voting has not started yet")
        await check_phone(phone, f"admitted, js={js}")

    # the pages a phone meets when the code or the link is wrong
    phone = await chromium.phone(device="lost phone")
    response = await phone.goto(f"{server.url}/j/NOPE42")
    assert response is not None and response.status == 404
    await expect(phone.get_by_role("heading", name="Debate not found")).to_be_visible()
    await check_phone(phone, "404, unknown join code")
    await phone.get_by_role("link", name="Go to the front page").tap()
    await expect(phone.get_by_label("Join code")).to_be_visible()
    await check_phone(phone, "front page")
    await phone.get_by_label("Join code").fill("ZZZZZZ")
    await phone.get_by_role("button", name="Join", exact=True).tap()
    await expect(phone.get_by_role("alert")).to_be_visible()
    await check_phone(phone, "front page, unknown code")


# --------------------------------------------------------------------------------------------------
# 13. without JavaScript, "Skip" on the group question is remembered


async def test_skip_without_javascript_is_remembered(chromium: Browser, site):
    debate = site.new("Skip", STATEMENTS, "en", *group_flags())
    site.start()
    phone = await chromium.phone(debate.join_url, device="no-js phone", js=False)
    question = phone.get_by_role("button", name="Werkveld", exact=True)
    await expect(question).to_be_visible()
    async with phone.expect_navigation():
        await tap(phone, "Skip")
    await expect(question).to_be_hidden()
    await expect(phone.get_by_text("No group chosen")).to_be_visible()
    await check_phone(phone, "no script, group question skipped")
    # not asked again: neither on a reload nor when the join link is opened again
    await phone.reload()
    await expect(phone.get_by_text("No group chosen")).to_be_visible()
    await expect(question).to_be_hidden()
    await phone.goto(debate.join_url)
    await expect(question).to_be_hidden()

    # a group can still be picked later
    await phone.get_by_text("No group chosen").tap()
    await expect(question).to_be_visible()
    async with phone.expect_navigation():
        await question.tap()
    await expect(phone.get_by_text("Group: Werkveld")).to_be_visible()
    await expect(question).to_be_hidden()

    # with JavaScript the server remembers it too: a phone whose storage was cleared is not asked
    scripted = await chromium.phone(device="phone")
    frames = AckGate()  # only to see the server's frames: nothing is held
    frames.release()
    await frames.install(scripted)
    await scripted.goto(debate.join_url)
    asked = scripted.get_by_role("button", name="Hogeschool", exact=True)
    await expect(asked).to_be_visible()
    await tap(scripted, "Skip")
    await expect(asked).to_be_hidden()
    await expect(scripted.get_by_text("No group chosen")).to_be_visible()
    async with asyncio.timeout(20):  # the server's answer: stored
        while not any(f.get("type") == "group" for f in frames.frames):
            await asyncio.sleep(0.05)
    await scripted.evaluate("() => localStorage.clear()")
    await scripted.reload()
    await expect(scripted.get_by_text("No group chosen")).to_be_visible()
    await expect(asked).to_be_hidden()
