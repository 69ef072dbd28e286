"""Shared helpers for the live-server tests.

Everything here talks to a REAL server: `python -m poll serve` started as a subprocess on a free
port, with a real SQLite file, reached through real websocket clients (`websockets`) and httpx.
Waits use generous deadlines so the tests pass on a slow, busy 2-core machine; nothing asserts
speed.

Fixtures handed to tests:

- `make_site(directory)` -> Site: one installation (a database file, a port, a server started on
  demand). `site.new(title, statements)` runs `poll new --json` with the same `--db` and
  `--public-url`; create debates BEFORE `site.start()`, because the running server keeps its state
  in memory and would not see a debate written behind its back (or use `web_debate`: `POST /new`).
- `start_server(db, *extra_args, port=None)` -> Server with `.url`, `.port`, `.stop()`, `.kill()`.
- `make_debate(site_or_db, title, statements, lang="en", public_url=None)` -> Debate (via the CLI).
- `web_debate(server, title, statements, lang="en")` -> (Debate, Moderator) (via `POST /new`).
- `moderator(server, debate)` -> Moderator: an httpx client signed in through the moderator link.
- `connect(server, debate, role, participant=None)` -> Phone: a page's websocket (phone, screen or
  moderator) with `recv_until(predicate, timeout)`.
- `poll_cli(*args)` -> CompletedProcess of `python -m poll ARGS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from poll.broadcast import MemoryPubSub
from poll.config import Settings
from poll.live import Hub
from poll.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
START_DEADLINE = 30.0  # seconds for `poll serve` to answer /healthz
# The real-browser fixtures (`chromium`, `screenshots`) live beside their helpers in browser.py.
pytest_plugins = ["browser"]

WAIT = 20.0  # seconds any client waits for something it expects
STOP_DEADLINE = 20.0  # seconds a server gets to exit after SIGTERM before it is killed
CHOICES = ("agree", "neutral", "disagree")

_counter = itertools.count(1)
_running: list[Server] = []  # servers started and not yet stopped, for the failure report


# --------------------------------------------------------------------------------------------------
# processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def poll_env() -> dict[str, str]:
    """The environment for a `poll` subprocess: none of the caller's POLL_* settings; UTF-8."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POLL_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", PYTHONUTF8="1")
    return env


