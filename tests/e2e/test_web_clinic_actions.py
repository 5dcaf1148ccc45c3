"""Cleo (Riverside) changes Dana's press-up hold to 20 s with a reason and Dana sees it; Cleo acknowledges
the alert of a RED stop; Dana asks for a screen and Cleo marks it booked. At desktop (1280×800) and tablet
(768×1024) widths, with axe on every page; screenshots in artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import DESKTOP, PHONE, Visit, sign_in_as_guest

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
WHY = "Ten-second holds are easy for you now; twenty gives the stretch time to work."
BAD_REQUEST = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


class Browsers:
    """One browser context per person (Cleo and Dana never share cookies), all at one viewport."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int]) -> None:
        self.browser = browser
        self.base = base
        self.viewport = viewport
        self.contexts: list[Any] = []

    def open(self) -> Visit:
        context = self.browser.new_context(viewport=self.viewport)
        self.contexts.append(context)
        return Visit(context.new_page(), self.base)

    def clinician(self, user: Any) -> Visit:
        client = Client()
        client.force_login(user)
        visit = self.open()
        visit.page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.base}]
        )
        return visit

    def patient(self, person: Any) -> Visit:
        visit = self.open()
        sign_in_as_guest(visit, person)
        return visit

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(params=[TABLET, DESKTOP], ids=["tablet", "desktop"])
def browsers(request: pytest.FixtureRequest, web_browser: Any, live_server: Any) -> Iterator[Browsers]:
    opened = Browsers(web_browser, live_server.url, request.param)
    yield opened
    opened.close()


def check(visit: Visit, name: str | None = None, *, bad_request: bool = False) -> None:
    """Only our own files, no policy broken, no serious axe finding; then a screenshot."""
    from tests.e2e.a11y import assert_accessible

    assert visit.foreign_requests() == []
    if bad_request:
        assert BAD_REQUEST in visit.console_errors
        visit.console_errors[:] = [m for m in visit.console_errors if m != BAD_REQUEST]
    assert visit.console_errors == []
    assert_accessible(visit)
    if name:
        visit.shot(name)


def test_cleo_sets_danas_press_up_hold_to_20_seconds_and_dana_sees_why(browsers: Browsers) -> None:
    from tests.integration.clinic_people import cast

    people = cast()
    cleo = browsers.clinician(people.cleo)
    page = cleo.page
    cleo.go(f"/clinic/patients/{people.dana.pk}/programme/")
    assert page.locator("h1").inner_text() == "Programme of Dana"
    check(cleo, "clinic-editor")

    press_up = page.locator("#dose-prone-press-up")
    # Outside the exercise's range: refused with the range named, nothing saved.
    press_up.locator("input[name=hold_s]").fill("45")
    press_up.locator("textarea[name=why]").fill(WHY)
    press_up.get_by_role("button", name="Save the dose of Prone press-up").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert "Hold: choose from 10 to 30 seconds for Prone press-up." in summary.inner_text()
    assert page.locator("#dose-prone-press-up-hold_s").get_attribute("aria-invalid") == "true"
    check(cleo, "clinic-editor-error", bad_request=True)

    press_up = page.locator("#dose-prone-press-up")
    press_up.locator("input[name=hold_s]").fill("20")
    press_up.get_by_role("button", name="Save the dose of Prone press-up").click()
    page.wait_for_url("**/programme/?saved=*")
    assert "hold each 20 seconds" in page.locator("#saved").inner_text()
    assert "hold each 20 seconds" in page.locator("#ex-prone-press-up .dose-now").inner_text()
    assert WHY in page.locator(".history").inner_text()
    check(cleo, "clinic-editor-saved")

    dana = browsers.patient(people.dana)
    dana.go("/plan/")  # her next visit: the plan shows the new dose and, once, what changed and why
    assert "10 times, hold each 20 seconds" in dana.page.locator("#exercise-prone-press-up").inner_text()
    check(dana)
    card = dana.page.locator(".clinician-changes")
    assert "Your physical therapist changed your programme" in card.inner_text()
    assert (
        "Prone press-up: now 10 times, hold each 20 seconds" in card.inner_text() and WHY in card.inner_text()
    )
    check(dana, "patient-clinician-changes")
    dana.go("/plan/")  # seen: the card is not shown again
    assert dana.page.locator(".clinician-changes h2").count() == 0


def test_cleo_acknowledges_the_alert_of_a_red_stop(browsers: Browsers) -> None:
    from backhome.web.clinic.alerts import alerts_scan
    from tests.integration.clinic_people import cast
    from tests.integration.history_builders import log_in, session_on

    people = cast()
    session = session_on(people.dana, timezone.localdate(), status="stopped", stop_rules=["PM-12"])
    reason = {"rule": "PM-12", "text": "Your leg pain went up during the exercise."}
    log_in(session, 1, "prone-press-up", light="red", rules=["PM-12"], reasons=[reason])
    (alert,) = alerts_scan(person=people.dana, now=timezone.now())

    cleo = browsers.clinician(people.cleo)
    page = cleo.page
    cleo.go("/clinic/")
    page.get_by_role("link", name="Alerts").first.click()
    page.wait_for_url("**/clinic/alerts/")
    line = page.locator(f"#alert-{alert.pk}")
    assert "Stopped: pain rose (RED)" in line.inner_text()
    assert "Your leg pain went up during the exercise." in line.inner_text()
    check(cleo, "clinic-alerts")

    line.get_by_label("Note: what you did or decided").fill(
        "Phoned Dana: it settled after rest; hold stays at 10 s."
    )
    line.get_by_role("button", name="Acknowledge this alert about Dana").click()
    page.wait_for_url("**/clinic/alerts/?done=1")
    assert page.locator(f"#alert-{alert.pk}").count() == 0
    assert "The alert is acknowledged." in page.locator("main").inner_text()
    page.get_by_role("link", name="Acknowledged").click()
    page.wait_for_url("**state=acknowledged*")
    done = page.locator(f"#alert-{alert.pk}").inner_text()
    assert "Acknowledged by cleo@riverside.example" in done and "Phoned Dana" in done
    check(cleo, "clinic-alerts-acknowledged")


