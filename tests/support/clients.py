"""What talks to a server the way a browser or a phone does.

- `http_client(server)`: an httpx client as a browser on this server (same-origin `Origin` on every
  request, redirects not followed). `server` is anything with a `.url`: a live `Server` or `Site`,
  or the in-process app (which passes its own client).
- `csrf_fields(client, html)`: the anti-CSRF token a page carries, as the form fields and headers a
  browser would send; `cookie_header(client)`, `location_path(response)`.
- `Moderator`: the moderator's browser, signed in through the moderator link (`?key=`), with
  `control`, `show`, `post` and `export`.
- `Phone` / `open_socket(...)`: one page's live websocket (a phone, a screen or a moderator page)
  with `recv_until(predicate, timeout)`; real servers only.
- `create_on_web(client, title, statements)`: a debate made through the `/new` form.
- `new_participant()`: a well-formed participant id, and `participant_cookie(id)`: the signed
  cookie the server would have given a phone with that id (the test servers' secret is known).
- `screen_cookie(server, debate)`: the session a projector gets from the projector link.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urljoin, urlparse

import httpx
from itsdangerous import Signer
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from support import WAIT
from support.debate import Debate, statements_of
from support.html import parse_page
from support.server import SECRET


class Reachable(Protocol):
    """A server as the clients see it: its base URL (`http://127.0.0.1:PORT`, or the in-process
    app's `http://testserver`)."""

    url: str


def csrf_fields(client: httpx.AsyncClient | httpx.Client, html: str = "") -> tuple[dict, dict]:
    """Whatever anti-CSRF token a page carries, as form fields and headers a browser would send.

    The tests do not know which CSRF scheme the app picks; a browser submits the page's hidden
    token fields and (for double-submit schemes) the token cookie, so the tests do the same.
    """
    fields = {
        k: v
        for k, v in parse_page(html).hidden.items()
        if "csrf" in k.lower() or "token" in k.lower()
    }
    headers: dict[str, str] = {}
    for cookie in client.cookies.jar:
        if "csrf" in cookie.name.lower():
            headers["x-csrftoken"] = cookie.value
            fields.setdefault("csrftoken", cookie.value)
    return fields, headers


def cookie_header(client: httpx.AsyncClient | httpx.Client) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)


def location_path(response: httpx.Response) -> str:
    """The path (and query) a redirect points to, absolute or relative."""
    target = urlparse(urljoin(str(response.request.url), response.headers["location"]))
    return target.path + (f"?{target.query}" if target.query else "")


def http_client(server: Reachable, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client as a browser on this server: same-origin `Origin` on every request."""
    return httpx.AsyncClient(
        base_url=server.url,
        follow_redirects=False,
        timeout=WAIT,
        trust_env=False,
        headers={"Origin": server.url},
        **kwargs,
    )


class Moderator:
    """The moderator's browser: signed in through the moderator link, so it holds the session."""

    def __init__(self, server: Reachable, debate: Debate, client: httpx.AsyncClient | None = None):
        self.server = server
        self.debate = debate
        self.http = client or http_client(server)
        self.page = ""

    async def sign_in(self) -> Moderator:
        assert self.debate.moderator_url, "this debate has no moderator link"
        response = await self.http.get(self.debate.moderator_url)
        assert response.status_code == 303, (response.status_code, response.text[:500])
        target = location_path(response)
        assert "key=" not in target, f"the redirect keeps the key in the address: {target}"
        await self.load_page(target)
        return self

    async def load_page(self, path: str | None = None) -> httpx.Response:
        response = await self.http.get(path or f"/d/{self.debate.id}/moderate")
        assert response.status_code == 200, (response.status_code, response.text[:500])
        self.page = response.text
        return response

    async def post(
        self, path: str, data: dict[str, Any], json_reply: bool = False
    ) -> httpx.Response:
        fields, headers = csrf_fields(self.http, self.page)
        if json_reply:
            headers["Accept"] = "application/json"
        return await self.http.post(path, data={**fields, **data}, headers=headers)

    async def control(self, action: str, statement: int | None = None,
                      **more: str) -> dict[str, Any]:
        """POST /d/{id}/control and return the new `state` the server answers with."""
        data: dict[str, Any] = {"action": action, **more}
        if statement is not None:
            data["statement"] = str(statement)
        response = await self.post(f"/d/{self.debate.id}/control", data, json_reply=True)
        assert response.status_code == 200, (action, response.status_code, response.text[:500])
        return response.json()

    async def show(self, statement: int, phase: str = "waiting", revealed: bool = False) -> dict:
        """Go to a statement and bring the live state to (phase, revealed)."""
        state = await self.control("goto", statement)
        assert state["statement"]["id"] == statement, state
        if phase == "open":
            state = await self.control("open")
        elif phase == "closed":
            await self.control("open")
            state = await self.control("close")
        if revealed and not state["revealed"]:
            state = await self.control("reveal")
        elif not revealed and state["revealed"]:
            state = await self.control("hide")
        assert (state["phase"], state["revealed"]) == (phase, revealed), state
        return state

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path)

    async def export(self, kind: str) -> httpx.Response:
        """kind: export.csv, votes.csv or export.json"""
        response = await self.http.get(f"/d/{self.debate.id}/{kind}")
        assert response.status_code == 200, (kind, response.status_code, response.text[:500])
        return response

    def cookie_header(self) -> str:
        return cookie_header(self.http)

    async def aclose(self) -> None:
        await self.http.aclose()


def new_participant() -> str:
    return f"p_{uuid.uuid4().hex}"


_SIGNER = Signer(SECRET, salt="poll.participant")  # as the server signs participant ids


def signed_participant(participant: str) -> str:
    """The value of the signed cookie that proves this participant id."""
    return _SIGNER.sign(participant).decode("ascii")


def participant_cookie(participant: str) -> str:
    """`poll_participant=...`: the cookie header part that proves this participant id."""
    return "poll_participant=" + signed_participant(participant)


def participant_in(cookie_value: str | None) -> str | None:
    """The participant id a `poll_participant` cookie the server gave proves (None if none)."""
    return None if cookie_value is None else _SIGNER.unsign(cookie_value).decode("ascii")


async def screen_cookie(server: Reachable, debate: Debate) -> str:
    """The cookies of a browser that opened the debate's projector link (its key signs it in)."""
    assert debate.screen_url, "this debate has no projector link"
    async with http_client(server) as browser:
        response = await browser.get(debate.screen_url)
        assert response.status_code == 303, (response.status_code, response.text[:300])
        return cookie_header(browser)


def socket_url(server: Reachable, debate: Debate | str, role: str) -> str:
    """The websocket a page of this role opens: phones by join code, the rest by debate id."""
    base = server.url.replace("http", "ws", 1)
    if role == "phone":
        code = debate.join_code if isinstance(debate, Debate) else debate
        return f"{base}/j/{code}/ws"
    debate_id = debate.id if isinstance(debate, Debate) else debate
    return f"{base}/ws/{debate_id}/{role}"


class Phone:
    """One page's live websocket (a phone, a screen or a moderator page).

    A reader task keeps every frame in `frames`; `recv_until` goes on from where the last call
    stopped and returns the first frame that matches, so frames a test does not care about (tallies,
    pongs) are simply passed over.
    """

    def __init__(self, ws: ClientConnection, role: str, participant: str | None):
        self.ws = ws
        self.role = role
        self.participant = participant
        self.frames: list[dict[str, Any]] = []
        self.cursor = 0
        self.closed = False
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self._ids = itertools.count(1)

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                try:
                    frame = json.loads(raw)
                except (TypeError, ValueError):
                    frame = {"type": "<not json>", "raw": raw}
                if not isinstance(frame, dict):
                    frame = {"type": "<not an object>", "raw": frame}
                self.frames.append(frame)
                self._changed.set()
        except ConnectionClosed:
            pass
        finally:
            self.closed = True
            self._changed.set()

    def _explain(self, what: str) -> str:
        recent = [json.dumps(f, ensure_ascii=False)[:300] for f in self.frames[-12:]]
        return (
            f"{self.role} ({self.participant}) never received {what}; "
            f"closed={self.closed} close_code={self.ws.close_code}; "
            f"{len(self.frames)} frames, last ones:\n  " + "\n  ".join(recent)
        )

    async def recv_until(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = WAIT, what: str = "it"
    ) -> dict[str, Any]:
        """Read on until a frame matches `predicate`; fail after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while self.cursor < len(self.frames):
                frame = self.frames[self.cursor]
                self.cursor += 1
                if predicate(frame):
                    return frame
            if self.closed:
                raise AssertionError(self._explain(what) + "\n(the connection is closed)")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._explain(what))
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def recv_type(self, kind: str, timeout: float = WAIT) -> dict[str, Any]:
        return await self.recv_until(lambda f: f.get("type") == kind, timeout, f"a {kind!r} frame")

    def skip_all(self) -> None:
        """Forget frames received so far: the next `recv_until` looks only at newer ones."""
        self.cursor = len(self.frames)

    def latest(self, kind: str) -> dict[str, Any] | None:
        return next((f for f in reversed(self.frames) if f.get("type") == kind), None)

    async def send(self, message: Any) -> None:
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def vote(self, statement: Any, choice: Any, vote_id: str | None = None) -> str:
        """Send a vote; return its id."""
        vote_id = vote_id or f"v-{uuid.uuid4().hex[:12]}-{next(self._ids)}"
        await self.send({"type": "vote", "id": vote_id, "statement": statement, "choice": choice})
        return vote_id

    async def reply_to(self, vote_id: str, timeout: float = WAIT) -> dict[str, Any]:
        """The `ack` or `error` the server sent for this vote id."""
        return await self.recv_until(
            lambda f: f.get("type") in ("ack", "error") and f.get("id") == vote_id,
            timeout,
            f"an ack or error for vote {vote_id}",
        )

    async def cast(self, statement: Any, choice: Any, vote_id: str | None = None) -> dict[str, Any]:
        """Vote and return the server's answer to it (ack or error)."""
        return await self.reply_to(await self.vote(statement, choice, vote_id))

    async def wait_closed(self, timeout: float = WAIT) -> int | None:
        """Wait until the server ends the connection; return its close code."""
        try:
            await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        except TimeoutError:
            raise AssertionError(self._explain("the end of the connection")) from None
        return self.ws.close_code

    async def close(self) -> None:
        await self.ws.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._reader, WAIT)


