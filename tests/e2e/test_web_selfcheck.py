"""Dana does the backward-bending self-check in a real browser, on a phone and on a laptop: the core's
steps one at a time, the 5-minute timer (Playwright's clock, no waiting), the three measurements, the next
morning (the stored test is moved back a day), and her reshaped plan with the disclaimer. Every page passes
axe. Screenshots go to artifacts/screenshots/selfcheck-*-<width>.png."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from backhome.core.rules import directional as dpt
from tests.e2e import web_fixtures
from tests.e2e.a11y import assert_accessible
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.people import WALT_WEB, person_with_plan

if TYPE_CHECKING:
    from backhome.web.selfcheck.models import DirectionalTest

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _answer(visit: Visit, values: dict[str, object]) -> None:
    names = {"back": "pain__back", "leg": "pain__leg", "zone": "distal_zone", "numbness": "numbness"}
    for key, value in values.items():
        posted = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        visit.page.click(f"label:has(input[name='{names[key]}'][value='{posted}'])")


def _page_is_fine(visit: Visit, name: str) -> None:
    assert dpt.DISCLAIMER in visit.page.locator("#disclaimer").inner_text()
    visit.shot(f"selfcheck-{name}")
    assert_accessible(visit, context=name)


def _a_day_later(test: DirectionalTest) -> None:
    day = dt.timedelta(days=1)
    test.refresh_from_db()
    for name in ("started_at", "ended_at", "after_at", "recheck_at"):
        setattr(test, name, getattr(test, name) - day)
    test.save(update_fields=["started_at", "ended_at", "after_at", "recheck_at"])


def test_dana_does_the_extension_check_and_sees_her_plan_change(visit: Visit) -> None:
    # Django's models only after web_fixtures has set Django up
    from backhome.web.patient.selectors import screening_latest_decided
    from backhome.web.selfcheck.models import DirectionalTest

    person, first = person_with_plan()
    sign_in_as_guest(visit, person)
    page = visit.page
    page.clock.install()
    visit.go("/self-check/")
    assert page.locator("h1").inner_text() == "Which way of bending suits your back?"
    _page_is_fine(visit, "index")

    page.locator("#direction-extension").get_by_role("link", name="Start this check").click()
    page.wait_for_url("**/self-check/extension/")
    _answer(visit, {"back": 5, "leg": 4, "zone": 3, "numbness": False})
    _page_is_fine(visit, "before")
    page.get_by_role("button", name="Start the check").click()

    # step 2: lying on the stomach, with the 5-minute timer
    page.wait_for_url("**/self-check/test/**")
    assert "step 2 of 6" in page.locator("#progress-label").inner_text()
    timer = page.locator(".timer")
    assert timer.is_visible()
    assert timer.locator(".timer-face").inner_text() == "5:00"
    page.get_by_role("button", name="Start the 5-minute timer").click()
    page.clock.run_for(60_000)
    assert timer.locator(".timer-face").inner_text() == "4:00"
    page.clock.run_for(240_000)
    assert timer.locator(".timer-face").inner_text() == "0:00"
    assert "Time is up" in timer.locator(".timer-status").inner_text()
    assert page.locator(".picture svg").count() == 1
    _page_is_fine(visit, "step-lying")
    page.get_by_role("button", name="Next").click()

    page.wait_for_function("document.querySelector('#progress-label').textContent.includes('step 3 of 6')")
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("document.querySelector('#progress-label').textContent.includes('step 4 of 6')")
    _page_is_fine(visit, "step-press-ups")
    page.get_by_role("button", name="Next").click()

    # straight after, and after the rest: the pain moved back up out of the thigh (centralization)
    page.wait_for_function("document.querySelector('#progress-label').textContent.includes('step 5 of 6')")
    _answer(visit, {"back": 5, "leg": 2, "zone": 2, "numbness": False})
    _page_is_fine(visit, "after")
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("document.querySelector('#progress-label').textContent.includes('step 6 of 6')")
    page.get_by_role("button", name="Start the 2-minute timer").click()
    page.clock.run_for(120_000)
    assert "Time is up" in page.locator(".timer-status").inner_text()
    _answer(visit, {"back": 5, "leg": 2, "zone": 2, "numbness": False})
    page.get_by_role("button", name="Next").click()

    page.wait_for_function("document.querySelector('h1').textContent.includes('your result')")
    assert "It suited you" in page.locator("#result-title").inner_text()
    assert "Tomorrow morning" in page.locator("main").inner_text()
    _page_is_fine(visit, "result")

    # the next morning
    test = DirectionalTest.objects.get(person=person)
    _a_day_later(test)
    page.reload()
    assert page.locator("#morning-title").is_visible()
    _answer(visit, {"back": 4, "leg": 2, "zone": 2})
    _page_is_fine(visit, "morning")
    page.get_by_role("button", name="Confirm my result").click()
    page.wait_for_selector("#plan-change")
    latest = screening_latest_decided(person)
    assert latest is not None and latest.pk != first.pk
    change = page.locator("#plan-change").inner_text()
    dpt11 = next(r["text"] for r in latest.decision["reasons"] if r["rule"] == "DPT-11")
    assert dpt11 in change
    _page_is_fine(visit, "changed")

    # the plan page is the reshaped plan, with the disclaimer among the reasons
    page.locator("#plan-change").get_by_role("link", name="See your plan").click()
    page.wait_for_url("**/plan/")
    page.locator("summary", has_text="Why you got this plan").click()
    reasons = page.locator(".reasons").inner_text()
    assert dpt11 in reasons
    assert next(r["text"] for r in latest.decision["reasons"] if r["rule"] == "DPT-26") in reasons
    for item in latest.decision["exercises"]:
        assert page.locator(f"#exercise-{item['id']}").is_visible()
    visit.shot("selfcheck-plan")

    visit.go("/self-check/")
    assert "It suited you" in page.locator("#direction-extension").inner_text()
    assert page.locator(".changes a").count() == 1
    _page_is_fine(visit, "index-after")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []


def test_walt_is_told_why_he_may_not_check_bending_backwards(visit: Visit) -> None:
    person, _ = person_with_plan(WALT_WEB)
    sign_in_as_guest(visit, person)
    visit.go("/self-check/")
    card = visit.page.locator("#direction-extension")
    assert "physical therapist clears them" in card.inner_text()
    assert card.get_by_role("link", name="Start this check").count() == 0
    _page_is_fine(visit, "walt")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []


def test_the_check_stops_when_the_pain_spreads(visit: Visit) -> None:
    person, _ = person_with_plan()
    sign_in_as_guest(visit, person)
    page = visit.page
    visit.go("/self-check/extension/")
    _answer(visit, {"back": 5, "leg": 4, "zone": 3, "numbness": False})
    page.get_by_role("button", name="Start the check").click()
    page.wait_for_url("**/self-check/test/**")
    page.get_by_role("link", name="My symptoms got worse").click()
    page.wait_for_url("**/check/")
    _answer(visit, {"back": 5, "leg": 5, "zone": 4, "numbness": False})
    _page_is_fine(visit, "worse")
    page.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_function("document.querySelector('h1').textContent.includes('the check has stopped')")
    assert "Stop the self-check now" in page.locator(".alert.stop").inner_text()
    _page_is_fine(visit, "stopped")
    assert visit.console_errors == []
