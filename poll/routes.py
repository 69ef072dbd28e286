"""The whole route table, readable top to bottom (docs/protocol.md describes each route).

Every address the app hands out is built from these names (poll.urls), never written by hand.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from .web.static import static_file
from .web.views import (
    admin,
    api,
    archive,
    downloads,
    moderate,
    moderate_map,
    moderate_voice,
    new,
    screen,
    voice,
    vote,
)
from .ws.endpoint import debate_socket, phone_socket_route

routes: list[BaseRoute] = [
    # attendees
    Route("/", vote.index, name="index"),
    Route("/join", vote.join, name="join"),
    Route("/j/{code}", vote.vote_page, name="vote"),
    Route("/j/{code}/vote", vote.vote_submit, methods=["POST"], name="vote_submit"),
    Route("/j/{code}/admit", vote.admit, methods=["POST"], name="admit"),
    Route("/j/{code}/group", vote.choose_group, methods=["POST"], name="choose_group"),
    Route("/j/{code}/propose", vote.propose, methods=["POST"], name="propose"),
    Route("/j/{code}/reason", voice.give_reason, methods=["POST"], name="give_reason"),
    Route("/j/{code}/reason/remove", voice.remove_reason, methods=["POST"],
          name="remove_reason"),
    Route("/j/{code}/plus", voice.plus_one, methods=["POST"], name="plus_one"),
    Route("/j/{code}/floor", voice.floor, methods=["POST"], name="floor"),
    Route("/j/{code}/proposal-plus", voice.plus_proposal, methods=["POST"],
          name="plus_proposal"),
    # projector
    Route("/d/{debate_id}/screen", screen.screen, name="screen"),
    Route("/d/{debate_id}/qr.svg", screen.qr, name="qr"),
    # moderator
    Route("/new", new.new_form, name="new"),
    Route("/new", new.new_submit, methods=["POST"], name="new_submit"),
    Route("/d/{debate_id}/moderate", moderate.moderate, name="moderate"),
    Route("/d/{debate_id}/control", moderate.control, methods=["POST"], name="control"),
    Route("/d/{debate_id}/room-code", moderate.room_code, methods=["POST"], name="room_code"),
    Route("/d/{debate_id}/statements", moderate.add_statement, methods=["POST"],
          name="add_statement"),
    Route("/d/{debate_id}/statements/{statement_id:int}", moderate.edit_statement,
          methods=["POST"], name="edit_statement"),
    Route("/d/{debate_id}/settings", moderate.settings, methods=["POST"], name="settings"),
    Route("/d/{debate_id}/proposals/{proposal_id:int}", moderate.decide_proposal,
          methods=["POST"], name="decide_proposal"),
    Route("/d/{debate_id}/reasons/{reason_id:int}", moderate_voice.reason, methods=["POST"],
          name="moderate_reason"),
    Route("/d/{debate_id}/spotlight-off", moderate_voice.spotlight_off, methods=["POST"],
          name="spotlight_off"),
    Route("/d/{debate_id}/map", moderate_map.show_map, methods=["POST"], name="show_map"),
    Route("/d/{debate_id}/moves", moderate_map.show_moves, methods=["POST"], name="show_moves"),
    Route("/d/{debate_id}/floor", moderate_voice.next_speaker, methods=["POST"],
          name="next_speaker"),
    Route("/d/{debate_id}/duplicate", new.duplicate, methods=["POST"], name="duplicate"),
    Route("/d/{debate_id}/keys", moderate.keys, methods=["POST"], name="keys"),
    Route("/d/{debate_id}/publish", moderate.publish, methods=["POST"], name="publish"),
    Route("/d/{debate_id}/sign-out", moderate.sign_out, methods=["POST"], name="sign_out"),
    # downloads: the route of format F is called export_F (poll.urls.Addresses.export)
    Route("/d/{debate_id}/export.csv", downloads.export_csv, name="export_csv"),
    Route("/d/{debate_id}/votes.csv", downloads.export_votes_csv, name="export_votes_csv"),
    Route("/d/{debate_id}/export.json", downloads.export_json, name="export_json"),
    Route("/d/{debate_id}/export.xlsx", downloads.export_xlsx, name="export_xlsx"),
    Route("/d/{debate_id}/polis.zip", downloads.export_polis, name="export_polis"),
    # organisers (only when an organiser password is set)
    Route("/admin", admin.admin_login, methods=["GET", "POST"], name="admin"),
    # afterwards
    Route("/archive", archive.archive, name="archive"),
    Route("/d/{debate_id}/results", archive.results, name="results"),
    Route("/d/{debate_id}/report", archive.report, name="report"),
    # machines and live updates
    Route("/healthz", api.healthz, name="healthz"),
    Route("/openapi.json", api.openapi_json, name="openapi"),
    # phones by join code (poll.app.PollApp answers them before the middleware), the projector
    # and the moderator by debate id
    WebSocketRoute("/j/{code}/ws", phone_socket_route, name="phone_socket"),
    WebSocketRoute("/ws/{debate_id}/{role}", debate_socket, name="socket"),
    # static files under content-hashed names, compressed at start (poll/web/assets.py)
    Route("/static/{path:path}", static_file, name="static"),
]
