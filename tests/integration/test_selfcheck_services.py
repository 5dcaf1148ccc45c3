"""The self-check's services with the clock in the test's hands: the second direction (DPT-02), the
re-test (DPT-25), the morning after (DPT-12), and ``screening_redecide``."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from backhome.core.contract import IntakeError, decision_to_json, parse_intake
from backhome.core.engine import decide
from backhome.core.model import Direction, DirectionalResults, PainCheck, Response
from backhome.core.rules import directional as dpt
from backhome.web.errors import Invalid
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person, Screening
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.selfcheck import selectors, services
from backhome.web.selfcheck.models import DirectionalTest
from tests.builders import intake_doc
from tests.integration.people import DANA_WEB, WALT_WEB, person_with_plan

pytestmark = pytest.mark.django_db

MONDAY_9 = timezone.make_aware(dt.datetime(2025, 3, 3, 9, 0))
BEFORE = PainCheck(5, 4, 3, False)
CENTRALIZED = PainCheck(5, 2, 2, False)
SPREAD = PainCheck(5, 4, 4, False)


def _run(
    person: Person,
    direction: Direction,
    at: dt.datetime,
    after: PainCheck = CENTRALIZED,
    recheck: PainCheck = CENTRALIZED,
    before: PainCheck = BEFORE,
) -> DirectionalTest:
    """A whole test through the services, the clock starting at ``at`` (one minute a step)."""
    test = services.directional_test_start(
        person=person, direction=direction, test_id=uuid.uuid4(), before=before, now=at
    )
    minute = dt.timedelta(minutes=1)
    for step in selectors.steps(direction):
        if step.kind == "move":
            services.directional_test_advance(
                person=person, test_id=test.pk, from_step=step.index, now=at + step.index * minute
            )
    test = services.directional_test_measure(
        person=person, test_id=test.pk, stage="after", current=after, now=at + 10 * minute
    )
    if test.in_progress:
        test = services.directional_test_measure(
            person=person, test_id=test.pk, stage="recheck", current=recheck, now=at + 13 * minute
        )
    return test


# --------------------------------------------------------------------------- DPT-02


def test_the_other_direction_waits_an_hour_on_the_same_day() -> None:
    person, _ = person_with_plan()
    first = _run(person, Direction.EXTENSION, MONDAY_9)
    assert first.ended_at == MONDAY_9 + dt.timedelta(minutes=13)
    too_soon = first.ended_at + dt.timedelta(minutes=30)
    with pytest.raises(services.NotAllowedError) as refused:
        services.directional_test_start(
            person=person, direction=Direction.FLEXION, test_id=uuid.uuid4(), before=BEFORE, now=too_soon
        )
    core = dpt.may_test_second(first.ended_at, now=too_soon, back_at_baseline=True)
    assert refused.value.permission == core and core.rules == ("DPT-02",)
    assert DirectionalTest.objects.count() == 1
    later = first.ended_at + dt.timedelta(hours=1)
    second = services.directional_test_start(
        person=person, direction=Direction.FLEXION, test_id=uuid.uuid4(), before=BEFORE, now=later
    )
    assert second.direction == "flexion"


def test_after_an_hour_the_other_direction_still_waits_for_back_pain_to_settle() -> None:
    person, _ = person_with_plan()
    first = _run(person, Direction.EXTENSION, MONDAY_9)
    later = first.ended_at + dt.timedelta(hours=2)
    with pytest.raises(services.NotAllowedError):
        services.directional_test_start(
            person=person,
            direction=Direction.FLEXION,
            test_id=uuid.uuid4(),
            before=PainCheck(6, 4, 3, False),  # above the 5 before the first test
            now=later,
        )


def test_the_other_direction_may_run_the_next_day() -> None:
    person, _ = person_with_plan()
    first = _run(person, Direction.EXTENSION, MONDAY_9)
    overview = selectors.overview(person, now=first.ended_at + dt.timedelta(minutes=5))
    flexion = next(c for c in overview.cards if c.direction == "flexion")
    assert not flexion.permission.allowed and flexion.permission.rules == ("DPT-02",)
    tuesday = selectors.overview(person, now=MONDAY_9 + dt.timedelta(days=1))
    assert next(c for c in tuesday.cards if c.direction == "flexion").permission.allowed


def test_one_check_at_a_time() -> None:
    person, _ = person_with_plan()
    running = services.directional_test_start(
        person=person, direction=Direction.EXTENSION, test_id=uuid.uuid4(), before=BEFORE, now=MONDAY_9
    )
    again = services.directional_test_start(
        person=person, direction=Direction.EXTENSION, test_id=uuid.uuid4(), before=BEFORE, now=MONDAY_9
    )
    assert again.pk == running.pk
    with pytest.raises(services.NotAllowedError):
        services.directional_test_start(
            person=person, direction=Direction.FLEXION, test_id=uuid.uuid4(), before=BEFORE, now=MONDAY_9
        )


# --------------------------------------------------------------------------- DPT-25


def test_a_direction_is_tested_again_only_when_the_core_says_a_retest_is_due() -> None:
    person, _ = person_with_plan()
    first = _run(person, Direction.EXTENSION, MONDAY_9, after=SPREAD)
    assert first.final_response == "worse"
    week_later = MONDAY_9 + dt.timedelta(days=7)
    with pytest.raises(services.NotAllowedError) as refused:
        services.directional_test_start(
            person=person, direction=Direction.EXTENSION, test_id=uuid.uuid4(), before=BEFORE, now=week_later
        )
    assert refused.value.permission.rules == ("DPT-25",)
    assert "17 March 2025" in refused.value.permission.reasons[0].text
    two_weeks = MONDAY_9 + dt.timedelta(days=dpt.RETEST_DAYS)
    assert dpt.retest_due(MONDAY_9.date(), today=two_weeks.date()).due
    again = _run(person, Direction.EXTENSION, two_weeks)
    assert again.response == "favourable"
    # the worse result still counts until the re-test is confirmed the next morning (DPT-24)
    assert selectors.settled_results(person) == DirectionalResults(extension=Response.WORSE)
    services.directional_test_confirm(
        person=person, test_id=again.pk, back=5, leg=3, zone=3, now=two_weeks + dt.timedelta(days=1)
    )
    assert selectors.settled_results(person) == DirectionalResults(extension=Response.FAVOURABLE)


# --------------------------------------------------------------------------- DPT-12


def test_the_morning_check_uses_the_cores_confirmation() -> None:
    person, _ = person_with_plan()
    test = _run(person, Direction.EXTENSION, MONDAY_9)
    with pytest.raises(services.StepError):
        services.directional_test_confirm(
            person=person, test_id=test.pk, back=5, leg=3, zone=3, now=MONDAY_9 + dt.timedelta(hours=10)
        )
    tuesday = timezone.make_aware(dt.datetime(2025, 3, 4, 7, 30))
    confirmed = services.directional_test_confirm(
        person=person, test_id=test.pk, back=5, leg=3, zone=4, now=tuesday
    )
    assert confirmed.morning_date == dt.date(2025, 3, 4)
    assert confirmed.confirmed_response == "worse"  # the zone is further down than before (DPT-12)
    assert "DPT-12" in confirmed.confirmed_rules
    retried = services.directional_test_confirm(
        person=person, test_id=test.pk, back=0, leg=0, zone=0, now=tuesday
    )
    assert retried.morning_zone == 4 and retried.confirmed_response == "worse"


def test_no_morning_check_for_a_worse_result_or_a_stopped_check() -> None:
    person, _ = person_with_plan()
    worse = _run(person, Direction.EXTENSION, MONDAY_9, after=SPREAD)
    assert worse.status == "stopped" and not worse.awaiting_morning
    with pytest.raises(services.StepError):
        services.directional_test_confirm(
            person=person, test_id=worse.pk, back=5, leg=3, zone=3, now=MONDAY_9 + dt.timedelta(days=1)
        )


def test_a_worse_re_check_finishes_the_test_as_worse_with_the_cores_advice() -> None:
    person, _ = person_with_plan()
    test = _run(person, Direction.EXTENSION, MONDAY_9, after=CENTRALIZED, recheck=PainCheck(5, 5, 3, False))
    assert test.status == "finished" and test.response == "worse" and test.final_response == "worse"
    assert test.stop_rules == ["DPT-06"]


def test_a_strict_lasting_back_rise_after_centralizing_is_no_effect() -> None:
    person, _ = person_with_plan()
    higher = PainCheck(7, 2, 2, False)
    test = _run(person, Direction.EXTENSION, MONDAY_9, after=higher, recheck=higher)
    core = dpt.classify(Direction.EXTENSION, BEFORE, higher, higher)
    assert test.response == core.response.value == "no_effect"


def test_walt_may_test_flexion() -> None:
    person, _ = person_with_plan(WALT_WEB)
    test = _run(person, Direction.FLEXION, MONDAY_9, before=PainCheck(3, 4, 3, False))
    assert test.direction == "flexion" and test.status == "finished"


def test_a_direction_other_than_extension_or_flexion_is_refused() -> None:
    person, _ = person_with_plan()
    with pytest.raises(Invalid) as refused:
        services.directional_test_start(
            person=person, direction=Direction.NEURAL, test_id=uuid.uuid4(), before=BEFORE, now=MONDAY_9
        )
    assert [name for name, _ in refused.value.fields] == ["direction"]


def test_an_out_of_range_measurement_is_refused_by_the_service() -> None:
    person, _ = person_with_plan()
    with pytest.raises(Invalid) as refused:
        services.directional_test_start(
            person=person,
            direction=Direction.EXTENSION,
            test_id=uuid.uuid4(),
            before=PainCheck(5, 4, 6, False),
            now=MONDAY_9,
        )
    assert refused.value.fields[0][0] == "before" and "before.zone" in refused.value.fields[0][1]
    assert not DirectionalTest.objects.exists()


# --------------------------------------------------------------------------- screening_redecide


def test_redecide_copies_the_latest_screening_and_adds_the_directional_results() -> None:
    person, first = person_with_plan()
    results = DirectionalResults(extension=Response.FAVOURABLE, flexion=Response.WORSE)
    screening, decision = patient_services.screening_redecide(person=person, directional=results)
    assert screening.pk != first.pk and screening.decided_at is not None
    assert screening.answers == first.answers
    assert screening.intake == {
        **first.intake,
        "directional": {"extension": "favourable", "flexion": "worse"},
    }
    expected = decide(parse_intake(screening.intake))
    assert decision == expected
    assert screening.decision == decision_to_json(expected)
    assert screening.tier == expected.tier.value
    assert [i.exercise_id for i in screening.items.all()] == [p.exercise_id for p in expected.exercises]
    assert screening_latest_decided(person).pk == screening.pk


def test_redecide_replaces_earlier_directional_results() -> None:
    person, _ = person_with_plan()
    patient_services.screening_redecide(
        person=person, directional=DirectionalResults(extension=Response.WORSE)
    )
    screening, _ = patient_services.screening_redecide(
        person=person, directional=DirectionalResults(flexion=Response.NO_EFFECT)
    )
    assert screening.intake["directional"] == {"flexion": "no_effect"}


def test_redecide_refuses_a_locked_person_and_one_without_a_plan() -> None:
    person, screening = person_with_plan()
    person.emergency_locked_at = timezone.now()
    person.emergency_screening = screening
    person.save()
    results = DirectionalResults(extension=Response.FAVOURABLE)
    with pytest.raises(patient_services.LockError):
        patient_services.screening_redecide(person=person, directional=results)
    nobody = Person.objects.create()
    with pytest.raises(patient_services.NothingToRedecide):
        patient_services.screening_redecide(person=nobody, directional=results)
    assert Screening.objects.count() == 1


def test_redecide_stores_nothing_when_the_core_refuses_the_intake() -> None:
    person, first = person_with_plan()
    Screening.objects.filter(pk=first.pk).update(intake={**first.intake, "age": "old"})
    with pytest.raises(IntakeError):
        patient_services.screening_redecide(
            person=person, directional=DirectionalResults(extension=Response.FAVOURABLE)
        )
    assert Screening.objects.count() == 1


def test_what_changed_names_an_exercise_now_done_another_way() -> None:
    # a balanced programme (no disc herniation) gives cat-camel both halves until flexion is found worse (B29)
    person, first = person_with_plan(intake_doc(DANA_WEB, history={"disc_herniation": False}))
    test = _run(person, Direction.FLEXION, MONDAY_9, after=SPREAD)
    assert test.final_response == "worse"
    change = selectors.plan_change(DirectionalTest.objects.get(pk=test.pk))
    assert change is not None
    latest = screening_latest_decided(person)
    before = {i.exercise_id: i.mode for i in first.items.all()}
    after = {i.exercise_id: i.mode for i in latest.items.all()}
    other_way = [i for i in after if i in before and after[i] != before[i]]
    assert other_way == ["cat-camel"]  # the core keeps only its dipping half (extension_only)
    assert [c.name.split(" (")[0] for c in change.changed] == [
        selectors.default_library()[i].name for i in other_way
    ]
    assert {r.rule for r in change.reasons} >= {"DPT-24", "DPT-26"}
