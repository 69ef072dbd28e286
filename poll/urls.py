"""Every address the app hands out, built from the route table (poll.routes), never by hand.

Links people copy or scan (join, projector, moderator, report) are absolute, on the public base
URL phones can reach (poll.network); links inside pages are paths. The CLI, the views, the
templates (`path(...)`) and the exports all ask here, so a route that moves moves everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict
from urllib.parse import urlencode

from starlette.routing import BaseRoute, Router

from .model import Audience, Debate


class DebateLinks(TypedDict, total=False):
    """The links `poll new` prints and the moderator page shows."""

    moderator_url: str  # carries the moderator key: only right after it was made
    screen_url: str
    join_url: str
    report_url: str


_PATHS_KEPT = 10_000  # paths remembered (a few per debate); then forgotten all at once


class Addresses:
    """Paths and absolute URLs for the routes of one app, on one public base URL."""

    def __init__(self, base_url: str, routes: Sequence[BaseRoute]) -> None:
        self.base_url = base_url.rstrip("/")
        self._router = Router(routes=list(routes))
        self._paths: dict[tuple[object, ...], str] = {}

    def path(self, name: str, **params: object) -> str:
        """The path of the route called `name` with these parameters (e.g. "/d/abc/moderate")."""
        key = (name, *params.items())
        found = self._paths.get(key)
        if found is None:
            # The router tries its routes in turn: a dozen per path, and a page has a dozen paths.
            found = str(self._router.url_path_for(name, **params))
            if len(self._paths) >= _PATHS_KEPT:
                self._paths.clear()
            self._paths[key] = found
        return found

    def absolute(self, name: str, **params: object) -> str:
        """The same on the public base URL: an address to copy, print or put in a QR code."""
        return self.base_url + self.path(name, **params)

    def join(self, join_code: str) -> str:
        """The address phones open (the QR code's)."""
        return self.absolute("vote", code=join_code)

    def screen(self, debate_id: str, screen_key: str | None = None) -> str:
        """The projector's page; with `screen_key`, the projector link that carries its key."""
        url = self.absolute("screen", debate_id=debate_id)
        return url if screen_key is None else f"{url}?{urlencode({'key': screen_key})}"

    def moderate(self, debate_id: str, key: str | None = None) -> str:
        """The moderator's page; with `key`, the sign-in link that carries it."""
        url = self.absolute("moderate", debate_id=debate_id)
        return url if key is None else f"{url}?{urlencode({'key': key})}"

    def report(self, debate_id: str) -> str:
        """The printable report."""
        return self.absolute("report", debate_id=debate_id)

    def export(self, debate_id: str, fmt: str) -> str:
        """The download of one export format (see poll.exports.FORMATS), as a path."""
        return self.path(f"export_{fmt.replace('-', '_')}", debate_id=debate_id)

    def socket(self, debate: Debate, audience: Audience) -> str:
        """The websocket path of one audience's page. Phones connect by join code, so nothing a
        phone sees names the debate's id."""
        if audience is Audience.PHONE:
            return self.path("phone_socket", code=debate.join_code)
        return self.path("socket", debate_id=debate.id, role=audience.value)

    def links(self, debate: Debate, key: str | None = None) -> DebateLinks:
        """The links of a debate people are given: the projector's with its key, the join and
        report links, and the moderator's only with its `key`."""
        links = DebateLinks(screen_url=self.screen(debate.id, debate.screen_key),
                            join_url=self.join(debate.join_code), report_url=self.report(debate.id))
        if key is not None:
            links["moderator_url"] = self.moderate(debate.id, key)
        return links
