"""Count the acknowledged writes of a load run in its database, and check the database itself.

Run in a process of its own, with the server's environment (``python -m scripts.loadlib.verify ACKS``):
reads the client-side journal of acknowledged writes and the people made before the load (JSON:
``{"acks": [...], "seeded": [person ids]}``) and prints one JSON report.

- integrity: SQLite's ``PRAGMA integrity_check`` and ``foreign_key_check``; on PostgreSQL, that every
  table of the database reads (``count(*)``).
- for each kind of write with a client UUID (session starts, exercise logs, re-checks, finishes,
  check-ins): how many were acknowledged, how many of those are stored as acknowledged (missing ones by
  id), and how many rows the database holds that no client was told about (``extra``: a duplicate, or a
  write that was stored but never answered);
- screenings (no client UUID): each browser whose last step was acknowledged has exactly one decided
  screening, and there are no other decided screenings (those of the people made before the load aside).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any


def integrity() -> dict[str, Any]:
    from django.apps import apps
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            rows = [row[0] for row in cursor.fetchall()]
            cursor.execute("PRAGMA foreign_key_check")
            foreign = cursor.fetchall()
        return {
            "vendor": "sqlite",
            "ok": rows == ["ok"] and not foreign,
            "integrity_check": rows[:5],
            "foreign_key_problems": len(foreign),
        }
    present = set(connection.introspection.table_names())
    expected = {model._meta.db_table for model in apps.get_models()}
    read = 0
    with connection.cursor() as cursor:
        for table in sorted(present):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            read += cursor.fetchone()[0]
    return {
        "vendor": connection.vendor,
        "ok": True,
        "tables_read": len(present),
        "rows_read": read,
        "models_without_table": sorted(expected - present),
    }


def _kind(acked: list[str], stored: set[str]) -> dict[str, Any]:
    acked_set = set(acked)
    missing = sorted(acked_set - stored)
    return {
        "acknowledged": len(acked_set),
        "stored": len(stored),
        "present": len(acked_set & stored),
        "missing": len(missing),
        "missing_ids": missing[:10],
        "extra": len(stored - acked_set),
    }


def count(acks: list[dict[str, Any]], seeded: Iterable[int] = ()) -> dict[str, Any]:
    """The report of the module docstring; ``seeded`` people were screened before the load
    (``scripts/loadlib/seed.py``), so their screenings are no write of the load."""
    from django.contrib.sessions.backends.db import SessionStore

    from backhome.web.patient.models import Person, Screening
    from backhome.web.patient.services import SESSION_KEY
    from backhome.web.practice.models import ExerciseLog, ExerciseSession
    from backhome.web.progress.models import CheckIn

    by_kind: dict[str, list[dict[str, Any]]] = {}
    for ack in acks:
        by_kind.setdefault(ack["kind"], []).append(ack)

    def ids(kind: str) -> list[str]:
        return [a["id"] for a in by_kind.get(kind, [])]

    report: dict[str, Any] = {}
    sessions = {str(i) for i in ExerciseSession.objects.values_list("id", flat=True)}
    report["session start"] = _kind(ids("session start"), sessions)
    logs = {
        str(i): (str(s), p) for i, s, p in ExerciseLog.objects.values_list("id", "session_id", "position")
    }
    report["session log"] = _kind(ids("session log"), set(logs))
    wrong_place = [
        a["id"]
        for a in by_kind.get("session log", [])
        if a["id"] in logs and logs[a["id"]] != (a["session"], a["position"])
    ]
    report["session log"]["stored_elsewhere"] = len(wrong_place)
    settled = {str(i) for i in ExerciseLog.objects.filter(settled__isnull=False).values_list("id", flat=True)}
    report["session recheck"] = _kind(ids("session recheck"), settled)
    ended = {str(i) for i in ExerciseSession.objects.filter(status="finished").values_list("id", flat=True)}
    report["session finish"] = _kind(ids("session finish"), ended)
    checkins = {str(i) for i in CheckIn.objects.values_list("id", flat=True)}
    report["check-in"] = _kind(ids("check-in"), checkins)

    # Screenings: the browser's session names its person; that person has exactly one decided screening.
    keys = ids("screening")
    people: list[int] = []
    for key in keys:
        person = SessionStore(session_key=key).load().get(SESSION_KEY)
        if person is not None:
            people.append(int(person))
    decided = Counter(
        Screening.objects.filter(decided_at__isnull=False)
        .exclude(person_id__in=list(seeded))
        .values_list("person_id", flat=True)
    )
    acked_people = set(people)
    report["screening"] = {
        "acknowledged": len(keys),
        "stored": sum(decided.values()),
        "present": sum(1 for p in acked_people if decided.get(p, 0) >= 1),
        "missing": len(keys) - sum(1 for p in people if decided.get(p, 0) >= 1),
        "missing_ids": [],
        "extra": sum(n for p, n in decided.items() if p not in acked_people)
        + sum(n - 1 for p, n in decided.items() if p in acked_people and n > 1),
    }
    report["people"] = Person.objects.count()
    return report


def main() -> None:
    import django

    with open(sys.argv[1], encoding="utf-8") as handle:
        journal = json.load(handle)
    django.setup()
    from django.db import connections

    out = {"integrity": integrity(), "writes": count(journal["acks"], journal["seeded"])}
    connections.close_all()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
