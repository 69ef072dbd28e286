"""Debian's packages the tests run for real (Chromium, PostgreSQL, redis-server, nginx): found
where Debian puts them, installed with apt-get (once per package) when missing outside CI, and
a clear failure, never a skip, when they cannot be had. In CI a missing package is `.ci/run`'s
fault, so it fails at once and says which line to add."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

_tried: set[str] = set()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def provide(package: str, find: Callable[[], T | None], what: str) -> T:
    """What `find` finds (a path), after installing Debian's `package` if it finds nothing;
    fails the test with what to do when it still finds nothing. `what`: for the messages."""
    if (found := find()) is not None:
        return found
    if in_ci():
        pytest.fail(f"{what} is missing in CI: .ci/run must install it (DEBIAN_FRONTEND="
                    f"noninteractive apt-get install -y {package}) before the tests",
                    pytrace=False)
    if package not in _tried and os.geteuid() == 0 and (apt := shutil.which("apt-get")):
        _tried.add(package)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for args in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", package]):
            subprocess.run(args, env=env, capture_output=True, timeout=900, check=False,
                           stdin=subprocess.DEVNULL)
    if (found := find()) is not None:
        return found
    pytest.fail(f"{what} is missing and `apt-get install -y {package}` did not provide it; "
                f"install Debian's {package} package to run these tests", pytrace=False)
