"""`poll serve`: the server for an event, ending in `uvicorn.Server(...).run()` (a quieter one,
poll.cli.quiet_server), in this process or in `--workers N` processes sharing its listening
socket (poll.cli.workers)."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys

from ..broadcast import UnknownPubSub, is_shared, open_pubsub
from ..config import Settings
from ..demo_debate import ensure_demo, ensure_example
from ..model import Debate
from ..network import public_base_url
from ..store import is_postgres, shown_url, store_at
from .common import PUBLIC_URL, CommandError, addresses, links, print_debate


async def _prepare_serve(settings: Settings, base: str) -> tuple[Debate, str, Debate] | None:
    async with store_at(settings.database) as store:
        # `poll new` and `poll duplicate` print links on this address, so they work
        await store.remember(PUBLIC_URL, base)
        if settings.demo:
            debate, key = await ensure_demo(store)
            return debate, key, await ensure_example(store)
    return None


def check_processes(settings: Settings) -> None:
    """Refuse, with what to do instead, a set-up whose processes could not share the debates:
    several workers need a database server (PostgreSQL) and a shared pub/sub (Redis)."""
    if settings.workers < 1:
        raise CommandError("--workers must be 1 or more")
    try:
        open_pubsub(settings.pubsub)
    except UnknownPubSub as exc:
        raise CommandError(str(exc)) from None
    if settings.workers > 1 and not is_postgres(settings.database):
        raise CommandError(f"--workers {settings.workers} needs a PostgreSQL database "
                           "(--db postgresql://USER@HOST/NAME) and --pubsub redis://HOST:6379: "
                           "SQLite has one writer, and one process serves it best")
    if is_shared(settings.pubsub) and not is_postgres(settings.database):
        raise CommandError(f"--pubsub {shown_url(settings.pubsub)} is for several workers on "
                           "one PostgreSQL database; with SQLite one process serves every page "
                           "(leave --pubsub out)")
    if settings.workers > 1 and not is_shared(settings.pubsub):
        raise CommandError(f"--workers {settings.workers} needs --pubsub redis://HOST:6379: "
                           "without it a worker's pages would not hear of the others' votes")


async def _check_redis(url: str) -> None:
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    client = aioredis.Redis.from_url(url.split("?", 1)[0], socket_connect_timeout=5)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise CommandError(f"cannot reach Redis at {shown_url(url)}: {exc}") from None
    finally:
        await client.aclose()


def serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(host=args.host, port=args.port, database=args.db,
                                 pubsub=args.pubsub, workers=args.workers,
                                 public_url=args.public_url, demo=args.demo or None,
                                 admin_password=args.admin_password,
                                 max_connections=args.max_connections,
                                 max_connections_per_ip=args.max_connections_per_ip,
                                 trusted_proxy=args.trusted_proxy,
                                 map_interval=args.map_interval)
    check_processes(settings)
    if is_shared(settings.pubsub):
        asyncio.run(_check_redis(settings.pubsub))
    base, warning = public_base_url(settings)
    try:
        listener = listen(settings.host, settings.port, settings.send_buffer)
    except OSError as exc:
        raise CommandError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
                           " (is another server running there? try --port)") from exc
    demo = asyncio.run(_prepare_serve(settings, base))
    urls = addresses(base)
    print(f"debate-poll on {base}  (database {shown_url(settings.database)}"
          + (f", pub/sub {shown_url(settings.pubsub)}" if is_shared(settings.pubsub) else "")
          + (f", {settings.workers} workers" if settings.workers > 1 else "") + ")")
    if demo is not None:
        print("Demo debate:")
        print_debate(demo[0], links(base, demo[0], demo[1]))
        print("  finished example with simulated votes (groups, second rounds): "
              f"{urls.report(demo[2].id)}")
    print(f"  new debate: {urls.absolute('new')}   archive: {urls.absolute('archive')}")
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)
    elif not settings.admin_password:
        print("  anyone on this network can create debates and read the archive; "
              "set POLL_ADMIN_PASSWORD to restrict that")
    sys.stdout.flush()
    if settings.workers > 1:
        from .workers import supervise

        return supervise(settings, listener)
    run_server(settings, listener)
    return 0


def run_server(settings: Settings, listener: socket.socket) -> None:
    """Serve on `listener` until stopped (SIGINT, SIGTERM): one process, or one of the workers."""
    import uvicorn

    from ..app import create_app
    from ..ws.protocol import websocket_protocol
    from .quiet_server import QuietServer

    config = uvicorn.Config(
        create_app(settings),
        # HTTP parsed by httptools (C), not h11 (pure Python): a phone's first visit is ten
        # requests, and a sixth of a join's CPU went to parsing them (docs/performance.md, "A
        # joining storm"). Named, not left to "auto", so the server does not change with what
        # else happens to be installed.
        http="httptools",
        ws=websocket_protocol(),  # uvicorn's "websockets-sansio", lighter per connection
        # Per-message compression would cost several times the memory per connection.
        ws_per_message_deflate=False,
        ws_max_size=settings.max_frame_bytes,
        # Client addresses and https from X-Forwarded-* only when they come from our own proxy;
        # anyone else could claim any address (and slip past the per-address limits).
        proxy_headers=settings.trusted_proxy is not None,
        forwarded_allow_ips=settings.trusted_proxy or "",
        log_level="warning",
        server_header=False,
    )
    QuietServer(config).run(sockets=[listener])


def listen(host: str, port: int, send_buffer: int) -> socket.socket:
    """The listening socket. Accepted sockets inherit its send buffer size, which caps the kernel
    memory one client that stops reading can hold (Linux would otherwise grow it to megabytes)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: accepted sockets inherit the protocol number, and asyncio
    # sets TCP_NODELAY only on sockets that name it. Without it Nagle's algorithm holds a
    # response's body (written after its headers) until the client acknowledges the headers,
    # which a client delays by up to 40 ms: every request after the first on a keep-alive
    # connection (a phone's scripts and stylesheets) and every frame a socket sends right after
    # another (welcome then state) waited that long (docs/performance.md, a joining storm).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock

