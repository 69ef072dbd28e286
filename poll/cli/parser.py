"""The command line's parser: every command and flag (the README documents each one)."""

from __future__ import annotations

import argparse
import asyncio

from .. import exports
from ..model import LANGUAGES, ReasonsShown, Scale, ScreenLanguages, Visibility
from .copy import copy_command
from .debates import (
    backup_command,
    duplicate_command,
    export_command,
    list_command,
    new_command,
)
from .serve import serve


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="poll", description="Live debate polls: projector, phones, "
                                "moderator, archive.")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = ("the database: an SQLite file or sqlite:///FILE, or postgresql://USER@HOST/NAME "
               "(default: poll.db, or $POLL_DB)")

    s = sub.add_parser("serve", help="run the server")
    s.add_argument("--host", help="address to listen on (default 0.0.0.0: all interfaces)")
    s.add_argument("--port", type=int, help="port (default 8000)")
    s.add_argument("--db", help=db_help)
    s.add_argument("--pubsub", metavar="URL",
                   help="how the server's processes hear of each other's changes: memory:// "
                   "(one process, default) or redis://HOST:6379 (several, on PostgreSQL; "
                   "or $POLL_PUBSUB)")
    s.add_argument("--workers", type=int, metavar="N",
                   help="server processes sharing the port (default 1); more than one needs "
                   "a postgresql:// --db and a redis:// --pubsub (or $POLL_WORKERS)")
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
    s.add_argument("--map-interval", type=float, metavar="SECONDS",
                   help="seconds between two computations of a debate's opinion map while votes "
                   "come in (default 5)")
    s.set_defaults(run=serve)

    n = sub.add_parser("new", help="create a debate from a file of statements")
    n.add_argument("title")
    n.add_argument("--statements", required=True, metavar="FILE",
                   help="text file, one statement per line (blank lines and # comments "
                   'ignored); "text | translation" gives it in the other language too')
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
    n.add_argument("--proposals-public", action="store_true",
                   help="phones see the waiting proposals and +1 them")
    n.add_argument("--reasons", choices=list(ReasonsShown),
                   default=ReasonsShown.WITH_RESULTS.value,
                   help="when the room sees the reasons given with votes: results (while it may "
                   "see results, default), always, never (only the moderator)")
    n.add_argument("--screen-languages", choices=list(ScreenLanguages),
                   default=ScreenLanguages.ONE.value,
                   help="the projector shows the debate's language (one, default) or both")
    n.add_argument("--held-words", metavar="WORDS", default="",
                   help="a reason with one of these words waits for the moderator's approval "
                   '(spaces or commas between them), e.g. --held-words "idiot, stupid"')
    n.set_defaults(run=lambda a: asyncio.run(new_command(a)))

    d = sub.add_parser("duplicate", help="copy a debate (statements, notes, groups, settings; "
                       "no votes) for the next event")
    d.add_argument("debate", help="debate id or join code")
    d.add_argument("--db", help=db_help)
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.add_argument("--public-url", help="base URL for the printed links")
    d.add_argument("--port", type=int, help="port for the printed links (default 8000)")
    d.set_defaults(run=lambda a: asyncio.run(duplicate_command(a)))

    e = sub.add_parser("export", help="write a debate's results or votes")
    e.add_argument("debate", help="debate id or join code")
    e.add_argument("--format", choices=list(exports.FORMATS), default="csv")
    e.add_argument("-o", "--output", "--out", metavar="FILE",
                   help="write here instead of stdout (needed for xlsx and polis on a terminal)")
    e.add_argument("--db", help=db_help)
    e.set_defaults(run=lambda a: asyncio.run(export_command(a)))

    ls = sub.add_parser("list", help="list debates")
    ls.add_argument("--db", help=db_help)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=lambda a: asyncio.run(list_command(a)))
    bk = sub.add_parser("backup", help="copy the database safely, even while the server runs")
    bk.add_argument("file", help="the new file to write")
    bk.add_argument("--db", help=db_help)
    bk.set_defaults(run=lambda a: asyncio.run(backup_command(a)))

    cp = sub.add_parser("copy", help="copy a whole archive into an empty database: SQLite to "
                        "PostgreSQL or back")
    cp.add_argument("source", metavar="SRC", help="the database to copy (an SQLite file or "
                    "postgresql://...)")
    cp.add_argument("target", metavar="DST", help="the database to copy into; it must hold no "
                    "debates yet")
    cp.set_defaults(run=lambda a: asyncio.run(copy_command(a)))
    return p

