"""The moderator's side: signing in with the key, and running the debate (actions, statements,
settings, the room code, proposals).

Every control is a plain form POST (303 back to the page); a script sending
`Accept: application/json` gets the moderator's `state` frame as JSON instead.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ... import analysis, map_chart
from ...i18n import N_
from ...live import Refusal, Room, frames
from ...model import (
    Action,
    Audience,
    DebateSettings,
    ReasonsShown,
    Scale,
    ScreenLanguages,
    Visibility,
)
from ...moved import moves_of
from ...text import (
    clean,
    clean_notes,
    groups_problem,
    held_words_problem,
    notes_problem,
    parse_groups,
    parse_held_words,
    statement_problem,
)
from ..pages import render, wants_json
from ..sessions import grant_moderator, is_moderator, keep_new_key, take_new_key
from ..sessions import sign_out as end_session
from ._common import (
    NO_STORE,
    PageError,
    debate_from_path,
    field,
    flag_field,
    form,
    int_field,
    moderated,
    state,
    statement_text,
)

E = TypeVar("E", bound=StrEnum)


def _links(request: Request, room: Room) -> dict[str, str]:
    """The addresses the moderator page shows and links to."""
    urls = state(request).urls
    debate_id = room.id
    return {
        "join_url": urls.join(room.debate.join_code),
        "screen_url": urls.screen(debate_id, room.debate.screen_key),
        "results_url": urls.report(debate_id),  # to copy and share
        "report_url": urls.path("report", debate_id=debate_id),
        "export_csv": urls.export(debate_id, "csv"),
        "votes_csv": urls.export(debate_id, "votes-csv"),
        "export_json": urls.export(debate_id, "json"),
        "export_xlsx": urls.export(debate_id, "xlsx"),
        "export_polis": urls.export(debate_id, "polis"),
    }


async def moderate(request: Request) -> Response:
    """The moderator page; `?key=` signs in and redirects to the same page without the key."""
    room = await debate_from_path(request)
    debate = room.debate
    app = state(request)
    key = request.query_params.get("key")
    if key is not None:
        if await app.store.check_key(debate.id, key[:200]):
            grant_moderator(request, debate)
            return RedirectResponse(app.urls.path("moderate", debate_id=debate.id),
                                    status_code=303)
        return render(request, "login.html", {
            "debate": debate, "error": N_("This moderator key is not right.")},
            lang=debate.lang, status=401, headers=NO_STORE)
    if not is_moderator(request, debate):
        return render(request, "login.html", {"debate": debate, "error": None},
                      lang=debate.lang, status=401, headers=NO_STORE)
    new_key = take_new_key(request)
    return render(request, "moderate.html", {
        "debate": debate,
        "count": len(debate.statements),
        "stage": debate.stage,
        # each statement with its latest round's result and, after a second round, the swing
        "rows": [(s, room.tally(s.id).numbers(), analysis.swing_of(room.tallies, s))
                 for s in debate.statements],
        "tally": frames.tally(room, Audience.MODERATOR),
        "state": frames.state(room, Audience.MODERATOR),
        "reasons": frames.reasons(room, Audience.MODERATOR),
        "floor": frames.floor(room, Audience.MODERATOR),
        # who thinks alike (as last computed), and how minds moved on statements voted twice
        "opinion": frames.opinion(debate, room.opinion),
        "map_chart": map_chart.map_chart,
        "swatch": map_chart.swatch,
        "group_colours": map_chart.GROUP_COLOURS | {"": map_chart.NO_GROUP},
        "moves": {s.id: moves_of(room.tallies, s) for s in debate.statements},
        "settings": debate.settings,
        "scales": list(Scale),
        "visibilities": list(Visibility),
        "reasons_shown": list(ReasonsShown),
        "screen_languages": list(ScreenLanguages),
        "groups_text": "\n".join(g.name for g in debate.groups),
        "pending": frames.proposals(room)["pending"],
        "groups_differ": analysis.widest_gap(debate, room.tallies, room.members),
        "links": _links(request, room),
        "new_key_url": None if new_key is None else app.urls.moderate(debate.id, new_key),
        "ws_path": app.urls.socket(debate, Audience.MODERATOR),
        "room_code": debate.room_code,
        "message": None,
    }, lang=debate.lang, headers=NO_STORE)


def done(request: Request, room: Room) -> Response:
    """Back to the moderator page, or the new state as JSON for a script."""
    if wants_json(request):
        return JSONResponse(frames.state(room, Audience.MODERATOR), headers=NO_STORE)
    return RedirectResponse(state(request).urls.path("moderate", debate_id=room.id),
                            status_code=303)


async def control(request: Request) -> Response:
    """next / prev / goto / open / close / toggle / reveal / hide / round2 / show_groups /
    hide_groups / timer / timer_stop."""
    room = await moderated(request)
    data = await form(request)
    try:
        action = Action(field(data, "action"))
    except ValueError:
        raise PageError(400, N_("Bad request"), N_("Unknown action."),
                        lang=room.debate.lang) from None
    statement_id = int_field(data, "statement") if action is Action.GOTO else None
    seconds = None
    if action is Action.TIMER:
        raw = field(data, "seconds")
        if not raw.isdigit():
            raise PageError(400, N_("Bad request"),
                            N_("Choose a countdown between 5 seconds and an hour."),
                            lang=room.debate.lang)
        seconds = int(raw[:6])
    try:
        await state(request).hub.control(room, action, statement_id, seconds=seconds,
                                         reveal=flag_field(data, "reveal"))
    except Refusal as refusal:
        raise PageError.refused(refusal, room.debate.lang) from None
    return done(request, room)


async def add_statement(request: Request) -> Response:
    """Append a statement (field `text`, and `translation` in the debate's other language)."""
    room = await moderated(request)
    data = await form(request)
    text = statement_text(data)
    await state(request).hub.add_statement(room, text, _translation(data, room) or "")
    return done(request, room)


def _translation(data: FormData, room: Room) -> str | None:
    """The form's `translation` (cleaned; "" removes it), or None when the form has none."""
    if "translation" not in data:
        return None
    translation = clean(field(data, "translation"))
    if translation and (problem := statement_problem(translation)) is not None:
        raise PageError(400, N_("Bad request"), problem, lang=room.debate.lang)
    return translation


async def edit_statement(request: Request) -> Response:
    """Replace a statement's `text`, and its `notes` and `translation` when the form has those
    fields."""
    room = await moderated(request)
    data = await form(request)
    text = statement_text(data)
    notes = None
    if "notes" in data:
        notes = clean_notes(field(data, "notes"))
        if (problem := notes_problem(notes)) is not None:
            raise PageError(400, N_("Bad request"), problem, lang=room.debate.lang)
    statement_id = request.path_params["statement_id"]
    try:
        await state(request).hub.edit_statement(room, statement_id, text, notes,
                                                _translation(data, room))
    except Refusal as refusal:
        raise PageError.refused(refusal, room.debate.lang) from None
    return done(request, room)


async def room_code(request: Request) -> Response:
    """Require the room code from phones (`required=1`, with a fresh code) or stop (`0`)."""
    room = await moderated(request)
    required = field(await form(request), "required")
    if required not in ("0", "1"):
        raise PageError(400, N_("Bad request"), N_("Say whether the room code is required."),
                        lang=room.debate.lang)
    await state(request).hub.require_room_code(room, required == "1")
    return done(request, room)


def _choice(data: FormData, name: str, enum: type[E], default: E, lang: str) -> E:
    raw = field(data, name)
    if not raw:
        return default
    try:
        return enum(raw)
    except ValueError:
        raise PageError(400, N_("Bad request"), N_("Unknown setting."), lang=lang) from None


def debate_settings(data: FormData, lang: str,
                    current: DebateSettings | None = None) -> DebateSettings:
    """A debate's settings from a form (fields left out keep `current`): scale, visibility,
    proposals, when reasons are shown, proposals shown to phones, the projector's languages and
    the held words."""
    current = current or DebateSettings()

    def flag(name: str, now: bool) -> bool:
        return flag_field(data, name) if name in data else now

    held = current.held_words
    if "held_words" in data:
        held = parse_held_words(field(data, "held_words"))
        if (problem := held_words_problem(held)) is not None:
            raise PageError(400, N_("Bad request"), problem, lang=lang)
    return DebateSettings(
        _choice(data, "scale", Scale, current.scale, lang),
        _choice(data, "visibility", Visibility, current.visibility, lang),
        flag("proposals", current.proposals),
        _choice(data, "reasons", ReasonsShown, current.reasons, lang),
        flag("proposals_public", current.proposals_public),
        _choice(data, "screen_languages", ScreenLanguages, current.screen_languages, lang),
        held)


async def settings(request: Request) -> Response:
    """Change the scale, visibility, proposals (`proposals` 1/0) and the audience `groups` (one
    per line); fields left out stay as they are."""
    room = await moderated(request)
    data = await form(request)
    lang = room.debate.lang
    new = debate_settings(data, lang, room.debate.settings)
    hub = state(request).hub
    try:
        if new != room.debate.settings:
            await hub.configure(room, new)
        if "groups" in data:
            names = parse_groups(field(data, "groups"))
            if (problem := groups_problem(names)) is not None:
                raise PageError(400, N_("Bad request"), problem, lang=lang)
            if names != [g.name for g in room.debate.groups]:
                await hub.set_groups(room, names)
    except Refusal as refusal:
        raise PageError.refused(refusal, lang) from None
    return done(request, room)


async def decide_proposal(request: Request) -> Response:
    """`decision` approve (with optional edited `text`) or reject a statement from the audience."""
    room = await moderated(request)
    data = await form(request)
    decision = field(data, "decision")
    if decision not in ("approve", "reject"):
        raise PageError(400, N_("Bad request"), N_("Approve or reject the proposal."),
                        lang=room.debate.lang)
    text = statement_text(data) if decision == "approve" and clean(field(data, "text")) else None
    try:
        await state(request).hub.proposals.decide(room, request.path_params["proposal_id"],
                                        decision == "approve", text)
    except Refusal as refusal:
        raise PageError.refused(refusal, room.debate.lang) from None
    return done(request, room)


async def keys(request: Request) -> Response:
    """Replace a key (`which`: `moderator` or `projector`): the old link stops working, and pages
    open with it are disconnected. A new moderator key is shown once on the moderator page;
    this browser stays signed in."""
    room = await moderated(request)
    which = field(await form(request), "which")
    hub = state(request).hub
    if which == "moderator":
        key = await hub.access.replace_key(room)
        grant_moderator(request, room.debate)  # the new tag: this browser stays the moderator
        keep_new_key(request, key)
    elif which == "projector":
        await hub.access.replace_screen_key(room)
    else:
        raise PageError(400, N_("Bad request"), N_("Say which key to replace."),
                        lang=room.debate.lang)
    return done(request, room)


async def publish(request: Request) -> Response:
    """`published` 1: everyone who may open the report sees every result; 0: only what the room
    has been shown (until the moderator publishes it)."""
    room = await moderated(request)
    published = field(await form(request), "published")
    if published not in ("0", "1"):
        raise PageError(400, N_("Bad request"), N_("Say whether the report is published."),
                        lang=room.debate.lang)
    await state(request).hub.access.publish_report(room, published == "1")
    return done(request, room)


async def sign_out(request: Request) -> Response:
    """This browser stops being the debate's moderator (and its projector)."""
    room = await moderated(request)
    await form(request)  # the CSRF check reads the form
    end_session(request, room.debate)
    return RedirectResponse(state(request).urls.path("moderate", debate_id=room.id),
                            status_code=303)
