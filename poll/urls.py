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

from .model import Audience


class DebateLinks(TypedDict, total=False):
    """The links `poll new` prints and the moderator page shows."""

    moderator_url: str  # carries the moderator key: only right after it was made
    screen_url: str
    join_url: str
    report_url: str


class Addresses:
    """Paths and absolute URLs for the routes of one app, on one public base URL."""

    def __init__(self, base_url: str, routes: Sequence[BaseRoute]) -> None:
        self.base_url = base_url.rstrip("/")
        self._router = Router(routes=list(routes))

    def path(self, name: str, **params: object) -> str:
        """The path of the route called `name` with these parameters (e.g. "/d/abc/moderate")."""
        return str(self._router.url_path_for(name, **params))

    def absolute(self, name: str, **params: object) -> str:
        """The same on the public base URL: an address to copy, print or put in a QR code."""
        return self.base_url + self.path(name, **params)

    def join(self, join_code: str) -> str:
        """The address phones open (the QR code's)."""
        return self.absolute("vote", code=join_code)

    def screen(self, debate_id: str) -> str:
        """The projector's page."""
        return self.absolute("screen", debate_id=debate_id)

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

    def socket(self, debate_id: str, audience: Audience) -> str:
        """The websocket path of one audience's page."""
        return self.path("socket", debate_id=debate_id, role=audience.value)

    def links(self, debate_id: str, join_code: str, key: str | None = None) -> DebateLinks:
        """The links of a debate people are given; the moderator's only with its `key`."""
        links = DebateLinks(screen_url=self.screen(debate_id), join_url=self.join(join_code),
                            report_url=self.report(debate_id))
        if key is not None:
            links["moderator_url"] = self.moderate(debate_id, key)
        return links
