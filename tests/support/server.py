"""`poll` as a subprocess: what the live tests run against.

- `Server`: `python -m poll serve` on 127.0.0.1 and a free port, with its own SQLite file (or the
  PostgreSQL database a `postgresql://` URL names) and its output in log files; `.stop()`
  (SIGTERM, then SIGKILL after a deadline) and `.kill()` (SIGKILL at once, as in a crash or a
  power cut).
- `Site`: one installation: a database file (or `db=` a PostgreSQL URL), a port, debates made
  with the CLI, a server started on demand. Create debates BEFORE `site.start()`: the running
  server keeps its state in memory and would not see a debate written behind its back (or
  create them through `POST /new`).
- `run_poll(*args)`: any other command (`poll new`, `export`, `backup`, ...) run to completion;
  `describe(proc)` for an assertion message.
- `create_debate_with_cli(...)`: `poll new --json`, parsed into a `Debate`.

Servers still running are listed by `running_servers()`: conftest.py adds their output to the
report of a failing test.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx
import psutil

from support import WAIT
from support.debate import Debate

ROOT = Path(__file__).resolve().parents[2]
# Every server the tests start signs with this secret (POLL_SESSION_SECRET), so a test can make a
# phone's signed participant cookie for an id of its choosing (support.clients.participant_cookie).
SECRET = "secret-of-the-test-servers-only"
START_DEADLINE = 30.0  # seconds for `poll serve` to answer /healthz
STOP_DEADLINE = 20.0  # seconds a server gets to exit after SIGTERM before it is killed

_counter = itertools.count(1)
_running: list[Server] = []  # servers started and not yet stopped, for the failure report


def running_servers() -> list[Server]:
    """Servers started and not yet stopped or killed."""
    return list(_running)


def worker_processes(server: Server) -> list[psutil.Process]:
    """The worker processes of a `poll serve --workers N` (its multiprocessing children)."""
    assert server.proc is not None
    return [child for child in psutil.Process(server.proc.pid).children()
            if "spawn_main" in " ".join(child.cmdline())
            and "resource_tracker" not in " ".join(child.cmdline())]


def peers_of(process: psutil.Process) -> set[int]:
    """The client ports of the TCP connections `process` holds (which phones are on it)."""
    return {c.raddr.port for c in process.net_connections(kind="tcp") if c.raddr}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def poll_env() -> dict[str, str]:
    """The environment for a `poll` subprocess: none of the caller's POLL_* settings; UTF-8."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POLL_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", PYTHONUTF8="1",
               POLL_SESSION_SECRET=SECRET)
    return env


def run_poll(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m poll ARGS` to completion and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "poll", *map(str, args)],
        cwd=ROOT,
        env=poll_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


def as_database(db: Path | str) -> Path | str:
    """A database URL as it is (`postgresql://...`), anything else as a file's path."""
    return db if isinstance(db, str) and "://" in db else Path(db)


class Server:
    """A `poll serve` subprocess on 127.0.0.1 with its own SQLite file (or PostgreSQL URL)."""

    def __init__(
        self, db: Path | str, port: int, extra_args: Iterable[str] = (),
        logdir: Path | None = None,
    ):
        self.db = as_database(db)
        if logdir is None:
            assert isinstance(self.db, Path), "a server on a database URL needs a logdir"
            logdir = self.db.parent
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        self.extra_args = [str(a) for a in extra_args]
        n = next(_counter)
        self.stdout_path = logdir / f"server-{port}-{n}.stdout"
        self.stderr_path = logdir / f"server-{port}-{n}.stderr"
        self.proc: subprocess.Popen[bytes] | None = None
        self.killed = False

    def start(self) -> Server:
        args = [
            sys.executable, "-m", "poll", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--db", str(self.db), "--public-url", self.url,
            *self.extra_args,
        ]  # fmt: skip
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=poll_env(), stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
        _running.append(self)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_DEADLINE
        last: object = None
        with httpx.Client(trust_env=False, timeout=5) as client:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise AssertionError(
                        f"`poll serve` exited with {self.proc.returncode} before answering "
                        f"/healthz\n{self.logs()}"
                    )
                try:
                    response = client.get(f"{self.url}/healthz")
                    if response.status_code == 200 and response.json().get("ok") is True:
                        return
                    last = f"{response.status_code} {response.text[:200]}"
                except (httpx.HTTPError, ValueError) as exc:
                    last = exc
                time.sleep(0.1)
        self.kill()
        raise AssertionError(
            f"no answer on /healthz within {START_DEADLINE} s (last: {last})\n{self.logs()}"
        )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = STOP_DEADLINE) -> int | None:
        """SIGTERM, then SIGKILL when it has not exited after `timeout` s. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._forget()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a crash or a power cut."""
        if self.proc is not None and self.proc.poll() is None:
            self.killed = True
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._forget()

    def _forget(self) -> None:
        if self in _running:
            _running.remove(self)

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def logs(self, tail: int = 6000) -> str:
        return (
            f"--- server {self.url} stdout (tail) ---\n{self.stdout()[-tail:]}\n"
            f"--- server {self.url} stderr (tail) ---\n{self.stderr()[-tail:]}"
        )

    def wait_for_output(self, predicate: Callable[[str], bool], timeout: float = WAIT) -> str:
        """Wait until what the server printed on stdout satisfies `predicate`; return it."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.stdout()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"server output never matched\n{self.logs()}")
            time.sleep(0.1)


def write_statements(path: Path, statements: Iterable[str]) -> Path:
    path.write_text("".join(f"{s}\n" for s in statements), encoding="utf-8")
    return path


def create_debate_with_cli(
    db: Path | str, public_url: str, title: str, statements: list[str], lang: str = "en",
    *options: str, directory: Path | None = None,
) -> Debate:
    """`poll new TITLE --statements FILE --db DB --json --public-url URL [OPTIONS]`, parsed; the
    statements file goes beside the database file (or into `directory`)."""
    folder = directory or Path(db).parent
    source = write_statements(folder / f"statements-{next(_counter)}.txt", statements)
    proc = run_poll(
        "new", title, "--statements", source, "--db", db, "--lang", lang,
        "--json", "--public-url", public_url, *options,
    )  # fmt: skip
    assert proc.returncode == 0, f"`poll new` failed: {describe(proc)}"
    data = json.loads(proc.stdout)
    return Debate(
        id=data["id"],
        join_code=data["join_code"],
        title=title,
        statements=data["statements"],
        moderator_url=data["moderator_url"],
        screen_url=data["screen_url"],
        join_url=data["join_url"],
        raw=data,
    )


class Site:
    """One installation: a database file (or `db`, a PostgreSQL URL), a port, debates made with
    the CLI, a server on demand."""

    def __init__(self, directory: Path, port: int | None = None, db: str | None = None):
        self.directory = Path(directory)
        self.db: Path | str = db or self.directory / "poll.db"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: Server | None = None
        self.servers: list[Server] = []

    def new(self, title: str, statements: list[str], lang: str = "en", *options: str) -> Debate:
        """A debate made with `poll new`; `options` are more of its flags (e.g. "--groups")."""
        assert self.server is None or not self.server.running, (
            "create debates before starting the server (or through POST /new)"
        )
        return create_debate_with_cli(self.db, self.url, title, statements, lang, *options,
                                      directory=self.directory)

    def start(self, *extra_args: str) -> Server:
        self.server = Server(self.db, self.port, extra_args, self.directory)
        self.servers.append(self.server)
        return self.server.start()

    def close(self) -> None:
        for server in self.servers:
            server.stop()
