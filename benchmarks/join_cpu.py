#!/usr/bin/env python
"""What one joining phone's requests cost the server's CPU, request by request (issue 14, point 5).

    python benchmarks/join_cpu.py                    # µs of CPU per join page, per static file
    python benchmarks/join_cpu.py --profile page     # cProfile of the join page's requests
    python benchmarks/join_cpu.py --html DIR         # the join page in several states, to DIR
    PYTHONPATH=/tmp/base python benchmarks/join_cpu.py --html DIR2   # another tree's, to diff

The real app (`poll.app.create_app`, its lifespan run by asgi-lifespan, as
tests/support/inprocess.py does) on a fresh SQLite file, called as uvicorn calls it: one ASGI
scope with a browser's first-visit headers, `receive` and `send` that do nothing. No socket, no
HTTP parsing (uvicorn's share of a request, the same before and after any change here, is left
out), no client. The CPU time of this process (`time.process_time`) over `--requests` requests
of each kind, divided by their number:

- `page`: `GET /j/{code}` with no cookies (a first visit), `Accept-Encoding: br, gzip`;
- `page (cookies)`: the same with the participant and CSRF cookies a reload sends;
- `static`: `GET /static/<hashed vote.js>` with the cookies, as the page's files are fetched;
- `static 304`: a plain-named file revalidated with its ETag.

`--html DIR` writes the join page, decompressed, as a phone sees it in several states (waiting,
open and voted, revealed with results, in Dutch, with audience groups, with reasons given) with
the per-request values (CSRF token, the form's vote id) replaced by placeholders: the same files
from two trees mean the same pages.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gzip
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import brotli

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.clients import signed_participant  # noqa: E402
from support.inprocess import running_app  # noqa: E402

BROWSER = [
    (b"user-agent", b"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
                    b"Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"),
    (b"accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    (b"accept-encoding", b"br, gzip"),
    (b"accept-language", b"en-GB,en;q=0.9"),
]


class Call:
    """One request's ASGI scope, and what the app sent back for it."""

    def __init__(self, app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        path, _, query = path.partition("?")
        self.scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
            "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
        }
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def __call__(self) -> Call:
        self.body = b""

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.headers = message.get("headers", [])
            else:
                self.body += message.get("body", b"")

        # manager.app passes the lifespan's state into the scope, as uvicorn does
        await self.app(dict(self.scope), receive, send)
        return self

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    def text(self) -> str:
        coding = self.header(b"content-encoding")
        body = (brotli.decompress(self.body) if coding == b"br"
                else gzip.decompress(self.body) if coding == b"gzip" else self.body)
        return body.decode()


def cookies_of(call: Call) -> bytes:
    pairs = [v.split(b";")[0] for k, v in call.headers if k.lower() == b"set-cookie"]
    return b"; ".join(pairs)


async def measure(app: Any, code: str, requests: int, profile: str | None) -> None:
    first = await Call(app, f"/j/{code}", BROWSER)()
    assert first.status == 200, first.status
    cookies = cookies_of(first)
    html = first.text()
    script = re.search(r'src="(/static/js/vote\.[0-9a-f]+\.js)"', html)
    assert script, "the page names its script"
    plain = re.sub(r"\.[0-9a-f]{10}\.js$", ".js", script[1])
    revalidate = await Call(app, plain, [*BROWSER, (b"cookie", cookies)])()
    etag = revalidate.header(b"etag")
    assert etag, revalidate.headers
    kinds = {
        "page": Call(app, f"/j/{code}", BROWSER),
        "page (cookies)": Call(app, f"/j/{code}", [*BROWSER, (b"cookie", cookies)]),
        "static": Call(app, script[1], [*BROWSER, (b"cookie", cookies)]),
        "static 304": Call(app, plain, [*BROWSER, (b"cookie", cookies),
                                        (b"if-none-match", etag)]),
    }
    for name, call in kinds.items():
        for _ in range(20):  # warm: templates compiled, caches filled
            await call()
        profiler = cProfile.Profile() if profile and name.startswith(profile) else None
        began = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(requests):
            await call()
        if profiler:
            profiler.disable()
        spent = time.process_time() - began
        print(f"{name:16} {spent / requests * 1e6:8.0f} µs CPU per request "
              f"(status {call.status}, {len(call.body):,} B body, "
              f"{call.header(b'content-encoding') or b'-'!s})")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


