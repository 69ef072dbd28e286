"""Who thinks alike on the moderator's desk, in Debian's Chromium against a real server: the map
says when it will appear, appears live once three planted groups of phones (websocket clients)
voted, and redraws when more phones vote; statements stay text. Waits are Playwright's
auto-waiting `expect(...)`; nothing here is timed."""

from __future__ import annotations

from playwright.async_api import expect
from support.browser import Browser
from support.clients import new_participant
from support.opinion_room import planted_rows, vote_planted

HOSTILE = '<img src=x onerror=alert(1)> "=1+2"'
STATEMENTS = [HOSTILE, "Hubs belong to companies.", "Universities must be flexible.",
              "Hybrid teaching works.", "Campus days matter.", "Every city needs a hub."]


async def test_the_map_on_the_desk_appears_and_redraws_live(chromium: Browser, site, moderator,
                                                             connect, screenshots) -> None:
    debate = site.new("Who thinks alike", STATEMENTS, "en", "--visibility", "live")
    server = site.start("--map-interval", "0.3")
    mod = await moderator(server, debate)
    desk = await chromium.desktop(debate.moderator_url, device="moderator")
    dialogs: list[str] = []
    desk.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    panel = desk.locator("[data-opinion-panel]")
    await expect(panel.locator("[data-opinion-status]")).to_have_text(
        "The map appears once at least 10 people voted on 3 statements.")
    await expect(panel.locator("[data-opinion-body]")).to_be_hidden()

    rows = planted_rows(3, len(STATEMENTS))
    phones = [(g, await connect(server, debate, participant=new_participant()))
              for g in range(3) for _ in range(10)]
    await vote_planted(mod, debate, phones, rows)
    await expect(panel.locator("[data-opinion-status]")).to_have_text(
        "30 people on the map · 3 groups")
    await expect(panel.locator(".map__dot")).to_have_count(30)
    await expect(panel.locator("[data-opinion-legend] li")).to_have_text(
        ["Group A · 10 people", "Group B · 10 people", "Group C · 10 people"])
    await expect(panel.locator(".map__letter")).to_have_text(["A", "B", "C"])
    await expect(panel.locator("[data-opinion-divisive] li").first).to_contain_text("Statement")
    await panel.scroll_into_view_if_needed()
    await screenshots.save(desk, "moderator-opinion-map")

    # six more people vote as group 0 did: the map redraws with them
    more = [(0, await connect(server, debate, participant=new_participant())) for _ in range(6)]
    await vote_planted(mod, debate, more, rows)
    await expect(panel.locator(".map__dot")).to_have_count(36)
    await expect(panel.locator("[data-opinion-status]")).to_have_text(
        "36 people on the map · 3 groups")
    await expect(panel.locator("[data-opinion-legend]")).to_contain_text("16 people")
    await expect(panel.locator(".map__letter")).to_have_text(["A", "B", "C"])
    await panel.scroll_into_view_if_needed()
    await screenshots.save(desk, "moderator-opinion-map-more")
    # the hostile statement is text wherever the map names it
    assert await panel.locator("img").count() == 0
    assert not dialogs
