"""``backhome backup`` and ``backhome restore`` give back a populated database exactly, row for row, on the
database the tests run on (SQLite, or PostgreSQL under `make test-postgres`)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from backhome.web.clinic.models import Clinic
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn, DoseChange
from tests.cli.helpers import run
from tests.integration.clinic_people import Cast, cast
from tests.integration.progress_builders import checked_in, days_ago, session_done, three_green_days

# The backup reads the database from another connection (or another process, pg_dump): the rows must be
# committed, so these tests run outside the usual test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def populated() -> Cast:
    """The clinic cast, Dana's three green days (check-ins, sessions and the dose changes they led to),
    and a session and check-in of Walt's."""
    people = cast()
    three_green_days(people.dana)
    checked_in(people.dana, days_ago(0))  # a good morning after three green days: a dose moves on
    checked_in(people.walt, days_ago(1), back=5, leg=3)
    session_done(people.walt, days_ago(1), light="amber")
    return people


def every_row() -> dict[str, list[str]]:
    """Every row of every table (and the state of every id sequence), in a stable order."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            tables.append("sqlite_sequence")
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found[table] = sorted(repr(row) for row in cursor.fetchall())
        if connection.vendor == "postgresql":
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename")
            found["pg_sequences"] = [repr(row) for row in cursor.fetchall()]
    return found


def rows_in_all(state: dict[str, list[Any]]) -> int:
    return sum(len(rows) for rows in state.values())


def test_a_populated_database_comes_back_exactly_after_a_backup_and_a_restore(tmp_path: Path) -> None:
    people = populated()
    before = every_row()
    assert ExerciseSession.objects.count() == 4 and CheckIn.objects.count() == 4
    assert DoseChange.objects.exists(), "three green days moved a dose on"
    backup = tmp_path / "backhome.backup"

    made = run("backup", str(backup))

    assert made.code == 0, made.err
    assert "passed its check" in made.out
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600, "a backup holds health data: owner only"

    # Life goes on after the backup: a session is deleted, a check-in added, a clinic opened.
    ExerciseSession.objects.order_by("day", "id")[0].delete()
    checked_in(Person.objects.get(pk=people.walt.pk), days_ago(0), back=2, leg=1)
    Clinic.objects.create(name="Lakeside Physio")
    assert every_row() != before

    restored = run("restore", str(backup), "--force")

    assert restored.code == 0, restored.err
    after = every_row()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"
    assert rows_in_all(after) > 100


def test_a_restore_keeps_what_it_replaced_and_that_copy_restores_exactly_too(tmp_path: Path) -> None:
    populated()
    backup = tmp_path / "before.backup"
    assert run("backup", str(backup)).code == 0
    CheckIn.objects.all().delete()
    changed = every_row()

    restored = run("restore", str(backup), "--force")

    assert restored.code == 0, restored.err
    kept = [line for line in restored.out.splitlines() if "What it held before is kept in" in line]
    assert kept, restored.out
    safety = Path(kept[0].rsplit(" ", 1)[1].rstrip("."))
    assert safety.parent == Path(settings.DATA_DIR) / "backups"
    assert CheckIn.objects.count() == 4
    assert run("restore", str(safety), "--force").code == 0
    assert every_row() == changed


def test_a_restore_over_a_database_with_data_needs_force_and_changes_nothing_without_it(
    tmp_path: Path,
) -> None:
    populated()
    backup = tmp_path / "backhome.backup"
    assert run("backup", str(backup)).code == 0
    CheckIn.objects.all().delete()
    now = every_row()

    refused = run("restore", str(backup))

    assert refused.code == 1
    assert "already holds data" in refused.err and "--force" in refused.err
    assert "nothing was changed" in refused.err
    assert every_row() == now


def test_a_backup_does_not_replace_an_existing_file_without_force(tmp_path: Path) -> None:
    populated()
    backup = tmp_path / "backhome.backup"
    backup.write_bytes(b"an older backup")

    refused = run("backup", str(backup))

    assert refused.code == 1
    assert "already exists" in refused.err and "--force" in refused.err
    assert backup.read_bytes() == b"an older backup"
    assert run("backup", str(backup), "--force").code == 0
    assert backup.read_bytes() != b"an older backup"
    assert [p.name for p in tmp_path.iterdir()] == ["backhome.backup"], "no partial file is left behind"
