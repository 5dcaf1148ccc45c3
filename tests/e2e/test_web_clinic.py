"""Cleo, a physical therapist, logs in, invites Dana; Dana (a guest with a plan) joins with the code on her
own device; Cleo sees her on the list, opens her page and prints her handout. On a phone and on a
laptop. Screenshots go to artifacts/screenshots/, the handout (PDF and PNG pages) to artifacts/handouts/."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.artifacts import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import Visit, sign_in_as_guest
from tests.integration.history_builders import checkin_on, log_in, session_on
from tests.integration.people import person_with_plan

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser
visit = web_fixtures.visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLEO = "cleo@riverside.example"
PASSWORD = "a long test password 42"
HANDOUTS = ARTIFACTS_ROOT / "handouts"
TABLET = {"width": 820, "height": 1180}
BAD_REQUEST = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


def check(visit: Visit, name: str | None = None) -> None:
    """Only our own files were loaded, no policy was broken, axe finds nothing serious; a screenshot."""
    from tests.e2e.a11y import assert_accessible

    assert visit.foreign_requests() == []
    assert visit.console_errors == []
    assert_accessible(visit)
    if name:
        visit.shot(name)


def some_history(person: Any) -> None:
    """Ten days of practice before today: back pain 6 -> 3, one amber light, one morning check-in a day."""
    today = timezone.localdate()
    screening = person.screenings.get()
    for ago, back in zip(range(10, 0, -1), (6, 6, 5, 5, 5, 4, 4, 4, 3, 3), strict=True):
        day = today - dt.timedelta(days=ago)
        session = session_on(person, day, screening=screening, back=back, leg=max(back - 3, 0))
        log_in(session, 1, "sciatic-nerve-glide", per_side=True, mode="slider")
        log_in(session, 2, "prone-press-up", light="amber" if ago == 4 else "green")
        log_in(session, 3, "cat-camel")
        checkin_on(person, day, back=back, leg=max(back - 3, 0))


def test_cleo_invites_dana_who_joins_and_cleo_prints_her_handout(visit: Visit, web_browser: Any) -> None:
    from backhome.web.clinic.models import Clinic, Enrolment, Membership, Role

    riverside = Clinic.objects.create(name="Riverside Physio", phone="+44 20 7946 0001")
    cleo = get_user_model().objects.create_user(username=CLEO, email=CLEO, password=PASSWORD)
    Membership.objects.create(clinic=riverside, user=cleo, role=Role.CLINICIAN)
    dana, _ = person_with_plan()
    page = visit.page

    # Cleo logs in and lands on her (empty) patient list.
    visit.go("/clinic/")
    page.wait_for_url("**/account/login/?next=/clinic/")
    page.fill("#id_email", CLEO)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/clinic/")
    assert "No patients yet." in page.inner_text("main")
    check(visit)

    # She makes an invitation for Dana: a big code to read out, and a link.
    page.get_by_role("link", name="Invite a patient").first.click()
    page.wait_for_url("**/clinic/invitations/")
    check(visit, "clinic-invitations")
    page.fill("#label", "Dana Rivers")
    page.get_by_role("button", name="Make an invitation").click()
    page.wait_for_url("**/clinic/invitations/*/")
    code = page.inner_text("#invitation-code").strip()
    assert len(code) == 9 and code[4] == "-"
    check(visit, "clinic-invitation")

    # Dana, on her own device, types the code (in small letters) and joins.
    context = web_browser.new_context(viewport=page.viewport_size)
    try:
        dana_visit = Visit(context.new_page(), visit.base)
        sign_in_as_guest(dana_visit, dana)
        dana_visit.go("/clinic/join/")
        dana_page = dana_visit.page
        dana_page.fill("#code", code.lower())
        dana_page.get_by_role("button", name="Next").click()
        dana_page.wait_for_url("**/clinic/join/*/")
        assert "Join Riverside Physio?" in dana_page.inner_text("h1")
        check(dana_visit, "clinic-join")
        dana_page.get_by_role("button", name="Join Riverside Physio").click()
        dana_page.wait_for_url("**/clinic/join/?joined=1")
        assert "You have joined Riverside Physio." in dana_page.inner_text("main")
        check(dana_visit, "clinic-joined")
    finally:
        context.close()
    assert Enrolment.objects.get(person=dana).clinic == riverside
    Enrolment.objects.filter(person=dana).update(joined_at=timezone.now() - dt.timedelta(days=12))
    some_history(dana)

    # Cleo sees her on the list, with her numbers in words.
    visit.go("/clinic/")
    row = page.locator(f"#patient-{dana.pk}")
    assert "Dana Rivers" in row.inner_text()
    assert "10 of 13 sessions" in row.inner_text()
    assert "a real improvement" in row.inner_text()
    check(visit, "clinic-list")

    # She opens Dana's page: the timeline, the charts, the programme.
    row.get_by_role("link", name="Dana Rivers").click()
    page.wait_for_url(f"**/clinic/patients/{dana.pk}/")
    main = page.inner_text("main")
    assert "Current programme" in main and "Prone press-up" in main
    assert page.locator("svg.line-chart").count() == 1 and page.locator("svg.bar-chart").count() == 1
    check(visit, "clinic-patient")
    if page.viewport_size["width"] > 1000:  # Cleo's tablet: the same pages at 820 px, once
        page.set_viewport_size(TABLET)
        check(visit, "clinic-patient")
        visit.go("/clinic/")
        check(visit, "clinic-list")
        visit.go(f"/clinic/patients/{dana.pk}/")
        page.set_viewport_size(web_fixtures.DESKTOP)

    # And prints her handout on Letter paper.
    page.get_by_label("Letter").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Print handout (PDF)").click()
    download = download_info.value
    width = page.viewport_size["width"]
    HANDOUTS.mkdir(parents=True, exist_ok=True)
    pdf = HANDOUTS / f"clinic-handout-{width}.pdf"
    download.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert download.suggested_filename == f"backhome-handout-{dana.pk}-letter.pdf"
    prefix = HANDOUTS / f"clinic-handout-{width}"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pdf), str(prefix)], check=True)
    pages = sorted(Path(HANDOUTS).glob(f"clinic-handout-{width}-*.png"))
    assert pages, "pdftoppm made no page"
    assert visit.foreign_requests() == []


def test_ada_adds_a_clinician_and_reads_the_audit_log(visit: Visit) -> None:
    from backhome.web.clinic.models import Clinic, Enrolment, Membership, Role

    riverside = Clinic.objects.create(name="Riverside Physio")
    users = get_user_model().objects
    ada = users.create_user(
        username="ada@riverside.example", email="ada@riverside.example", password=PASSWORD
    )
    cleo = users.create_user(username=CLEO, email=CLEO, password=PASSWORD)
    Membership.objects.create(clinic=riverside, user=ada, role=Role.ADMIN)
    Membership.objects.create(clinic=riverside, user=cleo, role=Role.CLINICIAN)
    dana, _ = person_with_plan()
    Enrolment.objects.create(person=dana, clinic=riverside, label="Dana Rivers")
    page = visit.page
    visit.go("/account/login/?next=/clinic/clinicians/")
    page.fill("#id_email", "ada@riverside.example")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/clinic/clinicians/")
    check(visit)

    page.fill("#email", "nora@riverside.example")
    page.get_by_role("button", name="Add").click()
    assert "nora@riverside.example can now use the clinic pages" in page.inner_text("#added")
    assert "/account/password-reset/" in page.inner_text("#password-link")
    check(visit, "clinic-clinicians")

    visit.go(f"/clinic/patients/{dana.pk}/")
    visit.go("/clinic/audit/")
    assert "patient page" in page.inner_text("main") and "Dana Rivers" in page.inner_text("main")
    check(visit, "clinic-audit")
