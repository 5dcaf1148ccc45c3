"""Dana chooses her reminders on /reminders/ from the plan page, makes a bad answer and corrects it, then
adds her calendar and turns it off; on a phone and on a laptop, with axe-core on every state.
Screenshots go to artifacts/screenshots/reminders-*.png."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.e2e import web_fixtures
from tests.e2e.test_web_accounts import check
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.people import person_with_plan

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dana_sets_her_reminders_and_adds_then_turns_off_her_calendar(visit: Visit) -> None:
    from backhome.web.reminders.models import ReminderSettings  # after web_fixtures has set Django up

    dana, _ = person_with_plan()
    sign_in_as_guest(visit, dana)
    page = visit.page
    visit.go("/plan/")
    page.get_by_role("link", name="Reminders and your calendar").click()
    page.wait_for_url("**/reminders/")
    assert page.locator("h1").inner_text() == "Reminders"
    check(visit, "reminders")

    # Emails on, but no address: the page says which answer to fix.
    page.get_by_label("Saturday").uncheck()
    page.get_by_label("Sunday").uncheck()
    page.fill("#id_session_time", "18:30")
    page.get_by_label("Yes").check()
    page.click("text=Save my reminders")
    page.wait_for_selector("#error-summary")
    assert "Give the address the reminders should go to." in page.inner_text("#error-summary")
    check(visit, "reminders-error", bad_request=True)

    page.fill("#id_email", "dana@example.org")
    page.click("text=Save my reminders")
    page.wait_for_selector("#saved")
    assert "Mondays, Tuesdays, Wednesdays, Thursdays and Fridays at 6.30 pm" in page.inner_text("#saved")
    stored = ReminderSettings.objects.get(person=dana)
    assert stored.session_days == [0, 1, 2, 3, 4] and stored.email == "dana@example.org"
    check(visit, "reminders-saved")

    page.get_by_role("button", name="Add to my calendar").click()
    page.wait_for_selector("#feed-url")
    address = page.input_value("#feed-url")
    assert address.startswith(visit.base + "/reminders/feed/") and address.endswith(".ics")
    assert (
        page.get_by_role("link", name="Open in my calendar app").get_attribute("href").startswith("webcal://")
    )
    check(visit, "reminders-calendar")
    path = address.removeprefix(visit.base)
    assert Client().get(path).status_code == 200

    page.get_by_role("button", name="Turn off the calendar").click()
    page.wait_for_url("**/reminders/?calendar=off*")
    assert "Your calendar is turned off" in page.inner_text("#calendar")
    assert Client().get(path).status_code == 404
    check(visit, "reminders-calendar-off")
