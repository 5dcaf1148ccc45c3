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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``BACKHOME_E2E_ONE_SIZE=on`` (the PostgreSQL pass of `make test`): each browser test that runs at
    several screen sizes runs at its first size only (phone, or tablet for the clinic's actions). The
    screen size changes the layout, never a query, and the SQLite pass runs every size; this keeps both
    passes of `make test` inside its time budget. Tests deselected here are reported as deselected."""
    if os.environ.get("BACKHOME_E2E_ONE_SIZE", "").lower() not in {"1", "on", "true", "yes"}:
        return
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if item.nodeid.endswith("[desktop]"):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
