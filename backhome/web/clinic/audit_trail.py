"""The audit rows that are not a clinician looking at a patient (``permissions.audit`` writes those):
logins and failed logins to clinicians' accounts, the clinic's people changing, patients joining and
leaving; the log as CSV for a date range; and deleting rows older than the retention period.

Logins come from Django's own signals (``user_logged_in``, ``user_login_failed``), connected in
``apps.ClinicConfig.ready``: a login to an account that is a clinician of a clinic (active or not) is a
row of that clinic. A failed attempt names the account tried only when one exists; the password tried is
never stored. Nothing is recorded for people who are not clinicians.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from backhome.web.clinic.models import AuditEvent, Membership

#: Columns of the audit log's CSV.
CSV_HEADER = ("When (UTC)", "Who", "Action", "What", "Patient number")


def record(
    *,
    clinic_id: int,
    action: str,
    what: str,
    user_id: int | None = None,
    person_id: int | None = None,
) -> AuditEvent:
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    return AuditEvent.objects.create(
        clinic_id=clinic_id, user_id=user_id, person_id=person_id, action=action, what=what[:200]
    )


def _clinics_of(user_id: int) -> list[int]:
    return list(Membership.objects.filter(user_id=user_id).values_list("clinic_id", flat=True))


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    for clinic_id in _clinics_of(user.pk):
        record(clinic_id=clinic_id, user_id=user.pk, action="login", what="logged in")


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    name = str(credentials.get("username") or credentials.get("email") or "").strip()
    if not name:
        return
    user = get_user_model()._default_manager.filter(username__iexact=name).only("pk").first()
    if user is None:
        return
    for clinic_id in _clinics_of(user.pk):
        record(clinic_id=clinic_id, user_id=user.pk, action="login", what="login failed: wrong password")


def audit_csv_rows(clinic_id: int, *, since: dt.date, until: dt.date) -> Iterator[list[Any]]:
    """The clinic's audit rows from ``since`` to ``until`` (local days, both included), oldest first,
    as CSV rows after the header; read in chunks, whatever the size of the log."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    yield list(CSV_HEADER)
    events = (
        AuditEvent.objects.filter(clinic_id=clinic_id, at__gte=start, at__lt=end)
        .select_related("user")
        .order_by("at", "pk")
    )
    for event in events.iterator(chunk_size=2000):
        who = event.user.get_username() if event.user is not None else "the patient"
        yield [
            event.at.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            who,
            event.action,
            event.what,
            event.person_id or "",
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    from backhome.web.clinic.export import safe_cell

    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 0) or 0)


def audit_prune(*, now: dt.datetime | None = None) -> int:
    """Delete audit rows older than the retention period (``BACKHOME_AUDIT_RETENTION_DAYS``; 0 keeps
    everything); returns how many were deleted."""
    days = retention_days()
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return int(deleted)
