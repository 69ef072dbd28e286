"""Machine-facing routes: health and the OpenAPI schema."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..openapi import openapi
from ._common import state


async def healthz(request: Request) -> Response:
    """200 while the server runs (for monitoring and the tests)."""
    return JSONResponse({"ok": True})


async def openapi_json(request: Request) -> Response:
    """The OpenAPI schema of the JSON API."""
    return JSONResponse(openapi(state(request).urls.base_url))
