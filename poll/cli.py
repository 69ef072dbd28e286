"""`poll serve | new | duplicate | export | list | backup`: the command line.

`poll serve` ends in `uvicorn.run(...)`, so it is the whole set-up for an event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from . import exports
from .config import Settings
from .demo_debate import ensure_demo, ensure_example
from .model import LANGUAGES, Debate, DebateSettings, Scale, Visibility
from .network import public_base_url
from .store import Store, StoreError, sqlite_path, store_at
from .text import clean, debate_problems, parse_groups, parse_statements
from .urls import Addresses, DebateLinks


class CommandError(Exception):
    """A mistake in the command's input, reported on stderr without a traceback."""


def addresses(base: str) -> Addresses:
    """The app's addresses on `base`, from its route table (imported only when needed)."""
    from .routes import routes

    return Addresses(base, routes)


def links(base: str, debate: Debate, key: str | None = None) -> DebateLinks:
    """The links of a debate on `base`; the moderator's only with its `key`."""
    return addresses(base).links(debate, key)


def _print_debate(debate: Debate, urls: DebateLinks) -> None:
    print(f"  {debate.title}")
    print(f"  id {debate.id} · join code {debate.join_code} · {len(debate.statements)} statements")
    if "moderator_url" in urls:
        print(f"  moderator (keep private): {urls['moderator_url']}")
    print(f"  projector:                {urls['screen_url']}")
    print(f"  phones join at:           {urls['join_url']}")


# -- serve -------------------------------------------------------------------------------------

PUBLIC_URL = "public_url"  # the fact under which `poll serve` keeps the address it announces


