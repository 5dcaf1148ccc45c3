"""A person's side of the API: my plan, sessions and pain checks, check-ins and history, with a personal
access token or the browser session. Writes carry the client's UUIDs: however often a request is sent
again, the database holds it once (issue 6: "a third-party script with a token ... exactly once")."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from backhome.web.api.models import AccessToken
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.progress.selectors import current_programme
from tests.integration.api_helpers import account_for, assert_envelope, bearer, post_json, token_for
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

BEFORE = {"back": 3, "leg": 2, "zone": 3, "numbness": False, "red_flag": False}
AFTER = {**BEFORE, "weakness": False}


@pytest.fixture
def dana() -> Person:
    person, _ = person_with_plan()
    return person


@pytest.fixture
def dana_token(dana: Person) -> str:
    return token_for(account_for(dana, "dana@example.org"), "read", "write")


def new_id() -> str:
    return str(uuid.uuid4())


def test_a_script_with_a_token_reads_dana_s_plan_at_current_doses(dana: Person, dana_token: str) -> None:
    response = Client().get("/api/v1/me/plan", **bearer(dana_token))
    assert response.status_code == 200, response.content
    plan = response.json()
    programme = current_programme(dana)
    assert programme is not None
    assert [e["exercise_id"] for e in plan["exercises"]] == [i.exercise_id for i in programme.items]
    first = plan["exercises"][0]
    assert first["dose"]["reps"] == programme.items[0].dose.reps and first["suspended"] is False
    assert plan["tier"] == "proceed" and plan["monitoring"] == "strict"
    assert AccessToken.objects.get().last_used_at is not None


def test_a_script_posts_a_session_exactly_once_however_often_it_retries(
    dana: Person, dana_token: str
) -> None:
    script = Client()
    body = {"id": new_id(), "before": BEFORE}
    answers = [post_json(script, "/api/v1/me/sessions", body, **bearer(dana_token)) for _ in range(5)]
    assert {a.status_code for a in answers} == {201}
    assert [a.has_header("Idempotent-Replayed") for a in answers] == [False, True, True, True, True]
    assert len({a.content for a in answers}) == 1
    assert ExerciseSession.objects.filter(person=dana).count() == 1

    log = {"id": new_id(), "position": 1, "sets_done": 1, "skipped": False, "it_hurts": False, "after": AFTER}
    url = f"/api/v1/me/sessions/{body['id']}/logs"
    logs = [post_json(script, url, log, **bearer(dana_token)) for _ in range(5)]
    assert {a.status_code for a in logs} == {201} and logs[0].json()["light"] == "green"
    assert ExerciseLog.objects.filter(session_id=body["id"]).count() == 1

    url = f"/api/v1/me/sessions/{body['id']}/finish"
    finish = [script.post(url, content_type="application/json", **bearer(dana_token)) for _ in range(3)]
    assert [f.status_code for f in finish] == [200, 200, 200] and finish[-1].json()["status"] == "finished"


def test_the_same_session_id_with_other_answers_is_refused_and_changes_nothing(
    dana: Person, dana_token: str
) -> None:
    body = {"id": new_id(), "before": BEFORE}
    post_json(Client(), "/api/v1/me/sessions", body, **bearer(dana_token))
    other = {**body, "before": {**BEFORE, "back": 7}}
    assert_envelope(post_json(Client(), "/api/v1/me/sessions", other, **bearer(dana_token)), 409, "id_reused")
    assert ExerciseSession.objects.get().before_back == 3


def test_the_core_s_red_stop_is_stored_and_answered_as_given(dana: Person, dana_token: str) -> None:
    session = {"id": new_id(), "before": BEFORE}
    post_json(Client(), "/api/v1/me/sessions", session, **bearer(dana_token))
    worse = {**AFTER, "leg": 2, "zone": 5}  # pain moved further down the leg: PM-10
    log = {"id": new_id(), "position": 1, "sets_done": 1, "skipped": False, "it_hurts": True, "after": worse}
    answer = post_json(
        Client(), f"/api/v1/me/sessions/{session['id']}/logs", log, **bearer(dana_token)
    ).json()
    assert answer["light"] == "red" and answer["end_session"] is True and "PM-10" in answer["rules"]
    assert answer["session_status"] == "stopped"
    assert ExerciseSession.objects.get().stop_rules == answer["rules"]


def test_a_pain_recheck_is_answered_through_the_api(dana: Person, dana_token: str) -> None:
    session = {"id": new_id(), "before": BEFORE}
    post_json(Client(), "/api/v1/me/sessions", session, **bearer(dana_token))
    up = {**AFTER, "back": 6}  # back pain up by 3: PM-13 asks for a rest and a re-check
    log = {"id": new_id(), "position": 1, "sets_done": 1, "skipped": False, "it_hurts": False, "after": up}
    first = post_json(Client(), f"/api/v1/me/sessions/{session['id']}/logs", log, **bearer(dana_token)).json()
    assert first["needs_recheck"] is True and first["light"] is None
    url = f"/api/v1/me/sessions/{session['id']}/logs/{log['id']}/recheck"
    settled = post_json(Client(), url, {"settled": True}, **bearer(dana_token))
    assert settled.status_code == 200 and settled.json()["needs_recheck"] is False
    assert settled.json()["light"] is not None
    again = post_json(Client(), url, {"settled": False}, **bearer(dana_token))
    assert_envelope(again, 409, "already_answered")


def test_a_bad_session_body_names_each_field_and_stores_nothing(dana: Person, dana_token: str) -> None:
    body = {"id": "not-a-uuid", "before": {**BEFORE, "back": "3", "numbness": 1, "extra": True}}
    error = assert_envelope(
        post_json(Client(), "/api/v1/me/sessions", body, **bearer(dana_token)), 400, "invalid"
    )
    assert {f["field"] for f in error["fields"]} == {"id", "before.back", "before.numbness", "before.extra"}
    assert ExerciseSession.objects.count() == 0


def test_a_skipped_exercise_with_a_pain_check_is_refused(dana: Person, dana_token: str) -> None:
    session = {"id": new_id(), "before": BEFORE}
    post_json(Client(), "/api/v1/me/sessions", session, **bearer(dana_token))
    log = {"id": new_id(), "position": 1, "sets_done": 0, "skipped": True, "it_hurts": False, "after": AFTER}
    error = assert_envelope(
        post_json(Client(), f"/api/v1/me/sessions/{session['id']}/logs", log, **bearer(dana_token)), 400
    )
    assert error["fields"][0]["field"] == "after"
    assert ExerciseLog.objects.count() == 0


def test_walt_cannot_write_to_dana_s_session(dana: Person, dana_token: str) -> None:
    walt, _ = person_with_plan(WALT_WEB)
    walt_token = token_for(account_for(walt, "walt@example.org"))
    session = {"id": new_id(), "before": BEFORE}
    post_json(Client(), "/api/v1/me/sessions", session, **bearer(dana_token))
    log = {"id": new_id(), "position": 1, "sets_done": 1, "skipped": False, "it_hurts": False, "after": AFTER}
    url = f"/api/v1/me/sessions/{session['id']}/logs"
    assert_envelope(post_json(Client(), url, log, **bearer(walt_token)), 404, "not_found")
    # Reusing Dana's session id for a session of his own reveals nothing either.
    assert_envelope(
        post_json(Client(), "/api/v1/me/sessions", session, **bearer(walt_token)), 404, "not_found"
    )
    assert ExerciseLog.objects.count() == 0


def test_a_morning_check_in_moves_doses_and_a_retry_returns_the_stored_one(
    dana: Person, dana_token: str
) -> None:
    body = {"id": new_id(), "back": 2, "leg": 1, "zone": 2, "stiffness": "none"}
    first = post_json(Client(), "/api/v1/me/check-ins", body, **bearer(dana_token))
    assert first.status_code == 201, first.content
    again = post_json(Client(), "/api/v1/me/check-ins", body, **bearer(dana_token))
    assert (
        again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.content == first.content
    )
    assert CheckIn.objects.filter(person=dana).count() == 1
    checkin = CheckIn.objects.get()
    assert first.json()["rules"] == checkin.rules
    assert len(first.json()["exercises"]) == len(checkin.course["exercises"])
    assert DoseChange.objects.filter(checkin=checkin).count() == sum(
        e["changed"] for e in first.json()["exercises"]
    )
    other_id = {**body, "id": new_id()}
    assert_envelope(
        post_json(Client(), "/api/v1/me/check-ins", other_id, **bearer(dana_token)), 409, "already_checked_in"
    )
    assert CheckIn.objects.count() == 1


def test_history_has_the_session_and_the_morning_s_pain(dana: Person, dana_token: str) -> None:
    session = {"id": new_id(), "before": BEFORE}
    post_json(Client(), "/api/v1/me/sessions", session, **bearer(dana_token))
    history = Client().get("/api/v1/me/history", **bearer(dana_token)).json()
    assert [s["id"] for s in history["sessions"]] == [session["id"]]
    assert history["pain"][-1]["back"] == 3


def test_the_browser_session_works_for_a_guest_and_writes_need_the_csrf_token(dana: Person) -> None:
    browser = client_for(dana)
    assert browser.get("/api/v1/me/plan").status_code == 200
    strict = client_for(dana)
    strict.handler.enforce_csrf_checks = True
    refused = post_json(strict, "/api/v1/me/sessions", {"id": new_id(), "before": BEFORE})
    assert_envelope(refused, 403, "forbidden")
    assert ExerciseSession.objects.count() == 0


def test_a_token_skips_csrf_because_it_is_not_a_cookie(dana: Person, dana_token: str) -> None:
    script = Client(enforce_csrf_checks=True)
    answer = post_json(
        script, "/api/v1/me/sessions", {"id": new_id(), "before": BEFORE}, **bearer(dana_token)
    )
    assert answer.status_code == 201


def test_a_read_only_token_cannot_write(dana: Person) -> None:
    reader = token_for(dana.user or account_for(dana, "dana@example.org"), "read")
    assert Client().get("/api/v1/me/plan", **bearer(reader)).status_code == 200
    refused = post_json(Client(), "/api/v1/me/sessions", {"id": new_id(), "before": BEFORE}, **bearer(reader))
    error = assert_envelope(refused, 403, "forbidden")
    assert "write" in error["message"]
    assert ExerciseSession.objects.count() == 0


def test_without_credentials_or_with_a_wrong_or_revoked_token_the_answer_is_401(
    dana: Person, dana_token: str
) -> None:
    assert_envelope(Client().get("/api/v1/me/plan"), 401, "unauthenticated")
    assert Client().get("/api/v1/me/plan")["WWW-Authenticate"].startswith("Bearer")
    wrong = dana_token[:-4] + "abcd"
    assert_envelope(Client().get("/api/v1/me/plan", **bearer(wrong)), 401)
    AccessToken.objects.update(revoked_at="2020-01-01T00:00:00Z")
    assert_envelope(Client().get("/api/v1/me/plan", **bearer(dana_token)), 401)


def test_a_person_without_a_programme_gets_no_programme(dana_token: str) -> None:
    fresh = Person.objects.create()
    token = token_for(account_for(fresh, "new@example.org"), "read")
    assert_envelope(Client().get("/api/v1/me/plan", **bearer(token)), 409, "no_programme")
