"""Documentation is part of the product: a route or command missing from the docs fails here."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Mount, Route, WebSocketRoute

from poll.cli import parser
from poll.routes import routes

ROOT = Path(__file__).resolve().parent.parent


def _documented_path(path: str) -> str:
    # The docs write route parameters without their converters: {statement_id:int} -> {statement_id}
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def test_every_route_is_in_the_protocol_doc() -> None:
    protocol = (ROOT / "docs" / "protocol.md").read_text("utf-8")
    for route in routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                row = f"| {method} | `{_documented_path(route.path)}"
                assert row in protocol, f"{method} {route.path} is not in docs/protocol.md"
        elif isinstance(route, WebSocketRoute):
            assert f"| WS | `{route.path}`" in protocol
        elif isinstance(route, Mount):
            assert f"`{route.path}/...`" in protocol


def test_every_command_and_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    subcommands = next(a for a in parser()._actions if a.dest == "command")
    for name, sub in subcommands.choices.items():  # type: ignore[union-attr]
        assert f"`poll {name}" in readme, f"poll {name} is not in the README"
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in readme, f"poll {name} {flag} is not in the README"
