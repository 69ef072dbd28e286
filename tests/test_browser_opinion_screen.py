"""The opinion map on the projector and a phone's group line, in Debian's Chromium against a
real server: three planted groups of phones (websocket clients) voted; the moderator clicks "Map
on the projector"; the projector shows the dots, each group's letter, size and top statement;
a phone that voted with group members shows "You are in group … with 9 others"; a second click
takes it all off. Waits are Playwright's auto-waiting `expect(...)`; nothing here is timed."""

from __future__ import annotations

from playwright.async_api import expect
from support.browser import PHONE, Browser
from support.clients import new_participant, participant_cookie
from support.opinion_room import planted_rows, vote_planted

HOSTILE = '<img src=x onerror=alert(1)> "=1+2"'
STATEMENTS = [HOSTILE, "Hubs belong to companies.", "Universities must be flexible.",
              "Hybrid teaching works.", "Campus days matter.", "Every city needs a hub."]


async def test_the_moderator_puts_the_map_on_the_projector_and_a_phone_sees_its_group(
        chromium: Browser, site, moderator, connect, screenshots) -> None:
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
    await screenshots.save(projector, "projector-opinion-map")

    await expect(line).to_be_visible()
    await expect(line).to_contain_text("with 9 others; you agree with them on 6 of 6 statements.")
    await expect(line).to_contain_text("You are in group ")
    await line.scroll_into_view_if_needed()
    await screenshots.save(phone, "phone-my-group")
    await panel.scroll_into_view_if_needed()
    await screenshots.save(desk, "moderator-map-on-projector")

    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await expect(smap).to_be_hidden()
    await expect(projector.locator("[data-statement-text]")).to_be_visible()
    await expect(line).to_be_hidden()
    assert await smap.locator("img").count() == 0
    assert not dialogs
