"""`poll new | duplicate | export | list | backup`: debates from the command line, on the same
database a server uses (or will use)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import exports
from ..config import Settings
from ..exports.opinion import NEEDS_MAP, map_for_export
from ..model import Debate, DebateSettings, ReasonsShown, Scale, ScreenLanguages, Visibility
from ..network import public_base_url
from ..store import Store, shown_url, sqlite_path, store_at
from ..text import (
    clean,
    debate_problems,
    held_words_problem,
    parse_groups,
    parse_held_words,
    parse_statement_pairs,
)
from .common import PUBLIC_URL, CommandError, addresses, links, print_debate


async def new_command(args: argparse.Namespace) -> int:
    path = Path(args.statements)
    try:
        raw = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    title = clean(args.title)
    pairs = parse_statement_pairs(raw)  # "text | translation" per line, or just the text
    statements = [text for text, _ in pairs]
    named = (clean(name) for name in args.group or ())  # each --group is one whole name
    groups = list(dict.fromkeys([*parse_groups(_read_groups(args.groups)), *filter(None, named)]))
    if problems := debate_problems(title, statements, groups):
        problem = problems[0]
        raise CommandError(f"{problem} ({path})" if "statement" in problem else problem)
    held = parse_held_words(args.held_words)
    if (held_problem := held_words_problem(held)) is not None:
        raise CommandError(f"--held-words: {held_problem}")
    settings = Settings.from_env(database=args.db, public_url=args.public_url, port=args.port)
    async with store_at(settings.database) as store:
        base = await _link_base(store, args, settings)
        debate, key = await store.create_debate(
            title, args.lang, statements, groups=groups, translations=[t for _, t in pairs],
            settings=DebateSettings(
                Scale(args.scale), Visibility(args.visibility), args.proposals,
                reasons=ReasonsShown(args.reasons), proposals_public=args.proposals_public,
                screen_languages=ScreenLanguages(args.screen_languages), held_words=held))
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


async def duplicate_command(args: argparse.Namespace) -> int:
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
            "reasons": debate.settings.reasons.value,
            "proposals_public": debate.settings.proposals_public,
            "screen_languages": debate.settings.screen_languages.value,
            "held_words": list(debate.settings.held_words),
            "groups": [{"id": g.id, "name": g.name} for g in debate.groups],
            "statements": [{"id": s.id, "position": s.position, "text": s.text,
                            "translation": s.translation}
                           for s in debate.statements],
        }, ensure_ascii=False))
    else:
        print("Created:")
        print_debate(debate, urls)


async def _find(store: Store, ref: str) -> Debate:
    debate = await store.debate(ref) or await store.debate_by_code(ref)
    if debate is None:
        raise CommandError(f"no debate with id or join code {ref!r} (see `poll list`)")
    return debate


async def export_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env(database=args.db)
    binary = exports.FORMATS[args.format].binary
    # refuse before reading anything: a workbook or ZIP sprayed over a terminal helps no one
    if binary and not args.output and sys.stdout.isatty():
        raise CommandError(f"--format {args.format} writes a binary file: add --out FILE "
                           "(or redirect stdout to a file)")
    base, _ = public_base_url(settings)
    async with store_at(settings.database) as store:
        debate = await _find(store, args.debate)
        # no server runs here: the map is computed in this process, for the formats with one
        opinion = (map_for_export(debate, await store.tallies(debate.id))
                   if args.format in NEEDS_MAP else None)
        body = await exports.export(store, debate, args.format, opinion=opinion,
                                    join_url=addresses(base).join(debate.join_code))
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


async def list_command(args: argparse.Namespace) -> int:
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


async def backup_command(args: argparse.Namespace) -> int:
    from ..store.sqlite.backup import backup

    settings = Settings.from_env(database=args.db)
    path = sqlite_path(settings.database)
    if path is None:
        raise CommandError(f"{shown_url(settings.database)}: `poll backup` copies SQLite files; "
                           "copy a PostgreSQL archive into a new SQLite file with `poll copy "
                           "SRC backup.db`, or use pg_dump")
    votes = await backup(path, args.file)
    print(f"backed up {path} to {args.file} ({votes} votes; integrity ok)")
    return 0

