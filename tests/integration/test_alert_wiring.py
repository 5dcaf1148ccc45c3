"""The clinic hears at once: the session-log, check-in and screening services scan the person for alerts
after their write commits (clinic.alerts.alerts_scan_after_commit). Cleo's patient Dana is the persona."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from backhome.core.model import PainCheck
from backhome.web.clinic.models import Alert
from backhome.web.patient import questions, services
from backhome.web.practice import services as practice
from backhome.web.progress.services import checkin_record
from tests.integration.clinic_people import cast
from tests.integration.people import person_with_plan
from tests.integration.screening_helpers import DANA_WEB, flat

pytestmark = pytest.mark.django_db


def _start(person: Any) -> uuid.UUID:
    session, _ = practice.session_start(
        person=person, id=uuid.uuid4(), before=PainCheck(back=3, leg=2, zone=3, numbness=False)
    )
    return session.id


def test_a_red_stop_in_a_session_raises_an_alert_for_the_clinic(
    django_capture_on_commit_callbacks: Any,
) -> None:
    people = cast()
    with django_capture_on_commit_callbacks(execute=True):
        session_id = _start(people.dana)
        practice.log_record(
            person=people.dana,
            session_id=session_id,
            id=uuid.uuid4(),
            position=1,
            sets_done=1,
            skipped=False,
            it_hurts=True,
            after=PainCheck(back=3, leg=5, zone=3, numbness=False),
        )
    alert = Alert.objects.get(person=people.dana, kind=Alert.Kind.RED_STOP)
    assert alert.clinic == people.riverside
    assert "PM-12" in alert.rules


def test_a_green_session_raises_no_alert(django_capture_on_commit_callbacks: Any) -> None:
    people = cast()
    with django_capture_on_commit_callbacks(execute=True):
        session_id = _start(people.dana)
        practice.log_record(
            person=people.dana,
            session_id=session_id,
            id=uuid.uuid4(),
            position=1,
            sets_done=1,
            skipped=False,
            it_hurts=False,
            after=PainCheck(back=3, leg=2, zone=3, numbness=False),
        )
    assert not Alert.objects.filter(person=people.dana).exists()


def test_a_warning_sign_in_a_new_screening_raises_an_alert(django_capture_on_commit_callbacks: Any) -> None:
    people = cast()
    answers = flat(DANA_WEB) | {"symptoms.fever": True}
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_save_answers(person=people.dana, step_id=questions.step_ids()[0], answers=answers)
        services.screening_submit(person=people.dana)
    assert Alert.objects.filter(person=people.dana, kind=Alert.Kind.RED_FLAG).exists()


def test_a_check_in_scans_too_and_a_person_with_no_clinic_gets_no_alert(
    django_capture_on_commit_callbacks: Any,
) -> None:
    loner, _ = person_with_plan()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        checkin_record(
            person=loner, date=dt.date(2026, 11, 23), back=3, leg=1, zone=2, stiffness="none", id=uuid.uuid4()
        )
    assert len(callbacks) == 1
    assert not Alert.objects.filter(person=loner).exists()
