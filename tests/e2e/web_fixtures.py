"""Fixtures for the web app's browser tests: Django settings, a live server, a page that records every
request. Imported by the test modules that use them (tests/e2e/conftest.py belongs to the illustration
tests)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backhome.web.config.settings")
os.environ.setdefault("BACKHOME_DATA_DIR", tempfile.mkdtemp(prefix="backhome-test-data-"))
os.environ.setdefault("BACKHOME_SECRET_KEY", "test-only-" + "k" * 50)

import django

from tests.artifacts import ARTIFACTS as ARTIFACTS_ROOT

django.setup()

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = ARTIFACTS_ROOT / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def allow_async_unsafe() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test's thread; Django's ORM must still work there."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def web_browser(chromium_browser: Any, allow_async_unsafe: None) -> Any:
    """The e2e conftest's one shared browser (Playwright's sync API allows one at a time), with the
    ORM allowed in the test's thread."""
    return chromium_browser


class Visit:
    """A browser page on the live server that records every URL it asks for."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        # A style or script the Content-Security-Policy refuses shows up here.
        page.on(
            "console", lambda message: message.type == "error" and self.console_errors.append(message.text)
        )

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.page.viewport_size['width']}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not (url.startswith(self.base + "/") or url == self.base)]


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def visit(request: pytest.FixtureRequest, web_browser: Any, live_server: Any) -> Iterator[Visit]:
    from django.core.cache import caches

    # Every browser is 127.0.0.1: the rate limits' counts (the shared cache) start at nothing each test.
    caches["shared"].clear()
    context = web_browser.new_context(viewport=request.param)
    page = context.new_page()
    yield Visit(page, live_server.url)
    context.close()


def sign_in_as_guest(visit: Visit, person: Any) -> None:
    """Make the browser this guest person, as if they had answered the questions in it."""
    from tests.integration.people import browser_session

    visit.page.context.add_cookies(
        [{"name": "sessionid", "value": browser_session(person), "url": visit.base}]
    )
