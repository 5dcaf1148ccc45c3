"""The clinician's side of the API: their clinic's patients, a patient's programme and alerts. A clinician
of another clinic gets 404, as on the pages; every read of patient data is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backhome.web.clinic.models import Alert, AuditEvent
from backhome.web.progress.selectors import current_programme
from tests.integration.api_helpers import assert_envelope, bearer, post_json, token_for
from tests.integration.clinic_builders import alert_for
from tests.integration.clinic_people import Cast, cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> Cast:
    return cast()


def cleo(people: Cast, *scopes: str) -> dict[str, str]:
    return bearer(token_for(people.cleo, *(scopes or ("clinic:read",)), clinician=True))


def test_cleo_lists_riverside_s_patients_only_and_the_look_is_audited(people: Cast) -> None:
    response = Client().get("/api/v1/clinic/patients", **cleo(people))
    assert response.status_code == 200, response.content
    listing = response.json()
    assert [p["label"] for p in listing["patients"]] == ["Dana"] and listing["total"] == 1
    assert AuditEvent.objects.filter(user=people.cleo, what__startswith="API: patient list").count() == 1


def test_cleo_reads_dana_and_her_programme_at_current_doses(people: Cast) -> None:
    headers = cleo(people)
    row = Client().get(f"/api/v1/clinic/patients/{people.dana.pk}", **headers).json()
    assert row["id"] == people.dana.pk and row["label"] == "Dana" and row["locked"] is False
    programme = Client().get(f"/api/v1/clinic/patients/{people.dana.pk}/programme", **headers).json()
    current = current_programme(people.dana)
    assert current is not None
    assert [e["exercise_id"] for e in programme["exercises"]] == [i.exercise_id for i in current.items]
    assert programme["tier"] == "proceed"
    assert set(AuditEvent.objects.filter(person=people.dana).values_list("what", flat=True)) == {
        "API: patient",
        "API: programme",
    }


@pytest.mark.parametrize("what", ["", "/programme", "/fhir"])
def test_a_clinician_of_another_clinic_gets_404_for_dana_not_403(people: Cast, what: str) -> None:
    yusuf = bearer(token_for(people.yusuf, "clinic:read", clinician=True))
    assert_envelope(
        Client().get(f"/api/v1/clinic/patients/{people.dana.pk}{what}", **yusuf), 404, "not_found"
    )
    assert_envelope(Client().get(f"/api/v1/clinic/patients/999999{what}", **yusuf), 404, "not_found")
    assert not AuditEvent.objects.filter(person=people.dana).exists()


def test_a_patient_s_token_cannot_use_the_clinic_endpoints(people: Cast) -> None:
    from tests.integration.api_helpers import account_for

    dana = bearer(token_for(account_for(people.dana, "dana@example.org"), "read"))
    assert_envelope(Client().get("/api/v1/clinic/patients", **dana), 403, "forbidden")
    assert_envelope(Client().get("/api/v1/clinic/alerts", **dana), 403, "forbidden")


def test_a_clinician_token_without_the_clinic_scope_is_refused(people: Cast) -> None:
    error = assert_envelope(Client().get("/api/v1/clinic/patients", **cleo(people, "read")), 403, "forbidden")
    assert "clinic:read" in error["message"]


def test_the_browser_session_of_a_clinician_works_too(people: Cast) -> None:
    browser = people.client("cleo")
    assert browser.get("/api/v1/clinic/patients").status_code == 200
    assert people.client("ada").get(f"/api/v1/clinic/patients/{people.walt.pk}").status_code == 404


def test_cleo_sees_riverside_s_open_alerts_and_acknowledges_one(people: Cast) -> None:
    mine = alert_for(people.dana, people.riverside, "red-stop-1")
    alert_for(people.walt, people.hilltop, "red-stop-2")
    listing = Client().get("/api/v1/clinic/alerts", **cleo(people)).json()
    assert [a["id"] for a in listing["alerts"]] == [mine.pk]

    writer = cleo(people, "clinic:read", "clinic:write")
    url = f"/api/v1/clinic/alerts/{mine.pk}/acknowledge"
    done = post_json(Client(), url, {"note": "Phoned Dana; she is fine."}, **writer)
    assert done.status_code == 200, done.content
    assert done.json()["acknowledged_by"] == people.cleo.get_username()
    mine.refresh_from_db()
    assert mine.acknowledged_at is not None and mine.note == "Phoned Dana; she is fine."
    assert Client().get("/api/v1/clinic/alerts", **cleo(people)).json()["alerts"] == []


def test_acknowledging_needs_the_write_scope_a_note_and_an_alert_of_my_clinic(people: Cast) -> None:
    mine = alert_for(people.dana, people.riverside, "red-stop-1")
    theirs = alert_for(people.walt, people.hilltop, "red-stop-2")
    body: dict[str, Any] = {"note": "Seen."}
    assert_envelope(
        post_json(Client(), f"/api/v1/clinic/alerts/{mine.pk}/acknowledge", body, **cleo(people)), 403
    )
    writer = cleo(people, "clinic:read", "clinic:write")
    empty = post_json(Client(), f"/api/v1/clinic/alerts/{mine.pk}/acknowledge", {"note": "  "}, **writer)
    assert assert_envelope(empty, 400, "invalid")["fields"][0]["field"] == "note"
    other = post_json(Client(), f"/api/v1/clinic/alerts/{theirs.pk}/acknowledge", body, **writer)
    assert_envelope(other, 404, "not_found")
    assert Alert.objects.filter(acknowledged_at__isnull=False).count() == 0
