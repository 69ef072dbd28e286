"""`poll backup` copies a live database safely, and a damaged database is refused at start."""

from __future__ import annotations

import asyncio
import json

from support.clients import new_participant, open_socket
from support.server import describe, run_poll


async def test_backup_while_the_server_takes_votes(site, moderator, tmp_path):
    debate = site.new("Backup debate", ["One", "Two"])
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(debate.sid(1), "open")
    phones = [await open_socket(site, debate, "phone", new_participant()) for _ in range(10)]
    try:
        acks = await asyncio.gather(*(p.cast(debate.sid(1), "agree") for p in phones))
        assert all(a["type"] == "ack" for a in acks)
        copy = tmp_path / "copy.db"
        done = run_poll("backup", copy, "--db", site.db)
        assert done.returncode == 0, describe(done)
        assert "10 votes" in done.stdout
        # the copy is a complete archive of its own
        exported = run_poll("export", debate.id, "--format", "json", "--db", copy)
        assert exported.returncode == 0, describe(exported)
        results = json.loads(exported.stdout)["statements"][0]["results"]
        assert results["counts"]["agree"] == 10
        # and the server carried on
        more = await phones[0].cast(debate.sid(1), "disagree")
        assert more["type"] == "ack"
        again = run_poll("backup", copy, "--db", site.db)
        assert again.returncode != 0 and "exists" in again.stderr
    finally:
        await asyncio.gather(*(p.close() for p in phones), return_exceptions=True)


def test_a_damaged_database_is_refused_with_a_message(tmp_path):
    db = tmp_path / "poll.db"
    made = run_poll("list", "--db", db)
    assert made.returncode == 0, describe(made)
    data = bytearray(db.read_bytes())
    assert len(data) >= 8192
    data[4096:8192] = b"\xff" * 4096  # wreck a b-tree page
    db.write_bytes(bytes(data))
    refused = run_poll("list", "--db", db)
    assert refused.returncode != 0
    assert "damaged" in refused.stderr and "Traceback" not in refused.stderr, describe(refused)
    # a file that is not a database at all is refused the same way
    other = tmp_path / "notes.db"
    other.write_text("not a database " * 1000)
    refused = run_poll("list", "--db", other)
    assert refused.returncode != 0 and "damaged" in refused.stderr, describe(refused)
