"""The baseline: a minimal broadcast server using the `websockets` library directly.

    python benchmarks/bare_server.py --port P [--statements FILE] [--db FILE]

Path `/phone`: the client is added to the set of phones and gets a `welcome` (with a participant
id of its own) and a `state` frame (the same shapes and sizes as debate-poll's), then its
messages are read: a vote (`{"type": "vote", "id", "statement", "choice"}`) becomes a row in a
SQLite file and is acknowledged once committed (`{"type": "ack", "id", ...}`), anything else is
ignored. The votes: one writer, batches written in a thread with one `executemany` and a commit
each, lingering 3 ms for company when the last commit was within 20 ms (as debate-poll's writer
does), the file in WAL mode with `synchronous=NORMAL` and foreign keys on, in debate-poll's
schema (its migrations, run on a new file). That is the least a server that keeps every vote
must do, so the CPU per vote of a burst has a baseline beside it.
Path `/control`: each JSON message `{"statement": ID, "phase": ..., "revealed": ...}` builds one
state frame and sends it with `websockets.broadcast(phones, frame)`; the control socket gets
`{"type": "done", "sent": N}` back. No HTTP, no sessions, rules or tallies, no per-client
queue: the practical limit for a Python broadcast server on this machine, measured in the same
run as debate-poll.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import signal
import sqlite3
import tempfile
import time
from pathlib import Path

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from poll.store.sqlite.migrations import MIGRATIONS

DEBATE = {"id": "bare0000", "title": "Bench", "lang": "nl", "join_code": "BENCH2"}
CHOICES = ("agree", "neutral", "disagree")
LINGER = 0.003  # as poll/store/batch.py: a busy writer waits this long for company
BUSY = 0.020  # ... when its last commit was this recent



def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class Votes:
    """One writer for every vote: rows in a SQLite file, acknowledged once committed."""

    def __init__(self, path: Path, statements: int) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.db.execute(f"PRAGMA {pragma}")
        for migration in MIGRATIONS:  # debate-poll's own schema, so the rows are the same
            self.db.executescript(migration)
        self.db.execute("INSERT INTO debates (id, title, lang, join_code, key_hash, created_at)"
                        " VALUES (?, ?, ?, ?, '', '')", (DEBATE["id"], DEBATE["title"],
                                                         DEBATE["lang"], DEBATE["join_code"]))
        self.db.executemany("INSERT INTO statements (id, debate_id, position, text)"
                            " VALUES (?, ?, ?, '')",
                            [(n, DEBATE["id"], n) for n in range(1, statements + 1)])
        self.statements = statements
        self.waiting: list[tuple[ServerConnection, str, tuple[object, ...]]] = []
        self.news = asyncio.Event()
        self.last_commit = 0.0

    def take(self, ws: ServerConnection, participant: str, message: str) -> None:
        """Queue a well-formed vote for the writer; anything else is ignored."""
        try:
            vote = json.loads(message)
        except ValueError:
            return
        if not isinstance(vote, dict) or vote.get("type") != "vote":
            return
        statement, choice, vote_id = vote.get("statement"), vote.get("choice"), vote.get("id")
        if (not isinstance(statement, int) or not 1 <= statement <= self.statements
                or choice not in CHOICES or not isinstance(vote_id, str)):
            return
        cast_at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        self.waiting.append((ws, vote_id, (DEBATE["id"], statement, participant, vote_id,
                                           choice, cast_at)))
        self.news.set()

    def _write(self, rows: list[tuple[object, ...]]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO votes (debate_id, statement_id, participant, client_id,"
                            " choice, cast_at, round) VALUES (?, ?, ?, ?, ?, ?, 1)"
                            " ON CONFLICT (participant, client_id) DO NOTHING", rows)
        self.db.execute("COMMIT")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self.news.wait()
            if loop.time() - self.last_commit < BUSY:
                await asyncio.sleep(LINGER)
            batch, self.waiting = self.waiting, []
            self.news.clear()
            await asyncio.to_thread(self._write, [row for _, _, row in batch])
            self.last_commit = loop.time()
            for ws, vote_id, row in batch:
                with contextlib.suppress(ConnectionClosed):  # gone meanwhile: its vote stays
                    await ws.send(encode({"type": "ack", "id": vote_id, "statement": row[1],
                                          "choice": row[4], "round": 1}))


class Bare:
    def __init__(self, statements: list[str], votes: Votes) -> None:
        self.statements = statements or ["Statement"]
        self.phones: set[ServerConnection] = set()
        self.current = {"statement": 1, "phase": "waiting", "revealed": False}
        self.votes = votes
        self.ids = itertools.count(1)

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
        participant = f"p_bare{next(self.ids)}"
        try:
            await ws.send(encode({"type": "welcome", "participant": participant, "votes": {}}))
            await ws.send(self.state())
            async for message in ws:
                if isinstance(message, str):
                    self.votes.take(ws, participant, message)
        finally:
            self.phones.discard(ws)


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--statements", help="file with one statement per line (frame texts)")
    p.add_argument("--db", help="SQLite file for the votes (default: a new temporary one)")
    args = p.parse_args()
    statements = []
    if args.statements:
        statements = [s.strip() for s in Path(args.statements).read_text("utf-8").splitlines()
                      if s.strip() and not s.startswith("#")]
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="bare-")) / "votes.db"
    votes = Votes(db, max(len(statements), 1))
    writer = asyncio.create_task(votes.run())
    bare = Bare(statements, votes)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # Same settings as debate-poll's uvicorn: no compression, small frames, the same backlog.
    async with serve(bare.handler, args.host, args.port, compression=None, max_size=65536,
                     backlog=2048):
        print(f"bare server on ws://{args.host}:{args.port}", flush=True)
        await stop
    writer.cancel()


if __name__ == "__main__":
    asyncio.run(main())
