#!/usr/bin/env python
"""Summarise a py-spy profile in "raw" (collapsed stack) format as text.

    python benchmarks/profile_summary.py benchmarks/results/profile-10000-switch.txt [--top 25]

Prints the share of samples per function: self (the function was on top of the stack) and
inclusive (anywhere on the stack, counted once per sample), and the same grouped by module/file,
so the question "where does the server spend its time" has a plain-text answer.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
# Leaf frames that mean "waiting", not working: the event loop's poll, a thread blocked on a
# lock or queue (aiosqlite's worker thread in tx.get()), unresolved libc addresses (futex waits
# in --native profiles).
_IDLE = re.compile(r"^(epoll_wait|EpollSelector\.select|select|poll|sem_wait|sem_post|"
                   r"pthread_cond_\w*wait|futex\w*|__futex\w*|0x[0-9a-f]+) \(|"
                   r"^_connection_worker_thread \(.*aiosqlite/core\.py:59\)$|"
                   r"^(Condition\.wait|Queue\.get) \(.*(threading|queue)\.py")


def short_file(path: str) -> str:
    for marker in ("site-packages/", "/lib/python3", "/work/main/"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3" and "/" in tail else tail
    return path


def parse(path: Path, busy: bool = False,
          ) -> tuple[int, Counter[str], Counter[str], Counter[str], Counter[str]]:
    total = 0
    self_fn: Counter[str] = Counter()
    incl_fn: Counter[str] = Counter()
    self_file: Counter[str] = Counter()
    incl_file: Counter[str] = Counter()
    for line in path.read_text("utf-8", "replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if busy and _IDLE.match(frames[-1]):
            continue
        total += n
        names = []
        files = []
        for frame in frames:
            m = _FRAME.match(frame)
            if m:
                f = short_file(m["file"])
                names.append(f"{m['func']} ({f})")
                files.append(f)
            else:
                names.append(frame)
                files.append(frame)
        self_fn[names[-1]] += n
        self_file[files[-1]] += n
        for name in set(names):
            incl_fn[name] += n
        for f in set(files):
            incl_file[f] += n
    return total, self_fn, incl_fn, self_file, incl_file


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("profile", type=Path)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--busy", action="store_true",
                   help="leave out samples waiting in the event loop's poll, a lock or a queue")
    args = p.parse_args()
    total, self_fn, incl_fn, self_file, incl_file = parse(args.profile, args.busy)
    print(f"{args.profile}: {total} {'busy ' if args.busy else ''}samples")
    for title, counter in (("self time by function", self_fn),
                           ("inclusive time by function", incl_fn),
                           ("self time by file", self_file),
                           ("inclusive time by file", incl_file)):
        print(f"\n{title}:")
        for name, n in counter.most_common(args.top):
            print(f"  {100 * n / max(total, 1):5.1f}%  {name}")


if __name__ == "__main__":
    main()
