"""A page's modules joined into one file (poll/web/bundles.py): what the join keeps and what it
refuses. That the joined pages work is for the browser tests (phone, projector, moderator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poll.web.assets import AssetError, load_assets
from poll.web.bundles import BundleError, bundle

UI = "export function format(s) { return s; }\nexport const N = 3;\nfunction hidden() {}\n"
LIVE = "import { format } from './ui.js';\nexport async function connect() { return format(1); }\n"
PAGE = ("import { connect } from './live.js';\n"
        "import {\n  format as fmt,\n  N,\n} from './ui.js';\nconnect(fmt(N));\n")


def same(text: str) -> str:
    return text


def test_modules_come_once_each_after_what_they_import() -> None:
    joined = bundle("js/page.js", {"js/ui.js": UI, "js/live.js": LIVE, "js/page.js": PAGE}, same)
    ui, live, page = (joined.index(f"$m_js_{n}_js = ") if n != "page" else joined.rindex("(() =>")
                      for n in ("ui", "live", "page"))
    assert ui < live < page
    assert joined.count("$m_js_ui_js = ") == 1, "a module imported twice runs once"
    assert "return { format, N };" in joined, "exports only: hidden() stays the module's own"
    assert "const { format } = $m_js_ui_js;" in joined
    assert "const { connect } = $m_js_live_js;" in joined
    assert "const { format: fmt, N } = $m_js_ui_js;" in joined
    assert "export" not in joined and "import" not in joined
    assert "async function connect()" in joined.replace("  ", " ")


@pytest.mark.parametrize("line", [
    "export default function () {}",
    "export { format };",
    "export let counter = 0;",
    "export const { a, b } = obj;",
    "import * as ui from './ui.js';",
    "import ui from './ui.js';",
    "import './ui.js';",
])
def test_module_syntax_the_join_would_not_keep_stops_the_start(line: str) -> None:
    with pytest.raises(BundleError, match="line 2"):
        bundle("js/page.js", {"js/ui.js": UI, "js/page.js": f"const x = 1;\n{line}\n"}, same)


def test_a_broken_static_folder_names_the_module(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "ui.js").write_text(UI)
    (tmp_path / "js" / "page.js").write_text("import { format } from './ui.js';\nexport let x;\n")
    with pytest.raises(AssetError, match=r"static/js/page.js, line 2"):
        load_assets(tmp_path)
    (tmp_path / "js" / "page.js").write_text(PAGE.replace("live", "ui"))
    assets = load_assets(tmp_path)
    assert assets.script("js/page.js").startswith("/static/js/page.bundle.")
    assert assets.script("js/ui.js").startswith("/static/js/ui.")  # imports nothing: itself
