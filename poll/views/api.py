"""Machine-facing routes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


async def healthz(request: Request) -> Response:
    return JSONResponse({"ok": True})
