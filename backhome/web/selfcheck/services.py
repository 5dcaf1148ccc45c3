"""Every write of the self-check (house style: ``<entity>_<action>``, keyword-only, atomic).

The core decides everything clinical: ``may_test``/``may_test_second`` whether a test may start (through
``selectors.permission``), ``should_abort`` at every measurement (DPT-06), ``classify`` the response
(DPT-07...DPT-10), ``confirm_next_morning`` the next day (DPT-12), and ``decide`` the reshaped plan
(through ``screening_redecide``, which applies DPT-11 and DPT-20...DPT-24). These functions store what it
returned. ``now`` is injectable for tests; dates are the server's local dates.

Retries are safe: a start carries the browser's UUID for the test, a step or a measurement names the step
it completes (a repeat finds it done and changes nothing), a check during a position carries its own UUID.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from backhome.core.model import Direction, Monitoring, MorningCheck, PainCheck, Reason, Response
from backhome.core.rules import directional as dpt
from backhome.web.errors import Conflict, Invalid, NotAllowed, NotFound
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.patient.services import LockError, NothingToRedecide
from backhome.web.selfcheck import selectors
from backhome.web.selfcheck.models import DirectionalTest

__all__ = [
    "LockError",
    "NoPlanError",
    "NotAllowedError",
    "StepError",
    "directional_test_advance",
    "directional_test_cancel",
    "directional_test_check",
    "directional_test_confirm",
    "directional_test_measure",
    "directional_test_start",
]

Status = DirectionalTest.Status


class NotAllowedError(NotAllowed):
    """The core (or one test at a time) does not allow this test now; ``permission`` says why."""

    default_code = "not_now"

    def __init__(self, permission: dpt.Permission) -> None:
        super().__init__(" ".join(r.text for r in permission.reasons))
        self.permission = permission


class NoPlanError(Conflict):
    """The person has no decided screening with a programme to test against."""

    default_code = "no_programme"


class StepError(Conflict):
    """A write that does not fit where the test is (a measurement before its step, a finished test)."""

    default_code = "wrong_step"


def _measurement(check: PainCheck, name: str) -> None:
    """The core's range check of a measurement (DPT-03), as a refusal naming the wrong value."""
    try:
        dpt.check_measurement(check, name)
    except ValueError as error:
        raise Invalid("Some values are missing or wrong.", fields=[(name, str(error))]) from None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _reasons(reasons: tuple[Reason, ...]) -> list[dict[str, str]]:
    return [{"rule": r.rule, "text": r.text} for r in reasons]


