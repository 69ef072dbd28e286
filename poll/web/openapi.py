"""The OpenAPI description of the JSON side of the HTTP API (served at /openapi.json).

Written out rather than generated: the API is small, and the schema doubles as a contract that
schemathesis checks the server against (tests/test_fuzz.py). Pages (HTML) are described in
docs/protocol.md instead.
"""

from __future__ import annotations

from typing import Any

from ..model import MAX_CLIENT_ID, MAX_PROPOSAL, Action, Choice, Scale, Visibility

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
_RESULTS = {
    "type": "object",
    "required": ["counts", "percent", "total"],
    "properties": {
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "percent": {"type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100}},
        "total": {"type": "integer", "minimum": 0},
        "round": {"type": "integer", "minimum": 1, "maximum": 2},
        "mean": {"type": ["number", "null"]},
        "groups": {"type": "array"},
        "before": {"type": "object"},
        "swing": {"type": ["object", "null"]},
    },
}
_STATE = {
    "type": "object",
    "required": ["type", "debate", "statement", "count", "phase", "revealed", "results"],
    "properties": {
        "type": {"const": "state"},
        "debate": {"type": "object", "required": ["id", "title", "lang", "join_code"]},
        "statement": {"type": ["object", "null"]},
        "count": {"type": "integer", "minimum": 0},
        "phase": {"enum": ["waiting", "open", "closed"]},
        "revealed": {"type": "boolean"},
        "round": {"type": "integer", "minimum": 1, "maximum": 2},
        "show_groups": {"type": "boolean"},
        "show_map": {"type": "boolean"},
        "show_moves": {"type": "boolean"},
        "timer": {"type": ["object", "null"]},
        "results": {"oneOf": [_RESULTS, {"type": "null"}]},
    },
}
_ACK = {
    "type": "object",
    "required": ["type", "id", "statement", "choice", "round"],
    "properties": {"type": {"const": "ack"}, "id": {"type": "string"},
                   "statement": {"type": "integer"}, "choice": {"enum": list(Choice)},
                   "round": {"type": "integer", "minimum": 1, "maximum": 2}},
}
_JSON_ACCEPT = {"name": "Accept", "in": "header", "required": True,
                "schema": {"type": "string", "enum": ["application/json"]}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    reasons = {400: "malformed input", 401: "no moderator session", 404: "unknown debate, "
               "join code or statement", 409: "not allowed now (voting closed, not current)",
               413: "body over 1 MiB", 415: "not URL-encoded", 429: "too many requests"}
    return {str(s): _json(_ERROR, reasons[s]) for s in statuses}


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {
        "schema": {"type": "object", "properties": properties, "required": required}}}}


