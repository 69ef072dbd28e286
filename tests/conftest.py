"""Fixtures and hooks only; what they hand out is built in the `support` package (tests/support/).

Two kinds of tests use them:

- **In-process** (marked `inprocess`, `pytest -m inprocess` runs only them): the real app
  (`create_app`) with its lifespan, in the test's own event loop, reached through httpx's
  `ASGITransport`. For HTTP behaviour where a real socket is not the point.
- **Real servers**: `python -m poll serve` as a subprocess on a free port with a real SQLite file,
  reached through real websocket clients and httpx. For websockets, restarts and kill -9, the CLI,
  fuzzing, the browser tests, and anything of uvicorn's.

In-process fixtures:

- `app` -> support.inprocess.InProcessApp on tmp_path/poll.db: `.client()` is a new browser,
  `.phone(participant)` a phone's browser with its participant cookie, `await .new(title,
  statements, lang, **form_fields)` a debate made through `POST /new` (`await .web_debate(...)`:
  and its creator as its Moderator), `await .moderator(debate)` a browser signed in through its
  `?key=` link.
- `make_app(**settings)` -> another such app with these `Settings` (e.g. `admin_password`).
- `hub`: a started Hub on a real SQLite file (no HTTP at all: the rules themselves).

Real-server fixtures:

- `make_site(directory)` -> Site: one installation (a database file, a port, a server started on
  demand). `site.new(title, statements)` runs `poll new --json` with the same `--db` and
  `--public-url`; create debates BEFORE `site.start()`, because the running server keeps its state
  in memory and would not see a debate written behind its back (or use `web_debate`: `POST /new`).
- `site`: a Site in tmp_path, its servers stopped after the test.
- `start_server(db, *extra_args, port=None)` -> Server with `.url`, `.port`, `.stop()`, `.kill()`.
- `make_debate(site_or_db, title, statements, lang="en", public_url=None)` -> Debate (via the CLI).
- `web_debate(server, title, statements, lang="en")` -> (Debate, Moderator) (via `POST /new`).
- `moderator(server, debate)` -> Moderator: an httpx client signed in through the moderator link.
- `connect(server, debate, role, participant=None)` -> Phone: a page's websocket (phone, screen or
  moderator) with `recv_until(predicate, timeout)`.
- `poll_cli(*args)` -> CompletedProcess of `python -m poll ARGS`.
- `chromium`, `screenshots`: Debian's Chromium (support/fixtures_browser.py).

Databases:

- `postgres`: one real PostgreSQL server for the session (support.postgres: Debian's initdb and
  pg_ctl in a temporary folder, installed with apt-get when missing).
- `postgres_database` -> the URL of a new empty database on it (one per test).
- `redis` -> a real redis-server of the test's own (support.redis: Debian's, installed with
  apt-get when missing), for `--pubsub`; `.restart()` as a crashed Redis would be.
- `database_url` -> each test that takes it runs twice: on an SQLite file in tmp_path and on a
  PostgreSQL database (`[sqlite]`, `[postgresql]`).

A failing test's report carries the output of every real server still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support.clients import Moderator, Phone, Reachable, create_on_web, http_client, open_socket
from support.debate import Debate
from support.inprocess import InProcessApp, running_app, started_hub
from support.postgres import PostgresServer, postgres_bindir
from support.redis import RedisServer, redis_server_binary
from support.server import (
    Server,
    Site,
    create_debate_with_cli,
    free_port,
    run_poll,
    running_servers,
)

# The real-browser fixtures (`chromium`, `screenshots`) live beside their helpers.
pytest_plugins = ["support.fixtures_browser"]

IN_PROCESS_FIXTURES = {"app", "make_app"}


# --------------------------------------------------------------------------------------------------
# hooks


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that run the app in-process, so `-m inprocess` picks the fast ones."""
    for item in items:
        if IN_PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.inprocess)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    running = running_servers()
    if report.when == "call" and report.failed and running:
        # a failing test against a live server: show what the server said
        for server in running:
            report.sections.append((f"server {server.url} output", server.logs()))
    return report


# --------------------------------------------------------------------------------------------------
# in-process


@pytest.fixture
async def app(tmp_path: Path):
    """The real app in this process on tmp_path/poll.db, its lifespan running."""
    async with running_app(tmp_path / "poll.db") as running:
        yield running


@pytest.fixture
async def make_app(tmp_path: Path):
    """`await make_app(**settings)`: another in-process app, on a database file of its own."""
    numbers = itertools.count(1)
    async with contextlib.AsyncExitStack() as stack:

        async def make(**settings: object) -> InProcessApp:
            db = tmp_path / f"poll-{next(numbers)}.db"
            return await stack.enter_async_context(running_app(db, **settings))

        yield make


@pytest.fixture
async def hub(tmp_path: Path):
    """A started Hub on a real SQLite file, ticking fast (no server: the rules themselves)."""
    async with started_hub(tmp_path / "poll.db") as started:
        yield started


# --------------------------------------------------------------------------------------------------
# databases


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole session."""
    server = PostgresServer(postgres_bindir()).start()
    yield server
    server.stop()


@pytest.fixture
def postgres_database(postgres: PostgresServer) -> str:
    """The URL of a new empty PostgreSQL database."""
    return postgres.database()


@pytest.fixture
def redis():
    """A real Redis server of this test's own."""
    server = RedisServer(redis_server_binary()).start()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An SQLite file, then a PostgreSQL database: the test runs on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "poll.db")
    return str(request.getfixturevalue("postgres_database"))


# --------------------------------------------------------------------------------------------------
# real servers


@pytest.fixture(scope="session")
def poll_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_poll


@pytest.fixture(scope="session")
def make_site() -> Callable[..., Site]:
    """Sites made here are the caller's to close (module fixtures close them at teardown)."""
    return Site


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

    async def sign_in(server: Reachable, debate: Debate) -> Moderator:
        mod = Moderator(server, debate)
        made.append(mod)
        return await mod.sign_in()

    yield sign_in
    for mod in made:
        await mod.aclose()


@pytest.fixture
async def connect():
    opened: list[Phone] = []

    async def open_(
        server: Reachable,
        debate: Debate | str,
        role: str = "phone",
        participant: str | None = None,
        cookie: str | None = None,
    ) -> Phone:
        phone = await open_socket(server, debate, role, participant, cookie)
        opened.append(phone)
        return phone

    yield open_
    await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)


@pytest.fixture
async def web_debate():
    """Create a debate through the web form (`POST /new`) on a running server."""
    made: list[Moderator] = []

    async def create(
        server: Reachable, title: str, statements: list[str], lang: str = "en"
    ) -> tuple[Debate, Moderator]:
        client = http_client(server)
        debate, page = await create_on_web(client, title, statements, lang)
        assert debate.join_code, "the moderator's export names the join code"
        mod = Moderator(server, debate, client)
        mod.page = page
        made.append(mod)
        return debate, mod

    yield create
    for mod in made:
        await mod.aclose()
