"""Helpers for the real-browser tests (tests/test_browser*.py): Debian's Chromium, Playwright.

- `chromium_path()`: /usr/bin/chromium, installed with apt-get when it is missing (in CI a missing
  browser is a failure with a clear message; it is never a skip). Playwright's own browser download
  is never used: it cannot be fetched here.
- `Browser`: one Chromium with the contexts a test opens (`desktop`, `projector`, `phone`); every
  request any page makes is recorded, so a test can assert that nothing leaves the app's origin.
- `AckGate`: holds back the server's `ack` frames to one page until released, to see that a phone
  says "counted" only after the server acknowledged the vote.
- `SocketCut`: loses a page's live socket on demand (`cut()`: open sockets closed, new ones closed
  at once) until `restore()`; with `context.set_offline(True)` the phone is really offline (left
  alone, Chromium's offline mode holds a socket's frames and delivers them when it is back).
- `TextLog`: every text the phone's status line, message and screen-reader announcer showed.
- `decode_qr(locator)`: the text of the QR code a page shows, read from its pixels (zxing-cpp).
- `Accessibility`: axe-core run inside the page; serious or critical violations are collected and
  reported together at the end of a test.
- `Screenshots`: PNGs to docs/screenshots/ when UPDATE_SCREENSHOTS=1, to $SCREENSHOT_DIR when set
  (with the unquantized capture beside each, `<name>.raw.png`, to compare pixels before and after
  a change), else to the test's tmp_path.
- checks of what a phone looks like in any state: `assert_touch_targets(page)` (every visible
  control at least 44x44 CSS px), `assert_statement_readable(page)` (the statement is on screen
  and nothing, the sticky vote panel above all, covers it), both at once: `check_phone(page,
  label)`; `assert_one_line(locator)` (text on one line and not clipped: the projector's join
  address).
- locators for what the pages show (`status`, `bar`, `tap`).

The `chromium` and `screenshots` fixtures are in support/fixtures_browser.py (a pytest plugin
that tests/conftest.py registers).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zxingcpp
from axe_playwright_python.async_playwright import Axe
from PIL import Image
from playwright.async_api import Browser as PwBrowser
from playwright.async_api import (
    BrowserContext,
    Locator,
    Page,
    Request,
    WebSocketRoute,
    expect,
)

from support.debian import provide

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 20_000  # generous: a slow, busy 2-core machine
SCREENSHOTS = ROOT / "docs" / "screenshots"

DESKTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}

expect.set_options(timeout=TIMEOUT_MS)

def chromium_path() -> str:
    """Debian's Chromium; installed with apt-get (once) when missing outside CI; never a skip."""
    return provide("chromium", lambda: CHROMIUM if os.access(CHROMIUM, os.X_OK) else None,
                   CHROMIUM)


# --------------------------------------------------------------------------------------------------
# the browser and its contexts


class Browser:
    """One Chromium; the contexts (each a separate device with its own cookies) a test opens."""

    def __init__(self, browser: PwBrowser, base_url: str | None = None):
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.requests: list[tuple[str, str]] = []  # (device, url) for every request of every page

    async def context(self, device: str, **options: Any) -> BrowserContext:
        options.setdefault("locale", "en-US")
        context = await self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS * 2)

        def record(request: Request) -> None:
            self.requests.append((device, request.url))

        def record_sockets(page: Page) -> None:
            page.on("websocket", lambda ws: self.requests.append((device, ws.url)))

        context.on("request", record)
        context.on("page", record_sockets)  # pages opened by the test and popups alike
        self.contexts.append(context)
        return context

    async def page(self, device: str, url: str | None = None, **options: Any) -> Page:
        context = await self.context(device, **options)
        page = await context.new_page()
        if url:
            await page.goto(url)
        return page

    async def desktop(self, url: str | None = None, device: str = "laptop") -> Page:
        return await self.page(device, url, viewport=DESKTOP)

    async def projector(self, url: str | None = None) -> Page:
        return await self.page("projector", url, viewport=PROJECTOR)

    async def phone(
        self,
        url: str | None = None,
        device: str = "phone",
        size: dict | None = None,
        js: bool = True,
    ) -> Page:
        return await self.page(
            device, url, viewport=size or PHONE, is_mobile=True, has_touch=True,
            device_scale_factor=2, java_script_enabled=js,
        )  # fmt: skip

    def foreign_requests(self, base_url: str) -> list[tuple[str, str]]:
        """Requests that went anywhere but the app itself (data: and blob: URLs stay local)."""
        base = base_url.rstrip("/") + "/"
        ws_base = "ws" + base.removeprefix("http")  # the live socket: same host and port
        return [
            (device, url)
            for device, url in self.requests
            if not url.startswith((base, ws_base, "data:", "blob:"))
        ]

    def assert_same_origin(self, base_url: str) -> None:
        assert self.requests, "no request was recorded at all"
        assert any(url.startswith("ws") for _, url in self.requests), "no live socket was seen"
        foreign = self.foreign_requests(base_url)
        assert not foreign, "requests left the app's origin:\n" + "\n".join(
            f"  {device}: {url}" for device, url in foreign
        )

    async def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):  # a crashed browser: nothing left to close
                await context.close()


