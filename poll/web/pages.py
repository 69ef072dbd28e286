"""Rendering pages: one Jinja2 environment per language, autoescaping on, gettext installed.

A per-language environment (rather than swapping translations per request) keeps rendering free of
shared mutable state while many requests are in flight.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache, partial
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..i18n import gettext_for, preferred_language, translations
from ..model import LANGUAGES
from ..paths import TEMPLATES
from ..state import app_state
from .assets import static_assets
from .translated import TranslatedEnvironment


def static_url(path: str) -> str:
    """The URL of a file under static/: its content-hashed name (poll/web/assets.py), which
    browsers keep for a year, since a changed file gets a new one."""
    return static_assets().url(path)


def static_data_url(path: str) -> str:
    """A small file under static/ as a data: URL, to write into the page itself."""
    return static_assets().data_url(path)


def script_url(path: str) -> str:
    """The URL a page loads the module static/`path` from: one file that holds it and every
    module it imports (poll/web/bundles.py), content-hashed as the others."""
    return static_assets().script(path)


@cache
def environment(lang: str) -> Environment:
    """The templates in `lang`: literal `_()` strings translated once, when a template is
    compiled (poll.web.translated), the rest through gettext at render."""
    env = TranslatedEnvironment(
        translations(lang),
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "svg", "xml")),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(static_url=static_url, static_data_url=static_data_url,
                       script_url=script_url, lang=lang, languages=LANGUAGES)
    env.filters.update(datetime=partial(local_datetime, lang=lang),
                       number=partial(number, lang=lang))
    return env


def local_datetime(value: str, lang: str) -> str:
    """An ISO 8601 time (as stored, UTC) in this machine's time zone, written the way `lang`
    writes dates: "18 jan 2023, 14:05:09" in Dutch, "Jan 18, 2023, 2:05:09 PM" in English."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return format_datetime(moment.astimezone(), "medium", locale=lang)


def number(value: int, lang: str) -> str:
    """A count with the locale's grouping: 1.234 in Dutch, 1,234 in English."""
    return format_decimal(value, locale=lang)


def page_language(request: Request) -> str:
    """The visitor's language for pages that belong to no debate."""
    return preferred_language(request.headers.get("accept-language"))


def render(
    request: Request, template: str, context: dict[str, Any], *, lang: str | None = None,
    status: int = 200, headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a template in `lang` (default: the visitor's language). Templates build links
    with `path(route_name, **params)` (poll.urls)."""
    lang = lang or page_language(request)
    html = environment(lang).get_template(template).render(
        request=request, lang=lang, csrf_token=csrf_token(request),
        path=app_state(request.scope).urls.path, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


def render_first_visit(request: Request, template: str, debate_id: str,
                       context: dict[str, Any], own: dict[str, str], *, lang: str,
                       headers: dict[str, str] | None = None) -> HTMLResponse:
    """`render` for a page that every new visitor of a debate gets alike but for `own`, its
    own tokens (the phone's first visit, the page of a joining storm): the text comes from the
    app's FirstVisits (poll.web.first_visit), rendered again only when it would differ.
    Such a template gets no `request`: nothing in it may depend on more than `context`."""
    page = environment(lang).get_template(template)
    app = app_state(request.scope)
    html = app.first_visits.page(
        (debate_id, lang), page, context, {"csrf_token": csrf_token(request), **own},
        lambda values: page.render(lang=lang, path=app.urls.path, **values))
    return HTMLResponse(html, headers=headers)


def csrf_token(request: Request) -> str:
    """The CSRF token this request's forms carry ("" outside the CSRF layer); asking for it is
    what makes asgi-csrf (poll.web.csrf) give a new visitor its cookie."""
    token = request.scope.get("csrftoken")
    return str(token()) if token else ""


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error(
    request: Request, status: int, title: str, message: str, *, lang: str | None = None,
    code: str | None = None,
) -> Response:
    """A readable error: a page for browsers, JSON for scripts. Title and message are translated."""
    lang = lang or page_language(request)
    _ = gettext_for(lang)
    if wants_json(request):
        return JSONResponse(
            {"error": code or title.lower().replace(" ", "_"), "message": _(message)},
            status_code=status,
        )
    return render(
        request, "error.html", {"status": status, "title": _(title), "message": _(message)},
        lang=lang, status=status,
    )
