"""The baseline: a minimal broadcast server using the `websockets` library directly.

    python benchmarks/bare_server.py --port P [--statements FILE]

Path `/phone`: the client is added to the set of phones and gets a `welcome` and a `state` frame
(the same shapes and sizes as debate-poll's), then its messages are read and ignored.
Path `/control`: each JSON message `{"statement": ID, "phase": ..., "revealed": ...}` builds one
state frame and sends it with `websockets.broadcast(phones, frame)`; the control socket gets
`{"type": "done", "sent": N}` back. No HTTP, no database, no per-client queue: the practical limit
for a Python broadcast server on this machine, measured in the same run as debate-poll.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path

from websockets.asyncio.server import ServerConnection, broadcast, serve

DEBATE = {"id": "bare0000", "title": "Bench", "lang": "nl", "join_code": "BENCH2"}


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class Bare:
    def __init__(self, statements: list[str]) -> None:
        self.statements = statements or ["Statement"]
        self.phones: set[ServerConnection] = set()
        self.current = {"statement": 1, "phase": "waiting", "revealed": False}

    def state(self) -> str:
        sid = int(self.current["statement"])
        text = self.statements[(sid - 1) % len(self.statements)]
        return encode({
            "type": "state", "debate": DEBATE,
            "statement": {"id": sid, "position": sid, "text": text},
            "count": len(self.statements), "phase": self.current["phase"],
            "revealed": bool(self.current["revealed"]), "results": None,
        })

    async def handler(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        if path.startswith("/control"):
            async for message in ws:
                try:
                    self.current.update(json.loads(message))
                except (ValueError, TypeError):
                    continue
                frame = self.state()
                broadcast(self.phones, frame)
                await ws.send(encode({"type": "done", "sent": len(self.phones)}))
            return
        self.phones.add(ws)
        try:
            await ws.send(encode({"type": "welcome", "participant": "p_bare", "votes": {}}))
            await ws.send(self.state())
            async for _ in ws:
                pass
        finally:
            self.phones.discard(ws)


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--statements", help="file with one statement per line (frame texts)")
    args = p.parse_args()
    statements = []
    if args.statements:
        statements = [s.strip() for s in Path(args.statements).read_text("utf-8").splitlines()
                      if s.strip() and not s.startswith("#")]
    bare = Bare(statements)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # Same settings as debate-poll's uvicorn: no compression, small frames, the same backlog.
    async with serve(bare.handler, args.host, args.port, compression=None, max_size=65536,
                     backlog=2048):
        print(f"bare server on ws://{args.host}:{args.port}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
