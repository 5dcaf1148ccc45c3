"""The session player's writes, through the JSON API with the browser session and its CSRF token
(``/api/v1/me/sessions...``): start, log, re-check, finish. Dana does her session; every bad body is
refused with the envelope and stores nothing; retries never duplicate; another person's session is not
found; the core's lights are stored as given. Writes queued on a phone before the player's writes moved
to the API still reach it at their old addresses."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backhome.core.model import PainCheck
from backhome.web.patient.models import Person
from backhome.web.practice import services
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

rule = pytest.mark.rule

#: Dana before her session: back 3, leg 2, pain into the thigh (zone 3), no numbness, no warning sign.
BEFORE = {"back": 3, "leg": 2, "zone": 3, "numbness": False, "red_flag": False}
SAME = {**BEFORE, "weakness": False}


def post(client: Client, url: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data, content_type=extra.pop("content_type", "application/json"), **extra)


def start_url() -> str:
    return reverse("api:me_session_start")


def log_url(session_id: str) -> str:
    return reverse("api:me_session_log", args=[session_id])


def recheck_url(session_id: str, log_id: str) -> str:
    return reverse("api:me_session_recheck", args=[session_id, log_id])


def finish_url(session_id: str) -> str:
    return reverse("api:me_session_finish", args=[session_id])


def new_id() -> str:
    return str(uuid.uuid4())


def log_body(position: int, after: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": new_id(),
        "position": position,
        "sets_done": 1,
        "skipped": False,
        "it_hurts": False,
        "after": SAME if after is None else after,
    }
    body.update(extra)
    return body


@pytest.fixture
def dana() -> tuple[Person, Client]:
    person, _ = person_with_plan()
    return person, client_for(person)


def started(client: Client, before: dict[str, Any] | None = None) -> str:
    session_id = new_id()
    response = post(client, start_url(), {"id": session_id, "before": before or BEFORE})
    assert response.status_code == 201, response.content
    return session_id


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], list)
    return dict(error)


# --------------------------------------------------------------------------- happy paths


def test_dana_starts_a_session_of_her_programme_at_its_doses(dana: tuple[Person, Client]) -> None:
    person, client = dana
    session_id = new_id()
    response = post(client, start_url(), {"id": session_id, "before": BEFORE})
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == session_id
    assert body["status"] == "in_progress"
    assert body["monitoring"] == "strict"
    assert body["day"] == timezone.localdate().isoformat()
    assert body["before"] == BEFORE
    assert [(i["position"], i["exercise_id"]) for i in body["programme"]] == [
        (1, "sciatic-nerve-glide"),
        (2, "prone-press-up"),
        (3, "cat-camel"),
    ]
    assert body["programme"][1]["dose"] == {
        "sets": 1,
        "reps": 10,
        "hold_s": 10,
        "per_side": False,
        "mode": None,
    }
    assert body["next_position"] == 1
    assert body["stop"] is None
    session = ExerciseSession.objects.get(pk=session_id)
    assert session.person == person
    assert (session.before_back, session.before_leg, session.before_zone) == (3, 2, 3)
    assert len(session.programme) == 3


def test_no_answer_is_kept_by_a_cache_and_the_player_page_is_gzipped(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    answer = post(client, log_url(session_id), log_body(1), HTTP_ACCEPT_ENCODING="gzip")
    assert answer.status_code == 201
    assert "no-store" in answer["Cache-Control"]
    refused = post(client, log_url(session_id), log_body(1))
    assert refused.status_code == 409 and "no-store" in refused["Cache-Control"]
    page = client.get(reverse("practice:player"), HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert "no-store" in page["Cache-Control"]


@rule("PM-30", fires=True)
def test_dana_logs_each_exercise_gets_green_and_finishes(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    for position in (1, 2, 3):
        response = post(client, log_url(session_id), log_body(position))
        assert response.status_code == 201
        result = response.json()
        assert result["light"] == "green"
        assert result["end_session"] is False
        assert result["needs_recheck"] is False
        assert result["recheck_minutes"] is None
        assert result["rules"] == ["PM-30"]
        assert result["reasons"][0]["rule"] == "PM-30"
        assert result["advice"] == "Well done. Carry on with your programme."
        assert result["next_position"] == (position + 1 if position < 3 else None)
    response = post(client, finish_url(session_id), {})
    assert response.status_code == 200
    assert response.json()["status"] == "finished"
    session = ExerciseSession.objects.get(pk=session_id)
    assert session.status == ExerciseSession.Status.FINISHED
    assert session.ended_at is not None
    logs = list(session.logs.all())
    assert [log.light for log in logs] == ["green", "green", "green"]
    assert logs[1].exercise_id == "prone-press-up" and logs[1].hold_s == 10 and logs[1].reps == 10
    assert logs[0].mode == "slider" and logs[0].per_side


def test_a_skipped_exercise_is_stored_without_a_check_or_a_light(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    body = {"id": new_id(), "position": 1, "sets_done": 0, "skipped": True, "it_hurts": False}
    response = post(client, log_url(session_id), body)
    assert response.status_code == 201
    assert response.json()["light"] is None
    assert response.json()["next_position"] == 2
    log = ExerciseLog.objects.get(pk=body["id"])
    assert log.skipped and log.light == "" and log.after_back is None


def test_it_hurts_is_logged_with_its_check(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    body = log_body(1, sets_done=0, it_hurts=True)
    assert post(client, log_url(session_id), body).status_code == 201
    log = ExerciseLog.objects.get(pk=body["id"])
    assert log.it_hurts and log.sets_done == 0 and log.light == "green"


@rule("PM-12", fires=True)
def test_the_next_exercise_is_compared_with_the_check_after_the_one_before(
    dana: tuple[Person, Client],
) -> None:
    _, client = dana
    session_id = started(client)
    post(client, log_url(session_id), log_body(1, {**SAME, "leg": 0}))
    # leg 1 is below the session's start (2) but above the last check (0): PM-12, RED
    response = post(client, log_url(session_id), log_body(2, {**SAME, "leg": 1}))
    assert response.json()["light"] == "red"
    assert response.json()["rules"] == ["PM-12"]


# --------------------------------------------------------------------------- RED stops


@rule("PM-12", fires=True)
def test_a_red_leg_check_ends_the_session_and_stores_the_stop(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    response = post(client, log_url(session_id), log_body(1, {**SAME, "leg": 3}))
    assert response.status_code == 201
    result = response.json()
    assert result["light"] == "red"
    assert result["end_session"] is True
    assert result["rules"] == ["PM-12"]
    assert "Do no more exercises today" in result["advice"]
    assert result["next_position"] is None
    assert result["session_status"] == "stopped"
    session = ExerciseSession.objects.get(pk=session_id)
    assert session.status == ExerciseSession.Status.STOPPED
    assert session.stop_rules == ["PM-12"]
    assert session.stop_advice == result["advice"]
    assert session.ended_at is not None
    log = session.logs.get()
    assert log.light == "red" and log.end_session and log.rules == ["PM-12"]
    # nothing more can be written to it
    assert_envelope(post(client, log_url(session_id), log_body(2)), 409, "ended")
    assert_envelope(post(client, finish_url(session_id), {}), 409, "ended")
    assert session.logs.count() == 1


@rule("PM-14", fires=True)
def test_a_warning_sign_before_the_session_stores_it_stopped(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = new_id()
    response = post(client, start_url(), {"id": session_id, "before": {**BEFORE, "red_flag": True}})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "stopped"
    assert body["next_position"] is None
    assert body["stop"]["rules"] == ["PM-14"]
    assert "safety questions" in body["stop"]["advice"]
    assert ExerciseSession.objects.get(pk=session_id).before_red_flag
    assert_envelope(post(client, log_url(session_id), log_body(1)), 409, "ended")


@rule("PM-11", fires=True)
def test_new_weakness_after_an_exercise_ends_the_session(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    result = post(client, log_url(session_id), log_body(1, {**SAME, "weakness": True})).json()
    assert result["light"] == "red" and result["end_session"] and "PM-11" in result["rules"]
    assert ExerciseSession.objects.get(pk=session_id).stop_rules == ["PM-11"]


# --------------------------------------------------------------------------- PM-13


@rule("PM-13", fires=True)
def test_a_back_pain_rise_is_provisional_until_the_recheck_then_amber_when_it_settled(
    dana: tuple[Person, Client],
) -> None:
    _, client = dana
    session_id = started(client)
    body = log_body(1, {**SAME, "back": 4})
    result = post(client, log_url(session_id), body).json()
    assert result["needs_recheck"] is True
    assert result["recheck_minutes"] == 5
    assert result["light"] is None  # provisional: no light stored yet
    assert result["rules"] == ["PM-13"]
    assert result["next_position"] is None
    log = ExerciseLog.objects.get(pk=body["id"])
    assert log.needs_recheck and log.light == "" and log.settled is None
    # the next exercise waits for the re-check, and so does the end of the session
    assert_envelope(post(client, log_url(session_id), log_body(2)), 409, "recheck_pending")
    assert_envelope(post(client, finish_url(session_id), {}), 409, "recheck_pending")

    response = post(client, recheck_url(session_id, body["id"]), {"settled": True})
    assert response.status_code == 200
    settled = response.json()
    assert settled["light"] == "amber"
    assert settled["needs_recheck"] is False
    assert settled["rules"] == ["PM-20"]
    assert settled["settled"] is True
    assert settled["next_position"] == 2
    log.refresh_from_db()
    assert (log.light, log.settled, log.needs_recheck, log.rules) == ("amber", True, False, ["PM-20"])
    # the same answer again changes nothing; another answer is refused
    assert post(client, recheck_url(session_id, body["id"]), {"settled": True}).json() == settled
    assert_envelope(
        post(client, recheck_url(session_id, body["id"]), {"settled": False}), 409, "already_answered"
    )
    assert post(client, log_url(session_id), log_body(2)).status_code == 201


@rule("PM-13", fires=True)
def test_back_pain_that_did_not_settle_is_red_but_the_session_goes_on(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    body = log_body(1, {**SAME, "back": 4})
    post(client, log_url(session_id), body)
    result = post(client, recheck_url(session_id, body["id"]), {"settled": False}).json()
    assert result["light"] == "red"
    assert result["end_session"] is False
    assert result["rules"] == ["PM-13"]
    assert result["next_position"] == 2
    assert ExerciseSession.objects.get(pk=session_id).status == ExerciseSession.Status.IN_PROGRESS


def test_a_recheck_of_an_exercise_without_one_is_refused(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    body = log_body(1)
    post(client, log_url(session_id), body)
    assert_envelope(post(client, recheck_url(session_id, body["id"]), {"settled": True}), 409, "no_recheck")
    assert_envelope(post(client, recheck_url(session_id, new_id()), {"settled": True}), 404, "not_found")


def test_in_monitored_mode_the_recheck_waits_30_minutes(dana: tuple[Person, Client]) -> None:
    person, client = dana
    screening = person.screenings.get()
    screening.decision = {**screening.decision, "monitoring": "monitored"}  # a clinician's setting
    screening.save()
    session_id = started(client)
    assert ExerciseSession.objects.get(pk=session_id).monitoring == "monitored"
    result = post(client, log_url(session_id), log_body(1, {**SAME, "back": 5})).json()
    assert result["needs_recheck"] is True
    assert result["recheck_minutes"] == 30


# --------------------------------------------------------------------------- retries


def test_a_retried_start_returns_the_same_session_and_stores_it_once(dana: tuple[Person, Client]) -> None:
    _, client = dana
    body = {"id": new_id(), "before": BEFORE}
    first = post(client, start_url(), body)
    again = post(client, start_url(), body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert not first.has_header("Idempotent-Replayed") and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ExerciseSession.objects.count() == 1
    changed = post(client, start_url(), {**body, "before": {**BEFORE, "back": 4}})
    assert_envelope(changed, 409, "id_reused")


def test_a_retried_log_returns_the_stored_result_and_stores_it_once(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    body = log_body(1, {**SAME, "leg": 3})  # a RED that stops the session
    first = post(client, log_url(session_id), body)
    again = post(client, log_url(session_id), body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ExerciseLog.objects.count() == 1
    assert_envelope(post(client, log_url(session_id), {**body, "sets_done": 0}), 409, "id_reused")


def test_finishing_twice_is_harmless(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    first = post(client, finish_url(session_id), {})
    again = post(client, finish_url(session_id), "")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert_envelope(post(client, log_url(session_id), log_body(1)), 409, "ended")


def test_exercises_are_logged_in_order(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    error = assert_envelope(post(client, log_url(session_id), log_body(2)), 409, "out_of_order")
    assert "number 1" in error["message"]
    post(client, log_url(session_id), log_body(1))
    assert_envelope(post(client, log_url(session_id), log_body(1)), 409, "out_of_order")
    assert ExerciseLog.objects.count() == 1


# --------------------------------------------------------------------------- who may


def test_another_persons_session_is_not_found(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    walt, _ = person_with_plan(WALT_WEB)
    other = client_for(walt)
    assert_envelope(post(other, log_url(session_id), log_body(1)), 404, "not_found")
    assert_envelope(post(other, finish_url(session_id), {}), 404, "not_found")
    assert_envelope(post(other, recheck_url(session_id, new_id()), {"settled": True}), 404, "not_found")
    assert_envelope(post(other, start_url(), {"id": session_id, "before": BEFORE}), 404, "not_found")
    assert other.get(reverse("practice:summary", args=[session_id])).status_code == 404
    assert_envelope(post(Client(), log_url(session_id), log_body(1)), 401, "unauthenticated")
    assert ExerciseLog.objects.count() == 0


def test_a_person_without_a_programme_cannot_start() -> None:
    person = Person.objects.create()
    response = post(client_for(person), start_url(), {"id": new_id(), "before": BEFORE})
    assert_envelope(response, 409, "no_programme")
    assert_envelope(post(Client(), start_url(), {"id": new_id(), "before": BEFORE}), 401, "unauthenticated")
    assert ExerciseSession.objects.count() == 0


def test_a_locked_person_cannot_start(dana: tuple[Person, Client]) -> None:
    person, client = dana
    person.emergency_locked_at = timezone.now()
    person.save()
    assert_envelope(post(client, start_url(), {"id": new_id(), "before": BEFORE}), 409, "locked")
    assert ExerciseSession.objects.count() == 0


@rule("DS-01", fires=True)
def test_a_second_session_the_same_day_is_refused(dana: tuple[Person, Client]) -> None:
    _, client = dana
    first = started(client)
    post(client, finish_url(first), {})
    error = assert_envelope(
        post(client, start_url(), {"id": new_id(), "before": BEFORE}), 409, "sessions_used_up"
    )
    assert "tomorrow" in error["message"]
    assert ExerciseSession.objects.count() == 1


@rule("DS-01", fires=False)
def test_the_next_day_brings_a_new_session(dana: tuple[Person, Client]) -> None:
    person, _ = dana
    today = timezone.localdate()
    before = PainCheck(3, 2, 3, False)
    services.session_start(person=person, id=uuid.uuid4(), before=before, today=today)
    _, created = services.session_start(
        person=person, id=uuid.uuid4(), before=before, today=today + dt.timedelta(days=1)
    )
    assert created


# --------------------------------------------------------------------------- bad input


BAD_LOGS = [
    ("missing", lambda b: b.pop("sets_done"), "sets_done"),
    ("missing check", lambda b: b.pop("after"), "after"),
    ("missing value", lambda b: b["after"].pop("leg"), "after.leg"),
    ("string number", lambda b: b.update(position="1"), "position"),
    ("float number", lambda b: b.update(sets_done=1.0), "sets_done"),
    ("number as boolean", lambda b: b["after"].update(numbness=0), "after.numbness"),
    ("boolean as number", lambda b: b["after"].update(back=True), "after.back"),
    ("pain above 10", lambda b: b["after"].update(back=11), "after.back"),
    ("negative pain", lambda b: b["after"].update(leg=-1), "after.leg"),
    ("zone above 5", lambda b: b["after"].update(zone=6), "after.zone"),
    ("position 0", lambda b: b.update(position=0), "position"),
    ("position after the last", lambda b: b.update(position=4), "position"),
    ("more sets than the dose", lambda b: b.update(sets_done=2), "sets_done"),
    ("unknown field", lambda b: b.update(note="hi"), "note"),
    ("unknown check field", lambda b: b["after"].update(mood=3), "after.mood"),
    ("not a uuid", lambda b: b.update(id="not-a-uuid"), "id"),
    ("uuid version 1", lambda b: b.update(id=str(uuid.uuid1())), "id"),
    ("skipped with a check", lambda b: b.update(skipped=True), "after"),
    ("skipped and it hurts", lambda b: (b.update(skipped=True, it_hurts=True), b.pop("after")), "it_hurts"),
]


@pytest.mark.parametrize(
    ("change", "field"), [(c, f) for _, c, f in BAD_LOGS], ids=[n for n, _, _ in BAD_LOGS]
)
def test_a_bad_log_is_refused_naming_the_field_and_stores_nothing(
    dana: tuple[Person, Client], change: Any, field: str
) -> None:
    _, client = dana
    session_id = started(client)
    body = log_body(1, dict(SAME))
    change(body)
    error = assert_envelope(post(client, log_url(session_id), body), 400, "invalid")
    assert field in [f["field"] for f in error["fields"]]
    assert all(f["message"] for f in error["fields"])
    assert ExerciseLog.objects.count() == 0


def test_an_out_of_range_value_says_the_range(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    error = assert_envelope(
        post(client, log_url(session_id), log_body(1, {**SAME, "back": 11})), 400, "invalid"
    )
    assert error["fields"] == [{"field": "after.back", "message": "Give a value of at most 10."}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"before": BEFORE}, "id"),
        ({"id": "1234", "before": BEFORE}, "id"),
        ({"id": str(uuid.uuid4())}, "before"),
        ({"id": str(uuid.uuid4()), "before": {**BEFORE, "zone": 9}}, "before.zone"),
        ({"id": str(uuid.uuid4()), "before": {**BEFORE, "weakness": False}}, "before.weakness"),
        ({"id": str(uuid.uuid4()), "before": {**BEFORE, "red_flag": "no"}}, "before.red_flag"),
        ({"id": str(uuid.uuid4()), "before": BEFORE, "extra": 1}, "extra"),
        ([1, 2], "body"),
    ],
    ids=["no id", "bad uuid", "no check", "zone 9", "weakness before", "string boolean", "unknown", "a list"],
)
def test_a_bad_start_is_refused_and_stores_nothing(
    dana: tuple[Person, Client], body: Any, field: str
) -> None:
    _, client = dana
    error = assert_envelope(post(client, start_url(), body), 400, "invalid")
    assert field in [f["field"] for f in error["fields"]]
    assert ExerciseSession.objects.count() == 0


def test_bad_json_is_refused(dana: tuple[Person, Client]) -> None:
    _, client = dana
    assert_envelope(post(client, start_url(), '{"id": '), 400, "invalid")
    assert_envelope(post(client, start_url(), "null"), 400, "invalid")
    assert ExerciseSession.objects.count() == 0


def test_a_body_over_64_kb_is_refused(dana: tuple[Person, Client]) -> None:
    _, client = dana
    big = json.dumps({"id": new_id(), "before": BEFORE, "pad": "x" * 70_000})
    error = assert_envelope(post(client, start_url(), big), 413, "too_large")
    assert "too large" in error["message"]
    assert ExerciseSession.objects.count() == 0


def test_a_form_post_is_refused(dana: tuple[Person, Client]) -> None:
    _, client = dana
    response = client.post(start_url(), {"id": new_id()})
    error = assert_envelope(response, 415, "unsupported_media_type")
    assert "application/json" in error["message"]


def test_a_bad_recheck_answer_is_refused(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    body = log_body(1, {**SAME, "back": 4})
    post(client, log_url(session_id), body)
    for bad in ({}, {"settled": "yes"}, {"settled": 1}, {"settled": True, "x": 1}):
        assert_envelope(post(client, recheck_url(session_id, body["id"]), bad), 400, "invalid")
    assert ExerciseLog.objects.get(pk=body["id"]).settled is None


def test_a_finish_with_a_body_is_refused(dana: tuple[Person, Client]) -> None:
    _, client = dana
    session_id = started(client)
    assert_envelope(post(client, finish_url(session_id), {"now": True}), 400, "invalid")
    assert ExerciseSession.objects.get(pk=session_id).status == "in_progress"


def test_a_malformed_session_id_in_the_address_is_not_found(dana: tuple[Person, Client]) -> None:
    _, client = dana
    assert_envelope(post(client, "/api/v1/me/sessions/nope/logs", log_body(1)), 404, "not_found")
    assert_envelope(post(client, "/api/v1/me/sessions/nope/finish", {}), 404, "not_found")


def test_the_endpoints_take_post_only(dana: tuple[Person, Client]) -> None:
    _, client = dana
    response = client.get(start_url())
    assert_envelope(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"


def test_a_write_without_the_csrf_token_is_refused_in_the_envelope(dana: tuple[Person, Client]) -> None:
    person, _ = dana
    client = client_for(person)
    client.handler.enforce_csrf_checks = True
    response = post(client, start_url(), {"id": new_id(), "before": BEFORE})
    assert_envelope(response, 403, "forbidden")
    assert ExerciseSession.objects.count() == 0
    # with the page's token in the X-CSRFToken header it goes through
    page = client.get(reverse("practice:player"))
    token = page.context["csrf_token"]
    response = post(client, start_url(), {"id": new_id(), "before": BEFORE}, HTTP_X_CSRFTOKEN=str(token))
    assert response.status_code == 201


# --------------------------------------------------------------------------- writes queued before the move


def test_writes_queued_on_a_phone_at_the_old_addresses_are_stored_once(dana: tuple[Person, Client]) -> None:
    """The offline outbox keeps each write with the address it had when it was queued."""
    person, _ = dana
    client = client_for(person)
    client.handler.enforce_csrf_checks = True
    token = str(client.get(reverse("practice:player")).context["csrf_token"])
    session_id, hurt = new_id(), log_body(1, {**SAME, "back": 4})
    bodies = [
        ("/session/start/", {"id": session_id, "before": BEFORE}, 201),
        (f"/session/{session_id}/log/", hurt, 201),
        (f"/session/{session_id}/log/", hurt, 201),  # sent again: the same answer
        (f"/session/{session_id}/log/{hurt['id']}/recheck/", {"settled": True}, 200),
        (f"/session/{session_id}/finish/", {}, 200),
    ]
    for url, body, status in bodies:
        response = post(client, url, body, HTTP_X_CSRFTOKEN=token)
        assert response.status_code == status, response.content
    session = ExerciseSession.objects.get(pk=session_id)
    assert session.status == ExerciseSession.Status.FINISHED
    assert [(log.light, log.settled) for log in session.logs.all()] == [("amber", True)]
    # the old addresses check the CSRF token as the API does, and answer in its envelope
    assert_envelope(post(client, f"/session/{session_id}/finish/", {}), 403, "forbidden")
