"""The attendees' side: the front page with the join code, the vote page, and the plain-form
versions of what the page's script does over its socket (vote, room code, group, proposal)."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ...i18n import N_, preferred_language
from ...limits import client_address
from ...live import Refusal, Room, Why, frames, rules
from ...model import MAX_CLIENT_ID, Audience, Choice, Phase, Visibility
from ...store import StoreError
from ...text import clean, normalise_code, proposal_problem
from ..pages import render, render_first_visit, wants_json
from ..participants import new_participant
from ..statuses import status_of
from ._common import PageError, field, form, int_field, state


async def index(request: Request) -> Response:
    """Front page: type the join code shown on the projector."""
    return render(request, "index.html", {"code": "", "error": None})


async def join(request: Request) -> Response:
    """The front page's form: a known code leads to the same page as the QR code."""
    code = normalise_code(request.query_params.get("code", ""))[:32]
    app = state(request)
    room = await app.hub.by_code(code) if code.isalnum() else None
    if room is None:
        return render(request, "index.html", {
            "code": code,
            "error": N_("No debate has this code. Check the code on the screen.") if code
            else N_("Type the code shown on the screen."),
        }, status=404 if code else 400)
    return RedirectResponse(app.urls.path("vote", code=room.debate.join_code), status_code=303)


async def room_from_code(request: Request) -> Room:
    """The room of the join code in the URL, or a 404 page."""
    room = await state(request).hub.by_code(request.path_params["code"][:32])
    if room is None:
        raise PageError(404, N_("Debate not found"),
                        N_("No debate has this code. Check the code on the screen."),
                        code="not_found")
    return room


def participant_of_phone(request: Request) -> str:
    """The phone's participant id from its signed cookie, or a new one (given with the answer)."""
    return state(request).participants.read(request) or new_participant()


def _new_vote_id() -> str:
    # A fresh id per page load: resubmitting the same page (a double tap) is stored once.
    return "f-" + secrets.token_urlsafe(9)


def _vote_page(request: Request, room: Room, participant: str, *,
               message: str | None = None, not_counted: dict[str, str] | None = None,
               status: int = 200, proposed: bool = False, new: bool = False) -> Response:
    """The vote page; `message` is an error to show, `not_counted` a refused vote ({choice, why}:
    see `_why_not_counted`), `proposed` thanks for a proposal; `new`: the participant is new
    (the phone had no cookie), so its page is every new phone's (poll.web.first_visit)."""
    debate = room.debate
    current = debate.current
    mine = room.votes_of(participant)
    my_choice = mine[current.id].value if current and current.id in mine else None
    visible = current is not None and rules.results_visible(debate, Audience.PHONE) and (
        debate.settings.visibility is not Visibility.VOTED or debate.stage.revealed
        or my_choice is not None)
    urls = state(request).urls
    # The buttons and messages in the phone's own language when it is one of ours (a Dutch debate
    # can have English-speaking guests); otherwise the debate's. A statement in that language too
    # when the moderator gave its translation.
    lang = preferred_language(request.headers.get("accept-language"), default=debate.lang)
    text = current.text_in(lang, debate.lang) if current else ""
    context = {
        "debate": debate,
        "statement": current,
        "statement_text": text,
        # the language the statement is shown in: the translation's (the page's) or the debate's
        "statement_lang": lang if current and text != current.text else debate.lang,
        "voice": _voice(room, participant),
        "count": len(debate.statements),
        "stage": debate.stage,
        "my_choice": my_choice,
        "results": frames.results(room, Audience.PHONE) if visible else None,
        "message": message,
        "not_counted": not_counted,
        "ws_path": urls.socket(debate, Audience.PHONE),
        "choices": list(debate.choices),
        "groups": debate.groups,
        "my_group": room.members.get(participant),
        "group_skipped": participant in room.skipped,  # answered "no group": not asked again
        "proposals_open": debate.settings.proposals,
        "proposed": proposed,
        "needs_code": not room.may_vote(participant),
        "place": frames.my_group(room, participant),  # on the map the projector shows
    }
    vote_id = _new_vote_id()
    headers = {"Vary": "Accept-Language"}
    response: Response
    if new and status == 200:
        response = render_first_visit(request, "vote.html", debate.id, context,
                                      {"vote_id": vote_id}, lang=lang, headers=headers)
    else:
        response = render(request, "vote.html", {**context, "vote_id": vote_id}, lang=lang,
                          status=status, headers=headers)
    state(request).participants.give(response, participant,
                                     https=request.url.scheme == "https")
    return response


