"""Bytes on the venue's wifi (issue 14): what a phone, a returning phone and the projector pull
through the air, in a real Chromium against a real server.

A visit's bytes are the sum of `encodedDataLength` of the DevTools protocol's
`Network.loadingFinished` events: headers and bodies as they crossed the wire, compressed where
the server compressed, 0 for what came from the cache. The websocket is not a loading (its
frames are the live part, not the page's weight). A visit is done when the page is live (its
socket delivered a frame), the vote buttons (on a phone) show, and the network is idle: every
script and stylesheet the page loads is counted, not only what the buttons need.

Bytes do not depend on how busy the machine is, so they are asserted; times under an emulated
3G network are measured by benchmarks/page_weight.py (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.async_api import Page, expect
from support.browser import Browser

PHONE_FIRST = 25_000
PHONE_REPEAT = 8_000
PROJECTOR_FIRST = 60_000

STATEMENTS = {
    "en": ["Internships should be paid.",
           "Every teacher should be able to teach hybrid.",
           "The city should close the centre to cars on Saturdays."],
    "nl": ["Stages moeten betaald worden.",
           "Elke docent moet hybride kunnen lesgeven.",
           "De stad moet het centrum op zaterdag autovrij maken."],
}


@dataclass
class Wire:
    """What one page received, from its DevTools protocol session."""

    loads: dict[str, int] = field(default_factory=dict)  # url -> bytes
    frames: int = 0
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.loads.values())

    def __str__(self) -> str:
        files = ", ".join(f"{url.split('/', 3)[-1]} {n:,}"
                          for url, n in sorted(self.loads.items(), key=lambda x: -x[1]))
        return f"{self.total:,} bytes ({files})"


async def watch(page: Page) -> Wire:
    wire = Wire()
    cdp = await page.context.new_cdp_session(page)

    def sent(e: dict[str, Any]) -> None:
        wire.urls[e["requestId"]] = e["request"]["url"]

    def finished(e: dict[str, Any]) -> None:
        url = wire.urls.get(e["requestId"], e["requestId"])
        wire.loads[url] = wire.loads.get(url, 0) + int(e["encodedDataLength"])

    def frame(_: dict[str, Any]) -> None:
        wire.frames += 1

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    await cdp.send("Network.enable")
    return wire


async def visit(page: Page, url: str, ready: str) -> Wire:
    """Open `url` in `page` until `ready` shows, the socket spoke and nothing is loading."""
    wire = await watch(page)
    await page.goto(url)
    await expect(page.locator(ready).first).to_be_visible()
    while not wire.frames:  # the live socket's snapshot; the test's timeout bounds the wait
        await asyncio.sleep(0.05)
    await page.wait_for_load_state("networkidle")
    return wire


@pytest.mark.parametrize("lang", ["en", "nl"])
async def test_a_phone_joins_on_little_air_and_returns_on_less(
    chromium: Browser, site, moderator, lang: str
) -> None:
    debate = site.new("Our city, our choices", STATEMENTS[lang], lang)
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")

    phone = await chromium.phone()
    first = await visit(phone, debate.join_url, ".choice:enabled")
    assert first.total <= PHONE_FIRST, (
        f"a phone's first visit pulled {first} on the wire; the budget is {PHONE_FIRST:,}")
    assert any(url.endswith(".js") for url in first.loads), f"no script was loaded: {first}"

    again = await phone.context.new_page()  # the same phone opens the join link again
    repeat = await visit(again, debate.join_url, ".choice:enabled")
    assert repeat.total <= PHONE_REPEAT, (
        f"a phone's repeat visit pulled {repeat} on the wire; the budget is {PHONE_REPEAT:,}")
    fetched = [url for url, n in repeat.loads.items() if n and "/static/" in url]
    assert not fetched, f"the repeat visit fetched static files again: {fetched}"


async def test_the_projector_opens_on_little_air(chromium: Browser, site) -> None:
    debate = site.new("Our city, our choices", STATEMENTS["en"], "en")
    site.start()
    projector = await chromium.projector()
    wire = await visit(projector, debate.screen_url, "[data-phase-label]")
    assert wire.total <= PROJECTOR_FIRST, (
        f"the projector's first visit pulled {wire} on the wire; the budget is "
        f"{PROJECTOR_FIRST:,}")