class MainFrameNavigations:
    """Counts the top-level navigations of a page (a reload or a link followed)."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0
        page.on("framenavigated", self._on)

    def _on(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.count += 1


async def set_marker(page: Page, value: str = "kept") -> None:
    """A value in the page's window: it survives live updates and is gone after any reload."""
    await page.evaluate("value => { window.__marker = value; }", value)


async def marker(page: Page) -> Any:
    return await page.evaluate("() => window.__marker ?? null")


# --------------------------------------------------------------------------------------------------
# the live socket, seen from the page


class AckGate:
    """Holds back the server's `ack` frames on one page's live socket until `release()`.

    Everything else passes both ways untouched. While acks are held, the server has stored the vote
    (other pages see it counted) but the phone has not heard so: it must not claim "counted" yet.
    """

    def __init__(self) -> None:
        self.holding = True
        self.held: list[tuple[WebSocketRoute, str | bytes]] = []
        self.frames: list[dict[str, Any]] = []

    async def install(self, page: Page) -> None:
        # a phone's socket is /j/CODE/ws, a projector's or moderator's /ws/ID/ROLE
        await page.route_web_socket(re.compile(r"/(ws/[^/]+/[^/]+|j/[^/]+/ws)$"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            try:
                frame = json.loads(message)
            except (TypeError, ValueError):
                frame = {}
            if isinstance(frame, dict):
                self.frames.append(frame)
            if self.holding and isinstance(frame, dict) and frame.get("type") == "ack":
                self.held.append((ws, message))
                return
            ws.send(message)

        server.on_message(from_server)

    def acks_held(self) -> int:
        return len(self.held)

    async def wait_held(self, n: int = 1, timeout: float = TIMEOUT_MS / 1000) -> None:
        """Wait until `n` acks are being held (they travel through Playwright to this process)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.held) < n:
            if loop.time() > deadline:
                raise AssertionError(
                    f"{len(self.held)} acks held, expected {n}; last frames: {self.frames[-5:]}"
                )
            await asyncio.sleep(0.05)

    def release(self) -> None:
        self.holding = False
        held, self.held = self.held, []
        for ws, message in held:
            ws.send(message)


class SocketCut:
    """Loses one page's live sockets on demand, as a phone that walked out of the wifi does."""

    def __init__(self) -> None:
        self.open: list[WebSocketRoute] = []
        self.lost = False

    async def install(self, page: Page) -> None:
        await page.route_web_socket(re.compile(r"/(ws/[^/]+/[^/]+|j/[^/]+/ws)$"), self._route)

    async def _route(self, ws: WebSocketRoute) -> None:
        if self.lost:
            await ws.close(code=1006)
            return
        ws.connect_to_server()
        self.open.append(ws)

    async def cut(self) -> None:
        self.lost = True
        sockets, self.open = self.open, []
        for ws in sockets:
            with contextlib.suppress(Exception):  # closed already
                await ws.close(code=1006)

    def restore(self) -> None:
        self.lost = False


TEXT_LOG = """(selectors) => {
  window.__texts = [];
  const last = new Map();
  const look = () => {
    for (const selector of selectors) {
      for (const node of document.querySelectorAll(selector)) {
        const text = node.hidden ? '' : node.textContent.trim();
        if (last.get(node) === text) continue;
        last.set(node, text);
        if (text) window.__texts.push([selector, text]);
      }
    }
  };
  new MutationObserver(look).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ['hidden'],
  });
  look();
}"""


class TextLog:
    """Every text a phone page's status line, message and announcer showed, in order (installed
    on the page as it is now: a reload ends it)."""

    SELECTORS = ("[data-status]", "[data-message]", "[data-announce]")

    def __init__(self, page: Page):
        self.page = page

    @classmethod
    async def install(cls, page: Page) -> TextLog:
        await page.evaluate(TEXT_LOG, list(cls.SELECTORS))
        return cls(page)

    async def texts(self) -> list[str]:
        return [text for _, text in await self.page.evaluate("() => window.__texts")]


# --------------------------------------------------------------------------------------------------
# QR codes


async def decode_qr(locator: Locator) -> str:
    """Screenshot the element showing a QR code and decode it from its pixels."""
    png = await locator.screenshot(animations="disabled")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # a white quiet zone around it, whatever the page puts behind the code
    framed = Image.new("RGB", (image.width + 80, image.height + 80), "white")
    framed.paste(image, (40, 40))
    codes = zxingcpp.read_barcodes(framed)
    assert len(codes) == 1, f"expected one readable QR code in the element, found {len(codes)}"
    return codes[0].text


# --------------------------------------------------------------------------------------------------
# accessibility


FINISH_TRANSITIONS = """() => Promise.race([
  Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
    .map(a => a.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 5000)),
])"""


@dataclass
class Accessibility:
    """axe-core on pages; `check()` at the end fails on serious or critical violations."""

    audited: list[str] = field(default_factory=list)
    serious: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)
    _axe: Axe = field(default_factory=Axe)

    async def audit(self, page: Page, label: str) -> None:
        # judge what people see once it settles: let transitions (colour fades) finish first
        await page.evaluate(FINISH_TRANSITIONS)
        results = await self._axe.run(page)
        self.audited.append(label)
        for violation in results.response.get("violations", []):
            nodes = violation["nodes"]
            targets = [", ".join(map(str, node.get("target", []))) for node in nodes]
            summary = " ".join((nodes[0].get("failureSummary") or "").split()) if nodes else ""
            line = (
                f"{label}: [{violation.get('impact')}] {violation['id']}: {violation['help']} "
                f"({len(targets)} nodes, e.g. {'; '.join(targets[:3])}) {summary}"
            )
            if violation.get("impact") in ("serious", "critical"):
                self.serious.append(line)
            else:
                self.minor.append(line)

    def check(self) -> None:
        print(f"axe-core audited {len(self.audited)} page states: {' | '.join(self.audited)}")
        for line in self.minor:
            print(f"  minor or moderate: {line}")
        assert not self.serious, "axe-core found serious or critical violations:\n" + "\n".join(
            f"  {line}" for line in self.serious
        )


# --------------------------------------------------------------------------------------------------
# screenshots


class Screenshots:
    """Viewport-sized PNGs: docs/screenshots/<name>.png with UPDATE_SCREENSHOTS=1, else
    $SCREENSHOT_DIR (plus the raw capture, <name>.raw.png) when set, else tmp_path."""

    def __init__(self, tmp_path: Path):
        self.update = os.environ.get("UPDATE_SCREENSHOTS") == "1"
        self.keep = None if self.update else os.environ.get("SCREENSHOT_DIR") or None
        kept = Path(self.keep) if self.keep else tmp_path / "screenshots"
        self.directory = SCREENSHOTS if self.update else kept
        self.directory.mkdir(parents=True, exist_ok=True)
        self.saved: list[Path] = []

    async def save(self, page: Page, name: str) -> Path:
        path = self.directory / f"{name}.png"
        png = await page.screenshot(animations="disabled", caret="hide", scale="css")
        if self.keep:  # the exact pixels, for a before/after comparison
            (self.directory / f"{name}.raw.png").write_bytes(png)
        image = Image.open(io.BytesIO(png))
        # flat UI colours: a 256-colour palette keeps the files small and the text crisp
        image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(
            path, optimize=True
        )
        self.saved.append(path)
        return path


# --------------------------------------------------------------------------------------------------
# layout checks: touch targets, the statement above the panel, one-line text

TOUCH_TARGET = 44  # CSS px: WCAG 2.5.5 (AAA), Apple's and the tester's minimum for a thumb

SMALL_CONTROLS = """(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[role=button], [tabindex]:not([tabindex="-1"])';
  const small = [];
  for (const control of document.querySelectorAll(selector)) {
    // not rendered: hidden, display none, inside a closed <details>
    if (!control.checkVisibility({ visibilityProperty: true })) continue;
    const box = control.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    // WCAG 2.5.8's inline exception: a link inside a sentence of other text is as tall as its
    // line; a link that stands alone (its block holds nothing else) is not exempt
    if (control.tagName === 'A' && getComputedStyle(control).display === 'inline') {
      const block = control.parentElement.closest('p, li, dd, dt, td, th, label, h1, h2, h3');
      if (block && block.textContent.trim() !== control.textContent.trim()) continue;
    }
    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
      const name = control.getAttribute('aria-label') || control.innerText.trim()
        || control.getAttribute('name') || control.id || '';
      small.push(`${control.tagName.toLowerCase()} "${name.slice(0, 60)}": `
        + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


async def assert_touch_targets(page: Page, label: str = "") -> None:
    """Every visible control (button, link, summary, input...) is at least 44x44 CSS px; the
    failure lists each smaller one with its name and size."""
    small = await page.evaluate(SMALL_CONTROLS, TOUCH_TARGET)
    where = f"{label}: " if label else ""
    assert not small, (
        f"{where}controls smaller than {TOUCH_TARGET}x{TOUCH_TARGET} px on {page.url}:\n  "
        + "\n  ".join(small)
    )


STATEMENT_COVER = """() => {
  const text = document.querySelector('[data-statement-text]');
  const box = text.getBoundingClientRect();
  const panel = document.querySelector('.vote__panel');
  const covers = [];
  // sample the statement's box: centre, corners and the middle of each edge, just inside its
  // rounded border (a 20 px radius)
  const xs = [box.left + 24, box.left + box.width / 2, box.right - 24];
  const ys = [box.top + 6, box.top + box.height / 2, box.bottom - 6];
  for (const x of xs) for (const y of ys) {
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === text || text.contains(hit))) {
      covers.push(`(${Math.round(x)}, ${Math.round(y)}): `
        + (hit ? `${hit.tagName.toLowerCase()}.${[...hit.classList].join('.')}` : 'off screen'));
    }
  }
  const p = panel ? panel.getBoundingClientRect() : null;
  return {
    box: [box.left, box.top, box.right, box.bottom].map(Math.round),
    panel: p ? [p.left, p.top, p.right, p.bottom].map(Math.round) : null,
    viewport: [innerWidth, innerHeight],
    covers,
  };
}"""


async def assert_statement_readable(page: Page, label: str = "") -> None:
    """The phone's statement is wholly on screen as the page stands and nothing covers it: the
    vote panel (sticky at the bottom) starts below the statement's box, and every sampled point of
    the box is the statement's own (`elementFromPoint`). The page places its panel when sizes
    change (a ResizeObserver): a failure is believed only once it lasts a second."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 1.0
    while True:
        try:
            await _statement_readable(page, label)
            return
        except AssertionError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def _statement_readable(page: Page, label: str) -> None:
    seen = await page.evaluate(STATEMENT_COVER)
    where = f"{label}: " if label else ""
    left, top, right, bottom = seen["box"]
    width, height = seen["viewport"]
    assert top >= 0 and bottom <= height and left >= 0 and right <= width, (
        f"{where}the statement {seen['box']} is not wholly on the {width}x{height} screen"
    )
    if seen["panel"] is not None:
        assert seen["panel"][1] >= bottom, (
            f"{where}the vote panel {seen['panel']} covers the statement {seen['box']}"
        )
    assert not seen["covers"], f"{where}the statement is covered at " + "; ".join(seen["covers"])