def _voice(room: Room, participant: str) -> dict[str, Any]:
    """This phone's part in the room's voice as its page first shows it (the script then follows
    the frames): its own reason (`held`: waiting for the moderator), the room's reasons, its +1s,
    its place on the floor and who has it, and the waiting proposals when phones see them."""
    stage = room.debate.stage
    welcome = frames.welcome(room, participant)
    sid = stage.statement_id
    request = None if sid is None else room.voices.request_of(sid, participant)
    public = room.debate.settings.proposals_public
    return {
        "reason": welcome["reason"],
        "reasons": frames.reasons(room, Audience.PHONE),
        "plussed": welcome["plussed"],
        "floor": frames.floor(room, Audience.PHONE),
        "floor_token": welcome["floor"],
        "floor_stance": None if request is None or request.stance is None
        else request.stance.value,
        "proposals": frames.proposals(room, Audience.PHONE)["pending"] if public else None,
        "proposal_plus": welcome["proposal_plus"],
        "reasons_setting": room.debate.settings.reasons.value,
    }


async def vote_page(request: Request) -> Response:
    """The phone's page (the QR code points here): the current statement and three buttons."""
    room = await room_from_code(request)
    known = state(request).participants.read(request)
    return _vote_page(request, room, known or new_participant(),
                      proposed=request.query_params.get("proposed") == "1", new=known is None)


def back(request: Request, room: Room, participant: str, body: frames.Frame | None = None, *,
          query: str = "") -> Response:
    """303 back to the vote page (or `body` as JSON, for a script that asks for JSON), keeping
    the participant cookie."""
    response: Response
    if body is not None and wants_json(request):
        response = JSONResponse(body)
    else:
        page = state(request).urls.path("vote", code=room.debate.join_code)
        response = RedirectResponse(page + query, status_code=303)
    state(request).participants.give(response, participant,
                                     https=request.url.scheme == "https")
    return response


def vote_page_after(request: Request, room: Room, refusal: Refusal,
                    participant: str | None = None) -> Response:
    """The answer to a phone's form the debate's rules refused: the vote page with the message
    and the refusal's status, or the refusal as JSON for a script."""
    if wants_json(request):
        raise PageError.refused(refusal, room.debate.lang)
    return _vote_page(request, room, participant or participant_of_phone(request),
                      message=refusal.message, status=status_of(refusal.why))


