"""The directional self-check through its pages (issue 3 item 6): who may test, the guided steps, stops,
results, the next morning, and the reshaped plan. Every clinical answer is checked against the core's own
answer for the same values, never a copy of it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from backhome.core.contract import decision_to_json, parse_intake
from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import Direction, PainCheck
from backhome.core.rules import directional as dpt
from backhome.web.patient.models import PlanItem, Screening
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.selfcheck import selectors
from backhome.web.selfcheck.models import DirectionalTest
from tests.integration.people import WALT_WEB, client_for, person_with_plan
from tests.integration.selfcheck_helpers import (
    DANA_BEFORE,
    measure,
    posted,
    start,
    through_the_movements,
    url_of,
    whole_test,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("selfcheck:index")
CENTRALIZED = {"back": 5, "leg": 2, "zone": 2, "numbness": False}
SPREAD = {"back": 5, "leg": 4, "zone": 4, "numbness": False}


def _check(values: dict) -> PainCheck:
    return PainCheck(values["back"], values["leg"], values["zone"], values["numbness"])


def _a_day_later(test: DirectionalTest) -> None:
    """Make "the next morning": the test's times move back one day."""
    day = dt.timedelta(days=1)
    DirectionalTest.objects.filter(pk=test.pk).update(
        started_at=test.started_at - day,
        ended_at=test.ended_at - day if test.ended_at else None,
        after_at=test.after_at - day if test.after_at else None,
        recheck_at=test.recheck_at - day if test.recheck_at else None,
        settled_at=test.settled_at - day if test.settled_at else None,
    )


def _expected_plan(screening: Screening, **directional: str) -> dict:
    """The core's own decision for the screening's intake with these self-check results."""
    doc = {**screening.intake, "directional": directional}
    return decision_to_json(decide(parse_intake(doc)))


# --------------------------------------------------------------------------- who may test (DPT-01)


def test_the_self_check_page_explains_the_check_and_shows_the_disclaimer() -> None:
    person, _ = person_with_plan()
    page = client_for(person).get(INDEX)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Which way of bending suits your back?" in text
    assert dpt.DISCLAIMER in text


def test_dana_may_test_extension() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    page = client.get(INDEX).content.decode()
    assert reverse("selfcheck:start", args=["extension"]) in page
    start_page = client.get(reverse("selfcheck:start", args=["extension"]))
    assert start_page.status_code == 200
    assert 'name="test_id"' in start_page.content.decode()
    response = start(client)
    assert response.status_code == 302
    test = DirectionalTest.objects.get(person=person)
    assert (test.direction, test.status, test.step) == ("extension", "in_progress", 1)
    assert (test.before_back, test.before_leg, test.before_zone, test.before_numbness) == (5, 4, 3, False)


def test_walt_may_not_test_extension_and_is_told_why() -> None:
    person, screening = person_with_plan(WALT_WEB)
    client = client_for(person)
    refusal = dpt.may_test(Direction.EXTENSION, selectors.decision_of(screening), 3)
    assert not refusal.allowed  # the core's answer for Walt (EL-06, spinal stenosis)
    page = client.get(INDEX).content.decode()
    assert refusal.reasons[0].text in page
    assert reverse("selfcheck:start", args=["extension"]) not in page
    assert reverse("selfcheck:start", args=["flexion"]) in page  # flexion suits the core
    start_page = client.get(reverse("selfcheck:start", args=["extension"])).content.decode()
    assert refusal.reasons[0].text in start_page and 'name="test_id"' not in start_page
    posted_anyway = start(client, "extension", {"back": 3, "leg": 4, "zone": 3, "numbness": False})
    assert posted_anyway.status_code == 403
    assert refusal.reasons[0].text in posted_anyway.content.decode()
    assert not DirectionalTest.objects.exists()


def test_back_pain_above_7_before_the_test_stops_it_from_starting() -> None:
    person, screening = person_with_plan()
    refusal = dpt.may_test(Direction.EXTENSION, selectors.decision_of(screening), 8)
    response = start(client_for(person), "extension", {"back": 8, "leg": 4, "zone": 3, "numbness": False})
    assert response.status_code == 403
    assert refusal.reasons[0].text in response.content.decode()
    assert not DirectionalTest.objects.exists()


def test_someone_without_a_plan_is_sent_to_the_questions() -> None:
    page = Client().get(INDEX)
    assert page.status_code == 200
    assert reverse("patient:screening_start") in page.content.decode()
    assert Client().get(reverse("selfcheck:start", args=["extension"])).status_code == 302


# --------------------------------------------------------------------------- the guided steps


def test_the_steps_are_the_cores_one_at_a_time_with_a_next_button() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    start(client)
    test = DirectionalTest.objects.get()
    for step in selectors.steps(Direction.EXTENSION)[1:4]:
        page = client.get(url_of(test)).content.decode()
        assert step.text in page
        assert f"step {step.number} of {step.total}" in page
        assert dpt.DISCLAIMER in page
        assert client.post(url_of(test, "next"), {"from_step": str(step.index)}).status_code == 302
    page = client.get(url_of(test)).content.decode()
    assert selectors.steps(Direction.EXTENSION)[4].text in page
    assert 'name="stage" value="after"' in page


def test_pressing_next_twice_moves_one_step() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    start(client)
    test = DirectionalTest.objects.get()
    for _ in range(2):
        client.post(url_of(test, "next"), {"from_step": "1"})
    test.refresh_from_db()
    assert test.step == 2


def test_the_timed_steps_match_the_cores_words() -> None:
    for direction, timers in selectors.TIMERS.items():
        texts = dpt.procedure(direction).steps
        for index, seconds in timers.items():
            assert f"{seconds // 60} minutes" in texts[index] or f"{seconds // 60} to" in texts[index]


# --------------------------------------------------------------------------- stops (DPT-06)


def test_pain_spreading_down_the_leg_straight_after_stops_the_check_with_the_cores_advice() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    test = whole_test(client, "extension", DANA_BEFORE, SPREAD, SPREAD)
    core = dpt.should_abort(_check(DANA_BEFORE), _check(SPREAD))
    assert core.abort
    assert test.status == "stopped"
    assert test.stop_rules == list(core.rules) == ["DPT-06"]
    assert test.stop_advice == core.reasons[0].text
    expected = dpt.classify(Direction.EXTENSION, _check(DANA_BEFORE), _check(SPREAD), _check(SPREAD))
    assert test.response == expected.response.value == "worse"
    assert test.recheck_zone == 4 and test.recheck_at is not None
    page = client.get(url_of(test)).content.decode()
    assert "the check has stopped" in page
    assert core.reasons[0].text in page
    assert dpt.DISCLAIMER in page


def test_a_worse_result_holds_back_that_direction_at_once() -> None:
    person, first = person_with_plan()
    client = client_for(person)
    test = whole_test(client, "extension", DANA_BEFORE, SPREAD, SPREAD)
    latest = screening_latest_decided(person)
    assert latest is not None and latest.pk != first.pk
    assert test.final_response == "worse" and test.applied_screening_id == latest.pk
    assert latest.decision == _expected_plan(first, extension="worse")
    assert "prone-press-up" not in {i.exercise_id for i in latest.items.all()}
    change = client.get(url_of(test)).content.decode()
    assert "What changed in your plan" in change
    blocked = {b["id"]: b["reason"] for b in latest.decision["blocked"]}
    assert blocked["prone-press-up"] in change
    library = default_library()
    before_ids = {e["id"] for e in first.decision["exercises"]}
    for item in latest.decision["exercises"]:
        if item["id"] not in before_ids:  # what the core added, by name under "Added"
            assert f"<strong>{escape(library[item['id']].name)}</strong>" in change


def test_my_symptoms_got_worse_during_a_position_asks_the_core_whether_to_stop() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    start(client)
    test = DirectionalTest.objects.get()
    assert client.get(url_of(test, "check")).status_code == 200
    same = {**DANA_BEFORE, "leg": 3}
    calm = client.post(url_of(test, "check"), {"check_id": str(uuid.uuid4()), **posted(same)})
    assert calm.status_code == 200 and "You can carry on" in calm.content.decode()
    test.refresh_from_db()
    assert test.in_progress and len(test.checks) == 1 and test.checks[0]["abort"] is False
    check_id = str(uuid.uuid4())
    for _ in range(2):  # a retried post changes nothing more
        worse = client.post(url_of(test, "check"), {"check_id": check_id, **posted(SPREAD)})
        assert worse.status_code == 302
    test.refresh_from_db()
    assert test.status == "stopped" and test.response == "worse" and len(test.checks) == 2
    assert (test.after_zone, test.recheck_zone) == (4, 4)


# --------------------------------------------------------------------------- results (DPT-07...DPT-10)


def test_centralization_is_a_favourable_response_waiting_for_the_next_morning() -> None:
    person, first = person_with_plan()
    client = client_for(person)
    test = whole_test(client, "extension", DANA_BEFORE, CENTRALIZED, CENTRALIZED)
    expected = dpt.classify(
        Direction.EXTENSION, _check(DANA_BEFORE), _check(CENTRALIZED), _check(CENTRALIZED)
    )
    assert expected.response.value == "favourable" and "DPT-07" in expected.rules
    assert test.status == "finished"
    assert test.response == "favourable"
    assert test.rules == list(expected.rules)
    assert test.reasons == [{"rule": r.rule, "text": r.text} for r in expected.reasons]
    assert test.final_response == "" and test.applied_screening is None
    assert screening_latest_decided(person).pk == first.pk  # the plan waits for the morning
    page = client.get(url_of(test)).content.decode()
    assert "Tomorrow morning" in page
    assert next(r.text for r in expected.reasons if r.rule == "DPT-07") in page


def test_the_morning_form_appears_only_the_next_day() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    test = whole_test(client, "extension", DANA_BEFORE, CENTRALIZED, CENTRALIZED)
    same_day = client.post(url_of(test, "morning"), posted({"back": 4, "leg": 2, "zone": 2}))
    assert same_day.status_code == 409, "not yet: the check is not waiting for this"
    test.refresh_from_db()
    assert test.morning_at is None
    _a_day_later(test)
    assert "How are you this morning?" in client.get(url_of(test)).content.decode()
    assert "Tell us how you are this morning" in client.get(INDEX).content.decode()


def test_worse_the_next_morning_downgrades_the_result_to_worse() -> None:
    person, first = person_with_plan()
    client = client_for(person)
    test = whole_test(client, "extension", DANA_BEFORE, CENTRALIZED, CENTRALIZED)
    _a_day_later(test)
    morning = {"back": 7, "leg": 4, "zone": 3}
    assert client.post(url_of(test, "morning"), posted(morning)).status_code == 302
    test.refresh_from_db()
    assert test.confirmed_response == "worse" and test.final_response == "worse"
    assert "DPT-12" in test.confirmed_rules
    assert (test.morning_back, test.morning_leg, test.morning_zone) == (7, 4, 3)
    assert screening_latest_decided(person).decision == _expected_plan(first, extension="worse")
    page = client.get(url_of(test)).content.decode()
    assert "The next morning" in page and "It made things worse" in page


def test_dana_gets_the_cores_reshaped_plan_after_a_favourable_extension_test() -> None:
    person, first = person_with_plan()
    client = client_for(person)
    test = whole_test(client, "extension", DANA_BEFORE, CENTRALIZED, CENTRALIZED)
    _a_day_later(test)
    response = client.post(url_of(test, "morning"), posted({"back": 4, "leg": 2, "zone": 2}))
    assert response.status_code == 302
    test.refresh_from_db()
    assert test.confirmed_response == "favourable" and test.final_response == "favourable"
    latest = screening_latest_decided(person)
    assert latest is not None and latest.pk == test.applied_screening_id
    assert test.previous_screening_id == first.pk
    expected = _expected_plan(first, extension="favourable")
    assert latest.decision == expected
    assert latest.answers == first.answers
    assert latest.intake == {**first.intake, "directional": {"extension": "favourable"}}
    assert [(i.exercise_id, i.sets, i.reps, i.hold_s) for i in latest.items.all()] == [
        (e["id"], e["sets"], e["reps"], e["hold_s"]) for e in expected["exercises"]
    ]
    # what the person is shown: the core's new reasons, and the plan page is the reshaped one
    page = client.get(url_of(test)).content.decode()
    for reason in expected["reasons"]:
        if reason["rule"] in ("DPT-11", "DPT-20"):
            assert reason["text"] in page
    plan = client.get(reverse("patient:plan")).content.decode()
    dpt26 = next(r["text"] for r in expected["reasons"] if r["rule"] == "DPT-26")
    assert dpt26 in plan
    before_ids = [e["id"] for e in first.decision["exercises"]]
    after_ids = [e["id"] for e in expected["exercises"]]
    assert ("Your exercises stay the same" in page) == (set(before_ids) == set(after_ids))


def test_the_second_direction_is_added_to_the_first_when_the_plan_is_reshaped() -> None:
    person, first = person_with_plan()
    client = client_for(person)
    extension = whole_test(client, "extension", DANA_BEFORE, SPREAD, SPREAD)  # worse: settled at once
    _a_day_later(extension)
    flexion = whole_test(client, "flexion", DANA_BEFORE, CENTRALIZED, CENTRALIZED)
    assert flexion.response == "favourable"
    _a_day_later(flexion)
    client.post(url_of(flexion, "morning"), posted({"back": 5, "leg": 3, "zone": 3}))
    latest = screening_latest_decided(person)
    assert latest.intake["directional"] == {"extension": "worse", "flexion": "favourable"}
    assert latest.decision == _expected_plan(first, extension="worse", flexion="favourable")


# --------------------------------------------------------------------------- privacy