def test_dana_asks_for_a_screen_and_cleo_books_it(browsers: Browsers) -> None:
    from backhome.web.clinic.models import Clinic, ScreenRequest
    from tests.integration.clinic_people import cast

    people = cast()
    Clinic.objects.filter(pk=people.riverside.pk).update(email="desk@riverside.example")
    dana = browsers.patient(people.dana)
    page = dana.page
    dana.go("/clinic/request-screen/")
    assert "Your request goes to Riverside Physio" in page.locator("main").inner_text()
    check(dana, "patient-request-screen")

    page.get_by_role("button", name="Send my request").click()  # empty: the mistakes are named
    page.wait_for_load_state()
    assert "Name: tell us your name" in page.locator(".error-summary").inner_text()
    check(dana, "patient-request-screen-error", bad_request=True)

    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("Best times to contact you").fill("Weekday mornings")
    page.get_by_label("Send my screening result with my request").check()
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url("**/clinic/request-screen/sent/")
    assert "Your request has been sent" in page.locator("h1").inner_text()
    assert "07700 900123" in page.locator("main").inner_text()
    check(dana, "patient-request-sent")
    assert ScreenRequest.objects.count() == 1

    cleo = browsers.clinician(people.cleo)
    cleo.go("/clinic/requests/")
    request = ScreenRequest.objects.get()
    line = cleo.page.locator(f"#request-{request.pk}")
    assert "Dana Reyes" in line.inner_text() and "New" in line.inner_text()
    line.locator("summary").click()
    assert "Prone press-up" in line.inner_text()
    check(cleo, "clinic-requests")
    line.get_by_role("button", name="Mark booked").click()
    cleo.page.wait_for_url("**/clinic/requests/*")
    assert "Booked" in cleo.page.locator(f"#request-{request.pk}").inner_text()
    request.refresh_from_db()
    assert request.status == "booked" and request.status_changed_by == people.cleo
    check(cleo, "clinic-requests-booked")


@pytest.fixture
def phone(web_browser: Any, live_server: Any) -> Iterator[Browsers]:
    opened = Browsers(web_browser, live_server.url, PHONE)
    yield opened
    opened.close()


def test_the_patients_pages_work_on_a_phone(phone: Browsers) -> None:
    from backhome.web.clinic.editor.services import programme_exercise_remove
    from backhome.web.clinic.models import Membership
    from tests.integration.clinic_people import cast

    people = cast()
    membership = Membership.objects.select_related("clinic", "user").get(user=people.cleo)
    programme_exercise_remove(
        membership=membership, person=people.dana, exercise_id="cat-camel", why="It flares your back for now."
    )
    dana = phone.patient(people.dana)
    dana.go("/clinic/changes/")
    assert "Stopped Cat-camel for now" in dana.page.locator(".clinician-changes").inner_text()
    assert dana.page.evaluate("document.documentElement.scrollWidth") <= 390
    check(dana, "patient-clinician-changes")
    dana.go("/clinic/request-screen/")
    assert dana.page.evaluate("document.documentElement.scrollWidth") <= 390
    check(dana, "patient-request-screen")


def test_cleo_clears_a_healed_fracture_and_lifts_a_lock(browsers: Browsers) -> None:
    from backhome.web.clinic.models import Enrolment
    from backhome.web.patient import questions
    from backhome.web.patient import services as patient_services
    from backhome.web.patient.models import Person
    from tests.integration.clinic_people import cast
    from tests.integration.people import DANA_WEB, person_with_plan
    from tests.integration.screening_helpers import flat

    people = cast()
    fern, _ = person_with_plan({**DANA_WEB, "history": {**DANA_WEB["history"], "vertebral_fracture": True}})
    Enrolment.objects.create(person=fern, clinic=people.riverside, label="Fern")
    cleo = browsers.clinician(people.cleo)
    page = cleo.page
    cleo.go(f"/clinic/patients/{fern.pk}/programme/")
    assert page.locator("#ex-prone-press-up").count() == 0
    check(cleo, "clinic-editor-clearance")
    form = page.locator("#give-EL-04")
    form.get_by_label("Why you clear it").fill("The fracture has healed: scan of 2 March.")
    form.get_by_role("button", name="Give clearance EL-04").click()
    page.wait_for_url("**/programme/?saved=*")
    assert "Gave you the go-ahead for exercises that bend your back" in page.locator("#saved").inner_text()
    assert page.locator("#ex-prone-press-up").count() == 1  # the core unlocked it
    assert "cleared" in page.locator("#clearance-EL-04").inner_text()
    check(cleo, "clinic-editor-cleared")

    lou = Person.objects.create()
    answers = {**flat(DANA_WEB), "symptoms.saddle_numbness": True}
    patient_services.screening_save_answers(person=lou, step_id=questions.step_ids()[0], answers=answers)
    Enrolment.objects.create(person=lou, clinic=people.riverside, label="Lou")
    cleo.go(f"/clinic/patients/{lou.pk}/programme/")
    check(cleo, "clinic-editor-locked")
    page.get_by_label("What you checked, and why the lock can be lifted").fill(
        "Seen today: no nerve compression."
    )
    page.get_by_role("button", name="Lift the lock").click()
    page.wait_for_url("**/programme/?saved=*")
    assert "lifted the stop" in page.locator("#saved").inner_text()
    lou.refresh_from_db()
    assert not lou.locked
