"""The real-browser fixtures, a pytest plugin registered by tests/conftest.py
(`pytest_plugins`): `chromium` (one Debian Chromium per test, closed with every page it opened)
and `screenshots` (support.browser.Screenshots for the test's tmp_path)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from support.browser import LAUNCH_ARGS, Browser, Screenshots, chromium_path


@pytest.fixture
async def chromium():
    """One Debian Chromium for the test, closed with every page it opened."""
    path = chromium_path()
    async with async_playwright() as playwright:
        raw = await playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        browser = Browser(raw)
        try:
            yield browser
        finally:
            await browser.close()
            await raw.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Screenshots:
    return Screenshots(tmp_path)
