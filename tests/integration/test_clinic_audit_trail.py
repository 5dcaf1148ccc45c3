"""An audit a regulator would accept: rows for logins (and failed ones) to clinicians' accounts,
clinicians added and switched off, invitations made and withdrawn, patients joining and leaving; the log
as CSV for a date range (itself audited); rows older than the retention period deleted."""

from __future__ import annotations

import csv
import datetime as dt
import io
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from backhome.web.clinic import services
from backhome.web.clinic.models import AuditEvent, Membership
from backhome.web.patient.models import Person
from tests.integration.clinic_people import PASSWORD, Cast, cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> Cast:
    return cast()


def whats(people: Cast, action: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(clinic=people.riverside, action=action)
        .order_by("pk")
        .values_list("what", flat=True)
    )


def test_a_clinicians_login_and_a_failed_one_are_audited_and_a_patients_is_not(people: Cast) -> None:
    # Through the login form, as a person logs in (django-axes needs the request to count failures).
    signed_in = Client().post("/account/login/", {"email": "cleo@riverside.example", "password": PASSWORD})
    assert signed_in.status_code == 302
    refused = Client().post(
        "/account/login/", {"email": "cleo@riverside.example", "password": "not the password"}
    )
    assert refused.status_code != 302
    assert (
        Client().post("/account/login/", {"email": "nobody@riverside.example", "password": "x"}).status_code
        != 302
    )
    assert whats(people, "login") == ["logged in", "login failed: wrong password"]
    assert AuditEvent.objects.filter(action="login", user_id=people.cleo.pk).count() == 2
    assert not AuditEvent.objects.filter(clinic=people.hilltop, action="login").exists()


def test_clinicians_added_and_switched_off_are_audited(people: Cast) -> None:
    ada = Membership.objects.get(user_id=people.ada.pk)
    ada_client = people.client("ada")
    ada_client.post("/clinic/clinicians/", {"email": "bea@riverside.example", "role": "clinician"})
    bea = Membership.objects.get(user__username="bea@riverside.example")
    ada_client.post(f"/clinic/clinicians/{bea.pk}/", {"action": "deactivate"})
    assert whats(people, "admin") == [
        "clinician added: bea@riverside.example (clinician)",
        "clinician deactivated: bea@riverside.example",
    ]
    assert set(AuditEvent.objects.filter(action="admin").values_list("user_id", flat=True)) == {ada.user_id}


def test_invitations_made_and_withdrawn_and_patients_joining_and_leaving_are_audited(people: Cast) -> None:
    cleo = Membership.objects.get(user_id=people.cleo.pk)
    invitation = services.invitation_create(membership=cleo, label="Eve")
    other = services.invitation_create(membership=cleo, label="Fay")
    services.invitation_withdraw(membership=cleo, invitation_id=other.pk)
    eve = Person.objects.create()
    services.enrolment_join(person=eve, token=invitation.token)
    services.enrolment_leave(person=eve)
    code = services.display_code(invitation.code)
    assert whats(people, "admin") == [
        f"invitation made: {code}",
        f"invitation made: {services.display_code(other.code)}",
        f"invitation withdrawn: {services.display_code(other.code)}",
    ]
    assert whats(people, "enrolment") == [f"patient joined (invitation {code})", "patient left"]
    joins = AuditEvent.objects.filter(action="enrolment")
    assert set(joins.values_list("person_id", flat=True)) == {eve.pk}
    assert not joins.filter(user__isnull=False).exists()  # the patient did it, not a clinician


def test_ada_downloads_the_audit_log_for_a_date_range_as_csv(people: Cast) -> None:
    people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/")
    old = AuditEvent.objects.create(
        clinic=people.riverside, user_id=people.cleo.pk, action="view", what="patient page, long ago"
    )
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=90))
    today = timezone.localdate()
    since = (today - dt.timedelta(days=7)).isoformat()
    response = people.client("ada").get(f"/clinic/audit.csv?from={since}&to={today.isoformat()}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["When (UTC)", "Who", "Action", "What", "Patient number"]
    whats_in_file = [row[3] for row in rows[1:]]
    assert "patient page" in whats_in_file and "patient page, long ago" not in whats_in_file
    assert AuditEvent.objects.filter(user_id=people.ada.pk, what__startswith="audit log CSV").exists()


@pytest.mark.parametrize(
    "query", ["from=yesterday", "from=2026-02-01&to=2026-01-01", "from=2020-01-01&to=2026-01-01"]
)
def test_a_bad_date_range_is_refused(people: Cast, query: str) -> None:
    assert people.client("ada").get(f"/clinic/audit.csv?{query}").status_code == 400


def test_rows_older_than_the_retention_period_are_deleted(people: Cast, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    recent = AuditEvent.objects.create(
        clinic=people.riverside, user_id=people.cleo.pk, action="view", what="recent"
    )
    old = AuditEvent.objects.create(
        clinic=people.riverside, user_id=people.cleo.pk, action="view", what="old"
    )
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    out = StringIO()
    call_command("prune_audit", stdout=out)
    assert "1 audit rows deleted (older than 30 days)" in out.getvalue()
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
