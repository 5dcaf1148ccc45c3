"""Dana's morning check-in in a real browser, on a phone and on a laptop: after three green sessions
over two days (made with the ORM) her check-in takes the press-up hold from 10 to 15 seconds, on the
result page and on the plan. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.e2e import web_fixtures  # sets Django up before any model is imported
from tests.e2e.a11y import assert_accessible
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.progress_builders import person_started, three_green_days

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pick(visit: Visit, name: str, value: str) -> None:
    visit.page.click(f"label:has(input[name='{name}'][value='{value}'])")


def test_dana_checks_in_and_her_press_up_hold_goes_from_10_to_15_seconds(visit: Visit) -> None:
    from backhome.web.progress.models import CheckIn, DoseChange

    dana, _ = person_started()
    three_green_days(dana)
    sign_in_as_guest(visit, dana)

    visit.go("/plan/")
    visit.page.get_by_role("link", name="Morning check-in").click()
    visit.page.wait_for_url("**/check-in/")
    assert visit.page.locator("h1").inner_text() == "Morning check-in"
    _pick(visit, "back", "3")
    _pick(visit, "leg", "2")
    _pick(visit, "zone", "3")
    _pick(visit, "stiffness", "none")
    # the chosen answers show: the picked pain button is filled, the body map marks the thigh
    assert visit.page.locator("input[name='back'][value='3']").is_checked()
    assert visit.page.locator("label.zone-3 input").is_checked()
    box = visit.page.locator("label:has(input[name='back'][value='10'])").bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    visit.shot("checkin")
    assert_accessible(visit, context="the check-in form")
    visit.page.click("button[type=submit]")

    visit.page.wait_for_url("**/check-in/*/")
    assert visit.page.locator("h1").inner_text() == "What changes today, and why"
    card = visit.page.locator("#change-prone-press-up")
    assert "One step up" in card.inner_text()
    assert "hold each 10 seconds" in card.locator(".before").inner_text()
    assert "hold each 15 seconds" in card.locator(".after").inner_text()
    assert visit.page.get_by_role("link", name="Start today's session").is_visible()
    visit.shot("checkin-result")
    assert_accessible(visit, context="the check-in result")
    assert CheckIn.objects.filter(person=dana).count() == 3
    assert DoseChange.objects.get(person=dana, exercise_id="prone-press-up").hold_s == 15

    visit.page.get_by_role("link", name="See my plan").click()
    visit.page.wait_for_url("**/plan/")
    assert "hold each 15 seconds" in visit.page.locator("#exercise-prone-press-up .dose").inner_text()
    assert visit.page.locator("#change-prone-press-up").is_visible()
    visit.shot("plan-after-checkin")
    assert_accessible(visit, context="the plan after a check-in")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []


def test_a_forgotten_answer_is_named_and_the_form_can_be_sent_again(visit: Visit) -> None:
    from backhome.web.progress.models import CheckIn

    dana, _ = person_started()
    sign_in_as_guest(visit, dana)
    visit.go("/check-in/")
    _pick(visit, "back", "4")
    _pick(visit, "zone", "1")
    _pick(visit, "stiffness", "none")
    visit.page.click("button[type=submit]")
    summary = visit.page.wait_for_selector("#error-summary")
    assert summary is not None
    assert "Please choose how bad your leg pain is" in summary.inner_text()
    # site.js moves the focus to the summary, so a screen reader reads it first
    visit.page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'error-summary'"
    )
    visit.shot("checkin-error")
    assert_accessible(visit, context="the check-in form with an error")
    _pick(visit, "leg", "0")
    visit.page.click("button[type=submit]")
    visit.page.wait_for_url("**/check-in/*/")
    assert CheckIn.objects.filter(person=dana).count() == 1
    assert visit.foreign_requests() == []


def test_a_second_bad_morning_stops_the_press_up_and_sends_dana_to_a_therapist(visit: Visit) -> None:
    from tests.integration.progress_builders import checked_in, days_ago, session_done

    dana, _ = person_started()
    checked_in(dana, days_ago(2), back=2)
    session_done(dana, days_ago(2))
    checked_in(dana, days_ago(1), back=4)  # not tolerated: made easier
    session_done(dana, days_ago(1))
    sign_in_as_guest(visit, dana)
    visit.go("/check-in/")
    _pick(visit, "back", "6")  # not tolerated again
    _pick(visit, "leg", "2")
    _pick(visit, "zone", "3")
    _pick(visit, "stiffness", "none")
    visit.page.click("button[type=submit]")
    visit.page.wait_for_url("**/check-in/*/")
    card = visit.page.locator("#change-prone-press-up")
    assert "Stopped for now" in card.inner_text()
    assert visit.page.get_by_role("heading", name="Please contact a physical therapist").is_visible()
    visit.shot("checkin-result-stopped")
    assert_accessible(visit, context="the check-in result with a stopped exercise")
    visit.go("/plan/")
    assert "Stopped for now" in visit.page.locator("#exercise-prone-press-up").inner_text()
    visit.shot("plan-stopped")
    assert_accessible(visit, context="the plan with a stopped exercise")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []
