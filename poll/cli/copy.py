"""`poll copy SRC DST`: move a whole archive between SQLite and PostgreSQL (either way)."""

from __future__ import annotations

import argparse

from ..store import shown_url
from ..store.copy import copy_archive


async def copy_command(args: argparse.Namespace) -> int:
    copied = await copy_archive(args.source, args.target)
    rows = copied.rows
    print(f"copied {shown_url(args.source)} to {shown_url(args.target)}: {rows['debates']} "
          f"debates, {rows['statements']} statements, {rows['votes']} votes, "
          f"{rows['reasons']} reasons, {rows['proposals']} proposals (every table checked)")
    return 0
