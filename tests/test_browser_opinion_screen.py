"""The opinion map and how minds moved on the projector, and a phone's group line, in Debian's
Chromium against a real server. Three planted groups of phones (websocket clients), one statement
hostile text, vote; the moderator clicks "Map on the projector"; the projector shows the dots,
each group's letter, size and top statement; a phone that voted with group members shows "You
are in group … with 9 others"; a second click takes it all off. The demo's finished example
(90 simulated people, groups A 38, B 32, C 20) gives the README its screenshots: the map on the
projector, a phone's line, the moderator's panel, and how minds moved on statement 1. Waits are
Playwright's auto-waiting `expect(...)`; nothing here is timed."""

from __future__ import annotations

import re

from playwright.async_api import expect
from support.browser import PHONE, Browser
from support.clients import new_participant, participant_cookie
from support.debate import Debate
from support.opinion_room import planted_rows, vote_planted

from poll.demo_debate import ensure_example
from poll.store import store_at

HOSTILE = '<img src=x onerror=alert(1)> "=1+2"'
STATEMENTS = [HOSTILE, "Hubs belong to companies.", "Universities must be flexible.",
              "Hybrid teaching works.", "Campus days matter.", "Every city needs a hub."]


async def test_the_moderator_puts_the_map_on_the_projector_and_a_phone_sees_its_group(
        chromium: Browser, site, moderator, connect) -> None:
    debate = site.new("Who thinks alike", STATEMENTS, "en", "--visibility", "live")
    server = site.start("--map-interval", "0.3")
    mod = await moderator(server, debate)
    rows = planted_rows(3, len(STATEMENTS))
    voters = [(g, new_participant()) for g in range(3) for _ in range(10)]
    phones = [(g, await connect(server, debate, participant=p)) for g, p in voters]
    await vote_planted(mod, debate, phones, rows)
    # a map of every vote first (one computed after the first statements could come first, and a
    # phone's line is as of the map it asks about)
    watcher = await connect(server, debate, "moderator", cookie=mod.cookie_header())
    await watcher.recv_until(lambda f: f["type"] == "opinion"
                             and f["votes"] == len(voters) * len(STATEMENTS),
                             timeout=120, what="a map of every vote")

    desk = await chromium.desktop(debate.moderator_url, device="moderator")
    panel = desk.locator("[data-opinion-panel]")
    await expect(panel.locator(".map__dot")).to_have_count(30)
    projector = await chromium.projector(debate.screen_url)
    dialogs: list[str] = []
    projector.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    smap = projector.locator("[data-screen-map]")
    await expect(smap).to_be_hidden()
    # a phone of group 0's first voter (its cookie), on its page before the map is shown
    context = await chromium.context("phone of group 0", viewport=PHONE, is_mobile=True,
                                     has_touch=True, device_scale_factor=2)
    name, value = participant_cookie(voters[0][1]).split("=", 1)
    await context.add_cookies([{"name": name, "value": value, "url": server.url}])
    phone = await context.new_page()
    await phone.goto(debate.join_url)
    line = phone.locator("[data-my-place]")
    await expect(line).to_be_hidden()

    toggle = panel.locator("[data-map-toggle]")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await expect(smap).to_be_visible()
    await expect(smap.locator(".map__dot")).to_have_count(30)
    await expect(smap.locator(".map__letter")).to_have_text(["A", "B", "C"])
    await expect(smap.locator(".smap__name").first).to_have_text("Group A · 10 people")
    await expect(projector.locator("[data-statement-text]")).to_be_hidden()

    await expect(line).to_be_visible()
    await expect(line).to_contain_text("with 9 others; you agree with them on 6 of 6 statements.")
    await expect(line).to_contain_text("You are in group ")

    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await expect(smap).to_be_hidden()
    await expect(projector.locator("[data-statement-text]")).to_be_visible()
    await expect(line).to_be_hidden()
    assert await smap.locator("img").count() == 0
    assert not dialogs


async def test_the_demo_example_on_the_projector_map_phone_and_moves(
        chromium: Browser, site, moderator, screenshots) -> None:
    async with store_at(str(site.db)) as store:
        example = await ensure_example(store)
        key, _ = await store.new_key(example.id)
    server = site.start("--map-interval", "0.3")
    debate = Debate(example.id, example.join_code, example.title,
                    [{"id": s.id, "position": s.position, "text": s.text}
                     for s in example.statements],
                    moderator_url=f"{server.url}/d/{example.id}/moderate?key={key}",
                    screen_url=f"{server.url}/d/{example.id}/screen?key={example.screen_key}",
                    join_url=f"{server.url}/j/{example.join_code}")
    mod = await moderator(server, debate)
    desk = await chromium.desktop(debate.moderator_url, device="moderator")
    panel = desk.locator("[data-opinion-panel]")
    await expect(panel.locator(".map__dot")).to_have_count(90)  # the map, once computed
    projector = await chromium.projector(debate.screen_url)
    context = await chromium.context("phone of the example", viewport=PHONE, is_mobile=True,
                                     has_touch=True, device_scale_factor=2, locale="nl-NL")
    name, value = participant_cookie("p_demo0000").split("=", 1)
    await context.add_cookies([{"name": name, "value": value, "url": server.url}])
    phone = await context.new_page()
    await phone.goto(debate.join_url)

    toggle = panel.locator("[data-map-toggle]")
    await toggle.click()
    smap = projector.locator("[data-screen-map]")
    await expect(smap).to_be_visible()
    await expect(smap.locator(".map__dot")).to_have_count(90)
    await expect(smap.locator(".map__letter")).to_have_text(["A", "B", "C"])
    await expect(smap.locator(".smap__name")).to_contain_text(
        [re.compile(r"A · 38\b"), re.compile(r"B · 32\b"), re.compile(r"C · 20\b")])
    await screenshots.save(projector, "projector-opinion-map")
    line = phone.locator("[data-my-place]")
    await expect(line).to_have_text(re.compile(
        r"^Je zit in groep [ABC] met \d+ anderen; je bent het met hen eens over \d van de \d "
        r"stellingen\.$"))
    await line.scroll_into_view_if_needed()
    await screenshots.save(phone, "phone-my-group")
    await panel.scroll_into_view_if_needed()
    await screenshots.save(desk, "moderator-map-on-projector")

    # statement 1 had a second round: how minds moved, on the projector
    await mod.control("goto", debate.sid(1))
    await mod.control("reveal")  # the moves show what the results show
    moves = desk.locator('.controls [data-action="moves"]')
    await expect(moves).to_be_enabled()
    await moves.click()
    await expect(moves).to_have_attribute("aria-pressed", "true")
    await expect(toggle).to_have_attribute("aria-pressed", "false")  # one thing at a time
    smoves = projector.locator("[data-screen-moves]")
    await expect(smoves).to_be_visible()
    await expect(smap).to_be_hidden()
    await expect(smoves.locator("[data-smoves-status]")).to_have_text(
        re.compile(r"^Van de \d+ mensen die in beide rondes stemden$"))
    await expect(smoves.locator(".smoves__row")).to_have_count(3)  # agree, neutral, disagree
    await expect(smoves.locator(".smoves__from").first).to_contain_text("Ronde 1: Eens")
    first = debate.statements[0]["text"]
    await expect(projector.locator("[data-statement-text]")).to_have_text(first)
    await screenshots.save(projector, "projector-how-minds-moved")
    await moves.click()
    await expect(smoves).to_be_hidden()
    await expect(projector.locator(".stage__results")).to_be_visible()
