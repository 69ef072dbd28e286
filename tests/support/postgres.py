"""A real PostgreSQL server for the tests: Debian's binaries, `initdb` and `pg_ctl` in a folder
of its own, one fresh database per test.

- `postgres_bindir()`: where initdb and pg_ctl are (/usr/lib/postgresql/<newest>/bin); installed
  with apt-get (once) when missing outside CI, as Chromium is (support.browser); in CI a missing
  server is a failure with a clear message, never a skip.
- `PostgresServer`: a cluster in a temporary folder, listening on 127.0.0.1 at a free port and on
  a unix socket in that folder, trusting local connections as the superuser `poll`. PostgreSQL
  refuses to run as root, so as root the cluster belongs to Debian's `postgres` user (`runuser`).
  `.database()` is the URL of a new empty database. `.halt()` stops the server as an
  administrator's `pg_ctl stop -m fast` would (every connection ended), `.resume()` starts it
  again on the same port and data: the database going away and coming back under a running app.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from support.debian import provide
from support.server import free_port

SUPERUSER = "poll"
SYSTEM_USER = "postgres"  # the account Debian's package makes; the cluster runs as it under root

def _bindir() -> Path | None:
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in path.parent.name.split(".") if p.isdigit())

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=version, reverse=True)
    if found:
        return found[0].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def postgres_bindir() -> Path:
    """The folder of Debian's PostgreSQL server binaries; installed with apt-get (once) when
    missing outside CI; never a skip."""
    return provide("postgresql", _bindir, "PostgreSQL's server")


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, started by `start()`, gone after `stop()`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # not under pytest's tmp_path: its folders are private to root, and the server runs as
        # the postgres user when the tests run as root
        self.root = Path(tempfile.mkdtemp(prefix="poll-postgres-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._names = itertools.count(1)

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False,
                              stdin=subprocess.DEVNULL, cwd=self.root)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise AssertionError(f"{' '.join(command)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}\n--- server log ---\n{log}")
        return proc

    def start(self) -> PostgresServer:
        self.sockets.mkdir()
        if os.geteuid() == 0:
            self.root.chmod(0o755)
            shutil.chown(self.root, SYSTEM_USER)
            shutil.chown(self.sockets, SYSTEM_USER)
        self._run(self.bindir / "initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        self.resume()
        return self

    def resume(self) -> None:
        """Start the server (again) on its port and data, and wait until it takes connections."""
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
                   " -c max_connections=200")
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options,
                  "-w", "-t", "120", "start")

    def halt(self) -> None:
        """Stop the server as `pg_ctl stop -m fast` does: every session ended, the port closed;
        the data stays for `resume()`."""
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "120",
                  "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """The URL of a new, empty database on this server."""
        name = f"poll_test_{os.getpid()}_{next(self._names)}"
        self._run(self.bindir / "createdb", "-h", self.sockets, "-p", str(self.port),
                  "-U", SUPERUSER, name)
        return self.url(name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
