"""Dana opens her plan twice: each page is rendered for its request and gzipped (GZipMiddleware). The
browser reads it, its pictures move (their style carries this response's CSP nonce) and nothing is
refused."""

from __future__ import annotations

import pytest

from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.people import person_with_plan

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOVING = "#exercise-prone-press-up .picture .bh-prone-press-up-anim-lumbar"


def test_the_plan_page_opened_again_reads_and_moves_in_the_browser(visit: Visit) -> None:
    dana, _ = person_with_plan()
    sign_in_as_guest(visit, dana)
    first = visit.go("/plan/")
    again = visit.go("/plan/")
    assert first.status == again.status == 200
    assert again.headers.get("content-encoding") == "gzip"
    assert visit.page.locator("h1").inner_text() == "You can start your programme"
    assert visit.page.locator("#exercise-prone-press-up .picture svg[role=img]").count() == 1
    animation = visit.page.eval_on_selector(MOVING, "e => getComputedStyle(e).animationName")
    assert animation not in ("", "none")
    visit.shot("plan-kept")
    assert visit.console_errors == []
    assert visit.foreign_requests() == []
