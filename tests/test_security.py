"""HTTP hardening: security headers on every response, a cap on request bodies, and CSRF
protection on forms that carry cookies.

The headers, the form checks and the CSRF refusal are the app's own middleware: those tests run
in-process (the app over httpx's ASGITransport), with clients that send no `Origin` header, as
plain httpx does. The 10 MB body goes to a real server: that uvicorn refuses it and carries on is
the point there.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

PAGES = ["/", "/new", "/archive", "/nowhere", "/static/favicon.svg"]
# scripts and stylesheets are no documents: no policy to give them, but never sniffed
SUBRESOURCES = ["/static/js/live.js", "/static/css/vote.css"]


@pytest.fixture
def server(start_server, tmp_path: Path):
    return start_server(tmp_path / "poll.db")


async def test_every_page_carries_the_security_headers_and_every_file_nosniff(app) -> None:
    async with app.client(origin=False) as anyone:
        for path in PAGES:
            response = await anyone.get(path)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
            assert "frame-ancestors 'none'" in csp
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"
        for path in SUBRESOURCES:
            response = await anyone.get(path)
            assert response.status_code == 200, path
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert "content-security-policy" not in response.headers, path


def test_a_huge_body_is_refused_and_the_server_carries_on(server) -> None:
    response = httpx.post(server.url + "/new", content=b"x" * (10 * 1024 * 1024),
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert httpx.get(server.url + "/healthz").json() == {"ok": True}


async def test_invalid_utf8_in_a_form_is_a_400(app) -> None:
    async with app.client(origin=False) as browser:
        await browser.get("/new")  # gets the csrftoken cookie, as a browser would
        response = await browser.post(
            "/new", content=b"title=\xff\xfe&statements=a",
            headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 400


async def test_a_form_posted_from_another_site_is_refused(app) -> None:
    async with app.client(origin=False) as browser:
        page = (await browser.get("/new")).text
        token = re.search(r'name="csrftoken" value="([^"]+)"', page)
        assert token, "the form carries a CSRF token"
        form = {"title": "Mine", "lang": "en", "statements": "One"}
        # another site can make the browser send its cookies, but cannot read the token
        forged = await browser.post("/new", data=form)
        assert forged.status_code == 403
        genuine = await browser.post("/new", data={**form, "csrftoken": token.group(1)})
        assert genuine.status_code == 303


async def test_multipart_bodies_are_refused_with_a_clear_status(app) -> None:
    async with app.client(origin=False) as browser:
        await browser.get("/new")
        response = await browser.post("/new", files={"statements": ("s.txt", b"One")},
                                      data={"title": "T"})
        assert response.status_code == 415
