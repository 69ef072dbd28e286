#!/usr/bin/env python
"""Page weight on the venue's wifi (issue 14): bytes on the wire per visit, and the time until a
phone's vote buttons can be tapped on an emulated 3G network.

    python benchmarks/page_weight.py                     # this checkout
    python benchmarks/page_weight.py --server-ref main   # a commit's server (git archive)
    python benchmarks/page_weight.py --runs 5 --out benchmarks/results/page_weight.json
    python benchmarks/page_weight.py --bytes-only        # no network emulation (a few seconds)

One real `poll serve` on a fresh SQLite file with one debate (voting open on its first
statement), and Debian's Chromium through Playwright. Every visit runs in its own browser
context with a DevTools protocol session: `Network.enable`, and the bytes of a visit are the sum
of `encodedDataLength` of its `Network.loadingFinished` events (headers and body as received,
compressed when the server compressed; 0 for what came from the cache). The websocket is not a
loading: its frames are counted apart (`Network.webSocketFrameReceived`, payload characters; the
socket has no per-message compression, so that is close to what crosses the air).

Visits: a phone's first visit to the join link (390x844), its repeat visit (the same context
opens the link again, as a re-scan does), the projector's first visit (1920x1080, the screen link
with its key) and the moderator's (the moderator link, which signs in and redirects). A visit ends
when the page is live (its socket delivered a frame) and the network is idle.

Times: `Network.emulateNetworkConditions` with Chromium DevTools' presets (front_end/core/sdk/
NetworkManager.ts): "Fast 3G" (since 2024 called "Slow 4G") latency 562.5 ms, down 180,000 B/s,
up 84,375 B/s; "Slow 3G" (now "3G") latency 2,000 ms, down and up 50,000 B/s. Measured from the
start of the navigation: until the first vote button can be tapped (the plain HTML form works
from then on, before any script or the socket: the later of "in the page, visible and enabled"
and the first contentful paint, since nothing shows before the stylesheets arrived), the first
contentful paint, and until the page is live (its socket's first frame). The median of `--runs`
runs, each in a fresh context (an empty cache).

Nothing is asserted (tests/test_browser_budget.py asserts the byte budgets); the report is a
table on stdout and a JSON file (`--out`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, async_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 120_000  # Slow 3G is slow on purpose

# Chromium DevTools' throttling presets (NetworkManager.ts): bytes per second, milliseconds.
NETWORKS: dict[str, dict[str, float]] = {
    "Fast 3G": {"latency": 562.5, "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
                "uploadThroughput": 750 * 1000 / 8 * 0.9},
    "Slow 3G": {"latency": 2000.0, "downloadThroughput": 500 * 1000 / 8 * 0.8,
                "uploadThroughput": 500 * 1000 / 8 * 0.8},
}
GOALS_S = {"Fast 3G": 2.0, "Slow 3G": 7.0}
BUDGETS = {"phone first visit": 25_000, "phone repeat visit": 8_000,
           "projector first visit": 60_000}

STATEMENTS = [
    "The city should close the centre to cars on Saturdays.",
    "Every school should teach a second foreign language from age eight.",
    "Public transport should be free for everyone under 25.",
    "The library should stay open until midnight during exams.",
    "New housing should come before new parks.",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POLL_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONUTF8="1")
    return env


class PollServer:
    """`python -m poll serve` from `root` on a free port, with one debate, voting open."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self.root, self.tmp = root, tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = tmp / "poll.db"
        self.proc: subprocess.Popen[bytes] | None = None
        self.debate: dict[str, Any] = {}

    def poll(self, *args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "poll", *args], cwd=self.root,
                              env=poll_env(), capture_output=True, text=True, check=False)
        if proc.returncode:
            raise RuntimeError(f"poll {args[0]} failed: {proc.stderr[-2000:]}")
        return proc.stdout

    def start(self) -> None:
        statements = self.tmp / "statements.txt"
        statements.write_text("\n".join(STATEMENTS) + "\n", "utf-8")
        self.debate = json.loads(self.poll(
            "new", "Our city, our choices", "--statements", str(statements), "--db",
            str(self.db), "--lang", "en", "--json", "--public-url", self.url))
        log = open(self.tmp / "server.log", "wb")  # noqa: SIM115 (kept open while it runs)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "poll", "serve", "--host", "127.0.0.1", "--port",
             str(self.port), "--db", str(self.db), "--public-url", self.url],
            cwd=self.root, env=poll_env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not answer /healthz")

    async def open_voting(self) -> None:
        """The moderator puts the first statement on stage and opens voting."""
        async with httpx.AsyncClient(base_url=self.url, trust_env=False) as http:
            await http.get(self.debate["moderator_url"])
            await http.get(f"/d/{self.debate['id']}/moderate")
            headers = {"Accept": "application/json"}
            token = http.cookies.get("csrftoken")
            if token:
                headers["x-csrftoken"] = token
            for action in ("next", "open"):
                r = await http.post(f"/d/{self.debate['id']}/control",
                                    data={"action": action}, headers=headers)
                if r.status_code != 200:
                    raise RuntimeError(f"control {action}: {r.status_code} {r.text[:200]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@dataclass
class Wire:
    """What one page received, from its DevTools protocol session."""

    start: float = field(default_factory=time.perf_counter)
    urls: dict[str, str] = field(default_factory=dict)  # requestId -> url
    loads: list[tuple[float, str, int]] = field(default_factory=list)  # (time, url, bytes)
    frames: list[tuple[float, int]] = field(default_factory=list)  # (time, payload chars)

    def total(self, until: float | None = None) -> int:
        return sum(n for t, _, n in self.loads if until is None or t <= until)

    def by_file(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, url, n in self.loads:
            name = url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0] or "/"
            out[name] = out.get(name, 0) + n
        return out

    def first_frame(self) -> float | None:
        return self.frames[0][0] if self.frames else None


async def watch(context: BrowserContext, page: Page, network: str | None) -> Wire:
    """Start counting what `page` receives (and throttle it to `network`)."""
    wire = Wire()
    cdp = await context.new_cdp_session(page)

    def sent(e: dict[str, Any]) -> None:
        wire.urls[e["requestId"]] = e["request"]["url"]

    def finished(e: dict[str, Any]) -> None:
        wire.loads.append((time.perf_counter(), wire.urls.get(e["requestId"], "?"),
                           int(e["encodedDataLength"])))

    def frame(e: dict[str, Any]) -> None:
        wire.frames.append((time.perf_counter(), len(e["response"]["payloadData"])))

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    await cdp.send("Network.enable")
    if network:
        await cdp.send("Network.emulateNetworkConditions",
                       {"offline": False, **NETWORKS[network]})
    return wire


async def settle(page: Page, wire: Wire) -> None:
    """Until the page is live (a socket frame arrived) and nothing more is loading."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not wire.frames and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await page.wait_for_load_state("networkidle")


async def visit(context: BrowserContext, url: str, network: str | None = None,
                vote_buttons: bool = False) -> dict[str, Any]:
    """One navigation of a page of `context` to `url`: bytes, and times when `vote_buttons`."""
    page = context.pages[0] if context.pages else await context.new_page()
    wire = await watch(context, page, network)
    wire.start = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    out: dict[str, Any] = {}
    if vote_buttons:
        await page.locator(".choice:enabled").first.wait_for(state="visible",
                                                              timeout=TIMEOUT_MS)
        tappable = time.perf_counter()
        out["tappable_s"] = round(tappable - wire.start, 3)
        out["bytes_until_tappable"] = wire.total(tappable)
    await settle(page, wire)
    fcp = await page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime")
    if vote_buttons and fcp:
        # In the DOM is not yet on screen: nothing is painted before the stylesheets arrived,
        # so the buttons can be tapped from the later of the two.
        tappable = max(tappable, wire.start + fcp / 1000)
        out["tappable_s"] = round(tappable - wire.start, 3)
        out["bytes_until_tappable"] = wire.total(tappable)
    live = wire.first_frame()
    out.update(
        bytes=wire.total(), files=wire.by_file(),
        socket_chars=sum(n for _, n in wire.frames),
        fcp_s=round(fcp / 1000, 3) if fcp else None,
        live_s=round(live - wire.start, 3) if live else None,
    )
    await page.close()
    return out


async def measure(server: PollServer, runs: int, bytes_only: bool) -> dict[str, Any]:
    d = server.debate
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        visits: dict[str, Any] = {}
        phone = await browser.new_context(viewport=PHONE, locale="en-US")
        visits["phone first visit"] = await visit(phone, d["join_url"], vote_buttons=True)
        visits["phone repeat visit"] = await visit(phone, d["join_url"], vote_buttons=True)
        await phone.close()
        for name, viewport, url in (("projector first visit", PROJECTOR, d["screen_url"]),
                                    ("moderator first visit", DESKTOP, d["moderator_url"])):
            context = await browser.new_context(viewport=viewport, locale="en-US")
            visits[name] = await visit(context, url)
            await context.close()
        times: dict[str, Any] = {}
        for network in ([] if bytes_only else list(NETWORKS)):
            for kind in ("first", "repeat"):
                samples = []
                for _ in range(runs):
                    phone = await browser.new_context(viewport=PHONE, locale="en-US")
                    if kind == "repeat":  # fill the cache on a fast network first
                        await visit(phone, d["join_url"], vote_buttons=True)
                    samples.append(await visit(phone, d["join_url"], network, True))
                    await phone.close()
                times[f"{network}, phone {kind} visit"] = {
                    k: statistics.median(s[k] for s in samples)
                    for k in ("tappable_s", "fcp_s", "live_s", "bytes", "bytes_until_tappable")
                } | {"runs": runs, "tappable_all_s": [s["tappable_s"] for s in samples]}
        await browser.close()
    return {"visits": visits, "times": times}


def report(out: dict[str, Any]) -> list[str]:
    lines = [f"server: {out['server']}", ""]
    lines.append(f"{'visit':26} {'bytes':>8} {'socket':>8}   files")
    for name, v in out["visits"].items():
        files = ", ".join(f"{f} {n:,}" for f, n in sorted(v["files"].items(), key=lambda x: -x[1]))
        lines.append(f"{name:26} {v['bytes']:>8,} {v['socket_chars']:>8,}   {files}")
    first = out["visits"]["phone first visit"]["bytes"]
    lines += ["", f"1,000 joining phones (first visits): {first * 1000 / 1e6:.1f} MB on the air"]
    for name, budget in BUDGETS.items():
        got = out["visits"][name]["bytes"]
        lines.append(f"budget: {name:24} {got:>8,} B of {budget:,}   "
                     f"{'met' if got <= budget else 'NOT met'}")
    if out["times"]:
        lines += ["", f"{'network, visit':32} {'tappable':>9} {'FCP':>7} {'live':>7} {'bytes':>8} "
                      f"{'by tap':>8}"]
        for name, t in out["times"].items():
            goal = GOALS_S[name.split(",")[0]]
            lines.append(f"{name:32} {t['tappable_s']:>8.2f}s {t['fcp_s']:>6.2f}s "
                         f"{t['live_s']:>6.2f}s {t['bytes']:>8,} {t['bytes_until_tappable']:>8,}"
                         f"   goal {goal:.0f} s: "
                         f"{'met' if t['tappable_s'] <= goal else 'NOT met'}")
    return lines


def server_root(ref: str | None, tmp: Path) -> tuple[Path, dict[str, str]]:
    if not ref:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                               text=True, check=False).stdout.strip() != ""
        return ROOT, {"source": "working tree", "commit": commit, "dirty": str(dirty)}
    commit = subprocess.run(["git", "rev-parse", ref], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    root = tmp / "server-src"
    root.mkdir()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    return root, {"source": f"git archive {ref}", "commit": commit}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server-ref", help="measure this commit's server (git archive)")
    p.add_argument("--runs", type=int, default=3, help="emulated visits per network (median)")
    p.add_argument("--bytes-only", action="store_true", help="no network emulation")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "page_weight.json"))
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="poll-weight-"))
    root, meta = server_root(args.server_ref, tmp)
    server = PollServer(root, tmp)
    try:
        server.start()
        asyncio.run(server.open_voting())
        out = asyncio.run(measure(server, args.runs, args.bytes_only))
    finally:
        server.stop()
    label = meta["source"] + f" at {meta['commit'][:7]}" + (
        " with edits" if meta.get("dirty") == "True" else "")
    out = {"server": label, "meta": meta, "machine": {
        "python": platform.python_version(), "load_average": os.getloadavg(),
        "cpus": os.cpu_count()}, "tag": secrets.token_hex(3), **out}
    print("\n".join(report(out)))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
