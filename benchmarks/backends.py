"""Where a benchmarked server keeps its debates: an SQLite file (the default), or a throwaway
PostgreSQL cluster and redis-server beside it, for `--store postgres` (issue 15, point 7).

The servers are the tests' own (`tests/support/postgres.py`, `tests/support/redis.py`: Debian's
binaries, a temporary folder, a free port on 127.0.0.1), with PostgreSQL's default durability
(fsync and synchronous_commit on), as a deployment would run it. Their CPU is read beside the
app's, so a vote's cost can be given with and without the database's share.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def cpu_seconds(processes: Iterable[psutil.Process]) -> float:
    """User and system CPU seconds so far of these processes (one that ended counts 0)."""
    total = 0.0
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            t = proc.cpu_times()
            total += t.user + t.system
    return total


class Backend:
    """The `--db` (and `--pubsub`) a benchmarked `poll` gets, and the processes behind them."""

    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def db(self) -> str:
        """A new, empty database for one server run."""
        return str(self.folder / "bench.db")

    def serve_args(self) -> list[str]:
        return []

    def processes(self) -> list[psutil.Process]:
        """The database's and pub/sub's server processes (none for SQLite: it is the app's)."""
        return []

    def cpu(self) -> float:
        """CPU seconds so far of every process in `processes()`."""
        return cpu_seconds(self.processes())

    def close(self) -> None:
        pass


class Postgres(Backend):
    """A PostgreSQL cluster and a redis-server, started here and removed by `close()`."""

    name = "postgres"

    def __init__(self, folder: Path) -> None:
        from support.postgres import PostgresServer, postgres_bindir
        from support.redis import RedisServer, redis_server_binary

        super().__init__(folder)
        self.postgres = PostgresServer(postgres_bindir()).start()
        try:
            self.redis = RedisServer(redis_server_binary()).start()
        except BaseException:
            self.postgres.stop()
            raise
        self._procs: list[psutil.Process] | None = None

    def db(self) -> str:
        return self.postgres.database()

    def serve_args(self) -> list[str]:
        return ["--pubsub", self.redis.url]

    def processes(self) -> list[psutil.Process]:
        # the postmaster and its backends (a backend per connection, made as the app connects)
        procs: list[psutil.Process] = []
        with contextlib.suppress(OSError, ValueError, psutil.Error):
            pid = int((self.postgres.data / "postmaster.pid").read_text().split()[0])
            master = psutil.Process(pid)
            procs = [master, *master.children(recursive=True)]
        if self.redis.proc is not None:
            with contextlib.suppress(psutil.Error):
                procs.append(psutil.Process(self.redis.proc.pid))
        if self._procs is not None:  # keep the objects: psutil caches what it read of each
            known = {p.pid: p for p in self._procs}
            procs = [known.get(p.pid, p) for p in procs]
        self._procs = procs
        return procs

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.redis.close()
        self.postgres.stop()


def backend(name: str, folder: Path) -> Backend:
    """The backend `--store NAME` names."""
    return Postgres(folder) if name == "postgres" else Backend(folder)