# Per-request values: the same page twice differs only in these.
_VARYING = [
    (re.compile(r'(name="csrftoken" value=")[^"]*'), r"\1CSRF"),
    (re.compile(r'(name="vote_id" value=")[^"]*'), r"\1VOTE-ID"),
]


def normalised(html: str) -> str:
    for pattern, replacement in _VARYING:
        html = pattern.sub(replacement, html)
    return html


async def pages(server: Any, out: Path) -> None:
    """The join page in several states, as a first visit and as a phone that took part."""
    from support.clients import Moderator  # noqa: F401  (web_debate hands one out)

    out.mkdir(parents=True, exist_ok=True)
    debate, mod = await server.web_debate(
        "Storm <test> & co", ["The first statement", "Tweede stelling met <b>tekens</b>"],
        groups="Students\nStaff")
    code = debate.join_code
    phone = "p_" + "A" * 16
    phone_cookie = [(b"cookie", b"poll_participant=" + signed_participant(phone).encode()
                     + b"; csrftoken=IjZmZjEyMyI.fixed")]
    nl = [(k, b"nl-NL,nl;q=0.9" if k == b"accept-language" else v) for k, v in BROWSER]

    async def save(name: str) -> None:
        for suffix, headers in (("first", BROWSER), ("phone", [*BROWSER, *phone_cookie]),
                                ("nl", [*nl, *phone_cookie])):
            call = await Call(server.asgi, f"/j/{code}", headers)()
            assert call.status == 200, (name, call.status)
            page = normalised(call.text()).replace(code, "CODE")  # a new code each run
            (out / f"{name}-{suffix}.html").write_text(page, "utf-8")

    async def phone_post(path: str, data: dict[str, str]) -> None:
        client = server.phone(phone)
        page = await client.get(f"/j/{code}")
        token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)
        assert token
        response = await client.post(path, data={"csrftoken": token[1], **data},
                                     headers={"Accept": "application/json"})
        assert response.status_code < 400, (path, response.status_code, response.text[:300])
        await client.aclose()

    first, second = debate.statements[0]["id"], debate.statements[1]["id"]
    await save("1-waiting")
    await mod.show(first, "waiting")
    await save("2-shown")
    await mod.show(first, "open")
    await save("3-open")
    await phone_post(f"/j/{code}/group", {"group": "1"})
    await phone_post(f"/j/{code}/vote", {"statement": str(first), "choice": "agree",
                                         "round": "1", "vote_id": "v-1"})
    await save("4-voted-in-group")
    await mod.post(f"/d/{debate.id}/settings", {"reasons": "always"})
    await phone_post(f"/j/{code}/reason", {"statement": str(first), "text": "Omdat <het> kan"})
    await save("5-reason")
    await mod.show(first, "closed", revealed=True)
    await save("6-revealed")
    await mod.show(second, "open")
    await save("7-second")
    await mod.post(f"/d/{debate.id}/settings", {"proposals": "1", "proposals_public": "1"})
    await save("8-proposals")
    await mod.aclose()
    print(f"{len(list(out.iterdir()))} pages in {out}")


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=500, help="requests of each kind")
    p.add_argument("--profile", metavar="KIND", help="cProfile the requests of this kind")
    p.add_argument("--html", metavar="DIR", help="write the join page in several states to DIR")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        async with running_app(Path(tmp) / "cpu.db") as server:
            if a.html:
                await pages(server, Path(a.html))
                return
            debate = await server.new("Bench", ["One statement", "Another"])
            print(f"poll from {__import__('poll').__file__}, load average "
                  f"{os.getloadavg()[0]:.2f}")
            await measure(server.asgi, debate.join_code, a.requests, a.profile)


if __name__ == "__main__":
    asyncio.run(main())
