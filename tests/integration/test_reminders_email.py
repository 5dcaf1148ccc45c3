"""Reminder emails, received on a real SMTP server (aiosmtpd on a free loopback port) through Django's
SMTP backend, sent by ``python manage.py send_reminders`` and ``backhome reminders send`` with ``--now``:
the person's times and zone, their budget ("at most one a day", "only if I have not logged today"), no
email while the programme is locked or stopped, and never twice."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import LazySettings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from backhome.cli import IO, main
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.reminders.models import ReminderSent, ReminderSettings
from tests.integration.history_builders import checkin_on, dose_change, session_on
from tests.integration.people import WALT_WEB, person_with_plan
from tests.integration.reminder_helpers import MONDAY, choose, london

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + dt.timedelta(days=1)


@dataclass
class Inbox:
    """What the SMTP server received; ``refuse`` makes it answer every email with a 550."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "550 not today"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    @property
    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    try:
        yield received
    finally:
        controller.stop()


def send(now: dt.datetime) -> str:
    out = io.StringIO()
    call_command("send_reminders", now=now.isoformat(), stdout=out)
    return out.getvalue()


def dana_with_emails(**values: Any) -> Person:
    dana, _ = person_with_plan()
    choose(dana, email_on=True, email="dana@example.org", **values)
    return dana


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def started_on(session: ExerciseSession, moment: dt.datetime) -> None:
    ExerciseSession.objects.filter(pk=session.pk).update(started_at=moment)


def test_dana_gets_one_plain_email_at_her_session_time_with_links_to_change_or_stop(inbox: Inbox) -> None:
    dana_with_emails()
    assert send(london(MONDAY, 17, 55)).startswith("0 reminders sent")
    assert inbox.messages == []
    assert send(london(MONDAY, 18, 5)).startswith("1 reminder sent")
    (message,) = inbox.messages
    assert message["To"] == "dana@example.org"
    assert message["Subject"] == "Time for your back exercises"
    assert message.get_content_type() == "text/plain"
    text = body(message)
    assert "6 pm" in text
    assert "http://127.0.0.1:8000/session/" in text
    assert "Change your reminders: http://127.0.0.1:8000/reminders/" in text
    assert "Stop these emails: http://127.0.0.1:8000/reminders/stop/" in text
    assert str(message["List-Unsubscribe"]).strip().startswith("<http://127.0.0.1:8000/reminders/stop/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for word in ("press-up", "prone", "pain score", "disc"):
        assert word not in text.lower()


def test_running_twice_in_a_minute_sends_one_email(inbox: Inbox) -> None:
    dana_with_emails()
    send(london(MONDAY, 18, 5))
    assert send(london(MONDAY, 18, 6)).startswith("0 reminders sent")
    assert len(inbox.messages) == 1
    assert ReminderSent.objects.filter(kind="session", day=MONDAY).count() == 1


def test_backhome_reminders_send_is_the_same_command(inbox: Inbox) -> None:
    dana_with_emails()
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["reminders", "send", "--now", london(MONDAY, 18, 5).isoformat()], IO(io.StringIO(), out, err)
    )
    assert (code, out.getvalue()) == (0, "1 reminder sent\n")
    code = main(
        ["reminders", "send", "--now", london(MONDAY, 18, 6).isoformat()], IO(io.StringIO(), out, err)
    )
    assert code == 0
    assert len(inbox.messages) == 1


def test_a_bad_now_is_refused_naming_the_option(inbox: Inbox) -> None:
    err = io.StringIO()
    code = main(["reminders", "send", "--now", "half past six"], IO(io.StringIO(), io.StringIO(), err))
    assert code == 2
    assert "--now" in err.getvalue()
    with pytest.raises(CommandError, match="--now"):
        call_command("send_reminders", now="yesterday")


def test_at_most_one_a_day_means_one_even_when_both_reminders_are_on(inbox: Inbox) -> None:
    dana_with_emails(email_checkins=True, daily_limit=1)
    send(london(TUESDAY, 8, 5))
    send(london(TUESDAY, 18, 5))
    assert inbox.subjects == ["Your morning check-in"]


def test_up_to_two_a_day_sends_the_check_in_and_the_session(inbox: Inbox) -> None:
    dana_with_emails(email_checkins=True, daily_limit=2)
    send(london(TUESDAY, 8, 5))
    send(london(TUESDAY, 18, 5))
    assert inbox.subjects == ["Your morning check-in", "Time for your back exercises"]
    text = body(inbox.messages[0])
    assert "http://127.0.0.1:8000/check-in/" in text


def test_no_session_email_when_dana_has_logged_a_session_today_and_asked_for_that(inbox: Inbox) -> None:
    dana = dana_with_emails(only_if_not_logged=True)
    started_on(session_on(dana, MONDAY), london(MONDAY, 7, 30))
    assert "1 already done today" in send(london(MONDAY, 18, 5))
    assert inbox.messages == []


