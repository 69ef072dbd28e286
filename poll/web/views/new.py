"""Making debates: the `/new` form, and a copy of an existing debate to run again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ...i18n import N_
from ...model import LANGUAGES, DebateSettings, Scale, Visibility
from ...text import clean, debate_problems, parse_groups, parse_statement_pairs
from ..pages import page_language, render, wants_json
from ..sessions import grant_moderator, keep_new_key
from ._common import NO_STORE, field, flag_field, form, moderated, state
from .admin import admin_gate


def _setting_choices() -> dict[str, object]:
    return {"scales": list(Scale), "visibilities": list(Visibility)}


async def new_form(request: Request) -> Response:
    """The form for a new debate (in `?lang=` or the visitor's language)."""
    if (gate := admin_gate(request)) is not None:
        return gate
    lang = request.query_params.get("lang")
    return render(request, "new.html", {
        "values": {"title": "", "lang": lang if lang in LANGUAGES else page_language(request),
                   "statements": "", "groups": "", "scale": Scale.THREE.value,
                   "visibility": Visibility.REVEAL.value, "proposals": False},
        "errors": [], **_setting_choices()})


async def new_submit(request: Request) -> Response:
    """Create a debate from a title and pasted statements; the creator becomes its moderator."""
    if (gate := admin_gate(request)) is not None:
        return gate
    data = await form(request)
    title = clean(field(data, "title"))
    lang = field(data, "lang")
    scale = field(data, "scale") or Scale.THREE.value
    visibility = field(data, "visibility") or Visibility.REVEAL.value
    proposals = flag_field(data, "proposals")
    values = {"title": title, "lang": lang, "statements": field(data, "statements"),
              "groups": field(data, "groups"), "scale": scale, "visibility": visibility,
              "proposals": proposals}
    pairs = parse_statement_pairs(field(data, "statements"))
    statements = [text for text, _ in pairs]
    groups = parse_groups(field(data, "groups"))
    errors = debate_problems(title, statements, groups)
    if lang not in LANGUAGES:
        errors.append(N_("Choose Dutch or English."))
    if scale not in list(Scale) or visibility not in list(Visibility):
        errors.append(N_("Unknown setting."))
    if errors:
        return render(request, "new.html", {"values": values, "errors": errors,
                                            **_setting_choices()}, status=400)
    app = state(request)
    debate, key = await app.store.create_debate(
        title, lang, statements, groups=groups, translations=[t for _, t in pairs],
        settings=DebateSettings(Scale(scale), Visibility(visibility), proposals))
    grant_moderator(request, debate)
    keep_new_key(request, key)
    return RedirectResponse(app.urls.path("moderate", debate_id=debate.id), status_code=303)


async def duplicate(request: Request) -> Response:
    """A copy of this debate (statements, notes, groups, settings; no votes) to run again; its
    moderator is this browser."""
    room = await moderated(request)
    await form(request)  # the CSRF check reads the form; nothing else is needed
    app = state(request)
    copy, key = await app.store.duplicate_debate(room.id)
    grant_moderator(request, copy)
    keep_new_key(request, key)
    page = app.urls.path("moderate", debate_id=copy.id)
    if wants_json(request):
        return JSONResponse({"id": copy.id, "join_code": copy.join_code, "moderate_url": page},
                            status_code=201, headers=NO_STORE)
    return RedirectResponse(page, status_code=303)
