"""The clinic's day in a browser, at desktop 1440×900 and tablet 820×1180: red flags pinned first on the
list, the inbox filtered by severity with the event's time, outcomes at a glance with an ODI entered, a
very long name that neither widens the page nor is cut, the settings page, handouts of several patients
printed from the list, and the 404 page. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import Visit
from tests.integration.clinic_builders import alert_for, joined_days_ago, patient_like, practised
from tests.integration.people import person_with_plan

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 820, "height": 1180}
LONG = "Maximiliana Alexandrina Konstantinopoulou-Wolfeschlegelsteinhausenbergerdorff"


@pytest.fixture(params=[DESKTOP, TABLET], ids=["desktop", "tablet"])
def admin_visit(
    request: pytest.FixtureRequest, web_browser: Any, live_server: Any
) -> Iterator[tuple[Visit, Any]]:
    from backhome.web.clinic.models import Alert, Clinic, Membership, Role
    from backhome.web.patient.models import Person

    riverside = Clinic.objects.create(name="Riverside Physio", phone="+44 20 7946 0001")
    ada = get_user_model().objects.create_user(
        username="ada@riverside.example", email="ada@riverside.example"
    )
    Membership.objects.create(clinic=riverside, user=ada, role=Role.ADMIN)
    dana, _ = person_with_plan()
    from backhome.web.clinic.models import Enrolment

    Enrolment.objects.create(person=dana, clinic=riverside, label="Dana Example")
    joined_days_ago(dana, 20)
    practised(dana, days=range(1, 12), checkin_back=3)
    quiet = patient_like(dana, riverside, "Ann Quiet")
    for n in range(3):
        alert = alert_for(quiet, riverside, f"inactive:{n}")
        Alert.objects.filter(pk=alert.pk).update(kind="inactive", severity=1, text="No activity for 7 days.")
    urgent = patient_like(dana, riverside, "Bo Urgent")
    alert = alert_for(urgent, riverside, "red_flag:1")
    Alert.objects.filter(pk=alert.pk).update(
        kind="red_flag", severity=3, text="Screening result: urgent.", happened_at=timezone.now()
    )
    locked = patient_like(dana, riverside, "Cy Locked")
    Person.objects.filter(pk=locked.pk).update(emergency_locked_at=timezone.now())
    patient_like(dana, riverside, LONG)
    client = Client()
    client.force_login(ada)
    context = web_browser.new_context(viewport=request.param)
    page = context.new_page()
    visit = Visit(page, live_server.url)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": visit.base}]
    )
    yield visit, dana  # Ada's browser, and Dana (locked, with an urgent alert)
    context.close()


def checked(visit: Visit, name: str) -> None:
    """Only our own files, no policy broken, no serious axe finding, no sideways scroll; a screenshot."""
    from tests.e2e.a11y import assert_accessible

    visit.shot(name)
    assert visit.foreign_requests() == []
    assert visit.console_errors == []
    assert_accessible(visit)
    no_sideways_scroll(visit)


def no_sideways_scroll(visit: Visit) -> None:
    wide = visit.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= visit.page.viewport_size["width"], f"the page is {wide} px wide"


def test_ada_works_through_the_clinics_day(admin_visit: tuple[Visit, Any]) -> None:
    visit, dana = admin_visit
    page = visit.page

    # The list: the locked patient and the urgent alert first, the long name whole and wrapped.
    visit.go("/clinic/")
    labels = page.locator("table.patients tbody th.col-label a").all_inner_texts()
    assert labels[:2] == ["Cy Locked", "Bo Urgent"]
    assert LONG in labels
    checked(visit, "clinic-day-list")

    # The inbox, urgent only: the event's time shown.
    visit.go("/clinic/alerts/?severity=3")
    main = page.inner_text("main")
    assert "Bo Urgent" in main and "Ann Quiet" not in main and "Happened" in main
    checked(visit, "clinic-day-alerts-urgent")

    # Dana's outcomes; Ada enters an ODI total.
    visit.go(f"/clinic/patients/{dana.pk}/")
    page.fill("#odi", "36")
    page.get_by_role("button", name="Save the ODI").click()
    page.wait_for_url(f"**/clinic/patients/{dana.pk}/#outcomes")
    assert "36 on" in page.inner_text("#odi-trend")
    checked(visit, "clinic-day-outcomes")

    # The settings page: the alert address.
    visit.go("/clinic/settings/")
    page.fill("#alert_email", "alerts@riverside.example")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_url("**/clinic/settings/?saved=1")
    checked(visit, "clinic-day-settings")

    # Handouts of two patients in one PDF, from the list.
    visit.go("/clinic/?sort=label")
    page.check(f"#pick-{dana.pk}")
    page.locator("table.patients tbody input[type=checkbox]").first.check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Print the ticked patients' handouts (one PDF)").click()
    assert download.value.suggested_filename.startswith("backhome-handouts-2-")

    # A page that does not exist: the site's own 404, with its navigation.
    response = visit.go("/clinic/no-such-page/")
    assert response.status == 404
    assert "We could not find that page" in page.inner_text("main")
    visit.shot("clinic-day-404")
