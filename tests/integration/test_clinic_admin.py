"""The clinic admin's pages (clinicians, audit log) and the site admin's commands (`backhome clinic ...`,
`backhome seed-clinic`)."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from backhome.cli import IO, main
from backhome.web.clinic import permissions
from backhome.web.clinic.models import AuditEvent, Clinic, Enrolment, Membership, Role
from backhome.web.clinic.seed import seed_clinic
from backhome.web.clinic.selectors.patient_rows import patient_rows
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn
from tests.integration.clinic_builders import count_queries
from tests.integration.clinic_people import cast

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new clinic password 9"


def set_password_with(link: str) -> Client:
    """Follow a one-time password link as its new owner would, and set a password."""
    browser = Client()
    path = link.removeprefix("http://testserver")
    response = browser.get(path)
    assert response.status_code == 302, response.status_code
    form_url = response.url
    response = browser.post(form_url, {"new_password1": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


# --------------------------------------------------------------------------- clinicians page


def test_the_clinic_admin_adds_a_clinician_who_sets_a_password_once_and_logs_in() -> None:
    people = cast()
    ada = people.client("ada")
    response = ada.post("/clinic/clinicians/", {"email": "  Nora@Riverside.example ", "role": "clinician"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "nora@riverside.example can now use the clinic pages" in page
    link = re.search(r'<code id="password-link">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    nora = get_user_model().objects.get(username="nora@riverside.example")
    assert not nora.has_usable_password()
    assert Membership.objects.get(user=nora).role == Role.CLINICIAN
    set_password_with(link)
    assert Client().get(link.removeprefix("http://testserver")).status_code in (200, 302)
    browser = Client()
    response = browser.post(
        "/account/login/", {"email": "nora@riverside.example", "password": NEW_PASSWORD, "next": "/clinic/"}
    )
    assert response.status_code == 302 and response.url == "/clinic/"
    assert browser.get("/clinic/").status_code == 200
    # the link worked once: after the password is set it is refused
    again = Client().get(link.removeprefix("http://testserver"), follow=True).content.decode()
    assert "new_password1" not in again


def test_someone_already_a_clinician_elsewhere_cannot_be_added() -> None:
    people = cast()
    response = people.client("ada").post(
        "/clinic/clinicians/", {"email": "yusuf@hilltop.example", "role": "admin"}
    )
    assert response.status_code == 400
    assert "already a clinician of another clinic" in response.content.decode()
    assert not Membership.objects.filter(clinic=people.riverside, user=people.yusuf).exists()


def test_a_bad_email_is_refused_naming_the_field() -> None:
    people = cast()
    response = people.client("ada").post(
        "/clinic/clinicians/", {"email": "not an email", "role": "clinician"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#email"' in page and 'aria-invalid="true"' in page


def test_the_admin_changes_roles_but_the_clinic_keeps_one_admin() -> None:
    people = cast()
    ada = people.client("ada")
    cleo_m = Membership.objects.get(user=people.cleo)
    ada_m = Membership.objects.get(user=people.ada)
    assert (
        ada.post(f"/clinic/clinicians/{ada_m.pk}/", {"action": "role", "role": "clinician"}).status_code
        == 400
    )
    assert Membership.objects.get(pk=ada_m.pk).role == Role.ADMIN
    ada.post(f"/clinic/clinicians/{cleo_m.pk}/", {"action": "role", "role": "admin"})
    assert Membership.objects.get(pk=cleo_m.pk).role == Role.ADMIN
    assert people.client("cleo").get("/clinic/audit/").status_code == 200
    # now there are two admins, so Ada can step down
    assert (
        ada.post(f"/clinic/clinicians/{ada_m.pk}/", {"action": "role", "role": "clinician"}).status_code
        == 302
    )
    assert people.client("ada").get("/clinic/audit/").status_code == 403


def test_the_admin_switches_a_clinician_off_and_on_but_never_themselves() -> None:
    people = cast()
    ada = people.client("ada")
    cleo_m = Membership.objects.get(user=people.cleo)
    ada_m = Membership.objects.get(user=people.ada)
    ada.post(f"/clinic/clinicians/{cleo_m.pk}/", {"action": "deactivate"})
    assert people.client("cleo").get("/clinic/").status_code == 403
    ada.post(f"/clinic/clinicians/{cleo_m.pk}/", {"action": "activate"})
    assert people.client("cleo").get("/clinic/").status_code == 200
    response = ada.post(f"/clinic/clinicians/{ada_m.pk}/", {"action": "deactivate"})
    assert response.status_code == 400
    assert "You cannot switch off your own access." in response.content.decode()
    assert ada.post(f"/clinic/clinicians/{cleo_m.pk}/", {"action": "explode"}).status_code == 400


def test_an_admin_cannot_change_another_clinics_clinician() -> None:
    people = cast()
    yusuf_m = Membership.objects.get(user=people.yusuf)
    assert (
        people.client("ada").post(f"/clinic/clinicians/{yusuf_m.pk}/", {"action": "deactivate"}).status_code
        == 404
    )
    assert Membership.objects.get(pk=yusuf_m.pk).active


# --------------------------------------------------------------------------- audit log


def test_the_audit_log_says_who_viewed_changed_and_printed_which_patient_and_when() -> None:
    people = cast()
    cleo = people.client("cleo")
    cleo.get(f"/clinic/patients/{people.dana.pk}/")
    cleo.get(f"/clinic/patients/{people.dana.pk}/handout.pdf")
    cleo.post(f"/clinic/patients/{people.dana.pk}/label/", {"label": "Dana R."})
    people.client("yusuf").get(f"/clinic/patients/{people.walt.pk}/")
    page = people.client("ada").get("/clinic/audit/").content.decode()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    assert "cleo@riverside.example View: patient page Dana R." in text
    assert "cleo@riverside.example Export: handout PDF (A4) Dana R." in text
    assert "cleo@riverside.example Change: the patient's label Dana R." in text
    assert "Walt" not in text and "yusuf" not in text  # Hilltop's events are Hilltop's


def test_the_audit_log_filters_by_clinician_and_by_patient() -> None:
    people = cast()
    people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/")
    people.client("ada").get("/clinic/")
    ada = people.client("ada")
    by_cleo = ada.get(f"/clinic/audit/?clinician={people.cleo.pk}").content.decode()
    assert "patient page" in by_cleo and "patient list" not in by_cleo
    by_dana = ada.get(f"/clinic/audit/?patient={people.dana.pk}").content.decode()
    assert "Only <strong>Dana</strong>" in by_dana and "patient list" not in by_dana
    by_name = ada.get("/clinic/audit/?find=dan").content.decode()
    assert "patient page" in by_name and "patient list" not in by_name
    assert ada.get("/clinic/audit/?clinician=cleo").status_code == 400


def test_a_patient_who_left_keeps_their_audit_rows_without_a_name() -> None:
    from backhome.web.clinic.services import enrolment_leave

    people = cast()
    people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/")
    enrolment_leave(person=people.dana)
    page = people.client("ada").get("/clinic/audit/").content.decode()
    assert f"patient no. {people.dana.pk} (no longer at this clinic)" in page


def test_the_audit_log_runs_the_same_number_of_queries_for_few_and_many_events() -> None:
    people = cast()
    ada = people.client("ada")
    ada.get("/clinic/audit/")
    membership = Membership.objects.get(user=people.cleo)
    for _ in range(3):
        permissions.audit(membership=membership, person=people.dana, action="view", what="patient page")
    few = count_queries(lambda: ada.get("/clinic/audit/"))
    for _ in range(80):
        permissions.audit(membership=membership, person=people.dana, action="view", what="patient page")
    many = count_queries(lambda: ada.get("/clinic/audit/"))
    assert few == many
    assert "Page 1 of 2" in ada.get("/clinic/audit/").content.decode()


def test_audit_refuses_an_unknown_action() -> None:
    people = cast()
    with pytest.raises(ValueError, match="unknown audit action"):
        permissions.audit(
            membership=Membership.objects.get(user=people.cleo), person=None, action="peek", what="x"
        )


# --------------------------------------------------------------------------- the site admin's commands


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), IO(io.StringIO(), out, err))
    return code, out.getvalue(), err.getvalue()


def test_the_site_admin_makes_a_clinic_and_its_admin_from_the_command_line() -> None:
    code, out, _ = run(
        "clinic",
        "create",
        "Lakeside Physio",
        "--phone",
        "+44 20 7946 0003",
        "--url",
        "https://lakeside.example",
    )
    assert code == 0
    clinic = Clinic.objects.get(name="Lakeside Physio")
    assert out == f"clinic {clinic.pk}: Lakeside Physio\n"
    code, out, _ = run(
        "clinic",
        "add-clinician",
        str(clinic.pk),
        "Lena@Lakeside.example",
        "--admin",
        "--base-url",
        "https://backhome.lakeside.example",
    )
    assert code == 0
    assert "lena@lakeside.example is now the admin of Lakeside Physio." in out
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://backhome.lakeside.example/account/password-reset/")
    set_password_with(link.replace("https://backhome.lakeside.example", "http://testserver"))
    assert Membership.objects.get(user__username="lena@lakeside.example").role == Role.ADMIN
    code, out, _ = run("clinic", "list")
    assert code == 0 and "Lakeside Physio  0 patients" in out and "lena@lakeside.example (admin)" in out
    code, out, _ = run("clinic", "deactivate-clinician", str(clinic.pk), "lena@lakeside.example")
    assert code == 0
    assert not Membership.objects.get(user__username="lena@lakeside.example").active


def test_the_clinic_commands_refuse_bad_input_with_exit_code_2() -> None:
    assert run("clinic", "create", "  ")[0] == 2
    assert "--url" in run("clinic", "create", "X", "--url", "not a url")[2]
    assert "there is no clinic 999" in run("clinic", "add-clinician", "999", "a@b.example")[2]
    clinic = Clinic.objects.create(name="A")
    code, _, err = run("clinic", "add-clinician", str(clinic.pk), "not-an-email")
    assert code == 2 and "email address" in err
    assert run("clinic", "deactivate-clinician", str(clinic.pk), "nobody@x.example")[0] == 2
    assert run("seed-clinic", "--days", "0")[0] == 2


def test_seed_clinic_makes_patients_with_a_history_the_list_can_show() -> None:
    code, out, _ = run("seed-clinic", "--patients", "12", "--days", "40", "--clinic", "Demo Clinic")
    assert code == 0
    clinic = Clinic.objects.get(name="Demo Clinic")
    assert "12 patients" in out
    assert Enrolment.objects.filter(clinic=clinic).count() == 12
    sessions = ExerciseSession.objects.filter(person__enrolment__clinic=clinic)
    assert 12 * 10 < sessions.count() < 12 * 40
    assert CheckIn.objects.filter(person__enrolment__clinic=clinic).exists()
    assert all(0 <= s.before_back <= 10 for s in sessions)
    admin = get_user_model().objects.get(username=f"seed-admin-{clinic.pk}@backhome.example")
    assert Membership.objects.get(user=admin).role == Role.ADMIN
    from django.utils import timezone

    rows = patient_rows(clinic.pk, today=timezone.localdate())
    assert len(rows) == 12
    assert all(row.pain.baseline is not None for row in rows)
    assert any(row.pain.verdict == "improved" for row in rows)
    browser = Client()
    browser.force_login(admin)
    assert browser.get("/clinic/?sort=adherence").status_code == 200
    assert browser.get(f"/clinic/patients/{rows[0].person_id}/").status_code == 200


def test_seeding_twice_with_the_same_seed_gives_the_same_numbers() -> None:
    first = seed_clinic(patients=3, days=20, clinic_name="One")
    second = seed_clinic(patients=3, days=20, clinic_name="Two")
    assert (first.sessions, first.logs, first.checkins) == (second.sessions, second.logs, second.checkins)
    assert AuditEvent.objects.count() == 0
