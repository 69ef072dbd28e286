"""Assertions and readers several test files share: tallies and percentages as the server sends
them, readable error pages, CSV exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import httpx

CHOICES = ("agree", "neutral", "disagree")


def tally_matches(frame: dict[str, Any], statement: int, **expected: Any) -> bool:
    return (
        frame.get("type") == "tally"
        and frame.get("statement") == statement
        and all(frame.get(k) == v for k, v in expected.items())
    )


def counts_of(choices: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(CHOICES, 0)
    for choice in choices:
        counts[choice] += 1
    return counts


def assert_percent(result: dict[str, Any]) -> None:
    """Whole percentages that add up to 100 and are each within 1 of the exact share."""
    total, counts, percent = result["total"], result["counts"], result["percent"]
    assert set(percent) == set(CHOICES), percent
    assert all(isinstance(p, int) for p in percent.values()), percent
    if total:
        assert sum(percent.values()) == 100, percent
        for choice in CHOICES:
            assert abs(percent[choice] - counts[choice] * 100 / total) < 1, (counts, percent)
    else:
        assert sum(percent.values()) == 0, percent


def assert_readable_error(response: httpx.Response, status: int) -> None:
    """An error a person can read: this status, a whole HTML page, no traceback."""
    assert response.status_code == status, (response.request.url, response.status_code)
    assert response.headers["content-type"].startswith("text/html"), response.headers
    body = response.text
    assert "<html" in body.lower() and "</html>" in body.lower(), body[:300]
    assert "Traceback" not in body and 'File "' not in body, body[:2000]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
