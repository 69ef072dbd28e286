"""The real app in the test's own process and event loop: no subprocess, no socket.

`running_app(db_path, **settings)` builds the app exactly as `poll serve` does
(`poll.app.create_app(Settings(...))`), runs its lifespan with asgi-lifespan's `LifespanManager`
(the lifespan opens the SQLite store and starts the hub; httpx's `ASGITransport` runs no lifespan
of its own) and hands out httpx clients over `ASGITransport(app=manager.app)`: `manager.app` passes
the lifespan state into every request scope, as uvicorn does.

What goes through here is the app's HTTP behaviour: routes, status codes, redirects, headers,
forms, CSRF, sessions, pages and exports. What it does not reach is anything of uvicorn's: the
listening socket, websockets (the phone-socket fast path included), h11's parsing of what arrives,
client addresses (every request comes from ASGITransport's `("127.0.0.1", 123)`), slow clients,
signals and restarts. Those tests run against a real `poll serve` (support.server).

`started_hub(db_path)` is the hub alone on a real SQLite file, for the tests of its rules.

These are the only places the helpers import the application (`poll.*`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from asgi_lifespan import LifespanManager

from poll.app import create_app
from poll.broadcast import MemoryPubSub
from poll.config import Settings
from poll.live import Hub
from poll.store.sqlite import SQLiteStore
from support import WAIT
from support.clients import (
    Moderator,
    create_on_web,
    csrf_fields,
    new_participant,
    signed_participant,
)
from support.debate import Debate
from support.server import SECRET

BASE_URL = "http://testserver"  # where the in-process clients "are"; also the app's public URL
COOKIE_DOMAIN = "testserver.local"  # how the standard cookie jar files cookies of a dotless host


class InProcessApp:
    """The app with its lifespan running; `client()` is a new browser on it.

    Every client gets its own cookie jar (httpx keeps the `csrftoken` and `poll_session` cookies
    for `http://testserver`), so a stranger, a moderator and a phone stay different people.
    """

    url = BASE_URL

    def __init__(self, asgi: Any, settings: Settings) -> None:
        self.asgi = asgi
        self.settings = settings
        self._clients: list[httpx.AsyncClient] = []

    def client(self, *, origin: bool = True, **kwargs: Any) -> httpx.AsyncClient:
        """A browser: same-origin `Origin` on every request (unless `origin=False`, as a plain
        script would send), redirects not followed. Closed with the app if the test does not."""
        headers = {"Origin": BASE_URL} if origin else {}
        headers.update(kwargs.pop("headers", {}))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.asgi),
            base_url=BASE_URL,
            follow_redirects=False,
            timeout=WAIT,
            headers=headers,
            **kwargs,
        )
        self._clients.append(client)
        return client

    def phone(self, participant: str | None = None) -> httpx.AsyncClient:
        """A phone's browser holding a participant cookie (a new id unless one is given), filed
        as the server's own would be, so the cookie the vote page sets again replaces it."""
        client = self.client()
        client.cookies.set("poll_participant",
                           signed_participant(participant or new_participant()),
                           domain=COOKIE_DOMAIN)
        return client

    async def sign_in_as_organiser(self, client: httpx.AsyncClient) -> None:
        """Sign `client` in with the organiser password (`POST /admin`)."""
        page = await client.get("/admin?next=/")
        assert page.status_code == 200, (page.status_code, page.text[:500])
        fields, headers = csrf_fields(client, page.text)
        response = await client.post(
            "/admin", data={"password": self.settings.admin_password, "next": "/", **fields},
            headers=headers)
        assert response.status_code == 303, (response.status_code, response.text[:500])

    async def web_debate(self, title: str, statements: list[str], lang: str = "en",
                         **fields: str) -> tuple[Debate, Moderator]:
        """A debate made through `POST /new` by a new browser (signed in with the organiser
        password first when there is one), which stays its moderator, as the live `web_debate`
        fixture does. `fields` are more of the form's fields (groups, scale, visibility,
        proposals)."""
        creator = self.client()
        if self.settings.admin_password:
            await self.sign_in_as_organiser(creator)
        debate, page = await create_on_web(creator, title, statements, lang, **fields)
        assert debate.join_code, debate.raw
        assert debate.moderator_url, "the creator's page shows the moderator link"
        link = urlparse(debate.moderator_url)
        assert link.path == f"/d/{debate.id}/moderate" and link.query.startswith("key="), link
        mod = Moderator(self, debate, creator)
        mod.page = page
        return debate, mod

    async def new(self, title: str, statements: list[str], lang: str = "en",
                  **fields: str) -> Debate:
        """A debate made as `web_debate` does, by an organiser's browser that is closed at once:
        no client the test uses holds its moderator session (`moderator(debate)` signs one in)."""
        debate, creator = await self.web_debate(title, statements, lang, **fields)
        await creator.aclose()
        return debate

    async def moderator(self, debate: Debate) -> Moderator:
        """A new browser signed in through the debate's moderator link (`?key=`)."""
        return await Moderator(self, debate, self.client()).sign_in()

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


@contextlib.asynccontextmanager
async def running_app(db_path: Path, **settings: Any) -> AsyncIterator[InProcessApp]:
    """The app on the SQLite file `db_path`, its lifespan started and stopped around the block.
    `settings` are more `poll.config.Settings` fields (e.g. `admin_password`)."""
    # the test servers' secret, so a test can sign a phone's participant cookie
    config = Settings(**{"database": str(db_path), "public_url": BASE_URL,
                         "session_secret": SECRET, **settings})
    async with LifespanManager(create_app(config), startup_timeout=WAIT,
                               shutdown_timeout=WAIT) as manager:
        app = InProcessApp(manager.app, config)
        try:
            yield app
        finally:
            await app.aclose()


@contextlib.asynccontextmanager
async def started_hub(db_path: Path, tally_interval: float = 0.01) -> AsyncIterator[Hub]:
    """A started Hub on a real SQLite file, ticking fast (no server: the rules themselves)."""
    async with SQLiteStore(db_path) as store:
        hub = Hub(store, MemoryPubSub(), Settings(tally_interval=tally_interval))
        await hub.start()
        try:
            yield hub
        finally:
            await hub.stop()
