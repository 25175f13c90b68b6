"""Playwright driving Debian's Chromium (``/usr/bin/chromium``), and screenshots as artifacts.

Playwright's own browser download does not work here, so the system Chromium is launched
directly. Screenshots go to ``var/artifacts/<test name>/`` (git-ignored), one per page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.worker import BASE_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = BASE_DIR / "var" / "artifacts"


class Screenshots:
    """Numbered full-page screenshots of one test: ``01-sign-in.png``, ``02-...``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("*.png"):
            old.unlink()
        self.count = 0

    def take(self, page, name: str) -> Path:
        self.count += 1
        path = self.directory / f"{self.count:02d}-{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the session (each test gets its own context: no shared
    cookies)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: bin/test installs Debian's chromium; run it once")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django then refuses database
    # calls from it unless told that the test (not an async view) is calling.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium) -> Iterator[object]:
    """A fresh page in a fresh context (its own cookies), closed after the test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshots(request) -> Screenshots:
    """Where this test saves its screenshots: ``var/artifacts/<module>/<test>/``."""
    module = Path(request.node.fspath).stem
    return Screenshots(ARTIFACTS / module / re.sub(r"[^\w-]+", "_", request.node.name))
