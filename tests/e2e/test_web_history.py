"""Dana looks at her history in a real browser, on a phone and on a laptop: the pain chart has a point per
logged day, the calendar marks the days she exercised, nothing overlaps at 390 px, and the page passes
axe. Screenshots go to artifacts/screenshots/history*-<width>.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e import web_fixtures
from tests.e2e.a11y import assert_accessible
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.history_builders import (
    TEN_DAYS_BACK,
    TEN_DAYS_LEG,
    days_of_practice,
    dose_change,
    log_in,
    reasons,
    session_on,
    start_plan_on,
)
from tests.integration.people import person_with_plan

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _boxes(visit: Visit, selector: str) -> list[dict[str, float]]:
    boxes = [
        visit.page.locator(selector).nth(i).bounding_box()
        for i in range(visit.page.locator(selector).count())
    ]
    assert all(box is not None for box in boxes)
    return [box for box in boxes if box is not None]


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _no_overlaps(boxes: list[dict[str, float]]) -> None:
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)


def _dana_with_ten_days() -> tuple[Any, list[dt.date]]:
    dana, screening = person_with_plan()
    start_plan_on(screening, _ago(12))
    days = days_of_practice(dana, screening, last=_ago(1), days=10, back=TEN_DAYS_BACK, leg=TEN_DAYS_LEG)
    dose_change(dana, screening, "prone-press-up", on=_ago(7), hold_s=15)
    dose_change(dana, screening, "prone-press-up", on=_ago(3), hold_s=20)
    stopped = session_on(dana, _ago(0), screening=screening, back=3, leg=2, status="stopped")
    log_in(
        stopped,
        1,
        "sciatic-nerve-glide",
        light="red",
        rules=["PM-10"],
        reasons=reasons(("PM-10", "The pain spread further down your leg.")),
        advice="Stop the session now and rest. Tomorrow, check in before you exercise again.",
    )
    dose_change(
        dana,
        screening,
        "cat-camel",
        on=_ago(2),
        reps=5,
        hold_s=5,
        action="suspend",
        rules=["PM-41"],
        reasons=reasons(("PM-41", "Two mornings in a row were worse after this exercise.")),
    )
    return dana, [*days, _ago(0)]


def test_the_history_charts_show_the_logged_sessions(visit: Visit) -> None:
    dana, logged = _dana_with_ten_days()
    done_days = logged[:-1]  # today's session was stopped early
    sign_in_as_guest(visit, dana)
    visit.go("/history/")
    page = visit.page
    assert page.locator("h1").inner_text() == "Your history"
    # a point per logged day, for back (circles) and leg (squares)
    assert page.locator("svg.line-chart circle.marker-back").count() == len(logged)
    assert page.locator("svg.line-chart rect.marker-leg").count() == len(logged)
    # the calendar marks the days she exercised, and today (stopped early) outlined
    done = page.locator("table.calendar td.day.done")
    assert done.count() == len(done_days)
    assert [done.nth(i).get_attribute("data-day") for i in range(done.count())] == [
        d.isoformat() for d in done_days
    ]
    today = page.locator("table.calendar td.today")
    assert today.get_attribute("aria-current") == "date" and "stopped" in (today.get_attribute("class") or "")
    assert page.locator("#session-count").inner_text().startswith("10 sessions in the last 28 days")
    assert "a real improvement" in page.locator("#outcome-back").inner_text()

    # the chart fills the width of a phone and keeps its labels apart
    chart = page.locator("svg.line-chart")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300
    _no_overlaps(_boxes(visit, "svg.line-chart text.end-label"))
    _no_overlaps(_boxes(visit, "svg.line-chart g.dates text"))
    _no_overlaps(_boxes(visit, "svg.line-chart g.grid text"))
    for svg in ("svg.line-chart", "#dose-prone-press-up svg.step-chart"):
        outer = page.locator(svg).bounding_box()
        assert outer is not None
        for inner in _boxes(visit, f"{svg} text"):
            assert (
                inner["x"] >= outer["x"] - 0.5
                and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
            )
    # the calendar fits the screen
    table = page.locator("table.calendar").bounding_box()
    assert table is not None and table["x"] + table["width"] <= page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]

    assert page.locator("#dose-prone-press-up dd").nth(1).inner_text() == "10 times, hold each 20 seconds"
    assert (
        page.locator("ol.events li")
        .first.locator("h3")
        .inner_text()
        .endswith("Stopped: Sciatic nerve glide")
    )
    visit.shot("history")

    page.locator("details.numbers summary").click()
    assert page.locator("table.data tbody tr").count() == len(logged)
    visit.shot("history-numbers")
    assert_accessible(visit)
    assert visit.foreign_requests() == []
    assert visit.console_errors == []


def test_someone_with_no_sessions_yet_gets_a_button_to_their_plan(visit: Visit) -> None:
    dana, _ = person_with_plan()
    sign_in_as_guest(visit, dana)
    visit.go("/history/")
    assert visit.page.locator("h2").first.inner_text() == "Nothing here yet"
    visit.shot("history-empty")
    assert_accessible(visit)
    visit.page.click("text=Go to your programme")
    visit.page.wait_for_url("**/plan/")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []
