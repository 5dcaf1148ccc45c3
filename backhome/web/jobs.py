"""Scheduled work that every server runs from cron, done once (docs/operations.md, "More than one server").

Each unit of scheduled work is claimed in the database, so two servers that run the same job at the same
moment do it once between them:

- a reminder email: a ``ReminderSent`` row, unique per person, day and kind, is inserted before the email
  is sent (``reminders.services``); the second server's insert fails and it sends nothing;
- an alert: ``Alert`` is unique per person and key, inserted with ``ignore_conflicts``
  (``clinic.alerts``); a second scan raises nothing twice;
- an alert's email to the clinic: ``emailed_at`` is set by an ``UPDATE ... WHERE emailed_at IS NULL``
  before the email is sent (``clinic.alerts.alerts_email``); the second server's update changes no row
  and it sends nothing.

``one_at_a_time`` spares the second server the work itself when a whole job is better done by one
server at a time (the alert scan reads every enrolled person): on PostgreSQL it takes a session-level
advisory lock named after the job and lets the job run only if no other server holds it; on SQLite (one
machine) it always runs. It only saves work: correctness still comes from the claims above, so a job
that runs twice (one after the other) does nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _lock_id(name: str) -> int:
    """A stable signed 64-bit number for the job's name (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(f"backhome.job:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def one_at_a_time(name: str) -> Iterator[bool]:
    """True if this process may run the job ``name`` now (no other server is running it), else False."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _lock_id(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        row = cursor.fetchone()
    got = bool(row and row[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
