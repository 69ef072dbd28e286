"""`poll serve | new | duplicate | export | list | backup | copy`: the command line.

`poll serve` ends in uvicorn, so it is the whole set-up for an event (`serve`); the other commands
work on the database directly (`debates`); `parser` lists every command and flag.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..store import StoreError
from .common import CommandError
from .parser import parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status (2: a mistake in the input, said on stderr)."""
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (CommandError, StoreError) as exc:
        print(f"poll {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


__all__ = ["CommandError", "main", "parser"]
