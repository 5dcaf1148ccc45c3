"""The clinician owns the programme (issue 16): Cleo creates Nora, screens her in clinic and adjusts the
programme, and Nora joins on her phone to find it waiting; two tabs on Dana's programme: the second save is
refused with what changed and Dana is told only the first; Yusuf overrides EL-06 for Walt with a reason:
prescribed, audited, in FHIR. At desktop (1440×900) and tablet (820×1180), with axe on every page;
screenshots in artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import PHONE, Visit, sign_in_as_guest

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 820, "height": 1180}
REFUSED = ("400 (Bad Request)", "412 (Precondition Failed)")


class Browsers:
    """One browser context per person, all at one viewport (the patient's phone at its own)."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int]) -> None:
        self.browser = browser
        self.base = base
        self.viewport = viewport
        self.contexts: list[Any] = []

    def open(self, viewport: dict[str, int] | None = None) -> Visit:
        context = self.browser.new_context(viewport=viewport or self.viewport)
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

    def tab(self, visit: Visit) -> Visit:
        """A second tab of the same browser (same cookies)."""
        return Visit(visit.page.context.new_page(), self.base)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(params=[TABLET, DESKTOP], ids=["tablet", "desktop"])
def browsers(request: pytest.FixtureRequest, web_browser: Any, live_server: Any) -> Iterator[Browsers]:
    caches["shared"].clear()
    opened = Browsers(web_browser, live_server.url, request.param)
    yield opened
    opened.close()


def check(visit: Visit, name: str | None = None, *, refused: bool = False) -> None:
    """Only our own files, no policy broken, no serious axe finding; then a screenshot."""
    from tests.e2e.a11y import assert_accessible

    assert visit.foreign_requests() == []
    if refused:
        visit.console_errors[:] = [m for m in visit.console_errors if not m.endswith(REFUSED)]
    assert visit.console_errors == []
    assert_accessible(visit)
    if name:
        visit.shot(name)


def answer_everything(visit: Visit, doc: dict[str, Any]) -> int:
    """Answer the in-clinic screen with a persona's answers; returns how many controls were used."""
    from backhome.web.patient import questions
    from tests.integration.screening_helpers import flat, step_data

    page = visit.page
    answers = flat(doc)
    used = 0
    for step in questions.screening().steps:
        for name, value in step_data(step, answers).items():
            field = page.locator(f'input[name="{name}"]')
            if field.first.get_attribute("type") == "number":
                field.first.fill(value)
            else:
                page.locator(f'input[name="{name}"][value="{value}"]').check(force=True)
            used += 1
    return used


def test_cleo_creates_nora_screens_her_in_clinic_adjusts_and_nora_finds_her_programme(
    browsers: Browsers,
) -> None:
    from tests.integration.clinic_people import cast
    from tests.integration.people import DANA_WEB

    people = cast()
    cleo = browsers.clinician(people.cleo)
    page = cleo.page
    clicks = 0
    cleo.go("/clinic/patients/new/")
    check(cleo, "clinic-patient-new")
    page.fill("#name", "Nora Quinn")
    page.fill("#birth_date", "1961-04-23")
    page.fill("#clinic_ref", "RIV-0042")
    page.fill("#contact", "07700 900456")
    page.click("#create-patient")
    clicks += 1
    page.wait_for_url("**/clinic/invitations/*/")
    code = page.locator("#invitation-code").inner_text()
    assert page.locator("svg").count() >= 1
    check(cleo, "clinic-patient-invitation")

    from backhome.web.clinic.models import Enrolment, Invitation

    nora = Enrolment.objects.get(clinic_ref="RIV-0042").person
    cleo.go(f"/clinic/patients/{nora.pk}/screen/")
    check(cleo, "clinic-screen-in-clinic")
    answer_everything(cleo, DANA_WEB)
    page.click("#decide")
    clicks += 1
    page.wait_for_url(f"**/clinic/patients/{nora.pk}/programme/")
    assert page.locator("#dose-prone-press-up").count() == 1
    # Adjust the decided programme: one dose (3 clicks: the field, the reason, save) and one addition.
    press_up = page.locator("#dose-prone-press-up")
    press_up.locator("input[name=hold_s]").fill("20")
    press_up.locator("textarea[name=why]").fill("Twenty seconds suits you after today's session.")
    press_up.get_by_role("button", name="Save the dose of Prone press-up").click()
    clicks += 3
    page.wait_for_url("**/programme/?saved=*")
    add = page.locator("#add-new")
    add.locator("input[value=prone-lying]").check()
    add.locator("textarea[name=why]").fill("Lying face down first settles your back.")
    add.get_by_role("button", name="Add the exercise").click()
    clicks += 3
    page.wait_for_url("**/programme/?saved=*")
    assert clicks <= 10
    check(cleo, "clinic-programme-built")

    invitation = Invitation.objects.get(patient=nora)
    assert code.replace("-", "") == invitation.code
    phone = browsers.open(PHONE)
    phone.go("/clinic/join/")
    phone.page.fill("#code", code)  # typed as the clinic shows it
    phone.page.click("#join-code")
    phone.page.wait_for_url(f"**/clinic/join/{invitation.token}/")
    phone.page.click("#join-clinic")
    phone.page.wait_for_url("**/clinic/join/?joined=1")
    phone.go("/plan/")
    text = phone.page.locator("main").inner_text()
    assert "Prone press-up" in text and "hold each 20 seconds" in text
    assert phone.page.locator("#exercise-prone-lying").count() == 1
    check(phone, "patient-programme-waiting")


def test_two_tabs_the_stale_save_is_refused_with_what_changed_and_dana_is_told_only_the_first(
    browsers: Browsers,
) -> None:
    from tests.integration.clinic_people import cast

    people = cast()
    tab_a = browsers.clinician(people.cleo)
    tab_b = browsers.tab(tab_a)
    for tab in (tab_a, tab_b):
        tab.go(f"/clinic/patients/{people.dana.pk}/programme/")

    a = tab_a.page.locator("#dose-prone-press-up")
    a.locator("input[name=hold_s]").fill("30")
    a.locator("textarea[name=why]").fill("Thirty seconds: you hold it easily now.")
    a.get_by_role("button", name="Save the dose of Prone press-up").click()
    tab_a.page.wait_for_url("**/programme/?saved=*")

    b = tab_b.page.locator("#dose-prone-press-up")
    b.locator("input[name=hold_s]").fill("20")
    b.locator("textarea[name=why]").fill("Twenty seconds to start with.")
    b.get_by_role("button", name="Save the dose of Prone press-up").click()
    tab_b.page.wait_for_load_state()
    stale = tab_b.page.locator("#stale")
    assert "Nothing was saved" in stale.inner_text()
    assert "hold each 30 seconds" in stale.inner_text() and "Thirty seconds" in stale.inner_text()
    assert "hold each 30 seconds" in tab_b.page.locator("#ex-prone-press-up .dose-now").inner_text()
    check(tab_b, "clinic-editor-stale", refused=True)

    dana = browsers.open(PHONE)
    sign_in_as_guest(dana, people.dana)
    dana.go("/plan/")
    card = dana.page.locator(".clinician-changes").inner_text()
    assert "Thirty seconds" in card and "Twenty seconds" not in card
    check(dana, "patient-told-one-change")


def test_yusuf_overrides_el_06_for_walt_with_a_reason_prescribed_audited_and_in_fhir(
    browsers: Browsers,
) -> None:
    from backhome.web.clinic.models import AuditEvent
    from tests.integration.clinic_people import cast

    people = cast()
    yusuf = browsers.clinician(people.yusuf)
    page = yusuf.page
    yusuf.go(f"/clinic/patients/{people.walt.pk}/programme/")
    assert page.locator("#dose-prone-press-up").count() == 0
    form = page.locator("#override")
    form.locator("input[value=prone-press-up]").check()
    form.locator("textarea[name=note]").fill("Assessed today: repeated extension centralises his leg pain.")
    form.locator("textarea[name=why]").fill("After today's check, gentle press-ups are safe for you.")
    form.get_by_role("button", name="Override the block").click()
    page.wait_for_url("**/programme/?saved=*")
    assert page.locator("#dose-prone-press-up").count() == 1
    assert "centralises his leg pain" in page.locator(".history").inner_text()
    check(yusuf, "clinic-override-el06")
    assert AuditEvent.objects.filter(
        person=people.walt, what="override: DPT-21, EL-06 on prone-press-up"
    ).exists()

    client = Client()
    client.force_login(people.yusuf)
    record = client.get(f"/clinic/patients/{people.walt.pk}/fhir.json")
    assert record.status_code == 200
    issues = [
        e["resource"] for e in record.json()["entry"] if e["resource"]["resourceType"] == "DetectedIssue"
    ]
    assert len(issues) == 1 and "centralises" in issues[0]["mitigation"][0]["action"]["text"]
