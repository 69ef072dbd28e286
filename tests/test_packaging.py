"""The wheel carries every package: a package folder under poll/ that pyproject.toml does not
list would be missing from `pip install .` (and only a fresh install would show it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_under_poll_is_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "poll").rglob("__init__.py")}
    assert found, "no packages found: the test looks in the wrong place"
    assert found <= listed, f"not in pyproject.toml's packages: {sorted(found - listed)}"
