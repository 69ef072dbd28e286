"""`GET /static/{path}`: the files of poll/web/assets.py, compressed as the browser accepts.

- A current hashed name (`/static/js/vote.1a2b3c4d5e.js`, what pages link to) is kept for a year
  without asking again (`immutable`): its content can never change.
- A plain name (`/static/js/vote.js`) or an outdated hash (a page cached before an upgrade) gets
  the current file with `no-cache` and an ETag: the browser revalidates it on every use (304).
- The body is the brotli or gzip one made at start when `Accept-Encoding` allows it, with
  `Vary: Accept-Encoding`; the compression middleware leaves a response that has a
  `Content-Encoding` alone.

`StaticAnswers` gives the same answers (headers, security headers and all) to `PollApp` for the
requests it answers before the middleware: the files of every phone's first visit, nine of them,
cost the middleware stack around a ready-made body, not the lookup (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from .assets import Asset, static_assets
from .hardening import security_headers

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# The smaller first: brotli beats gzip on every file here.
PREFERENCE = ("br", "gzip")


async def static_file(request: Request) -> Response:
    """One static file (404 when there is none by that name)."""
    found = static_assets().find(request.path_params["path"])
    if found is None:
        raise HTTPException(status_code=404)
    asset, hashed = found
    coding = negotiate(asset, request.headers.get("accept-encoding", ""))
    headers = {"Cache-Control": IMMUTABLE if hashed else REVALIDATE}
    if asset.encoded:
        headers["Vary"] = "Accept-Encoding"
    if not hashed:  # an immutable file is never revalidated: no ETag to send (25 bytes each)
        etag = f'"{asset.digest}{"-" + coding if coding else ""}"'
        headers["ETag"] = etag
        if _matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
    if coding:
        headers["Content-Encoding"] = coding
    return Response(asset.encoded[coding] if coding else asset.body,
                    media_type=asset.media_type, headers=headers)


Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Answer:
    """A static file's whole HTTP answer: status, headers as sent, body (empty for HEAD, 304)."""

    status: int
    headers: Headers
    body: bytes


class StaticAnswers:
    """`GET` and `HEAD /static/...` answered without the app's middleware: what `static_file`
    answers, with the security headers `Hardening` would add (`hsts`: the public address is
    https). None for a request it leaves to the usual way: another path or method, a root path,
    a request with a body, a name with no file (the 404 page)."""

    def __init__(self, hsts: bool) -> None:
        self.hsts = hsts

    def answer(self, scope: Scope) -> Answer | None:
        """The answer to `scope` (an HTTP request's), or None for the usual way."""
        path: str = scope["path"]
        if not path.startswith("/static/") or scope.get("root_path") or scope["method"] not in (
                "GET", "HEAD"):
            return None
        accept_encoding = if_none_match = None  # the first of each, as Request.headers.get
        for name, value in scope["headers"]:
            if name == b"accept-encoding" and accept_encoding is None:
                accept_encoding = value.decode("latin-1")
            elif name == b"if-none-match" and if_none_match is None:
                if_none_match = value.decode("latin-1")
            elif name in (b"content-length", b"transfer-encoding") and value != b"0":
                return None  # a body: the middleware's cap on bodies has its say
        found = static_assets().find(path.removeprefix("/static/"))
        if found is None:
            return None
        asset, hashed = found
        coding = negotiate(asset, accept_encoding or "")
        headers: Headers = [(b"cache-control", (IMMUTABLE if hashed else REVALIDATE).encode())]
        if asset.encoded:
            headers.append((b"vary", b"Accept-Encoding"))
        if not hashed:
            etag = f'"{asset.digest}{"-" + coding if coding else ""}"'
            headers.append((b"etag", etag.encode()))
            if _matches(if_none_match or "", etag):
                return Answer(304, [*headers, *security_headers(b"", self.hsts)], b"")
        if coding:
            headers.append((b"content-encoding", coding.encode()))
        body = asset.encoded[coding] if coding else asset.body
        content_type = asset.media_type.encode()
        headers += [(b"content-length", str(len(body)).encode()), (b"content-type", content_type),
                    *security_headers(content_type, self.hsts)]
        return Answer(200, headers, b"" if scope["method"] == "HEAD" else body)


def negotiate(asset: Asset, accept_encoding: str) -> str | None:
    """The content-coding to send: the preferred one `accept_encoding` allows (q > 0) among
    those made for `asset`; None for the file as it is."""
    accepted: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[coding.strip().lower()] = quality
    wildcard = accepted.get("*", 0.0)
    for coding in PREFERENCE:
        if coding in asset.encoded and accepted.get(coding, wildcard) > 0:
            return coding
    return None


def _matches(if_none_match: str, etag: str) -> bool:
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags
