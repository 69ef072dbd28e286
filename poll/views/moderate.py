"""The moderator's side: creating a debate, signing in with the key, running it, exporting it.

Every control is a plain form POST (303 back to the page); a script sending
`Accept: application/json` gets the new state as JSON instead.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from .. import export
from ..hub import LiveDebate, Refusal
from ..i18n import N_
from ..model import LANGUAGES, Action
from ..pages import page_language, render, wants_json
from ..security import grant_moderator, is_moderator
from ..text import clean, parse_statements, statements_problem, title_problem
from ._common import PageError, debate_from_path, field, form, hub, int_field, statement_text
from .admin import admin_gate
from .screen import join_url

_NEW_KEY = "new_key"  # session slot: the moderator link shown once after creating a debate


async def _moderated(request: Request) -> LiveDebate:
    """The debate in the URL, when this browser is its moderator; else a 401."""
    live = await debate_from_path(request)
    if not is_moderator(request, live.debate.id):
        raise PageError(401, N_("Moderator key needed"),
                        N_("Open the moderator link, or type the moderator key."),
                        lang=live.debate.lang, code="unauthorised")
    return live


def _links(request: Request, live: LiveDebate) -> dict[str, str]:
    base = request.state.base_url
    debate_id = live.debate.id
    return {
        "join_url": join_url(request, live.debate.join_code),
        "screen_url": f"{base}/d/{debate_id}/screen",
        "results_url": f"{base}/d/{debate_id}/results",
        "export_csv": f"/d/{debate_id}/export.csv",
        "votes_csv": f"/d/{debate_id}/votes.csv",
        "export_json": f"/d/{debate_id}/export.json",
    }


async def moderate(request: Request) -> Response:
    """The moderator page; `?key=` signs in and redirects to the same page without the key."""
    live = await debate_from_path(request)
    debate = live.debate
    key = request.query_params.get("key")
    if key is not None:
        if await hub(request).store.check_key(debate.id, key[:200]):
            grant_moderator(request, debate.id)
            return RedirectResponse(f"/d/{debate.id}/moderate", status_code=303)
        return render(request, "login.html", {
            "debate": debate, "error": N_("This moderator key is not right.")},
            lang=debate.lang, status=401)
    if not is_moderator(request, debate.id):
        return render(request, "login.html", {"debate": debate, "error": None},
                      lang=debate.lang, status=401)
    new_key = request.session.pop(_NEW_KEY, None)
    return render(request, "moderate.html", {
        "debate": debate,
        "count": len(debate.statements),
        "live": debate.live,
        "rows": [(s, live.tally(s.id).as_dict()) for s in debate.statements],
        "tally": hub(request).tally(live, "moderator"),
        "links": _links(request, live),
        "new_key_url": f"{request.state.base_url}/d/{debate.id}/moderate?key={new_key}"
        if new_key and isinstance(new_key, str) else None,
        "ws_path": f"/ws/{debate.id}/moderator",
        "room_code": debate.room_code,
        "message": None,
    }, lang=debate.lang)


def _done(request: Request, live: LiveDebate) -> Response:
    if wants_json(request):
        return JSONResponse(hub(request).state(live, "moderator"))
    return RedirectResponse(f"/d/{live.debate.id}/moderate", status_code=303)


async def control(request: Request) -> Response:
    """next / prev / goto / open / close / toggle / reveal / hide."""
    live = await _moderated(request)
    data = await form(request)
    try:
        action = Action(field(data, "action"))
    except ValueError:
        raise PageError(400, N_("Bad request"), N_("Unknown action."),
                        lang=live.debate.lang) from None
    statement_id = int_field(data, "statement") if action is Action.GOTO else None
    try:
        await hub(request).control(live, action, statement_id)
    except Refusal as refusal:
        raise PageError.refused(refusal, live.debate.lang) from None
    return _done(request, live)


async def add_statement(request: Request) -> Response:
    live = await _moderated(request)
    text = statement_text(await form(request))
    await hub(request).add_statement(live, text)
    return _done(request, live)


async def edit_statement(request: Request) -> Response:
    live = await _moderated(request)
    text = statement_text(await form(request))
    statement_id = request.path_params["statement_id"]
    try:
        await hub(request).edit_statement(live, statement_id, text)
    except Refusal as refusal:
        raise PageError.refused(refusal, live.debate.lang) from None
    return _done(request, live)


async def room_code(request: Request) -> Response:
    """Require the room code from phones (`required=1`, with a fresh code) or stop (`0`)."""
    live = await _moderated(request)
    required = field(await form(request), "required")
    if required not in ("0", "1"):
        raise PageError(400, N_("Bad request"), N_("Say whether the room code is required."),
                        lang=live.debate.lang)
    await hub(request).require_room_code(live, required == "1")
    return _done(request, live)


def _exporter(fmt: str):
    async def download(request: Request) -> Response:
        live = await _moderated(request)
        body = await export.export(hub(request).store, live.debate, fmt)
        media_type, _ = export.FORMATS[fmt]
        return Response(body, media_type=media_type, headers={
            "Content-Disposition":
                f'attachment; filename="{export.filename(live.debate, fmt)}"'})

    download.__name__ = f"export_{fmt.replace('-', '_')}"
    return download


export_csv = _exporter("csv")
export_votes_csv = _exporter("votes-csv")
export_json = _exporter("json")


async def new_form(request: Request) -> Response:
    if (gate := admin_gate(request)) is not None:
        return gate
    lang = request.query_params.get("lang")
    return render(request, "new.html", {
        "values": {"title": "", "lang": lang if lang in LANGUAGES else page_language(request),
                   "statements": ""},
        "errors": []})


async def new_submit(request: Request) -> Response:
    """Create a debate from a title and pasted statements; the creator becomes its moderator."""
    if (gate := admin_gate(request)) is not None:
        return gate
    data = await form(request)
    values = {"title": clean(field(data, "title")), "lang": field(data, "lang"),
              "statements": field(data, "statements")}
    statements = parse_statements(values["statements"])
    errors = [e for e in (title_problem(values["title"]), statements_problem(statements)) if e]
    if values["lang"] not in LANGUAGES:
        errors.append(N_("Choose Dutch or English."))
    if errors:
        return render(request, "new.html", {"values": values, "errors": errors}, status=400)
    debate, key = await hub(request).store.create_debate(
        values["title"], values["lang"], statements)
    grant_moderator(request, debate.id)
    request.session[_NEW_KEY] = key
    return RedirectResponse(f"/d/{debate.id}/moderate", status_code=303)
