"""The clinic's programme through the API with HTTP conditional requests: Cleo reads Dana's programme
with its ETag and changes it with If-Match; without it 428, with a stale one 412, both in the error
envelope and with nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from backhome.web.clinic.editor.changes import changes_unseen
from backhome.web.clinic.models import AuditEvent, ProgrammeChange
from backhome.web.progress.selectors import current_programme
from tests.integration.api_helpers import assert_envelope, bearer, token_for
from tests.integration.clinic_people import Cast, cast

pytestmark = pytest.mark.django_db

WHY = "You hold the stretch easily now."


@pytest.fixture
def people() -> Cast:
    return cast()


def cleo(people: Cast) -> dict[str, str]:
    return bearer(token_for(people.cleo, "clinic:read", "clinic:write", clinician=True))


def url(people: Cast) -> str:
    return f"/api/v1/clinic/patients/{people.dana.pk}/programme"


def put(people: Cast, body: Any, **headers: str) -> Any:
    return Client().put(
        url(people), json.dumps(body), content_type="application/json", **cleo(people), **headers
    )


def danas_doses(people: Cast) -> list[dict[str, Any]]:
    programme = current_programme(people.dana)
    assert programme is not None
    return [
        {"exercise_id": i.exercise_id, "sets": i.dose.sets, "reps": i.dose.reps, "hold_s": i.dose.hold_s}
        for i in programme.items
        if not i.suspended
    ]


def with_hold(doses: list[dict[str, Any]], exercise_id: str, seconds: int) -> list[dict[str, Any]]:
    return [{**d, "hold_s": seconds} if d["exercise_id"] == exercise_id else d for d in doses]


def test_the_programme_answers_with_an_etag(people: Cast) -> None:
    response = Client().get(url(people), **cleo(people))
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    again = Client().get(url(people), **cleo(people))
    assert again["ETag"] == response["ETag"]


def test_cleo_changes_a_dose_with_if_match_and_gets_the_new_etag(people: Cast) -> None:
    tag = Client().get(url(people), **cleo(people))["ETag"]
    body = {"exercises": with_hold(danas_doses(people), "prone-press-up", 30), "why": WHY}
    response = put(people, body, HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.content
    assert response["ETag"] != tag
    press_up = next(e for e in response.json()["exercises"] if e["exercise_id"] == "prone-press-up")
    assert press_up["dose"]["hold_s"] == 30
    assert [c.why for c in changes_unseen(people.dana)] == [WHY]
    assert AuditEvent.objects.filter(person=people.dana, action="change").count() == 1


def test_a_put_without_if_match_is_428_and_writes_nothing(people: Cast) -> None:
    body = {"exercises": with_hold(danas_doses(people), "prone-press-up", 30), "why": WHY}
    assert_envelope(put(people, body), 428, "version_required")
    assert not ProgrammeChange.objects.filter(person=people.dana).exists()


def test_a_stale_if_match_is_412_says_what_changed_and_writes_nothing(people: Cast) -> None:
    tag = Client().get(url(people), **cleo(people))["ETag"]
    first = {"exercises": with_hold(danas_doses(people), "prone-press-up", 30), "why": WHY}
    assert put(people, first, HTTP_IF_MATCH=tag).status_code == 200
    second = {"exercises": with_hold(danas_doses(people), "prone-press-up", 20), "why": "Back to 20."}
    error = assert_envelope(put(people, second, HTTP_IF_MATCH=tag), 412, "stale")
    assert "hold each 30 seconds" in error["message"]
    assert ProgrammeChange.objects.filter(person=people.dana).count() == 1
    assert [c.why for c in changes_unseen(people.dana)] == [WHY]


def test_a_dose_outside_the_safe_range_is_400_and_nothing_of_the_put_is_kept(people: Cast) -> None:
    tag = Client().get(url(people), **cleo(people))["ETag"]
    doses = with_hold(danas_doses(people), "prone-press-up", 30)
    doses = [d for d in doses if d["exercise_id"] != "cat-camel"] + [
        {"exercise_id": "prone-lying", "sets": 1, "reps": 1, "hold_s": 999}
    ]
    error = assert_envelope(put(people, {"exercises": doses, "why": WHY}, HTTP_IF_MATCH=tag), 400)
    assert error["fields"] and error["fields"][0]["field"] == "hold_s"
    assert not ProgrammeChange.objects.filter(person=people.dana).exists()


def test_the_openapi_document_shows_the_conditional_programme_endpoints(people: Cast) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    path = document["paths"]["/api/v1/clinic/patients/{patient_id}/programme"]
    assert {"get", "put"} <= set(path)
    assert {"412", "428"} <= set(path["put"]["responses"])
    assert any(p["name"] == "If-Match" for p in path["put"]["parameters"])