def test_a_session_yesterday_does_not_count_as_today(inbox: Inbox) -> None:
    dana = dana_with_emails(only_if_not_logged=True)
    started_on(session_on(dana, MONDAY - dt.timedelta(days=1)), london(MONDAY - dt.timedelta(days=1), 18, 10))
    send(london(MONDAY, 18, 5))
    assert len(inbox.messages) == 1


def test_without_only_if_not_logged_the_reminder_comes_anyway(inbox: Inbox) -> None:
    dana = dana_with_emails(only_if_not_logged=False)
    started_on(session_on(dana, MONDAY), london(MONDAY, 7, 30))
    send(london(MONDAY, 18, 5))
    assert len(inbox.messages) == 1


def test_no_check_in_email_once_she_has_checked_in_that_morning(inbox: Inbox) -> None:
    dana = dana_with_emails(email_checkins=True, email_sessions=False, checkin_time=dt.time(9, 0))
    checkin = checkin_on(dana, TUESDAY, back=3, leg=1)
    CheckIn.objects.filter(pk=checkin.pk).update(created_at=london(TUESDAY, 7, 50))
    send(london(TUESDAY, 9, 5))
    assert inbox.messages == []


def test_no_email_while_the_programme_is_locked(inbox: Inbox) -> None:
    dana = dana_with_emails()
    Person.objects.filter(pk=dana.pk).update(emergency_locked_at=london(MONDAY, 9, 0))
    assert "1 programme locked" in send(london(MONDAY, 18, 5))
    assert inbox.messages == []


def test_no_email_while_every_exercise_is_stopped_for_now(inbox: Inbox) -> None:
    walt, screening = person_with_plan(WALT_WEB)
    choose(walt, email_on=True, email="walt@example.org")
    for item in screening.items.all():
        dose_change(
            walt, screening, item.exercise_id, on=MONDAY, action=DoseChange.Action.SUSPEND, rules=("PM-41",)
        )
    assert "1 programme stopped" in send(london(MONDAY, 18, 5))
    assert inbox.messages == []


def test_no_email_before_the_time_or_long_after_it_or_on_a_day_not_chosen(inbox: Inbox) -> None:
    dana_with_emails(session_days=[1, 3])  # Tuesdays and Thursdays
    send(london(MONDAY, 18, 5))  # a Monday
    send(london(TUESDAY, 17, 59))
    send(london(TUESDAY, 20, 30))  # cron was down: two and a half hours late is too late
    assert inbox.messages == []
    send(london(TUESDAY, 19, 55))
    assert len(inbox.messages) == 1


def test_the_time_is_the_persons_own_zone(inbox: Inbox) -> None:
    dana_with_emails(time_zone="America/New_York")
    send(london(MONDAY, 18, 5))  # 13:05 in New York
    assert inbox.messages == []
    send(london(MONDAY, 23, 5))  # 18:05 in New York
    assert len(inbox.messages) == 1


def test_emails_off_sends_nothing_and_an_account_address_is_the_default(inbox: Inbox) -> None:
    from django.contrib.auth import get_user_model

    dana, _ = person_with_plan()
    choose(dana, email_on=False, email="dana@example.org")
    send(london(MONDAY, 18, 5))
    assert inbox.messages == []

    walt, _ = person_with_plan(WALT_WEB)
    account = get_user_model().objects.create_user(username="walt@example.org", email="walt@example.org")
    Person.objects.filter(pk=walt.pk).update(user=account)
    walt.refresh_from_db()
    choose(walt, email_on=True, email="")
    send(london(MONDAY, 18, 5))
    assert [m["To"] for m in inbox.messages] == ["walt@example.org"]


def test_the_stop_link_turns_the_emails_off_after_a_confirmation(inbox: Inbox) -> None:
    dana_with_emails()
    send(london(MONDAY, 18, 5))
    link = body(inbox.messages[0]).split("Stop these emails: ", 1)[1].split()[0]
    path = link.removeprefix("http://127.0.0.1:8000")
    anyone = Client()
    page = anyone.get(path)
    assert page.status_code == 200
    assert "Stop the emails" in page.content.decode()
    assert ReminderSettings.objects.get().email_on  # a GET (a mail scanner, a preview) changes nothing
    done = anyone.post(path)  # RFC 8058 one-click: no CSRF token, no session
    assert done.status_code == 200
    assert "no more reminder emails" in done.content.decode()
    assert not ReminderSettings.objects.get().email_on
    send(london(TUESDAY, 18, 5))
    assert len(inbox.messages) == 1
    assert anyone.get(path[:-3] + "xx/").status_code == 404


def test_a_refused_email_is_tried_again_on_the_next_run_and_the_command_says_it_failed(inbox: Inbox) -> None:
    dana_with_emails()
    inbox.refuse = True
    with pytest.raises(CommandError, match="could not be sent"):
        send(london(MONDAY, 18, 5))
    assert ReminderSent.objects.count() == 0
    inbox.refuse = False
    send(london(MONDAY, 18, 20))
    assert len(inbox.messages) == 1
    assert ReminderSent.objects.get().sent_at is not None
