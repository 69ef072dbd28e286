"""`poll backup`: a consistent copy of an SQLite archive, safe while a server writes to it."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from .. import StoreError


async def backup(source: Path | str, target: Path | str) -> int:
    """Copy the database at `source` to `target` with SQLite's online backup API, consistent even
    while a server writes to it; returns the number of votes in the copy after checking it."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise StoreError(f"no database at {source}")
    if target.exists():
        raise StoreError(f"{target} exists already; choose a new file name")
    async with (
        aiosqlite.connect(f"file:{source}?mode=ro", uri=True) as src,
        aiosqlite.connect(target) as dst,
    ):
        await src.execute("PRAGMA busy_timeout=5000")
        await src.backup(dst)
        ((check,),) = await dst.execute_fetchall("PRAGMA integrity_check")
        if check != "ok":
            raise StoreError(f"the copy in {target} failed its integrity check: {check}")
        ((votes,),) = await dst.execute_fetchall("SELECT count(*) FROM votes")
    return int(votes)
