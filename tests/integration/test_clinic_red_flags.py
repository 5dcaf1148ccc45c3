"""Red flags first and told: the patient list pins locked patients and urgent alerts to the top, the
inbox filters by severity and shows when each event happened, and an urgent alert or a RED stop emails
the clinic's alert address (a real SMTP server) within a minute, with no health data in it."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import LazySettings
from django.utils import timezone

from backhome.web.clinic.alerts import alerts_scan, alerts_scan_all, alerts_scan_log_after_commit
from backhome.web.clinic.models import Alert, AuditEvent, Clinic
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseLog
from tests.integration.clinic_builders import alert_for, joined_days_ago, patient_like, practised
from tests.integration.clinic_people import Cast, cast
from tests.integration.history_builders import log_in, session_on
from tests.integration.test_clinic_list import row_of, rows
from tests.integration.test_reminders_email import Inbox, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> Cast:
    return cast()


@pytest.fixture
def inbox(settings: LazySettings) -> Iterator[Inbox]:
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.PUBLIC_URL = "https://backhome.riverside.example"
    try:
        yield received
    finally:
        controller.stop()


def red_stop(person: Person) -> ExerciseLog:
    session = session_on(person, timezone.localdate(), status="stopped", stop_rules=("PM-12",))
    reasons = [{"rule": "PM-12", "text": "Your leg pain went up during the exercise."}]
    return log_in(session, 1, "prone-press-up", light="red", rules=("PM-12",), reasons=reasons)


def urgent_alert(person: Person, clinic: Clinic, key: str) -> Alert:
    alert = alert_for(person, clinic, key)
    alert.kind, alert.severity = Alert.Kind.RED_FLAG, Alert.Severity.URGENT
    alert.save()
    return alert


def routine_alert(person: Person, clinic: Clinic, key: str) -> Alert:
    alert = alert_for(person, clinic, key)
    alert.kind, alert.severity = Alert.Kind.INACTIVE, Alert.Severity.ROUTINE
    alert.save()
    return alert


# --------------------------------------------------------------------------- the list


def test_the_list_pins_a_locked_patient_and_an_urgent_alert_above_many_routine_ones(people: Cast) -> None:
    quiet = patient_like(people.dana, people.riverside, "Ann Quiet")
    for n in range(3):
        routine_alert(quiet, people.riverside, f"inactive:{n}")
    urgent = patient_like(people.dana, people.riverside, "Bo Urgent")
    urgent_alert(urgent, people.riverside, "red_flag:screening:1")
    locked = patient_like(people.dana, people.riverside, "Cy Locked")
    Person.objects.filter(pk=locked.pk).update(emergency_locked_at=timezone.now())
    page = people.client("cleo").get("/clinic/").content.decode()
    assert rows(page)[:3] == ["Cy Locked", "Bo Urgent", "Ann Quiet"]
    assert "Urgent alert" in row_of(page, urgent.pk)


def test_a_locked_patient_is_not_also_tagged_low_adherence(people: Cast) -> None:
    locked = patient_like(people.dana, people.riverside, "Cy Locked")
    Person.objects.filter(pk=locked.pk).update(emergency_locked_at=timezone.now())
    joined_days_ago(locked, 20)  # 0 of 14 sessions: low, were it not locked
    joined_days_ago(people.dana, 20)
    practised(people.dana, days=[0])  # Dana: 1 of 14 days, low
    page = people.client("cleo").get("/clinic/").content.decode()
    assert "Locked: emergency result" in row_of(page, locked.pk)
    assert "low" not in row_of(page, locked.pk).split("%", 1)[1]
    assert "low" in row_of(page, people.dana.pk)


# --------------------------------------------------------------------------- the inbox


def test_the_inbox_filters_by_severity_and_puts_the_urgent_first(people: Cast) -> None:
    quiet = routine_alert(people.dana, people.riverside, "inactive:1")
    urgent = urgent_alert(people.dana, people.riverside, "red_flag:log:1")
    cleo = people.client("cleo")
    every = cleo.get("/clinic/alerts/").content.decode()
    assert every.index(f'id="alert-{urgent.pk}"') < every.index(f'id="alert-{quiet.pk}"')
    only_urgent = cleo.get("/clinic/alerts/?severity=3").content.decode()
    assert f'id="alert-{urgent.pk}"' in only_urgent and f'id="alert-{quiet.pk}"' not in only_urgent
    only_routine = cleo.get("/clinic/alerts/?severity=1").content.decode()
    assert f'id="alert-{quiet.pk}"' in only_routine and f'id="alert-{urgent.pk}"' not in only_routine


def test_an_alert_shows_when_the_event_happened_not_when_the_scan_saw_it(people: Cast) -> None:
    log = red_stop(people.dana)
    happened = timezone.now() - dt.timedelta(hours=5)
    ExerciseLog.objects.filter(pk=log.pk).update(created_at=happened)
    (alert,) = alerts_scan(person=people.dana, now=timezone.now())
    assert alert.happened_at == happened
    page = people.client("cleo").get("/clinic/alerts/").content.decode()
    local = timezone.localtime(happened)
    assert f'Happened <time datetime="{local.isoformat()}' in page


# --------------------------------------------------------------------------- told outside the app


def wait_for(inbox: Inbox, count: int, *, seconds: float = 60) -> float:
    started = time.monotonic()
    while len(inbox.messages) < count and time.monotonic() - started < seconds:
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_red_stop_emails_the_clinics_alert_address_within_a_minute_without_health_data(
    people: Cast, inbox: Inbox, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    Clinic.objects.filter(pk=people.riverside.pk).update(alert_email="alerts@riverside.example")
    log = red_stop(people.dana)
    event = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        alerts_scan_log_after_commit(person=people.dana, log=log)
    wait_for(inbox, 1)
    assert time.monotonic() - event < 60
    (message,) = inbox.messages
    assert message["To"] == "alerts@riverside.example"
    body = message.get_body().get_content()  # type: ignore[union-attr]
    link = f"https://backhome.riverside.example/clinic/alerts/?patient={people.dana.pk}"
    assert body.startswith(f"A patient of Riverside Physio needs attention: open {link}")
    for health in ("pain", "leg", "Prone", "RED", "PM-12", "Dana"):
        assert health not in body and health not in str(message["Subject"])
    assert Alert.objects.get(person=people.dana).emailed_at is not None


def test_an_urgent_alert_is_emailed_once_however_often_scanned_and_a_routine_one_never(
    people: Cast, inbox: Inbox
) -> None:
    Clinic.objects.filter(pk=people.riverside.pk).update(alert_email="alerts@riverside.example")
    before = session_on(people.dana, timezone.localdate(), status="stopped", stop_rules=("PM-14",))
    before.before_red_flag = True
    before.save()
    alerts_scan(person=people.dana, now=timezone.now())
    alerts_scan(person=people.dana, now=timezone.now())
    alerts_scan_all(now=timezone.now())
    wait_for(inbox, 1)
    time.sleep(0.3)
    assert len(inbox.messages) == 1
    routine_alert(people.dana, people.riverside, "inactive:2026-01-01")
    alerts_scan_all(now=timezone.now())
    time.sleep(0.3)
    assert len(inbox.messages) == 1


def test_an_email_the_mail_server_refused_is_sent_by_the_next_cron_scan(people: Cast, inbox: Inbox) -> None:
    Clinic.objects.filter(pk=people.riverside.pk).update(alert_email="alerts@riverside.example")
    inbox.refuse = True
    red_stop(people.dana)
    alerts_scan(person=people.dana, now=timezone.now())
    assert Alert.objects.get(person=people.dana).emailed_at is None
    inbox.refuse = False
    alerts_scan_all(now=timezone.now())
    wait_for(inbox, 1)
    assert len(inbox.messages) == 1


def test_a_clinic_without_an_alert_address_gets_no_email(people: Cast, inbox: Inbox) -> None:
    red_stop(people.dana)
    alerts_scan(person=people.dana, now=timezone.now())
    time.sleep(0.3)
    assert inbox.messages == []


# --------------------------------------------------------------------------- the setting


def test_ada_sets_the_alert_address_and_cleo_cannot(people: Cast) -> None:
    ada = people.client("ada")
    response = ada.post(
        "/clinic/settings/", {"alert_email": "Alerts@Riverside.example", "identifier_system": ""}
    )
    assert response.status_code == 302
    assert Clinic.objects.get(pk=people.riverside.pk).alert_email == "alerts@riverside.example"
    assert AuditEvent.objects.filter(user_id=people.ada.pk, what="clinic settings").exists()
    wrong = ada.post("/clinic/settings/", {"alert_email": "not an address", "identifier_system": ""})
    assert wrong.status_code == 400 and re.search(r'id="alert_email-error"', wrong.content.decode())
    assert people.client("cleo").post("/clinic/settings/", {"alert_email": "x@y.example"}).status_code == 403
