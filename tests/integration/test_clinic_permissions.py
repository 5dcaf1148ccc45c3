"""Who may open which clinic page: every URL pattern of the ``clinic`` namespace × every persona.

The patterns are collected from the URL conf, so a new page without a row here fails the test that
checks the matrix is complete. Expected outcomes: "login" (a redirect to the login page), "ok" (200),
"redirect" (a 302 elsewhere: a form that did its work), 403, 404.

The site admin (Sam, a superuser with no clinic) sees no patient data in the clinic pages (403); a
clinician of another clinic gets 404 for a patient or an invitation that is not theirs (not 403: the
pages do not tell who exists). Patients (Dana, Walt: guests of their browser) are anonymous to the
clinician pages.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from backhome.web.clinic import services
from backhome.web.clinic.models import Alert, Invitation, Membership, ScreenRequest
from tests.integration.clinic_people import PERSONAS, Cast, cast
from tests.integration.history_builders import checkin_on, log_in, session_on
from tests.integration.permission_matrix import Row, clinician_page, everyone, outcome

pytestmark = pytest.mark.django_db


@dataclass
class World:
    cast: Cast
    invitation: Invitation
    alert: Alert
    screen_request: ScreenRequest

    @property
    def dana(self) -> int:
        return self.cast.dana.pk


def world() -> World:
    people = cast()
    cleo_membership = Membership.objects.get(user=people.cleo)
    invitation = services.invitation_create(membership=cleo_membership, label="for the matrix")
    alert = Alert.objects.create(
        clinic=people.riverside, person=people.dana, kind=Alert.Kind.RED_STOP, key="matrix", text="A stop."
    )
    screen_request = ScreenRequest.objects.create(id=uuid.uuid4(), clinic=people.riverside, name="Erin")
    return World(people, invitation, alert, screen_request)


MATRIX: dict[str, Row] = {
    "patients": Row("GET", lambda w: "/clinic/", clinician_page(cleo="ok", yusuf="ok", ada="ok")),
    "patient": Row(
        "GET", lambda w: f"/clinic/patients/{w.dana}/", clinician_page(cleo="ok", yusuf=404, ada="ok")
    ),
    "patient_label": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.dana}/label/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"label": "Dana R."},
    ),
    "patient_handout": Row(
        "GET",
        lambda w: f"/clinic/patients/{w.dana}/handout.pdf?paper=a4",
        clinician_page(cleo="ok", yusuf=404, ada="ok"),
    ),
    "invitations": Row(
        "GET", lambda w: "/clinic/invitations/", clinician_page(cleo="ok", yusuf="ok", ada="ok")
    ),
    "invitation": Row(
        "GET",
        lambda w: f"/clinic/invitations/{w.invitation.pk}/",
        clinician_page(cleo="ok", yusuf=404, ada="ok"),
    ),
    "invitation_withdraw": Row(
        "POST",
        lambda w: f"/clinic/invitations/{w.invitation.pk}/withdraw/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
    ),
    "clinicians": Row("GET", lambda w: "/clinic/clinicians/", clinician_page(cleo=403, yusuf=403, ada="ok")),
    "clinician_update": Row(
        "POST",
        lambda w: f"/clinic/clinicians/{Membership.objects.get(user=w.cast.cleo).pk}/",
        clinician_page(cleo=403, yusuf=403, ada="redirect"),
        data=lambda w: {"action": "role", "role": "clinician"},
    ),
    "audit": Row("GET", lambda w: "/clinic/audit/", clinician_page(cleo=403, yusuf=403, ada="ok")),
    # No patient ticked: a clinician gets the 400 that says so, others no further.
    # No total given: the clinic's clinicians get the 400 naming the field; another clinic's a 404.
    "patient_odi": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.cast.dana.pk}/odi/",
        clinician_page(cleo=400, yusuf=404, ada=400),
    ),
    "patients_handouts": Row(
        "POST", lambda w: "/clinic/handouts.pdf", clinician_page(cleo=400, yusuf=400, ada=400)
    ),
    "audit_csv": Row("GET", lambda w: "/clinic/audit.csv", clinician_page(cleo=403, yusuf=403, ada="ok")),
    "settings": Row("GET", lambda w: "/clinic/settings/", clinician_page(cleo=403, yusuf=403, ada="ok")),
    # No clinic has a logo in the permission world: a clinician of a clinic gets its 404, others no further.
    "logo": Row("GET", lambda w: "/clinic/settings/logo.png", clinician_page(cleo=404, yusuf=404, ada=404)),
    "export_csv": Row("GET", lambda w: "/clinic/export.csv", clinician_page(cleo="ok", yusuf="ok", ada="ok")),
    # The patient's side: anyone may open these; they only ever act on the browser's own person.
    "join": Row("GET", lambda w: "/clinic/join/", everyone("ok")),
    "join_token": Row("GET", lambda w: f"/clinic/join/{w.invitation.token}/", everyone("ok")),
    "leave": Row("POST", lambda w: "/clinic/join/leave/", everyone("redirect")),
    # The programme editor, alerts and screen requests. A POST with no data is refused (400)
    # once the permission check has let the clinician in; their own tests check what valid data does.
    "programme": Row(
        "GET",
        lambda w: f"/clinic/patients/{w.dana}/programme/",
        clinician_page(cleo="ok", yusuf=404, ada="ok"),
    ),
    **{
        name: Row(
            "POST",
            (lambda n: lambda w: f"/clinic/patients/{w.dana}/programme/{n}/")(name.split("_")[1]),
            clinician_page(cleo=400, yusuf=404, ada=400),
        )
        for name in (
            "programme_dose",
            "programme_add",
            "programme_remove",
            "programme_monitoring",
            "programme_clearance",
            "programme_unlock",
        )
    },
    "patient_new": Row(
        "GET", lambda w: "/clinic/patients/new/", clinician_page(cleo="ok", yusuf="ok", ada="ok")
    ),
    "patient_screen": Row(
        "GET", lambda w: f"/clinic/patients/{w.dana}/screen/", clinician_page(cleo="ok", yusuf=404, ada="ok")
    ),
    "programme_override": Row(
        "POST",
        lambda w: f"/clinic/patients/{w.dana}/programme/override/",
        clinician_page(cleo=400, yusuf=404, ada=400),
    ),
    "alerts": Row("GET", lambda w: "/clinic/alerts/", clinician_page(cleo="ok", yusuf="ok", ada="ok")),
    "alert_acknowledge": Row(
        "POST",
        lambda w: f"/clinic/alerts/{w.alert.pk}/acknowledge/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"note": "Called her: she is fine."},
    ),
    "requests": Row("GET", lambda w: "/clinic/requests/", clinician_page(cleo="ok", yusuf="ok", ada="ok")),
    "request_status": Row(
        "POST",
        lambda w: f"/clinic/requests/{w.screen_request.pk}/status/",
        clinician_page(cleo="redirect", yusuf=404, ada="redirect"),
        data=lambda w: {"status": "contacted"},
    ),
    "request_screen": Row("GET", lambda w: "/clinic/request-screen/", everyone("ok")),
    # nothing sent from this browser yet: back to the form
    "request_screen_sent": Row("GET", lambda w: "/clinic/request-screen/sent/", everyone("redirect")),
    "my_changes": Row("GET", lambda w: "/clinic/changes/", everyone("ok")),
    "fhir:clinic_patient": Row(
        "GET",
        lambda w: f"/clinic/patients/{w.dana}/fhir.json",
        clinician_page(cleo="ok", yusuf=404, ada="ok"),
    ),
}


def clinic_patterns() -> dict[str, str]:
    """Every named page under /clinic/: the clinic namespace's, and any other app's page mounted under
    /clinic/ (named ``namespace:name``, e.g. the FHIR download of a patient's record)."""
    patterns: dict[str, str] = {}
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver):
            continue
        prefix = str(entry.pattern)
        for p in entry.url_patterns:
            if not (isinstance(p, URLPattern) and p.name):
                continue
            route = prefix + str(p.pattern)
            if entry.namespace == "clinic":
                patterns[p.name] = route
            elif route.startswith("clinic/"):
                patterns[f"{entry.namespace}:{p.name}"] = route
    assert patterns, "the clinic URLs are not installed"
    return patterns