def _path(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def openapi(base_url: str) -> dict[str, Any]:
    """The schema, with this server's public address."""
    debate = _path("debate_id")
    moderator_only = _errors(400, 401, 404, 409, 429)
    return {
        "openapi": "3.1.0",
        "info": {"title": "debate-poll", "version": "1",
                 "description": "The JSON side of the HTTP API; websockets and pages are "
                                "described in docs/protocol.md."},
        "servers": [{"url": base_url}],
        "paths": {
            "/healthz": {"get": {"operationId": "healthz", "responses": {
                "200": _json({"type": "object", "required": ["ok"],
                              "properties": {"ok": {"const": True}}}, "the server is up")}}},
            "/j/{code}/vote": {"post": {
                "operationId": "vote",
                "summary": "Vote on the current statement (phones without a live socket).",
                "parameters": [_path("code"), _JSON_ACCEPT],
                "requestBody": _form({
                    "statement": {"type": "integer"},
                    "choice": {"enum": list(Choice)},
                    "vote_id": {"type": "string", "maxLength": MAX_CLIENT_ID},
                }, ["statement", "choice"]),
                "responses": {"200": _json(_ACK, "stored (or a repeat of a stored vote id)"),
                              **_errors(400, 404, 409, 429)},
            }},
            "/j/{code}/group": {"post": {
                "operationId": "choose_group",
                "summary": "A phone says which audience group it belongs to (empty: none).",
                "parameters": [_path("code"), _JSON_ACCEPT],
                "requestBody": _form({"group": {"type": "string"}}, []),
                "responses": {"200": _json({"type": "object", "required": ["type", "group"]},
                                           "stored"),
                              **_errors(400, 404, 429)},
            }},
            "/j/{code}/propose": {"post": {
                "operationId": "propose",
                "summary": "An attendee proposes a statement for the moderator's queue.",
                "parameters": [_path("code"), _JSON_ACCEPT],
                "requestBody": _form({"text": {"type": "string", "maxLength": MAX_PROPOSAL}},
                                     ["text"]),
                "responses": {"200": _json({"type": "object", "required": ["type"]}, "queued"),
                              **_errors(400, 404, 409, 429)},
            }},
            "/d/{debate_id}/control": {"post": {
                "operationId": "control",
                "summary": "Moderator: move, open, close, reveal, hide, second round, group "
                           "split, countdown.",
                "parameters": [debate, _JSON_ACCEPT],
                "requestBody": _form({"action": {"enum": list(Action)},
                                      "statement": {"type": "integer"},
                                      "seconds": {"type": "integer"},
                                      "reveal": {"enum": ["1", "0"]}}, ["action"]),
                "responses": {"200": _json(_STATE, "the new live state"), **moderator_only},
            }},
            "/d/{debate_id}/settings": {"post": {
                "operationId": "settings",
                "summary": "Moderator: scale, visibility, proposals, audience groups.",
                "parameters": [debate, _JSON_ACCEPT],
                "requestBody": _form({"scale": {"enum": list(Scale)},
                                      "visibility": {"enum": list(Visibility)},
                                      "proposals": {"enum": ["1", "0"]},
                                      "groups": {"type": "string"}}, []),
                "responses": {"200": _json(_STATE, "the live state"), **moderator_only},
            }},
            "/d/{debate_id}/proposals/{proposal_id}": {"post": {
                "operationId": "decide_proposal",
                "parameters": [debate, _path("proposal_id", "integer"), _JSON_ACCEPT],
                "requestBody": _form({"decision": {"enum": ["approve", "reject"]},
                                      "text": {"type": "string"}}, ["decision"]),
                "responses": {"200": _json(_STATE, "the live state"), **moderator_only},
            }},
            "/d/{debate_id}/duplicate": {"post": {
                "operationId": "duplicate",
                "summary": "Moderator: a copy without votes, moderated by this session.",
                "parameters": [debate, _JSON_ACCEPT],
                "responses": {"201": _json({"type": "object",
                                            "required": ["id", "join_code", "moderate_url"]},
                                           "the copy"),
                              **_errors(401, 404, 429)},
            }},
            "/d/{debate_id}/statements": {"post": {
                "operationId": "add_statement",
                "parameters": [debate, _JSON_ACCEPT],
                "requestBody": _form({"text": {"type": "string"}}, ["text"]),
                "responses": {"200": _json(_STATE, "the live state"), **moderator_only},
            }},
            "/d/{debate_id}/statements/{statement_id}": {"post": {
                "operationId": "edit_statement",
                "parameters": [debate, _path("statement_id", "integer"), _JSON_ACCEPT],
                "requestBody": _form({"text": {"type": "string"},
                                      "notes": {"type": "string"}}, ["text"]),
                "responses": {"200": _json(_STATE, "the live state"), **moderator_only},
            }},
            "/d/{debate_id}/export.json": {"get": {
                "operationId": "export_json",
                "parameters": [debate, _JSON_ACCEPT],
                "responses": {"200": _json({"type": "object",
                                            "required": ["debate", "statements", "votes"]},
                                           "the whole debate"),
                              **_errors(401, 404)},
            }},
        },
    }