def _locked_test(*, person: Person, test_id: uuid.UUID) -> DirectionalTest:
    """The person's test, locked for this transaction (never another person's)."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.locked:
        raise LockError("Your programme is stopped until a doctor or physical therapist has seen you.")
    test = DirectionalTest.objects.select_for_update().filter(pk=test_id, person=locked).first()
    if test is None:
        raise NotFound("There is no such check.")
    return test


# --------------------------------------------------------------------------- start


def directional_test_start(
    *,
    person: Person,
    direction: Direction,
    test_id: uuid.UUID,
    before: PainCheck,
    now: dt.datetime | None = None,
) -> DirectionalTest:
    """Start a test with the measurement before it (DPT-03) if the core allows it now (DPT-01, DPT-02,
    DPT-25). A test of the same direction already running is returned instead of a second one.

    Raises (nothing stored then) ``Invalid`` for an out-of-range measurement or another direction,
    ``NotFound`` for a test id of another person, ``NotAllowedError`` with the core's reasons,
    ``NoPlanError`` and ``LockError``.
    """
    now = _now(now)
    if direction not in selectors.DIRECTIONS:
        raise Invalid(
            "Some values are missing or wrong.",
            fields=[("direction", f"Give extension or flexion, not {direction.value}.")],
        )
    _measurement(before, "before")
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.locked:
            raise LockError("Your programme is stopped until a doctor or physical therapist has seen you.")
        existing = DirectionalTest.objects.filter(pk=test_id).first()
        if existing is not None:
            if existing.person_id != locked.pk:
                raise NotFound("There is no such check.")  # another person's test is no test at all
            return existing
        running = selectors.test_in_progress(locked)
        if running is not None and running.direction == direction.value:
            return running
        screening = screening_latest_decided(locked)
        decision = selectors.decision_of(screening)
        if screening is None or decision is None:
            raise NoPlanError("You have no programme yet: answer the questions first.")
        permission = selectors.permission(
            locked, direction, decision=decision, back_pain=before.back, now=now
        )
        if not permission.allowed:
            raise NotAllowedError(permission)
        return DirectionalTest.objects.create(
            id=test_id,
            person=locked,
            screening=screening,
            direction=direction.value,
            monitoring=decision.monitoring.value,
            step=1,
            started_at=now,
            before_back=before.back,
            before_leg=before.leg,
            before_zone=before.zone,
            before_numbness=before.numbness,
        )


# --------------------------------------------------------------------------- during the test


def directional_test_advance(
    *, person: Person, test_id: uuid.UUID, from_step: int, now: dt.datetime | None = None
) -> DirectionalTest:
    """The person pressed Next on a movement step. Pressing it again for the same step does nothing."""
    with transaction.atomic():
        test = _locked_test(person=person, test_id=test_id)
        if not test.in_progress or from_step != test.step:
            return test  # a repeat, or a step already left: nothing to do
        step = selectors.steps(Direction(test.direction))[test.step]
        if step.kind != "move":
            raise StepError("This step is a measurement: give your pain and where it reaches.")
        test.step += 1
        test.save(update_fields=["step"])
        return test


def directional_test_check(
    *,
    person: Person,
    test_id: uuid.UUID,
    check_id: uuid.UUID,
    current: PainCheck,
    now: dt.datetime | None = None,
) -> tuple[DirectionalTest, dpt.AbortCheck]:
    """A check the person asked for during a position ("my symptoms got worse"). The core's
    ``should_abort`` (DPT-06) decides: if it stops the test, these values are both "after" and
    "re-check" (as ``classify`` asks) and the direction counts as worse. The same ``check_id`` again
    returns the stored answer."""
    now = _now(now)
    _measurement(current, "current")
    with transaction.atomic():
        test = _locked_test(person=person, test_id=test_id)
        for stored in test.checks:
            if stored["id"] == str(check_id):
                return test, _stored_abort(test, stored)
        if not test.in_progress:
            raise StepError("This check has already ended.")
        answer = dpt.should_abort(selectors.before_check(test), current)
        test.checks = [
            *test.checks,
            {
                "id": str(check_id),
                "step": test.step,
                "back": current.back,
                "leg": current.leg,
                "zone": current.zone,
                "numbness": current.numbness,
                "at": now.isoformat(),
                "abort": answer.abort,
                "rules": list(answer.rules),
            },
        ]
        if answer.abort:
            _store(test, "after", current, now)
            _store(test, "recheck", current, now)
            _stop(test, answer, now)
            _classify(test, now)
        else:
            test.save(update_fields=["checks"])
        return test, answer


def _stored_abort(test: DirectionalTest, stored: dict[str, Any]) -> dpt.AbortCheck:
    if not stored["abort"]:
        return dpt.AbortCheck(False, False, (), ())
    reasons = tuple(Reason(rule, test.stop_advice) for rule in test.stop_rules)
    return dpt.AbortCheck(True, False, tuple(test.stop_rules), reasons)


def directional_test_measure(
    *,
    person: Person,
    test_id: uuid.UUID,
    stage: Literal["after", "recheck"],
    current: PainCheck,
    now: dt.datetime | None = None,
) -> DirectionalTest:
    """The measurement straight after the movements, or after the rest (DPT-03, DPT-04).

    At both the core's ``should_abort`` (DPT-06) is asked; if it stops the test after the movements,
    these values stand for the re-check too. After the re-check the core's ``classify`` gives the
    response. A response of "worse" reshapes the plan at once; any other waits for the next morning.
    The same stage again returns the test as stored.
    """
    now = _now(now)
    if stage not in ("after", "recheck"):
        raise Invalid(
            "Some values are missing or wrong.", fields=[("stage", f"Give after or recheck, not {stage!r}.")]
        )
    _measurement(current, stage)
    with transaction.atomic():
        test = _locked_test(person=person, test_id=test_id)
        if getattr(test, f"{stage}_at") is not None:
            return test  # a retry
        if not test.in_progress or test.step != selectors.step_index(Direction(test.direction), stage):
            raise StepError("This measurement is not the one the check is waiting for.")
        answer = dpt.should_abort(selectors.before_check(test), current)
        _store(test, stage, current, now)
        if stage == "after" and answer.abort:
            _store(test, "recheck", current, now)
            _stop(test, answer, now)
        elif stage == "after":
            test.step += 1
            test.save()
            return test
        else:
            if answer.abort:
                test.stop_rules, test.stop_advice = list(answer.rules), _advice(answer)
            test.status = Status.FINISHED
            test.step = len(selectors.steps(Direction(test.direction)))
            test.ended_at = now
        _classify(test, now)
        return test


def directional_test_cancel(
    *, person: Person, test_id: uuid.UUID, now: dt.datetime | None = None
) -> DirectionalTest:
    """The person stopped the test themselves: no result, the plan stays as it is."""
    now = _now(now)
    with transaction.atomic():
        test = _locked_test(person=person, test_id=test_id)
        if test.in_progress:
            test.status = Status.CANCELLED
            test.ended_at = now
            test.save(update_fields=["status", "ended_at"])
        return test


def _store(test: DirectionalTest, stage: str, check: PainCheck, now: dt.datetime) -> None:
    setattr(test, f"{stage}_back", check.back)
    setattr(test, f"{stage}_leg", check.leg)
    setattr(test, f"{stage}_zone", check.zone)
    setattr(test, f"{stage}_numbness", check.numbness)
    setattr(test, f"{stage}_at", now)


def _advice(answer: dpt.AbortCheck) -> str:
    return " ".join(r.text for r in answer.reasons)


def _stop(test: DirectionalTest, answer: dpt.AbortCheck, now: dt.datetime) -> None:
    test.status = Status.STOPPED
    test.stop_rules = list(answer.rules)
    test.stop_advice = _advice(answer)
    test.ended_at = now


def _check(test: DirectionalTest, stage: str) -> PainCheck:
    return PainCheck(
        getattr(test, f"{stage}_back"),
        getattr(test, f"{stage}_leg"),
        getattr(test, f"{stage}_zone"),
        bool(getattr(test, f"{stage}_numbness")),
    )


def _classify(test: DirectionalTest, now: dt.datetime) -> None:
    """The core's response from the three measurements; "worse" is final at once (DPT-12 can only
    downgrade), so it reshapes the plan now."""
    result = dpt.classify(
        Direction(test.direction),
        selectors.before_check(test),
        _check(test, "after"),
        _check(test, "recheck"),
        Monitoring(test.monitoring),
    )
    test.response = result.response.value
    test.rules = list(result.rules)
    test.reasons = _reasons(result.reasons)
    test.save()
    if result.response is Response.WORSE:
        _settle(test, Response.WORSE, now)


# --------------------------------------------------------------------------- the next morning


def directional_test_confirm(
    *,
    person: Person,
    test_id: uuid.UUID,
    back: int,
    leg: int,
    zone: int,
    now: dt.datetime | None = None,
) -> DirectionalTest:
    """The morning values on a later day than the test (DPT-12): the core's ``confirm_next_morning``
    keeps the response or downgrades it to worse, and the plan is reshaped with it. A second answer for
    the same test returns the stored one."""
    now = _now(now)
    today = timezone.localdate(now)
    with transaction.atomic():
        test = _locked_test(person=person, test_id=test_id)
        if test.morning_at is not None:
            return test  # a retry
        if not test.awaiting_morning or test.ended_at is None:
            raise StepError("This check has no result waiting for the morning.")
        if today <= timezone.localdate(test.ended_at):
            raise StepError("The morning check is for the day after the test.")
        morning = MorningCheck(date=today, back=back, leg=leg, zone=zone, stiffness="none")
        result = dpt.DirectionResult(
            Direction(test.direction),
            Response(test.response),
            False,
            tuple(test.rules),
            tuple(Reason(r["rule"], r["text"]) for r in test.reasons),
        )
        # stiffness is not asked: DPT-12 reads back, leg and zone only.
        confirmed = dpt.confirm_next_morning(result, selectors.before_check(test), morning)
        test.morning_date = today
        test.morning_back, test.morning_leg, test.morning_zone = back, leg, zone
        test.morning_at = now
        test.confirmed_response = confirmed.response.value
        test.confirmed_rules = list(confirmed.rules)
        test.confirmed_reasons = _reasons(confirmed.reasons)
        test.save()
        _settle(test, confirmed.response, now)
        return test


# --------------------------------------------------------------------------- reshaping the plan


def _settle(test: DirectionalTest, response: Response, now: dt.datetime) -> None:
    """The response is final: the plan is decided again with every direction's settled result."""
    test.final_response = response.value
    test.settled_at = now
    test.save(update_fields=["final_response", "settled_at"])
    person = test.person
    previous = screening_latest_decided(person)
    try:
        screening, _ = patient_services.screening_redecide(
            person=person, directional=selectors.settled_results(person)
        )
    except NothingToRedecide:
        return  # the latest result is not a plan (an emergency stop): nothing to reshape
    test.previous_screening = previous
    test.applied_screening = screening
    test.save(update_fields=["previous_screening", "applied_screening"])
