"""What every backend makes the same way for a new row: the time stamp, debate ids and join
codes, moderator keys (and the hash that is stored of them), session tags and projector keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

# Join codes avoid characters that are easy to misread on a projector (0/O, 1/I/L).
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_LENGTH = 6
ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def now() -> str:
    """The current time as ISO 8601 in UTC, to the millisecond (how every time is stored)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_debate_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(8))


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def hash_key(key: str) -> str:
    """What is stored of a moderator key: the key is 32 random bytes, so a plain SHA-256 is
    enough; no slow KDF needed."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_moderator_key() -> str:
    return secrets.token_urlsafe(24)


def new_tag() -> str:
    """A moderator session's tag: replaced with the key, so older sessions stop working."""
    return secrets.token_hex(8)


def new_screen_key() -> str:
    return secrets.token_urlsafe(12)
