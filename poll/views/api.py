"""Machine-facing routes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..openapi import openapi


async def healthz(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def openapi_json(request: Request) -> Response:
    """The OpenAPI schema of the JSON API."""
    return JSONResponse(openapi(request.state.base_url))