def run_poll(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m poll ARGS` to completion and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "poll", *map(str, args)],
        cwd=ROOT,
        env=poll_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


class Server:
    """A `poll serve` subprocess on 127.0.0.1 with its own SQLite file."""

    def __init__(
        self, db: Path, port: int, extra_args: Iterable[str] = (), logdir: Path | None = None
    ):
        self.db = Path(db)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        self.extra_args = [str(a) for a in extra_args]
        logdir = logdir or self.db.parent
        n = next(_counter)
        self.stdout_path = logdir / f"server-{port}-{n}.stdout"
        self.stderr_path = logdir / f"server-{port}-{n}.stderr"
        self.proc: subprocess.Popen[bytes] | None = None
        self.killed = False

    def start(self) -> Server:
        args = [
            sys.executable, "-m", "poll", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--db", str(self.db), "--public-url", self.url,
            *self.extra_args,
        ]  # fmt: skip
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=poll_env(), stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
        _running.append(self)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_DEADLINE
        last: object = None
        with httpx.Client(trust_env=False, timeout=5) as client:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise AssertionError(
                        f"`poll serve` exited with {self.proc.returncode} before answering "
                        f"/healthz\n{self.logs()}"
                    )
                try:
                    response = client.get(f"{self.url}/healthz")
                    if response.status_code == 200 and response.json().get("ok") is True:
                        return
                    last = f"{response.status_code} {response.text[:200]}"
                except (httpx.HTTPError, ValueError) as exc:
                    last = exc
                time.sleep(0.1)
        self.kill()
        raise AssertionError(
            f"no answer on /healthz within {START_DEADLINE} s (last: {last})\n{self.logs()}"
        )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = STOP_DEADLINE) -> int | None:
        """SIGTERM, then SIGKILL when it has not exited after `timeout` s. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._forget()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a crash or a power cut."""
        if self.proc is not None and self.proc.poll() is None:
            self.killed = True
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._forget()

    def _forget(self) -> None:
        if self in _running:
            _running.remove(self)

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def logs(self, tail: int = 6000) -> str:
        return (
            f"--- server {self.url} stdout (tail) ---\n{self.stdout()[-tail:]}\n"
            f"--- server {self.url} stderr (tail) ---\n{self.stderr()[-tail:]}"
        )

    def wait_for_output(self, predicate: Callable[[str], bool], timeout: float = WAIT) -> str:
        """Wait until what the server printed on stdout satisfies `predicate`; return it."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.stdout()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"server output never matched\n{self.logs()}")
            time.sleep(0.1)


# --------------------------------------------------------------------------------------------------
# debates


@dataclass
class Debate:
    id: str
    join_code: str
    title: str
    statements: list[dict[str, Any]]
    moderator_url: str | None = None
    screen_url: str | None = None
    join_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def sid(self, position: int) -> int:
        """The id of the statement at this 1-based position."""
        return self.statements[position - 1]["id"]


def write_statements(path: Path, statements: Iterable[str]) -> Path:
    path.write_text("".join(f"{s}\n" for s in statements), encoding="utf-8")
    return path


def create_debate_with_cli(
    db: Path, public_url: str, title: str, statements: list[str], lang: str = "en",
    *options: str,
) -> Debate:
    """`poll new TITLE --statements FILE --db DB --json --public-url URL [OPTIONS]`, parsed."""
    source = write_statements(db.parent / f"statements-{next(_counter)}.txt", statements)
    proc = run_poll(
        "new", title, "--statements", source, "--db", db, "--lang", lang,
        "--json", "--public-url", public_url, *options,
    )  # fmt: skip
    assert proc.returncode == 0, f"`poll new` failed: {describe(proc)}"
    data = json.loads(proc.stdout)
    return Debate(
        id=data["id"],
        join_code=data["join_code"],
        title=title,
        statements=data["statements"],
        moderator_url=data["moderator_url"],
        screen_url=data["screen_url"],
        join_url=data["join_url"],
        raw=data,
    )


class Site:
    """One installation: a database file, a port, debates made with the CLI, a server on demand."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory = Path(directory)
        self.db = self.directory / "poll.db"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: Server | None = None
        self.servers: list[Server] = []

    def new(self, title: str, statements: list[str], lang: str = "en", *options: str) -> Debate:
        """A debate made with `poll new`; `options` are more of its flags (e.g. "--groups")."""
        assert self.server is None or not self.server.running, (
            "create debates before starting the server (or through POST /new)"
        )
        return create_debate_with_cli(self.db, self.url, title, statements, lang, *options)

    def start(self, *extra_args: str) -> Server:
        self.server = Server(self.db, self.port, extra_args, self.directory)
        self.servers.append(self.server)
        return self.server.start()

    def close(self) -> None:
        for server in self.servers:
            server.stop()


# --------------------------------------------------------------------------------------------------
# HTML


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.hidden: dict[str, str] = {}
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in ("href", "src", "action", "poster", "data"):
            if a.get(name):
                self.links.append(a[name])
        if a.get("srcset"):
            self.links.extend(part.strip().split(" ")[0] for part in a["srcset"].split(","))
        if tag == "input" and a.get("type", "").lower() == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value", "")
        if tag == "form":
            self.forms.append(a)


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


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


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def location_path(response: httpx.Response) -> str:
    """The path (and query) a redirect points to, absolute or relative."""
    target = urlparse(urljoin(str(response.request.url), response.headers["location"]))
    return target.path + (f"?{target.query}" if target.query else "")


# --------------------------------------------------------------------------------------------------
# clients


def http_client(server: Server | Site, **kwargs: Any) -> httpx.AsyncClient:
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

    def __init__(self, server: Server, debate: Debate, client: httpx.AsyncClient | None = None):
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
    server: Server | Site,
    debate_id: str,
    role: str,
    participant: str | None = None,
    cookie: str | None = None,
) -> Phone:
    """Connect like the page would: same-origin, with the page's cookies."""
    cookies = []
    if participant:
        cookies.append(f"poll_participant={participant}")
    if cookie:
        cookies.append(cookie)
    headers = {"Cookie": "; ".join(cookies)} if cookies else {}
    ws = await ws_connect(
        f"{server.url.replace('http', 'ws', 1)}/ws/{debate_id}/{role}",
        additional_headers=headers,
        origin=server.url,  # type: ignore[arg-type]
        open_timeout=WAIT,
        proxy=None,
    )
    return Phone(ws, role, participant)


def tally_matches(frame: dict[str, Any], statement: int, **expected: Any) -> bool:
    return (
        frame.get("type") == "tally"
        and frame.get("statement") == statement
        and all(frame.get(k) == v for k, v in expected.items())
    )


def counts_of(choices: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(CHOICES, 0)
    for choice in choices:
        counts[choice] += 1
    return counts


def assert_percent(result: dict[str, Any]) -> None:
    """Whole percentages that add up to 100 and are each within 1 of the exact share."""
    total, counts, percent = result["total"], result["counts"], result["percent"]
    assert set(percent) == set(CHOICES), percent
    assert all(isinstance(p, int) for p in percent.values()), percent
    if total:
        assert sum(percent.values()) == 100, percent
        for choice in CHOICES:
            assert abs(percent[choice] - counts[choice] * 100 / total) < 1, (counts, percent)
    else:
        assert sum(percent.values()) == 0, percent


# --------------------------------------------------------------------------------------------------
# fixtures


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call" and report.failed and _running:
        # a failing test against a live server: show what the server said
        for server in list(_running):
            report.sections.append((f"server {server.url} output", server.logs()))
    return report


@pytest.fixture(scope="session")
def poll_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_poll


@pytest.fixture(scope="session")
def make_site() -> Callable[..., Site]:
    """Sites made here are the caller's to close (module fixtures close them at teardown)."""
    return Site


@pytest.fixture
async def hub(tmp_path: Path):
    """A started Hub on a real SQLite file, ticking fast (no server: the rules themselves)."""
    async with SQLiteStore(tmp_path / "poll.db") as store:
        h = Hub(store, MemoryPubSub(), Settings(tally_interval=0.01))
        await h.start()
        yield h
        await h.stop()


@pytest.fixture
def site(tmp_path: Path):
    """A fresh installation in tmp_path; its servers are stopped after the test."""
    s = Site(tmp_path)
    yield s
    s.close()


@pytest.fixture
def start_server(tmp_path: Path):
    servers: list[Server] = []

    def start(db: Path, *extra_args: str, port: int | None = None) -> Server:
        server = Server(db, port or free_port(), extra_args, tmp_path)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def make_debate() -> Callable[..., Debate]:
    def make(
        target: Site | Server | Path,
        title: str,
        statements: list[str],
        lang: str = "en",
        public_url: str | None = None,
    ) -> Debate:
        if isinstance(target, Site):
            return target.new(title, statements, lang)
        if isinstance(target, Server):
            assert not target.running, (
                "create debates before starting the server, or use web_debate"
            )
            return create_debate_with_cli(
                target.db, public_url or target.url, title, statements, lang
            )
        return create_debate_with_cli(
            Path(target), public_url or "http://127.0.0.1:8000", title, statements, lang
        )

    return make


@pytest.fixture
async def moderator():
    made: list[Moderator] = []

    async def sign_in(server: Server | Site, debate: Debate) -> Moderator:
        mod = Moderator(server, debate)  # type: ignore[arg-type]
        made.append(mod)
        return await mod.sign_in()

    yield sign_in
    for mod in made:
        await mod.aclose()


@pytest.fixture
async def connect():
    opened: list[Phone] = []

    async def open_(
        server: Server | Site,
        debate: Debate | str,
        role: str = "phone",
        participant: str | None = None,
        cookie: str | None = None,
    ) -> Phone:
        debate_id = debate if isinstance(debate, str) else debate.id
        phone = await open_socket(server, debate_id, role, participant, cookie)
        opened.append(phone)
        return phone

    yield open_
    await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)


@pytest.fixture
async def web_debate():
    """Create a debate through the web form (`POST /new`) on a running server."""
    made: list[Moderator] = []

    async def create(
        server: Server | Site, title: str, statements: list[str], lang: str = "en"
    ) -> tuple[Debate, Moderator]:
        client = http_client(server)
        form = await client.get("/new")
        assert form.status_code == 200, (form.status_code, form.text[:500])
        fields, headers = csrf_fields(client, form.text)
        response = await client.post(
            "/new",
            data={**fields, "title": title, "lang": lang, "statements": "\n".join(statements)},
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
        statements_ = [
            {"id": s["id"], "position": s["position"], "text": s["text"]} for s in doc["statements"]
        ]
        join_code = doc["debate"].get("join_code")
        if not join_code:
            screen = await open_socket(server, debate_id, "screen")
            join_code = (await screen.recv_type("state"))["debate"]["join_code"]
            await screen.close()
        debate = Debate(debate_id, join_code, title, statements_)
        mod = Moderator(server, debate, client)  # type: ignore[arg-type]
        mod.page = page.text
        made.append(mod)
        return debate, mod

    yield create
    for mod in made:
        await mod.aclose()
