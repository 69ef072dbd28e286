"""The optional organiser password: when set, it guards creating debates and the archive, so a
server reachable by strangers is not theirs to fill. Without it, a server on a laptop stays
frictionless."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...i18n import N_
from ..pages import render
from ..sessions import grant_admin, is_admin
from ._common import field, form, state


def _safe_next(target: str) -> str:
    # Only paths on this server: never an open redirect to another site.
    return target if target.startswith("/") and not target.startswith("//") else "/"


def admin_gate(request: Request) -> Response | None:
    """None when this visitor may use organiser pages; else the sign-in page (401)."""
    password = state(request).settings.admin_password
    if not password or is_admin(request):
        return None
    return render(request, "admin_login.html", {"next": request.url.path, "error": None},
                  status=401)


async def admin_login(request: Request) -> Response:
    """GET: the password form. POST: check the password, then back to where the visitor was."""
    if request.method == "GET":
        return render(request, "admin_login.html", {
            "next": _safe_next(request.query_params.get("next", "/")), "error": None})
    data = await form(request)
    target = _safe_next(field(data, "next"))
    password = state(request).settings.admin_password or ""
    if password and hmac.compare_digest(field(data, "password").encode(), password.encode()):
        grant_admin(request)
        return RedirectResponse(target, status_code=303)
    return render(request, "admin_login.html", {
        "next": target, "error": N_("This password is not right.")}, status=401)
