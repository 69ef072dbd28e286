"""What every view needs: the application state, the debate a URL names, form fields checked
for size, and the error page a refusal becomes."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from ...i18n import N_
from ...limits import client_address
from ...live import Refusal, Room
from ...state import AppState, app_state
from ...text import clean, statement_problem
from ..sessions import is_moderator
from ..statuses import status_of

# Pages and files only the moderator may see: no browser or proxy keeps a copy (a shared laptop's
# cache, a history of the back button).
NO_STORE = {"Cache-Control": "no-store"}


class PageError(Exception):
    """Ends a request with a readable error page (or JSON); see poll.app's handler."""

    def __init__(self, status: int, title: str, message: str, *, lang: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.lang, self.code = (
            status, title, message, lang, code)

    @classmethod
    def refused(cls, refusal: Refusal, lang: str, title: str = N_("Not possible")) -> PageError:
        """The page for a request the debate's rules refused (poll.live.Refusal)."""
        return cls(status_of(refusal.why), title, refusal.message, lang=lang,
                   code=refusal.why.value)


def state(request: Request) -> AppState:
    """The application's state: settings, store, hub, limits, addresses."""
    return app_state(request.scope)


async def debate_from_path(request: Request) -> Room:
    """The room of the debate named by `{debate_id}` in the URL, or a 404 page."""
    room = await state(request).hub.get(request.path_params["debate_id"])
    if room is None:
        raise PageError(404, N_("Debate not found"),
                        N_("There is no debate at this address. Check the link."), code="not_found")
    return room


async def moderated(request: Request) -> Room:
    """The room of the debate in the URL, when this browser is its moderator; else a 401."""
    room = await debate_from_path(request)
    if not is_moderator(request, room.debate):
        raise PageError(401, N_("Moderator key needed"),
                        N_("Open the moderator link, or type the moderator key."),
                        lang=room.debate.lang, code="unauthorised")
    return room


async def form(request: Request) -> FormData:
    """The posted form; a malformed or oversized body is a 400, not a 500; too many posts from
    one address in a short time is a 429."""
    if not state(request).limits.post(client_address(request)):
        raise PageError(429, N_("Too many requests"),
                        N_("Too many requests from this network. Wait a moment and try again."))
    try:
        return await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
    except Exception as exc:  # python-multipart and starlette raise several kinds
        raise PageError(400, N_("Bad request"), N_("The form could not be read.")) from exc


def field(data: FormData, name: str) -> str:
    """A text field of the form ("" when missing or a file)."""
    value: Any = data.get(name, "")
    return value if isinstance(value, str) else ""


def flag_field(data: FormData, name: str) -> bool:
    """A checkbox or 1/0 field: true for "1", "on" (a ticked box) or "true"."""
    return field(data, name) in ("1", "on", "true")


def statement_text(data: FormData, name: str = "text") -> str:
    """A statement from a form, or a 400 saying what is wrong with it."""
    text = clean(field(data, name))
    problem = statement_problem(text)
    if problem:
        raise PageError(400, N_("Bad request"), problem)
    return text


def int_field(data: FormData, name: str,
              problem: str = N_("A statement id must be a number.")) -> int:
    """A whole-number field (an id), or a 400 that says `problem`."""
    try:
        return int(field(data, name))
    except ValueError as exc:
        raise PageError(400, N_("Bad request"), problem) from exc
