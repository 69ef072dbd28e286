"""The package's shape holds: the rules docs/architecture.md gives a newcomer are checked here, so
the layout does not drift back into a few big rooms.

- Only `poll.store` (which picks a backend) and the CLI's `poll backup` (`poll.cli.debates`) import
  the SQLite backend; views, sockets and the hub see the Store interface alone.
- Every frame the server sends is built in the `poll.live.frames` package.
- No import circle between modules.
- Modules stay readable in one sitting: at most 350 lines, no class over 250.
- Every refusal reason has an HTTP status.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from poll.live import Why
from poll.web.statuses import STATUS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "poll"
MAX_MODULE_LINES = 350
MAX_CLASS_LINES = 250


@cache
def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    assert "poll.live.hub" in modules and "poll.store.sqlite" in modules
    return modules


def _imports(name: str, path: Path, *, top_level_only: bool) -> set[str]:
    """The poll modules `name` imports (at module level only, when asked). `from pkg import mod`
    counts as importing the submodule, not the package that holds it."""
    modules = _modules()
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{a.name}" for a in node.names} & modules.keys()
            found.update(submodules or {base})
            if len(submodules) < len(node.names):
                found.add(base)  # a name defined in the package itself
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "poll" or m.startswith("poll.")}


def test_only_the_store_package_and_the_cli_know_the_sqlite_backend() -> None:
    allowed = {"poll.store", "poll.cli.debates"}
    for name, path in _modules().items():
        if name.startswith("poll.store.sqlite") or name in allowed:
            continue
        reached = {m for m in _imports(name, path, top_level_only=False)
                   if m.startswith("poll.store.sqlite")}
        assert not reached, f"{name} imports the SQLite backend ({reached}); use poll.store"


def test_only_the_store_package_knows_the_postgresql_backend() -> None:
    """asyncpg is an optional extra: nothing but open_store may import the backend that needs it,
    and the backend itself needs nothing of SQLite's."""
    for name, path in _modules().items():
        if name.startswith("poll.store.postgres") or name == "poll.store":
            continue
        reached = {m for m in _imports(name, path, top_level_only=False)
                   if m.startswith("poll.store.postgres")}
        assert not reached, f"{name} imports the PostgreSQL backend ({reached}); use poll.store"
    for name, path in _modules().items():
        if name.startswith("poll.store.postgres"):
            reached = {m for m in _imports(name, path, top_level_only=False)
                       if m.startswith("poll.store.sqlite")}
            assert not reached, f"{name} imports the SQLite backend ({reached})"


FRAME_TYPES = {"state", "tally", "welcome", "proposals", "ack", "error", "group", "proposed",
               "pong", "opinion"}


def _builds_frames(path: Path) -> bool:
    """Whether the module's code holds a dict literal `{"type": <a frame type>, ...}` or the
    pong's encoded text."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and key.value == "type"
                        and isinstance(value, ast.Constant) and value.value in FRAME_TYPES):
                    return True
        if isinstance(node, ast.Constant) and node.value == '{"type":"pong"}':
            return True
    return False


def test_every_frame_is_built_in_the_frames_module() -> None:
    builders = [name for name, path in _modules().items() if _builds_frames(path)]
    assert builders, "no frame builder found: the check looks in the wrong place"
    assert all(name.startswith("poll.live.frames.") for name in builders), builders


def test_no_import_circle() -> None:
    modules = _modules()
    graph = {name: {m for m in _imports(name, path, top_level_only=True)
                    if m in modules and m != name}
             for name, path in modules.items()}
    circles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert not circles, f"modules that import each other: {circles}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other by imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_modules_and_classes_stay_small() -> None:
    for name, path in _modules().items():
        text = path.read_text("utf-8")
        lines = text.count("\n")
        assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines: split it by concept"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                assert size <= MAX_CLASS_LINES, f"{name}.{node.name} has {size} lines"


def test_every_refusal_has_an_http_status() -> None:
    assert set(STATUS) == set(Why)
    assert all(400 <= status < 600 for status in STATUS.values())
