"""A real Redis server for the tests: Debian's `redis-server` on a free port, in a folder of its
own, nothing saved to disk.

`redis_server_binary()` finds it, installed with apt-get (once) when missing outside CI, as
PostgreSQL is (support.postgres); in CI a missing server is a failure, never a skip.
`RedisServer.restart()` stops it and starts it again on the same port, as a restarted Redis
would be: every subscription is dropped and every message sent meanwhile is lost.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from support.debian import provide
from support.server import free_port


def redis_server_binary() -> str:
    """The path of redis-server; installed with apt-get (once) when missing outside CI."""
    return provide("redis-server", lambda: shutil.which("redis-server"), "redis-server")


class RedisServer:
    """One redis-server on 127.0.0.1 at a free port; `url` for `--pubsub`."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="poll-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.root / "redis.log"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.log),
             "--daemonize", "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = self.log.read_text(errors="replace") if self.log.exists() else ""
                raise AssertionError(f"redis-server did not start:\n{log[-3000:]}")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # as a crash would: nothing is flushed, every client cut off
            self.proc.wait(30)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
