"""One Settings object built from command-line flags and the environment.

Nothing else in the package reads `os.environ`: every tunable is here, with its default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "POLL_"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 8000
    # Where the debates are kept: an SQLite file (`poll.db`, `sqlite:///poll.db`) or a PostgreSQL
    # database (`postgresql://user@host/name`); see poll.store.open_store.
    database: str = "poll.db"
    # How the pages hear of changes: `memory://` (this process), or `redis://HOST:6379` for
    # several workers sharing a PostgreSQL database (poll.broadcast.redis, docs/scaling.md).
    pubsub: str = "memory://"
    # Server processes sharing the port (`poll serve --workers N`; PostgreSQL and Redis only).
    workers: int = 1
    # The address phones use (QR code, join link). None: derived by poll.network.public_base_url().
    public_url: str | None = None
    demo: bool = False
    # The reverse proxy in front (an address, or several comma-separated): only its
    # X-Forwarded-For and X-Forwarded-Proto are believed. None: such headers are ignored.
    trusted_proxy: str | None = None
    # When set, creating debates and the archive need this organiser password.
    admin_password: str | None = None
    # Signs moderator session cookies. None: a random secret kept in the database, so sessions
    # survive a restart without any set-up.
    session_secret: str | None = None
    # A client frame longer than this is refused with an error (the connection stays open) ...
    max_message_bytes: int = 2048
    # ... and one longer than this ends the connection (uvicorn's limit, close code 1009).
    max_frame_bytes: int = 65536
    # Tally frames to screens and moderators: at most one per debate per interval (latest wins).
    tally_interval: float = 0.1
    # State frames waiting for one slow client; past this the client is disconnected to resync.
    max_pending_frames: int = 64
    # Kernel send buffer per connection (bytes; Linux doubles it): what a stalled client can hold.
    send_buffer: int = 64 * 1024
    # A client whose socket accepts nothing for this long is disconnected.
    send_timeout: float = 10.0
    # Open websockets at most, in all and from one address. A whole venue can sit behind one NAT
    # address, so the per-address cap is generous; it stops one host from taking every socket.
    max_connections: int = 20000
    max_connections_per_ip: int = 5000
    # Votes committed together in one transaction (group commit).
    max_batch: int = 500
    # Seconds between two computations of a debate's opinion map while votes come in
    # (docs/opinion.md, "Live"); the tests make it short.
    map_interval: float = 5.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then POLL_* environment variables, then explicit (non-None) overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, kind in (
            ("host", str),
            ("port", int),
            ("db", str),
            ("pubsub", str),
            ("workers", int),
            ("public_url", str),
            ("session_secret", str),
            ("admin_password", str),
            ("trusted_proxy", str),
            ("tally_interval", float),
            ("map_interval", float),
            ("send_timeout", float),
            ("max_connections", int),
            ("max_connections_per_ip", int),
        ):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw:
                values[name] = kind(raw)
        # POLL_DB_PATH: the name of POLL_DB before databases could be URLs
        database = values.pop("db", None) or env.get(ENV_PREFIX + "DB_PATH")
        if database:
            values["database"] = database
        values.update({k: str(v) if isinstance(v, Path) else v
                       for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