def test_a_person_sees_only_their_own_tests() -> None:
    dana, _ = person_with_plan()
    other, _ = person_with_plan()
    dana_client, other_client = client_for(dana), client_for(other)
    start(dana_client)
    test = DirectionalTest.objects.get(person=dana)
    for name in ("test", "check"):
        assert other_client.get(url_of(test, name)).status_code == 404
    assert other_client.post(url_of(test, "next"), {"from_step": "1"}).status_code == 404
    assert other_client.post(url_of(test, "stop")).status_code == 404
    assert other_client.post(url_of(test, "measure"), {"stage": "after", **posted(SPREAD)}).status_code == 404
    assert (
        other_client.post(url_of(test, "morning"), posted({"back": 1, "leg": 1, "zone": 1})).status_code
        == 404
    )
    assert Client().get(url_of(test)).status_code == 404
    test.refresh_from_db()
    assert test.step == 1 and test.in_progress and test.after_at is None
    assert "Carry on with the check" not in other_client.get(INDEX).content.decode()
    # reusing Dana's test id from another browser does not reach her test
    stolen = other_client.post(
        reverse("selfcheck:start", args=["extension"]), {"test_id": str(test.pk), **posted(DANA_BEFORE)}
    )
    assert stolen.status_code == 404, "another person's test id names no test"
    assert DirectionalTest.objects.filter(person=other).count() == 0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**posted(DANA_BEFORE), "pain__back": "11"}, "Please choose a number from 0 to 10."),
        ({**posted(DANA_BEFORE), "distal_zone": "6"}, "Please choose one of the answers."),
        ({k: v for k, v in posted(DANA_BEFORE).items() if k != "numbness"}, "Please choose Yes or No."),
    ],
)
def test_a_bad_measurement_before_the_test_is_a_400_that_stores_nothing(data: dict, message: str) -> None:
    person, _ = person_with_plan()
    response = client_for(person).post(
        reverse("selfcheck:start", args=["extension"]), {"test_id": str(uuid.uuid4()), **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    assert not DirectionalTest.objects.exists()


def test_a_start_without_a_client_uuid_is_a_400() -> None:
    person, _ = person_with_plan()
    response = client_for(person).post(
        reverse("selfcheck:start", args=["extension"]), {"test_id": "not-a-uuid", **posted(DANA_BEFORE)}
    )
    assert response.status_code == 400
    assert "test_id must be a UUID" in response.content.decode()
    assert not DirectionalTest.objects.exists()


def test_bad_input_during_the_test_is_a_400_or_409_that_changes_nothing() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    start(client)
    test = DirectionalTest.objects.get()
    assert client.post(url_of(test, "next"), {"from_step": "one"}).status_code == 400
    # the measurement straight after, before the movements are done: the check is not there yet
    assert measure(client, test, "after", CENTRALIZED).status_code == 409
    through_the_movements(client, test)
    assert measure(client, test, "after", {**CENTRALIZED, "leg": 12}).status_code == 400
    assert client.post(url_of(test, "measure"), {"stage": "later", **posted(CENTRALIZED)}).status_code == 400
    assert client.post(url_of(test, "check"), {"check_id": "x", **posted(SPREAD)}).status_code == 400
    bad_check = client.post(url_of(test, "check"), {"check_id": str(uuid.uuid4())})
    assert bad_check.status_code == 400
    test.refresh_from_db()
    assert test.after_at is None and test.checks == [] and test.in_progress and test.step == 4
    measure(client, test, "after", CENTRALIZED)
    measure(client, test, "recheck", CENTRALIZED)
    test.refresh_from_db()
    _a_day_later(test)
    bad_morning = client.post(url_of(test, "morning"), posted({"back": 4, "leg": 2, "zone": 9}))
    assert bad_morning.status_code == 400
    test.refresh_from_db()
    assert test.morning_at is None and test.final_response == ""


def test_an_unknown_direction_is_not_found() -> None:
    person, _ = person_with_plan()
    assert client_for(person).get("/self-check/sideways/").status_code == 404


# --------------------------------------------------------------------------- retries and stopping


def test_a_retried_start_and_measurements_never_duplicate() -> None:
    person, _ = person_with_plan()
    client = client_for(person)
    test_id = str(uuid.uuid4())
    url = reverse("selfcheck:start", args=["extension"])
    for _ in range(2):
        assert client.post(url, {"test_id": test_id, **posted(DANA_BEFORE)}).status_code == 302
    assert DirectionalTest.objects.count() == 1
    test = DirectionalTest.objects.get()
    through_the_movements(client, test)
    for _ in range(2):
        assert measure(client, test, "after", CENTRALIZED).status_code == 302
    for _ in range(2):
        assert measure(client, test, "recheck", CENTRALIZED).status_code == 302
    test.refresh_from_db()
    assert test.status == "finished" and test.recheck_back == 5
    _a_day_later(test)
    for _ in range(2):
        assert (
            client.post(url_of(test, "morning"), posted({"back": 4, "leg": 2, "zone": 2})).status_code == 302
        )
    assert Screening.objects.filter(person=person).count() == 2  # the first, and one reshaped plan
    assert PlanItem.objects.filter(screening__person=person).count() == 2 * len(
        screening_latest_decided(person).decision["exercises"]
    )


def test_stopping_the_check_gives_no_result_and_keeps_the_plan() -> None:
    person, first = person_with_plan()
    client = client_for(person)
    start(client)
    test = DirectionalTest.objects.get()
    assert client.post(url_of(test, "stop")).status_code == 302
    test.refresh_from_db()
    assert test.status == "cancelled" and test.response == "" and test.ended_at is not None
    assert "you stopped the check" in client.get(url_of(test)).content.decode()
    assert screening_latest_decided(person).pk == first.pk


def test_a_locked_person_goes_to_the_emergency_page() -> None:
    person, screening = person_with_plan()
    client = client_for(person)
    start(client)
    test = DirectionalTest.objects.get()
    person.emergency_locked_at = timezone.now()
    person.emergency_screening = screening
    person.save()
    assert client.get(INDEX).url == reverse("patient:emergency")
    assert client.post(url_of(test, "next"), {"from_step": "1"}).url == reverse("patient:emergency")
    test.refresh_from_db()
    assert test.step == 1
