"""Browser tests: Playwright for Python driving Debian's Chromium (see shared house style)."""

import os
from collections.abc import Iterator

import pytest
from playwright import sync_api

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives a real browser (Debian's Chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    """pytest-playwright's launch arguments: never a downloaded browser."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """A browser for tests that do not use pytest-playwright's fixtures."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make browser` (make test does it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