async def _prepare_serve(settings: Settings, base: str) -> tuple[Debate, str, Debate] | None:
    async with store_at(settings.database) as store:
        # `poll new` and `poll duplicate` print links on this address, so they work
        await store.remember(PUBLIC_URL, base)
        if settings.demo:
            debate, key = await ensure_demo(store)
            return debate, key, await ensure_example(store)
    return None


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .ws.protocol import websocket_protocol

    settings = Settings.from_env(host=args.host, port=args.port, database=args.db,
                                 public_url=args.public_url, demo=args.demo or None,
                                 admin_password=args.admin_password,
                                 max_connections=args.max_connections,
                                 max_connections_per_ip=args.max_connections_per_ip,
                                 trusted_proxy=args.trusted_proxy)
    base, warning = public_base_url(settings)
    try:
        listener = listen(settings.host, settings.port, settings.send_buffer)
    except OSError as exc:
        raise CommandError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
                           " (is another server running there? try --port)") from exc
    demo = asyncio.run(_prepare_serve(settings, base))
    urls = addresses(base)
    print(f"debate-poll on {base}  (database {settings.database})")
    if demo is not None:
        print("Demo debate:")
        _print_debate(demo[0], links(base, demo[0], demo[1]))
        print("  finished example with simulated votes (groups, second rounds): "
              f"{urls.report(demo[2].id)}")
    print(f"  new debate: {urls.absolute('new')}   archive: {urls.absolute('archive')}")
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)
    elif not settings.admin_password:
        print("  anyone on this network can create debates and read the archive; "
              "set POLL_ADMIN_PASSWORD to restrict that")
    sys.stdout.flush()
    config = uvicorn.Config(
        create_app(settings),
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
    uvicorn.Server(config).run(sockets=[listener])
    return 0


def listen(host: str, port: int, send_buffer: int) -> socket.socket:
    """The listening socket. Accepted sockets inherit its send buffer size, which caps the kernel
    memory one client that stops reading can hold (Linux would otherwise grow it to megabytes)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
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


# -- new, export, list -------------------------------------------------------------------------

async def _new(args: argparse.Namespace) -> int:
    path = Path(args.statements)
    try:
        raw = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    title = clean(args.title)
    statements = parse_statements(raw)
    named = (clean(name) for name in args.group or ())  # each --group is one whole name
    groups = list(dict.fromkeys([*parse_groups(_read_groups(args.groups)), *filter(None, named)]))
    if problems := debate_problems(title, statements, groups):
        problem = problems[0]
        raise CommandError(f"{problem} ({path})" if "statement" in problem else problem)
    settings = Settings.from_env(database=args.db, public_url=args.public_url, port=args.port)
    async with store_at(settings.database) as store:
        base = await _link_base(store, args, settings)
        debate, key = await store.create_debate(
            title, args.lang, statements, groups=groups,
            settings=DebateSettings(Scale(args.scale), Visibility(args.visibility),
                                    args.proposals))
    _report_new(args, base, debate, key)
    return 0


def _read_groups(path: str | None) -> str:
    """The text of a --groups file ("" without one)."""
    if path is None:
        return ""
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}; --groups takes a file with one group "
                           "name per line (or give --group NAME for each group)") from exc


async def _duplicate(args: argparse.Namespace) -> int:
    settings = Settings.from_env(database=args.db, public_url=args.public_url, port=args.port)
    async with store_at(settings.database) as store:
        base = await _link_base(store, args, settings)
        original = await _find(store, args.debate)
        debate, key = await store.duplicate_debate(original.id)
    _report_new(args, base, debate, key)
    return 0


async def _link_base(store: Store, args: argparse.Namespace, settings: Settings) -> str:
    """The address the printed links start with: --public-url or --port when given, else the one
    `poll serve` last announced for this database, else this machine on port 8000. Says on
    stderr which server the links are for."""
    if args.public_url is None and args.port is None:
        announced = await store.fact(PUBLIC_URL)
        if announced is not None:
            print(f"links for the server that last ran on this database, {announced} "
                  "(--port or --public-url for another)", file=sys.stderr)
            return announced
    base, _ = public_base_url(settings)
    if args.public_url is None:
        print(f"links assume `poll serve --port {settings.port}` on this machine, {base} "
              "(--port or --public-url for another)", file=sys.stderr)
    return base


def _report_new(args: argparse.Namespace, base: str, debate: Debate, key: str) -> None:
    urls = links(base, debate, key)
    if args.json:
        print(json.dumps({
            "id": debate.id, "join_code": debate.join_code, "title": debate.title,
            "lang": debate.lang, **urls,
            "scale": debate.settings.scale.value, "visibility": debate.settings.visibility.value,
            "proposals": debate.settings.proposals,
            "groups": [{"id": g.id, "name": g.name} for g in debate.groups],
            "statements": [{"id": s.id, "position": s.position, "text": s.text}
                           for s in debate.statements],
        }, ensure_ascii=False))
    else:
        print("Created:")
        _print_debate(debate, urls)


async def _find(store: Store, ref: str) -> Debate:
    debate = await store.debate(ref) or await store.debate_by_code(ref)
    if debate is None:
        raise CommandError(f"no debate with id or join code {ref!r} (see `poll list`)")
    return debate


async def _export(args: argparse.Namespace) -> int:
    settings = Settings.from_env(database=args.db)
    binary = exports.FORMATS[args.format].binary
    # refuse before reading anything: a workbook or ZIP sprayed over a terminal helps no one
    if binary and not args.output and sys.stdout.isatty():
        raise CommandError(f"--format {args.format} writes a binary file: add --out FILE "
                           "(or redirect stdout to a file)")
    base, _ = public_base_url(settings)
    async with store_at(settings.database) as store:
        debate = await _find(store, args.debate)
        body = await exports.export(store, debate, args.format,
                                    join_url=addresses(base).join(debate.join_code))
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


async def _list(args: argparse.Namespace) -> int:
    settings = Settings.from_env(database=args.db)
    async with store_at(settings.database) as store:
        summaries = await store.summaries()
    rows = [{"id": s.debate.id, "join_code": s.debate.join_code, "title": s.debate.title,
             "lang": s.debate.lang, "created_at": s.debate.created_at,
             "statements": s.statements, "participants": s.participants, "votes": s.votes}
            for s in summaries]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    elif not rows:
        print("no debates yet: `poll new` or `poll serve --demo`")
    else:
        for r in rows:
            print(f"{r['id']}  {r['join_code']}  {r['statements']:>3} statements  "
                  f"{r['votes']:>5} votes  {r['title']}")
    return 0


async def _backup(args: argparse.Namespace) -> int:
    from .store.sqlite.backup import backup

    settings = Settings.from_env(database=args.db)
    path = sqlite_path(settings.database)
    if path is None:
        raise CommandError(f"{settings.database}: `poll backup` copies SQLite files; back up "
                           "other databases with their own tools")
    votes = await backup(path, args.file)
    print(f"backed up {path} to {args.file} ({votes} votes; integrity ok)")
    return 0


# -- parser ------------------------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="poll", description="Live debate polls: projector, phones, "
                                "moderator, archive.")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = "the database: an SQLite file or sqlite:///FILE (default: poll.db, or $POLL_DB)"

    s = sub.add_parser("serve", help="run the server")
    s.add_argument("--host", help="address to listen on (default 0.0.0.0: all interfaces)")
    s.add_argument("--port", type=int, help="port (default 8000)")
    s.add_argument("--db", help=db_help)
    s.add_argument("--demo", action="store_true", help="create the demo debate (once) and print "
                   "its links")
    s.add_argument("--public-url", help="base URL phones use, e.g. http://192.168.1.20:8000 "
                   "(default: this machine's LAN address)")
    s.add_argument("--admin-password", help="organiser password for creating debates and the "
                   "archive (better: $POLL_ADMIN_PASSWORD, which `ps` does not show)")
    s.add_argument("--max-connections", type=int, help="open websockets at most (default 20000)")
    s.add_argument("--max-connections-per-ip", type=int,
                   help="open websockets from one address at most (default 5000)")
    s.add_argument("--trusted-proxy", metavar="ADDR",
                   help="the reverse proxy's address: believe its X-Forwarded-For and "
                   "X-Forwarded-Proto (default: believe no one)")
    s.set_defaults(run=serve)

    n = sub.add_parser("new", help="create a debate from a file of statements")
    n.add_argument("title")
    n.add_argument("--statements", required=True, metavar="FILE",
                   help="text file, one statement per line; blank lines and # comments ignored")
    n.add_argument("--db", help=db_help)
    n.add_argument("--lang", choices=LANGUAGES, default="nl")
    n.add_argument("--json", action="store_true", help="print one JSON object")
    n.add_argument("--public-url", help="base URL for the printed links")
    n.add_argument("--port", type=int, help="port for the printed links (default 8000)")
    n.add_argument("--group", action="append", metavar="NAME",
                   help="an audience group phones pick from; repeat for each group, e.g. "
                   '--group Werkveld --group "Industry, energy"')
    n.add_argument("--groups", metavar="FILE",
                   help="a file of audience groups, one name per line (commas belong to names)")
    n.add_argument("--scale", choices=list(Scale), default=Scale.THREE.value,
                   help="three: agree/neutral/disagree (default); two: agree/disagree; "
                   "five: strongly agree ... strongly disagree")
    n.add_argument("--visibility", choices=list(Visibility), default=Visibility.REVEAL.value,
                   help="when the room sees results: reveal (when the moderator reveals, "
                   "default), closed (when voting closes), voted (a phone after voting), live")
    n.add_argument("--proposals", action="store_true",
                   help="let attendees propose statements (the moderator approves them)")
    n.set_defaults(run=lambda a: asyncio.run(_new(a)))

    d = sub.add_parser("duplicate", help="copy a debate (statements, notes, groups, settings; "
                       "no votes) for the next event")
    d.add_argument("debate", help="debate id or join code")
    d.add_argument("--db", help=db_help)
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.add_argument("--public-url", help="base URL for the printed links")
    d.add_argument("--port", type=int, help="port for the printed links (default 8000)")
    d.set_defaults(run=lambda a: asyncio.run(_duplicate(a)))

    e = sub.add_parser("export", help="write a debate's results or votes")
    e.add_argument("debate", help="debate id or join code")
    e.add_argument("--format", choices=list(exports.FORMATS), default="csv")
    e.add_argument("-o", "--output", "--out", metavar="FILE",
                   help="write here instead of stdout (needed for xlsx and polis on a terminal)")
    e.add_argument("--db", help=db_help)
    e.set_defaults(run=lambda a: asyncio.run(_export(a)))

    ls = sub.add_parser("list", help="list debates")
    ls.add_argument("--db", help=db_help)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=lambda a: asyncio.run(_list(a)))
    bk = sub.add_parser("backup", help="copy the database safely, even while the server runs")
    bk.add_argument("file", help="the new file to write")
    bk.add_argument("--db", help=db_help)
    bk.set_defaults(run=lambda a: asyncio.run(_backup(a)))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (CommandError, StoreError) as exc:
        print(f"poll {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