async def open_socket(
    server: Reachable,
    debate: Debate | str,
    role: str,
    participant: str | None = None,
    cookie: str | None = None,
) -> Phone:
    """Connect like the page would: same-origin, with the page's cookies. `debate`: a Debate, or
    (for a page that belongs to no known debate) a join code for phones, an id for the rest. A
    phone with `participant` carries that id's signed cookie; a screen without `cookie` first
    opens the projector link."""
    cookies = []
    if participant:
        cookies.append(participant_cookie(participant))
    if role == "screen" and cookie is None and isinstance(debate, Debate):
        cookie = await screen_cookie(server, debate)
    if cookie:
        cookies.append(cookie)
    headers = {"Cookie": "; ".join(cookies)} if cookies else {}
    ws = await ws_connect(
        socket_url(server, debate, role),
        additional_headers=headers,
        origin=server.url,  # type: ignore[arg-type]
        open_timeout=WAIT,
        proxy=None,
    )
    return Phone(ws, role, participant)


async def create_on_web(
    client: httpx.AsyncClient, title: str, statements: list[str], lang: str = "en",
    **fields: str,
) -> tuple[Debate, str]:
    """Create a debate through the web form (`POST /new`, with the form's CSRF token) as `client`,
    which becomes its moderator. `fields` are more of the form's fields (groups, scale, visibility,
    proposals). Returns the debate (its statements and join code as the moderator's export shows
    them, its moderator link as the creator's page shows it) and that moderator page."""
    form = await client.get("/new")
    assert form.status_code == 200, (form.status_code, form.text[:500])
    tokens, headers = csrf_fields(client, form.text)
    response = await client.post(
        "/new",
        data={**tokens, "title": title, "lang": lang, "statements": "\n".join(statements),
              **fields},
        headers=headers,
    )
    assert response.status_code == 303, (response.status_code, response.text[:1000])
    target = location_path(response)
    parts = target.split("/")
    assert parts[1] == "d" and parts[3].startswith("moderate"), target
    debate_id = parts[2]
    page = await client.get(target)
    assert page.status_code == 200, (page.status_code, page.text[:500])
    # the join code and statement ids as the moderator sees them in the export
    exported = await client.get(f"/d/{debate_id}/export.json")
    assert exported.status_code == 200, (exported.status_code, exported.text[:500])
    doc = exported.json()
    # the moderator link is shown once, on the page the creator lands on; the projector's always
    key_link = re.search(
        rf"https?://[^\s\"'<>]+/d/{debate_id}/moderate\?key=[^\s\"'<>&]+", page.text
    )
    screen_link = re.search(
        rf"https?://[^\s\"'<>]+/d/{debate_id}/screen\?key=[^\s\"'<>&]+", page.text
    )
    debate = Debate(debate_id, doc["debate"].get("join_code"), title, statements_of(doc),
                    moderator_url=key_link.group(0) if key_link else None,
                    screen_url=screen_link.group(0) if screen_link else None, raw=doc)
    return debate, page.text
