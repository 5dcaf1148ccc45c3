"""What a check-in changes: progression after good days, regression after a bad morning, suspension
after two, a flare, a step to the next variant; and the plan page at the current doses (issue 3 item 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from backhome.web.patient.models import Person
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.progress.selectors import ProgrammeItem, current_programme
from tests.integration.people import WALT_WEB, client_for
from tests.integration.progress_builders import (
    checked_in,
    checkin_form,
    days_ago,
    person_started,
    session_done,
    three_green_days,
    today,
)

pytestmark = pytest.mark.django_db

URL = "/check-in/"


def _dose(person: Person, exercise_id: str) -> ProgrammeItem:
    programme = current_programme(person)
    assert programme is not None
    return next(i for i in programme.items if i.exercise_id == exercise_id)


def _plan(person: Person) -> str:
    return client_for(person).get(reverse("patient:plan")).content.decode()


def _exercise_card(page: str, exercise_id: str) -> str:
    return page.split(f'id="exercise-{exercise_id}"')[1].split("\n</li>")[0]


@pytest.mark.rule("DS-03", fires=True)
def test_three_green_days_take_the_press_up_from_10_to_15_seconds_on_the_result_and_the_plan() -> None:
    dana, screening = person_started()
    three_green_days(dana)
    assert _dose(dana, "prone-press-up").dose.hold_s == 10
    client = client_for(dana)
    response = client.post(URL, checkin_form())
    change = DoseChange.objects.get(exercise_id="prone-press-up")
    assert (change.action, change.hold_s, change.starts_on, change.screening) == (
        "progress",
        15,
        today(),
        screening,
    )
    assert "DS-03" in change.rules and change.checkin == CheckIn.objects.get(date=today())
    assert _dose(dana, "prone-press-up").dose.hold_s == 15

    result = client.get(response.url).content.decode()
    card = result.split('id="change-prone-press-up"')[1].split("\n</li>")[0]
    assert "One step up" in card
    assert "10 times, hold each 10 seconds" in card
    assert "10 times, hold each 15 seconds" in card
    assert "This exercise has gone well three times" in card
    assert "Start today's session" in result

    plan = _plan(dana)
    assert "10 times, hold each 15 seconds" in _exercise_card(plan, "prone-press-up")
    assert "What changed since last time, and why" in plan
    assert "hold each 10 seconds" in plan.split("What changed since last time")[1].split("Your exercises")[0]
    # the glide stays a slider in its first two weeks: no change, so not on the list
    assert 'id="change-sciatic-nerve-glide"' not in plan


def test_the_next_morning_without_a_session_changes_nothing_again() -> None:
    dana, _ = person_started()
    three_green_days(dana)
    checked_in(dana, today())
    assert DoseChange.objects.filter(exercise_id="prone-press-up").count() == 1
    tomorrow = today() + dt.timedelta(days=1)
    checked_in(dana, tomorrow)
    assert DoseChange.objects.filter(exercise_id="prone-press-up").count() == 1
    assert _dose(dana, "prone-press-up").dose.hold_s == 15


@pytest.mark.rule("DS-06", fires=True)
def test_a_bad_morning_after_the_step_up_takes_the_press_up_back_to_10_seconds() -> None:
    dana, _ = person_started(days=4)
    checked_in(dana, days_ago(3))
    session_done(dana, days_ago(3))
    session_done(dana, days_ago(3))
    checked_in(dana, days_ago(2))
    session_done(dana, days_ago(2))
    checked_in(dana, days_ago(1))  # the step up to 15 s
    assert _dose(dana, "prone-press-up").dose.hold_s == 15
    session_done(dana, days_ago(1))
    client = client_for(dana)
    response = client.post(URL, checkin_form(back=5))  # 2 points worse than yesterday morning
    assert _dose(dana, "prone-press-up").dose.hold_s == 10
    latest = DoseChange.objects.filter(exercise_id="prone-press-up").last()
    assert latest is not None and latest.action == "regress" and "DS-06" in latest.rules
    result = client.get(response.url).content.decode()
    assert "Made a little easier" in result and "You felt worse the morning after this exercise" in result


@pytest.mark.rule("DS-07", fires=True)
@pytest.mark.rule("PM-41", fires=True)
def test_two_bad_mornings_in_a_row_stop_the_press_up_and_the_plan_says_why() -> None:
    dana, _ = person_started()
    checked_in(dana, days_ago(2), back=2)
    session_done(dana, days_ago(2))
    checked_in(dana, days_ago(1), back=4)  # not tolerated: the first regression
    session_done(dana, days_ago(1))
    client = client_for(dana)
    response = client.post(URL, checkin_form(back=6))  # not tolerated again
    press = _dose(dana, "prone-press-up")
    assert press.suspended and {"DS-07", "PM-41"} <= set(press.change.rules if press.change else ())
    programme = current_programme(dana)
    assert programme is not None
    assert "prone-press-up" not in [i.exercise_id for i in programme.active]  # the player skips it

    result = client.get(response.url).content.decode()
    assert "Stopped for now" in result
    assert "Please contact a physical therapist" in result and "Who to see" in result
    card = _exercise_card(_plan(dana), "prone-press-up")
    assert "Stopped for now" in card and "twice in a row" in card
    assert "<svg" not in card  # no picture inviting to do it


@pytest.mark.rule("PM-43", fires=True)
def test_a_flare_lowers_the_doses_and_asks_for_the_safety_questions_again() -> None:
    walt, _ = person_started(WALT_WEB, days=10)
    for n in range(9, 1, -1):
        checked_in(walt, days_ago(n), back=3, leg=3)
    checked_in(walt, days_ago(1), back=6, leg=3)
    client = client_for(walt)
    response = client.post(URL, checkin_form(back=6, leg=3))
    stored = CheckIn.objects.get(date=today())
    assert "PM-43" in stored.rules and stored.course["in_flare"] and stored.course["rescreen"]
    result = client.get(response.url).content.decode()
    assert "Answer the safety questions again" in result
    assert reverse("patient:screening_start") in result
    assert "this is a flare-up" in result


@pytest.mark.rule("DS-04", fires=True)
def test_at_the_top_of_the_knee_hug_walt_moves_on_to_both_knees_and_the_plan_follows() -> None:
    walt, screening = person_started(WALT_WEB, days=5)
    DoseChange.objects.create(  # as if earlier steps had brought him to the top of the ladder
        person=walt,
        screening=screening,
        plan_exercise_id="single-knee-to-chest",
        exercise_id="single-knee-to-chest",
        starts_on=days_ago(3),
        sets=1,
        reps=2,
        hold_s=30,
        per_side=True,
        action="progress",
        rules=["DS-02", "DS-03"],
        reasons=[{"rule": "DS-03", "text": "Up one step."}],
    )
    checked_in(walt, days_ago(3))
    session_done(walt, days_ago(3))
    checked_in(walt, days_ago(2))
    session_done(walt, days_ago(2))
    checked_in(walt, days_ago(1))
    session_done(walt, days_ago(1))
    client_for(walt).post(URL, checkin_form())
    item = _dose(walt, "double-knee-to-chest")
    assert item.plan_exercise_id == "single-knee-to-chest" and item.position == 1
    assert item.change is not None and "DS-04" in item.change.rules
    plan = _plan(walt)
    assert 'id="exercise-double-knee-to-chest"' in plan and 'id="exercise-single-knee-to-chest"' not in plan
    changes = plan.split("What changed since last time")[1].split("Your exercises")[0]
    assert "Single knee to chest: 2 times on each side, hold each 30 seconds" in changes
    assert "Double knee to chest" in changes


def test_the_plan_shows_the_buttons_to_the_session_and_the_check_in() -> None:
    dana, _ = person_started()
    plan = _plan(dana)
    assert "Start today's session" in plan and 'href="/session/"' in plan
    assert f'href="{reverse("progress:checkin")}"' in plan and "Morning check-in" in plan
    assert "What changed since last time" not in plan  # no change yet


def test_the_plan_page_makes_the_same_number_of_queries_with_many_changes(
    django_assert_num_queries: Any,
) -> None:
    dana, _ = person_started(days=6)
    client = client_for(dana)
    # session, the plan's stamp, person, screening, items, doses, red stops (B30), clinic
    with django_assert_num_queries(8):
        assert client.get(reverse("patient:plan")).status_code == 200
    for n in range(5, 0, -1):
        checked_in(dana, days_ago(n))
        session_done(dana, days_ago(n))
    assert DoseChange.objects.count() >= 2
    with django_assert_num_queries(7):  # the same but the session, now in the cache
        assert client.get(reverse("patient:plan")).status_code == 200


def test_a_check_in_makes_a_constant_number_of_queries_whatever_the_history(
    django_assert_max_num_queries: Any,
) -> None:
    dana, _ = person_started(days=12)
    for n in range(11, 0, -1):
        checked_in(dana, days_ago(n))
        session_done(dana, days_ago(n))
    client = client_for(dana)
    # the reads are one query each (check-ins, logs, changes...), whatever the number of days behind them
    with django_assert_max_num_queries(18):  # 18 with the red stops (B30)
        assert client.post(URL, checkin_form()).status_code == 302