def test_every_clinic_url_pattern_has_a_row_in_the_matrix() -> None:
    missing = sorted(set(clinic_patterns()) - set(MATRIX))
    assert missing == [], f"add these clinic pages to MATRIX: {missing}"
    assert sorted(set(MATRIX) - set(clinic_patterns())) == []


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_what_the_matrix_says(name: str) -> None:
    row = MATRIX[name]
    got = {}
    w = world()
    for persona in PERSONAS:
        # Each persona's request is rolled back after, so one persona's POST (withdrawing the
        # invitation, leaving a clinic) cannot change what the next one gets.
        with transaction.atomic():
            client: Client = w.cast.client(persona)
            data = row.data(w) if row.data else {}
            path = row.path(w)
            response = client.post(path, data) if row.method == "POST" else client.get(path)
            got[persona] = outcome(response)
            transaction.set_rollback(True)
    assert got == row.expect


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_comes_back_after() -> None:
    cast()
    response = Client().get("/clinic/patients/1/?until=2026-01-01")
    assert response.status_code == 302
    assert response.url == "/account/login/?next=/clinic/patients/1/%3Funtil%3D2026-01-01"


def test_the_site_admin_sees_no_patient_data_in_the_clinic_pages() -> None:
    people = cast()
    sam = people.client("sam")
    for path in ("/clinic/", f"/clinic/patients/{people.dana.pk}/", f"/clinic/patients/{people.walt.pk}/"):
        response = sam.get(path)
        assert response.status_code == 403
        assert b"Dana" not in response.content and b"Walt" not in response.content


