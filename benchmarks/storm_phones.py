"""Phone clients for the joining storm (`benchmarks/join_storm.py`): each phone's first visit.

The load benchmark's phones (`phones.Worker`: a real `websockets` client per phone, its frames
read and its first `state` frame timed), which first do what a browser does when the QR code is
scanned: GET the join page with an empty cookie jar, GET every stylesheet, script and
modulepreload the page names (and any module those scripts import that is not among them), with
`Accept-Encoding: br, gzip` and the cookies the page set, then open the socket the page names
with those cookies and the page's origin, and wait for the state frame. The HTTP requests go over
`--connections` keep-alive connections per phone (benchmarks/http1.py), closed once the files are
in (a browser keeps them idle a while; the server would close them after its keep-alive timeout);
the socket stays open until the parent says `close`.

Times are `time.time()` (one machine, one clock); bytes are counted on the wire: every HTTP
response's status line, headers and body as received (compressed), every request as sent, and the
socket's bytes received (handshake answer and frames) until its state frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from http1 import Connection
from phones import Phone, Worker, _serve, raise_nofile_limit
from websockets.asyncio.client import ClientConnection, connect

USER_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Mobile Safari/537.36 join-storm")
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LANGUAGE = "nl-NL,nl;q=0.9,en;q=0.8"
ENCODINGS = "br, gzip"

TAG = re.compile(r"<(link|script)\b([^>]*)>", re.I)
ATTR = re.compile(r'\b(rel|href|src)\s*=\s*"([^"]*)"', re.I)
FETCHED_RELS = {"stylesheet", "modulepreload", "preload"}
IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}/[^'"]+)['"]""")
WS_PATH = re.compile(r'"ws_path":\s*"([^"]+)"')


def page_files(html: str) -> list[str]:
    """The same-origin files a browser fetches for this page, in document order: stylesheets,
    scripts with `src`, modulepreloads and preloads (`data:` URLs need no request)."""
    out: list[str] = []
    for tag, attrs in TAG.findall(html):
        found = {k.lower(): v for k, v in ATTR.findall(attrs)}
        url = found.get("src") if tag.lower() == "script" else (
            found.get("href") if FETCHED_RELS & set(found.get("rel", "").lower().split())
            else None)
        if url and url.startswith("/") and not url.startswith("//") and url not in out:
            out.append(url)
    return out


def resolve(base: str, relative: str) -> str:
    """`./x.js` or `../x.js` against the path `base` (a script's own URL)."""
    parts = base.split("/")[:-1]
    for piece in relative.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


class CountingConnection(ClientConnection):
    """A client connection that counts the bytes it receives (handshake answer and frames)."""

    bytes_in = 0

    def data_received(self, data: bytes) -> None:
        self.bytes_in += len(data)
        super().data_received(data)


@dataclass(slots=True, eq=False)
class StormPhone(Phone):
    due: float = 0.0  # when the schedule said to scan the QR code
    began: float | None = None  # the first request went out
    page_at: float | None = None  # the page is in
    files_at: float | None = None  # the last file is in
    socket_at: float | None = None  # the socket's handshake starts
    http_in: int = 0
    http_out: int = 0
    requests: int = 0
    tcp: int = 0  # HTTP connections opened
    ws_in: int = 0  # socket bytes received until the state frame
    statuses: list[int] = field(default_factory=list)  # every status >= 400
    failure: str | None = None  # what went wrong, in a few words


