"""Scheduled work that two servers run at the same moment is done once (docs/operations.md, "More than
one server"): two ``send_reminders`` at the same instant send each due email once, and a second
``scan_alerts`` skips while another server is scanning. Both need PostgreSQL's row locks; on SQLite
(one machine) the same code runs alone."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.conf import LazySettings
from django.core import mail
from django.core.management import call_command
from django.db import connection

from backhome.web.clinic.models import Alert
from backhome.web.jobs import one_at_a_time
from backhome.web.reminders.models import ReminderSent
from backhome.web.reminders.services import reminder_email_confirm
from tests.integration.clinic_people import cast
from tests.integration.people import DANA_WEB, WALT_WEB, person_with_plan
from tests.integration.reminder_helpers import MONDAY, choose, london

pytestmark = pytest.mark.django_db(transaction=True)

ONE_MACHINE = (
    "two servers at once need PostgreSQL: SQLite is one machine's database, and its in-memory test "
    "database refuses a second writer instead of letting it wait"
)


def at_the_same_instant(task: Any, count: int = 2) -> list[Any]:
    """Run ``task`` in ``count`` threads (each with its own database connection, as two servers have)
    released together; returns what each returned."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(10)
            results[index] = task()
        except BaseException as error:  # reported by the test below, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    return results


def send_at(moment: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", now=moment, stdout=out)
    return out.getvalue()


def test_two_servers_sending_reminders_at_the_same_instant_send_each_due_email_once(
    settings: LazySettings,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(ONE_MACHINE)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    people = []
    for number in range(12):
        person, _ = person_with_plan(WALT_WEB if number % 2 else DANA_WEB)
        address = f"patient{number}@example.org"
        chosen = choose(person, email_on=True, email=address, email_checkins=True, daily_limit=2)
        reminder_email_confirm(settings=chosen, address=address)
        people.append(person)
    mail.outbox = []
    moment = london(MONDAY, 18, 5).isoformat()

    reports = at_the_same_instant(lambda: send_at(moment))

    # Each person is due one session email at 18:05 (the check-in's 08:00 is long past on Monday).
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(f"patient{n}@example.org" for n in range(12))
    assert ReminderSent.objects.filter(day=MONDAY, kind="session", sent_at__isnull=False).count() == 12
    sent = [int(report.split()[0]) for report in reports]
    assert sum(sent) == 12, reports


def test_a_second_alert_scan_skips_while_another_server_is_scanning() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(ONE_MACHINE)
    people = cast()
    holding, release = threading.Event(), threading.Event()

    def other_server() -> None:
        try:
            with one_at_a_time("scan_alerts") as mine:
                assert mine
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=other_server)
    other.start()
    try:
        assert holding.wait(10)
        out = io.StringIO()
        call_command("scan_alerts", stdout=out)
        assert "another server is scanning now" in out.getvalue()
    finally:
        release.set()
        other.join(10)
    out = io.StringIO()
    call_command("scan_alerts", stdout=out)
    assert out.getvalue().strip().endswith(("new alert", "new alerts"))
    keys = list(Alert.objects.filter(person=people.dana).values_list("key", flat=True))
    assert len(keys) == len(set(keys))


def test_on_one_machine_the_alert_scan_always_runs() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the scan takes a lock that another server may hold (the test above)")
    cast()
    with one_at_a_time("scan_alerts") as mine:
        assert mine
        out = io.StringIO()
        call_command("scan_alerts", stdout=out)
    assert "new alert" in out.getvalue()
