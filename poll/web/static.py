"""`GET /static/{path}`: the files of poll/web/assets.py, compressed as the browser accepts.

- A current hashed name (`/static/js/vote.1a2b3c4d5e.js`, what pages link to) is kept for a year
  without asking again (`immutable`): its content can never change.
- A plain name (`/static/js/vote.js`) or an outdated hash (a page cached before an upgrade) gets
  the current file with `no-cache` and an ETag: the browser revalidates it on every use (304).
- The body is the brotli or gzip one made at start when `Accept-Encoding` allows it, with
  `Vary: Accept-Encoding`; the compression middleware leaves a response that has a
  `Content-Encoding` alone.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .assets import Asset, static_assets

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
