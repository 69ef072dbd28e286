"""Helpers for the tests, imported as a package (`from support.clients import Moderator`).

`pyproject.toml` puts `tests/` on the import path (`pythonpath = ["tests"]`), so `support` is
found the same way whether pytest runs the whole suite or one file. `tests/conftest.py` holds the
fixtures and hooks only; everything they hand out is built here:

- `support.server`: `poll` as a subprocess: `Server` (`poll serve` on a free port), `Site` (one
  installation: a database file and its servers), `run_poll` for the other commands, debates
  made with `poll new`.
- `support.debate`: `Debate`, a debate as the tests know it (ids, join code, links).
- `support.clients`: what talks to a server: httpx clients that behave like a browser (CSRF
  tokens, cookies), `Moderator` (signed in through the moderator link), `Phone` (a page's
  websocket), a debate made through `POST /new`.
- `support.inprocess`: the real app in the test's own process and event loop, over httpx's
  `ASGITransport` (no socket, no subprocess), and a bare `Hub`.
- `support.html`: the links, hidden fields and forms of a page.
- `support.checks`: assertions shared by several files (tallies, percentages, error pages, CSV).
- `support.formats_event`: one small evening in the new formats, run against a live server.
- `support.browser` and `support.fixtures_browser`: Debian's Chromium through Playwright.

Waits use generous deadlines (`WAIT`) so the tests pass on a slow, busy 2-core machine; nothing
asserts speed.
"""

WAIT = 20.0  # seconds any client waits for something it expects
