"""A minimal HTTP/1.1 client for the joining storm (`benchmarks/join_storm.py`): one keep-alive
connection, one request at a time, its bytes counted as they cross the wire.

Why not httpx: the storm makes some 100,000 requests in 20 s from two processes, and the load
generator must stay far below the server's CPU; a client that only writes a request line and
headers and reads a `Content-Length` (or chunked) body costs a few tens of microseconds a request.
It speaks just what `poll serve` answers: no TLS, no redirects, no HTTP/2; a response with
`Connection: close` (or without a length) ends the connection, and the next request opens one.
"""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import dataclass

import brotli


@dataclass(slots=True)
class Response:
    status: int
    headers: list[tuple[str, str]]  # names in lower case, in the order received
    body: bytes  # as sent: still compressed when `Content-Encoding` says so
    wire_in: int  # bytes received: status line, headers, body (with chunk framing)
    wire_out: int  # bytes of the request

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def cookies(self) -> dict[str, str]:
        """name -> value of every `Set-Cookie` (attributes dropped: one origin, one path)."""
        out = {}
        for key, value in self.headers:
            if key == "set-cookie":
                name, _, rest = value.partition("=")
                out[name.strip()] = rest.split(";", 1)[0].strip()
        return out

    def text(self) -> str:
        """The body decoded from its content-coding (br, gzip or none) as UTF-8."""
        coding = (self.header("content-encoding") or "").lower()
        body = self.body
        if coding == "br":
            body = brotli.decompress(body)
        elif coding == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8", "replace")


class Connection:
    """One keep-alive connection to `host:port` from `local_addr` (opened on first use)."""

    def __init__(self, host: str, port: int, local_addr: str | None) -> None:
        self.host, self.port, self.local_addr = host, port, local_addr
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0  # TCP connections opened so far

    async def get(self, path: str, headers: dict[str, str]) -> Response:
        """`GET path` with these headers (Host and Connection are added)."""
        if self.writer is None or self.writer.is_closing():
            kwargs = {"local_addr": (self.local_addr, 0)} if self.local_addr else {}
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, **kwargs)  # type: ignore[arg-type]
            self.opened += 1
        assert self.reader is not None and self.writer is not None
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.writer.write(request)
        reader = self.reader
        head = await reader.readuntil(b"\r\n\r\n")
        wire = len(head)
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        parsed = []
        for line in header_lines:
            key, _, value = line.partition(":")
            parsed.append((key.strip().lower(), value.strip()))
        fields = dict(parsed)
        keep = fields.get("connection", "").lower() != "close"
        if "content-length" in fields:
            body = await reader.readexactly(int(fields["content-length"]))
            wire += len(body)
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0], 16)
                data = await reader.readexactly(size + 2)  # the chunk and its CRLF
                wire += len(size_line) + len(data)
                if size == 0:
                    break
                chunks.append(data[:-2])
            body = b"".join(chunks)
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:
            body = await reader.read()
            wire += len(body)
            keep = False
        if not keep:
            self.close()
        return Response(status, parsed, body, wire, len(request))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