class StormWorker(Worker):
    def __init__(self, worker_id: int) -> None:
        super().__init__(worker_id)
        self.imports: dict[str, list[str]] = {}  # a script's URL -> the modules it imports

    def on_frame(self, phone: Phone, kind: str, msg: dict[str, Any], ts: float,
                 raw: str | bytes) -> None:
        if kind == "state" and isinstance(phone, StormPhone) and not phone.ws_in:
            phone.ws_in = phone.ws.bytes_in

    async def storm(self, host: str, port: int, join_path: str,
                    phones: list[tuple[int, str | None]], start_at: float, window: float,
                    total: int, connections: int, timeout: float) -> dict[str, Any]:
        """Phone i scans the code at start_at + i/total*window and makes its first visit; return
        when every phone has its state frame or failed (or after `timeout` s); the sockets stay
        open."""
        self.closing = False
        self.unexpected_closes = self.bad_frames = 0
        self.phones = [StormPhone(i, "", addr) for i, addr in phones]
        self._pending_state = len(self.phones)
        self._connected_event = asyncio.Event()
        if not self.phones:
            self._connected_event.set()
        visits: list[asyncio.Task[None]] = []
        lateness = []

        async def schedule() -> None:
            for phone in self.phones:
                phone.due = start_at + phone.index * window / total
                delay = phone.due - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                lateness.append(time.time() - phone.due)
                visits.append(asyncio.create_task(self._visit(
                    phone, host, port, join_path, connections, timeout)))

        scheduler = asyncio.create_task(schedule())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected_event.wait(),
                                   start_at - time.time() + window + timeout + 5)
        if not scheduler.done():
            scheduler.cancel()
        for task in visits:
            if not task.done():
                task.cancel()
        await asyncio.gather(scheduler, *visits, return_exceptions=True)
        for p in self.phones:
            if p.first_state_at is None and p.failure is None:
                p.failure = ("socket: closed before the state frame "
                             f"({p.ws.close_code} {p.ws.close_reason})"
                             if p.ws is not None and p.closed
                             else p.error or "no state frame in time")
        late = sorted(lateness)
        return {
            "phones": [(p.index, p.due, p.began, p.page_at, p.files_at, p.socket_at,
                        p.first_state_at, p.http_in, p.http_out, p.requests, p.tcp, p.ws_in,
                        p.statuses, p.failure) for p in self.phones],
            "late_p99": late[int(0.99 * (len(late) - 1))] if late else None,
            "late_max": late[-1] if late else None,
        }

    async def _visit(self, phone: StormPhone, host: str, port: int, join_path: str,
                     connections: int, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._first_visit(phone, host, port, join_path, connections),
                                   timeout)
        except (Exception, asyncio.CancelledError) as exc:
            if phone.failure is None:
                step = "socket" if phone.socket_at else "files" if phone.page_at else "page"
                phone.failure = f"{step}: {type(exc).__name__}: {exc}"[:200]
            if phone.ws is None or phone.reader is None:
                phone.closed = True
                self._pending_state -= 1
                if self._pending_state == 0 and self._connected_event is not None:
                    self._connected_event.set()
            if isinstance(exc, asyncio.CancelledError):
                raise

    async def _first_visit(self, phone: StormPhone, host: str, port: int, join_path: str,
                           connections: int) -> None:
        jar: dict[str, str] = {}
        pool = [Connection(host, port, phone.local_addr) for _ in range(max(1, connections))]
        origin = f"http://{host}:{port}"

        async def get(conn: Connection, path: str, accept: str, decode: bool) -> str | None:
            headers = {"User-Agent": USER_AGENT, "Accept": accept,
                       "Accept-Encoding": ENCODINGS, "Accept-Language": LANGUAGE}
            if jar:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
            before = conn.opened
            r = await conn.get(path, headers)
            phone.tcp += conn.opened - before
            phone.requests += 1
            phone.http_in += r.wire_in
            phone.http_out += r.wire_out
            jar.update(r.cookies())
            if r.status >= 400:
                phone.statuses.append(r.status)
                raise RuntimeError(f"HTTP {r.status} for {path}")
            return r.text() if decode else None

        try:
            phone.began = time.time()
            html = await get(pool[0], join_path, PAGE_ACCEPT, True)
            phone.page_at = time.time()
            assert html is not None
            found = WS_PATH.search(html)
            if found is None:
                raise RuntimeError("no socket path on the page")

            async def fetch_some(conn: Connection, queue: list[str], new: list[str]) -> None:
                while queue:
                    url = queue.pop(0)
                    accept = "text/css,*/*;q=0.1" if url.endswith(".css") else "*/*"
                    parse = url.endswith(".js") and url not in self.imports
                    text = await get(conn, url, accept, parse)
                    if parse:  # immutable files: parse each name once
                        self.imports[url] = [resolve(url, m) for m in IMPORT.findall(text or "")]
                    new.extend(self.imports.get(url, ()))

            todo, seen = page_files(html), set()
            while todo:  # the page's files, then modules imported that were not among them
                batch = [u for u in dict.fromkeys(todo) if u not in seen]
                seen.update(batch)
                todo = []
                await asyncio.gather(*(fetch_some(c, batch, todo) for c in pool))
            phone.files_at = time.time()
        finally:
            for conn in pool:
                conn.close()
        phone.socket_at = time.time()
        kwargs: dict[str, Any] = {}
        if phone.local_addr:
            kwargs["local_addr"] = (phone.local_addr, 0)
        phone.ws = await connect(
            f"ws://{host}:{port}{found.group(1)}",
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                                "Origin": origin, "User-Agent": USER_AGENT},
            create_connection=CountingConnection, compression=None, proxy=None,
            open_timeout=None, ping_interval=None, close_timeout=1, max_size=2**20,
            **kwargs)
        phone.reader = asyncio.create_task(self._read(phone))


def main(conn: Any, worker_id: int) -> None:
    """Entry point of a worker process."""
    raise_nofile_limit()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(conn, worker_id, StormWorker))