async def check_phone(page: Page, label: str) -> None:
    """A phone page in any state: every control big enough for a thumb, and the statement (when
    the page has one) on screen and uncovered."""
    await page.wait_for_load_state("load")  # its stylesheets applied
    await page.evaluate(FINISH_TRANSITIONS)
    await assert_touch_targets(page, label)
    if await page.locator("[data-statement-text]").count():
        await assert_statement_readable(page, label)


ONE_LINE = """(node) => {
  const range = document.createRange();
  range.selectNodeContents(node);
  const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
    .map((r) => Math.round(r.top)));
  return {
    text: node.textContent.trim(), lines: lines.size,
    scroll: node.scrollWidth, client: node.clientWidth,
    font: parseFloat(getComputedStyle(node).fontSize),
  };
}"""


async def assert_one_line(locator: Locator, text: str, label: str = "") -> float:
    """`locator` shows exactly `text`, on one line, not clipped; returns its font size in px."""
    seen = await locator.evaluate(ONE_LINE)
    where = f"{label}: " if label else ""
    assert seen["text"] == text, f"{where}shows {seen['text']!r}, not {text!r}"
    assert seen["lines"] == 1, f"{where}{text!r} is broken over {seen['lines']} lines"
    assert seen["scroll"] <= seen["client"], (
        f"{where}{text!r} is clipped: {seen['scroll']} px of text in {seen['client']} px"
    )
    return float(seen["font"])


# -- what the pages show ----------------------------------------------------------------------


def status(page: Page) -> Locator:
    """The phone's one-line status: waiting, choose, sending, counted, closed."""
    return page.locator("[data-status]")


def bar(page: Page, choice: str, part: str, scope: str = "") -> Locator:
    """A result bar's percentage (`pct`) or count (`count`) for one choice."""
    return page.locator(f"{scope} [data-choice={choice}] [data-{part}]".strip())


async def tap(page: Page, name: str) -> None:
    await page.get_by_role("button", name=name, exact=True).tap()