async def admit(request: Request) -> Response:
    """The room code typed on the phone: right, and the phone may vote from now on."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    app = state(request)
    address = client_address(request)
    if not app.limits.may_try_room_code(participant, address):
        return _vote_page(request, room, participant, status=429, message=N_(
            "Too many wrong codes. Wait a minute, then type the code on the screen."))
    if await app.hub.access.admit(room, participant, field(data, "room_code")[:16]):
        return back(request, room, participant)
    app.limits.wrong_room_code(participant, address)
    return _vote_page(request, room, participant, status=403,
                      message=N_("That is not the code on the screen. Try again."))


def _why_not_counted(room: Room, refusal: Refusal, statement_id: int) -> str | None:
    """Why a vote was refused, when the stage moved on before it arrived: "closed" (voting had
    closed), "not_open" (voting was not open), "moved" (another statement or round); None for any
    other refusal (its own message says what is wrong)."""
    stage = room.debate.stage
    if refusal.why is Why.NOT_CURRENT:
        return "moved"
    if refusal.why is Why.VOTING_CLOSED:
        return ("not_open" if stage.phase is Phase.WAITING and stage.statement_id == statement_id
                else "closed")
    return None


def _round_field(data: FormData, lang: str) -> int | None:
    """The optional `round` of a form vote (the round its page showed), or a 400."""
    raw = field(data, "round")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise PageError(400, N_("Bad request"), N_("A round must be a number."),
                        lang=lang, code=Why.BAD_MESSAGE.value)
    return int(raw)


async def vote_submit(request: Request) -> Response:
    """A vote as a plain form POST, for phones without JavaScript (and for scripts, as JSON)."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    vote_id = field(data, "vote_id") or _new_vote_id()
    if len(vote_id) > MAX_CLIENT_ID:  # the same limit as on the socket (poll.ws.messages)
        raise PageError(400, N_("Bad request"), N_("A vote needs an id of 1 to 64 characters."),
                        lang=room.debate.lang, code=Why.BAD_MESSAGE.value)
    try:
        choice = Choice(field(data, "choice"))
    except ValueError:
        raise PageError(400, N_("Bad request"),
                        N_("This choice is not offered in this debate."),
                        lang=room.debate.lang, code=Why.BAD_CHOICE.value) from None
    statement_id = int_field(data, "statement")
    round_ = _round_field(data, room.debate.lang)
    app = state(request)
    try:
        if not app.limits.vote(participant, client_address(request)):
            raise Refusal(Why.RATE_LIMITED, N_("Too many votes at once. Wait a moment."))
        counted_in = await app.hub.vote(room, participant, statement_id, choice, vote_id, round_)
    except Refusal as refusal:
        if wants_json(request):
            raise PageError.refused(refusal, room.debate.lang, N_("Vote not counted")) from None
        why = _why_not_counted(room, refusal, statement_id)
        # Said once: the message says why this vote did not count, the status line what is on now.
        return _vote_page(request, room, participant, message=refusal.message,
                          not_counted={"choice": choice.value, "why": why} if why else None,
                          status=status_of(refusal.why))
    except StoreError:
        raise PageError(503, N_("Not saved"),
                        N_("Your vote could not be saved. Please try again."),
                        lang=room.debate.lang, code=Why.NOT_SAVED.value) from None
    return back(request, room, participant,
                 frames.ack(vote_id, statement_id, choice, counted_in))


async def choose_group(request: Request) -> Response:
    """The phone says which audience group it belongs to (field `group`: an id, or empty)."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    raw = field(data, "group")
    if raw and not raw.isdigit():
        raise PageError(400, N_("Bad request"), N_("A group must be a group id or null."),
                        lang=room.debate.lang, code=Why.BAD_MESSAGE.value)
    group_id = int(raw) if raw else None
    try:
        await state(request).hub.join_group(room, participant, group_id)
    except Refusal as refusal:
        raise PageError.refused(refusal, room.debate.lang) from None
    return back(request, room, participant, frames.group(group_id))


async def propose(request: Request) -> Response:
    """An attendee proposes a statement (field `text`); it waits for the moderator."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    text = field(data, "text")
    app = state(request)
    try:
        problem = proposal_problem(text)
        if problem is not None:
            raise Refusal(Why.BAD_PROPOSAL, problem)
        if not app.limits.propose(participant, client_address(request)):
            raise Refusal(Why.RATE_LIMITED, N_("Too many proposals at once. Wait a moment."))
        await app.hub.proposals.propose(room, participant, clean(text))
    except Refusal as refusal:
        if wants_json(request):
            raise PageError.refused(refusal, room.debate.lang) from None
        return _vote_page(request, room, participant, message=refusal.message,
                          status=status_of(refusal.why))
    except StoreError:
        raise PageError(503, N_("Not saved"), N_("This could not be saved. Please try again."),
                        lang=room.debate.lang, code=Why.NOT_SAVED.value) from None
    return back(request, room, participant, frames.proposed(), query="?proposed=1")
