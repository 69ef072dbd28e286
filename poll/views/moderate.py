"""The moderator's side: creating a debate, signing in with the key, running it, exporting it.

Every control is a plain form POST (303 back to the page); a script sending
`Accept: application/json` gets the new state as JSON instead.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from .. import analysis, export
from ..hub import LiveDebate, Refusal
from ..i18n import N_
from ..model import LANGUAGES, Action, DebateSettings, Scale, Visibility
from ..pages import page_language, render, wants_json
from ..security import grant_moderator, is_moderator
from ..text import (
    clean,
    clean_notes,
    groups_problem,
    notes_problem,
    parse_groups,
    parse_statements,
    statements_problem,
    title_problem,
)
from ._common import (
    PageError,
    debate_from_path,
    field,
    flag_field,
    form,
    hub,
    int_field,
    statement_text,
)
from .admin import admin_gate
from .screen import join_url

E = TypeVar("E", bound=StrEnum)
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
        "export_xlsx": f"/d/{debate_id}/export.xlsx",
        "export_polis": f"/d/{debate_id}/polis.zip",
        "report_url": f"/d/{debate_id}/report",
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
    the_hub = hub(request)
    widest = analysis.widest_gap(debate, live.tallies, live.members)
    return render(request, "moderate.html", {
        "debate": debate,
        "count": len(debate.statements),
        "live": debate.live,
        # each statement with its latest round's result and, after a second round, the swing
        "rows": [(s, live.tally(s.id).as_dict(), analysis.swing_of(live.tallies, s))
                 for s in debate.statements],
        "tally": the_hub.tally(live, "moderator"),
        "state": the_hub.state(live, "moderator"),
        "settings": debate.settings,
        "scales": list(Scale),
        "visibilities": list(Visibility),
        "groups_text": "\n".join(g.name for g in debate.groups),
        "pending": the_hub.proposals_frame(live)["pending"],
        "groups_differ": widest,
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
    seconds = None
    if action is Action.TIMER:
        raw = field(data, "seconds")
        if not raw.isdigit():
            raise PageError(400, N_("Bad request"),
                            N_("Choose a countdown between 5 seconds and an hour."),
                            lang=live.debate.lang)
        seconds = int(raw[:6])
    try:
        await hub(request).control(live, action, statement_id, seconds=seconds,
                                   reveal=flag_field(data, "reveal"))
    except Refusal as refusal:
        raise PageError.refused(refusal, live.debate.lang) from None
    return _done(request, live)


async def add_statement(request: Request) -> Response:
    live = await _moderated(request)
    text = statement_text(await form(request))
    await hub(request).add_statement(live, text)
    return _done(request, live)


async def edit_statement(request: Request) -> Response:
    """Replace a statement's `text`, and its `notes` when the form has that field."""
    live = await _moderated(request)
    data = await form(request)
    text = statement_text(data)
    notes = None
    if "notes" in data:
        notes = clean_notes(field(data, "notes"))
        if (problem := notes_problem(notes)) is not None:
            raise PageError(400, N_("Bad request"), problem, lang=live.debate.lang)
    statement_id = request.path_params["statement_id"]
    try:
        await hub(request).edit_statement(live, statement_id, text, notes)
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


def _choice(data: FormData, name: str, enum: type[E], default: E, lang: str) -> E:
    raw = field(data, name)
    if not raw:
        return default
    try:
        return enum(raw)
    except ValueError:
        raise PageError(400, N_("Bad request"), N_("Unknown setting."), lang=lang) from None


def _debate_settings(data: FormData, lang: str,
                     current: DebateSettings | None = None) -> DebateSettings:
    """Scale, visibility and proposals from a form (fields left out keep `current`)."""
    current = current or DebateSettings()
    proposals = current.proposals
    if "proposals" in data:
        proposals = flag_field(data, "proposals")
    return DebateSettings(_choice(data, "scale", Scale, current.scale, lang),
                          _choice(data, "visibility", Visibility, current.visibility, lang),
                          proposals)


def _groups(data: FormData, lang: str) -> list[str]:
    names = parse_groups(field(data, "groups"))
    if (problem := groups_problem(names)) is not None:
        raise PageError(400, N_("Bad request"), problem, lang=lang)
    return names