def test_a_clinician_never_sees_another_clinics_patient_on_the_list() -> None:
    people = cast()
    page = people.client("yusuf").get("/clinic/").content.decode()
    assert "Walt" in page
    assert "Dana" not in page and f"/clinic/patients/{people.dana.pk}/" not in page


def test_a_switched_off_clinician_gets_403() -> None:
    people = cast()
    Membership.objects.filter(user=people.cleo).update(active=False)
    assert people.client("cleo").get("/clinic/").status_code == 403
    assert people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").status_code == 403


def test_a_patient_who_left_the_clinic_is_404_for_its_clinicians() -> None:
    people = cast()
    services.enrolment_leave(person=people.dana)
    assert people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").status_code == 404


def test_a_patient_id_that_is_not_a_number_or_does_not_exist_is_404() -> None:
    people = cast()
    cleo = people.client("cleo")
    assert cleo.get("/clinic/patients/999999/").status_code == 404
    assert cleo.get("/clinic/patients/abc/").status_code == 404


def test_a_clinician_session_lasts_30_minutes_idle() -> None:
    people = cast()
    cleo = people.client("cleo")
    response = cleo.get("/clinic/")
    assert response.status_code == 200
    assert cleo.session.get_expiry_age() == 30 * 60
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_dana_never_sees_walts_data_in_the_patient_pages() -> None:
    """The patient side (plan, history, a session's summary, a check-in's result) only ever shows the
    browser's own person: Walt's ids in Dana's browser are 404, and her pages show her plan."""
    people = cast()
    today = timezone.localdate()
    walt_session = session_on(people.walt, today - dt.timedelta(days=1), back=7, leg=6)
    log_in(walt_session, 1, "single-knee-to-chest", hold_s=15, per_side=True)
    walt_checkin = checkin_on(people.walt, today, back=7, leg=6)
    dana = people.client("dana")
    plan = dana.get("/plan/").content.decode()
    assert "Prone press-up" in plan
    history = dana.get("/history/")
    assert history.status_code == 200
    assert str(walt_session.id) not in history.content.decode()
    assert dana.get(f"/session/{walt_session.id}/").status_code == 404
    assert dana.get(f"/check-in/{walt_checkin.id}/").status_code == 404
    # and the same ids work for Walt himself
    walt = people.client("walt")
    assert walt.get(f"/check-in/{walt_checkin.id}/").status_code == 200