async def settings(request: Request) -> Response:
    """Change the scale, visibility, proposals (`proposals` 1/0) and the audience `groups` (one
    per line); fields left out stay as they are."""
    live = await _moderated(request)
    data = await form(request)
    lang = live.debate.lang
    new = _debate_settings(data, lang, live.debate.settings)
    try:
        if new != live.debate.settings:
            await hub(request).configure(live, new)
        if "groups" in data:
            names = _groups(data, lang)
            if names != [g.name for g in live.debate.groups]:
                await hub(request).set_groups(live, names)
    except Refusal as refusal:
        raise PageError.refused(refusal, lang) from None
    return _done(request, live)


async def decide_proposal(request: Request) -> Response:
    """`decision` approve (with optional edited `text`) or reject a statement from the audience."""
    live = await _moderated(request)
    data = await form(request)
    decision = field(data, "decision")
    if decision not in ("approve", "reject"):
        raise PageError(400, N_("Bad request"), N_("Approve or reject the proposal."),
                        lang=live.debate.lang)
    text = statement_text(data) if decision == "approve" and clean(field(data, "text")) else None
    try:
        await hub(request).decide(live, request.path_params["proposal_id"],
                                  decision == "approve", text)
    except Refusal as refusal:
        raise PageError.refused(refusal, live.debate.lang) from None
    return _done(request, live)


async def duplicate(request: Request) -> Response:
    """A copy of this debate (statements, notes, groups, settings; no votes) to run again; its
    moderator is this browser."""
    live = await _moderated(request)
    await form(request)  # the CSRF check reads the form; nothing else is needed
    copy, key = await hub(request).store.duplicate_debate(live.debate.id)
    grant_moderator(request, copy.id)
    request.session[_NEW_KEY] = key
    if wants_json(request):
        return JSONResponse({"id": copy.id, "join_code": copy.join_code,
                             "moderate_url": f"/d/{copy.id}/moderate"}, status_code=201)
    return RedirectResponse(f"/d/{copy.id}/moderate", status_code=303)


def _exporter(fmt: str):
    async def download(request: Request) -> Response:
        live = await _moderated(request)
        body = await export.export(hub(request).store, live.debate, fmt,
                                   base_url=request.state.base_url)
        media_type, _ = export.FORMATS[fmt]
        return Response(body, media_type=media_type, headers={
            "Content-Disposition":
                f'attachment; filename="{export.filename(live.debate, fmt)}"'})

    download.__name__ = f"export_{fmt.replace('-', '_')}"
    return download


export_csv = _exporter("csv")
export_votes_csv = _exporter("votes-csv")
export_json = _exporter("json")
export_xlsx = _exporter("xlsx")
export_polis = _exporter("polis")


async def new_form(request: Request) -> Response:
    if (gate := admin_gate(request)) is not None:
        return gate
    lang = request.query_params.get("lang")
    return render(request, "new.html", {
        "values": {"title": "", "lang": lang if lang in LANGUAGES else page_language(request),
                   "statements": "", "groups": "", "scale": Scale.THREE.value,
                   "visibility": Visibility.REVEAL.value, "proposals": False},
        "errors": [], **_setting_choices()})


def _setting_choices() -> dict[str, object]:
    return {"scales": list(Scale), "visibilities": list(Visibility)}


async def new_submit(request: Request) -> Response:
    """Create a debate from a title and pasted statements; the creator becomes its moderator."""
    if (gate := admin_gate(request)) is not None:
        return gate
    data = await form(request)
    values = {"title": clean(field(data, "title")), "lang": field(data, "lang"),
              "statements": field(data, "statements"), "groups": field(data, "groups"),
              "scale": field(data, "scale") or Scale.THREE.value,
              "visibility": field(data, "visibility") or Visibility.REVEAL.value,
              "proposals": flag_field(data, "proposals")}
    statements = parse_statements(values["statements"])
    groups = parse_groups(values["groups"])
    errors = [e for e in (title_problem(values["title"]), statements_problem(statements),
                          groups_problem(groups)) if e]
    if values["lang"] not in LANGUAGES:
        errors.append(N_("Choose Dutch or English."))
    if values["scale"] not in list(Scale) or values["visibility"] not in list(Visibility):
        errors.append(N_("Unknown setting."))
    if errors:
        return render(request, "new.html", {"values": values, "errors": errors,
                                            **_setting_choices()}, status=400)
    debate, key = await hub(request).store.create_debate(
        values["title"], values["lang"], statements, groups=groups,
        settings=DebateSettings(Scale(values["scale"]), Visibility(values["visibility"]),
                                bool(values["proposals"])))
    grant_moderator(request, debate.id)
    request.session[_NEW_KEY] = key
    return RedirectResponse(f"/d/{debate.id}/moderate", status_code=303)
