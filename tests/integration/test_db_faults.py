"""A read-only database, a full disk, a database that cannot be reached: a clear 503 in our words and one
log line, never a crash, and nothing changed. Real faults where the database can make them: SQLite's
``PRAGMA query_only`` (a read-only database; chmod does not stop root) and ``PRAGMA max_page_count`` (a
database that cannot grow: SQLite's "database or disk is full"); PostgreSQL's read-only transactions and
a trigger that fails with its disk_full SQLSTATE. The server-level tests are in test_db_faults_serve.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg.errors
import pytest
from django.db import DatabaseError, connection, transaction
from django.db.utils import OperationalError
from django.test import Client

from backhome.web.config import dberrors
from backhome.web.patient.models import Person
from backhome.web.progress.models import CheckIn
from tests.integration.people import client_for, person_with_plan
from tests.integration.progress_builders import checkin_form

FIRST_DAY = dt.date(1900, 1, 1)
SAVE_WORDS = (
    "We could not save that. Nothing was lost of what you saved before. Please try again in a few minutes."
)


@pytest.fixture(autouse=True)
def _no_remembered_fault() -> Iterator[None]:
    dberrors.forget()
    yield
    dberrors.forget()


@contextmanager
def read_only_database() -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = OFF")
            else:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")


@contextmanager
def full_disk() -> Iterator[None]:
    """No room for one more check-in: SQLite may not grow past its pages, every one of them full of
    check-ins; PostgreSQL's server answers a new check-in with SQLSTATE 53100 (disk_full)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
            filler = Person.objects.create()
            try:  # fill every free page, and the check-in table's last one, with check-ins of a filler person
                for day in range(1, 1_000_000):
                    with transaction.atomic():
                        CheckIn.objects.create(
                            id=uuid.uuid4(),
                            person=filler,
                            date=FIRST_DAY + dt.timedelta(days=day),
                            back=0,
                            leg=0,
                            zone=0,
                        )
            except OperationalError as error:
                assert "full" in str(error)
        else:
            cursor.execute(
                "CREATE FUNCTION disk_is_full() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                "END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER disk_is_full BEFORE INSERT ON {CheckIn._meta.db_table} "
                "FOR EACH ROW EXECUTE FUNCTION disk_is_full()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA max_page_count = 1073741823")
            else:
                cursor.execute(f"DROP TRIGGER disk_is_full ON {CheckIn._meta.db_table}")
                cursor.execute("DROP FUNCTION disk_is_full()")


def guest_with_plan() -> tuple[Person, Client]:
    person, _ = person_with_plan()
    client = client_for(person)
    client.raise_request_exception = False
    return person, client


def database_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name in ("backhome.database", "django.request")]


@pytest.mark.django_db(transaction=True)
def test_a_check_in_on_a_read_only_database_gets_a_clear_page_one_log_line_and_changes_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dana, client = guest_with_plan()
    caplog.set_level(logging.INFO)

    with read_only_database():
        response = client.post("/check-in/", checkin_form())
        page = response.content.decode()
        assert CheckIn.objects.filter(person=dana).count() == 0

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert SAVE_WORDS in page
    assert "<h1>We could not save that</h1>" in page
    lines = database_lines(caplog)
    assert len(lines) == 1, lines
    assert lines[0].startswith("database fault: the database is read-only; POST /check-in/ answered 503")


@pytest.mark.django_db(transaction=True)
def test_a_session_logged_by_the_player_on_a_read_only_database_gets_the_json_envelope(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _dana, client = guest_with_plan()
    client.get("/session/")  # the CSRF cookie the player sends back in a header
    token = client.cookies["csrftoken"].value
    body = {
        "id": str(uuid.uuid4()),
        "before": {"back": 4, "leg": 2, "zone": 2, "numbness": False, "red_flag": False},
    }

    with read_only_database():
        response = client.post(
            "/api/v1/me/sessions", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
        )

    assert response.status_code == 503, response.content
    assert response.json() == {"error": {"code": "unavailable", "message": SAVE_WORDS, "fields": []}}
    assert response["Retry-After"] == "120"
    assert len(database_lines(caplog)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_check_in_on_a_full_disk_gets_the_same_page_and_the_log_names_the_full_disk(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dana, client = guest_with_plan()

    with full_disk():
        response = client.post("/check-in/", checkin_form())
        assert CheckIn.objects.filter(person=dana).count() == 0
        assert client.get("/plan/").status_code == 200, "reads still work on a full disk"

    assert response.status_code == 503
    assert SAVE_WORDS in response.content.decode()
    lines = database_lines(caplog)
    assert len(lines) == 1, lines
    assert "the disk is full" in lines[0] and "POST /check-in/" in lines[0]
    assert client.post("/check-in/", checkin_form()).status_code in (200, 302), "room again: it saves"
    assert CheckIn.objects.filter(person=dana).count() == 1


@pytest.mark.django_db(transaction=True)
def test_healthz_says_read_only_with_a_json_reason_and_ok_again_when_it_clears(client: Client) -> None:
    with read_only_database():
        deep = client.get("/healthz?database=1")
        assert deep.status_code == 503
        assert deep.json()["status"] == "unavailable" and deep.json()["database"] == "read-only"
        assert deep.json()["reason"]
    assert client.get("/healthz?database=1").json() == {"status": "ok", "database": "ok"}
    assert client.get("/healthz").content == b"ok"


@pytest.mark.django_db(transaction=True)
def test_after_a_fault_plain_healthz_asks_the_database_until_it_clears(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _dana, client = guest_with_plan()
    with read_only_database():
        assert client.post("/check-in/", checkin_form()).status_code == 503
        health = Client().get("/healthz")
        assert health.status_code == 503 and health.json()["database"] == "read-only"
    assert Client().get("/healthz").content == b"ok"
    assert dberrors.recent_fault() is None, "a cleared fault is forgotten"


def sqlite_error(*statements: str, path: str = ":memory:", timeout: float = 5.0) -> DatabaseError:
    """What SQLite itself raises (opening ``path`` or running ``statements``), wrapped as Django wraps it."""
    try:
        with contextlib.closing(sqlite3.connect(path, uri=True, timeout=timeout)) as db:
            for statement in statements:
                db.execute(statement)
    except sqlite3.Error as driver_error:
        return wrapped(driver_error)
    raise AssertionError("SQLite raised nothing")


def wrapped(driver_error: Exception) -> DatabaseError:
    try:
        raise OperationalError(str(driver_error)) from driver_error
    except DatabaseError as error:
        return error


def test_database_errors_are_known_by_sqlites_result_code_or_postgresqls_sqlstate(tmp_path: Path) -> None:
    assert (
        dberrors.classify(
            sqlite_error("CREATE TABLE t (x)", "PRAGMA query_only = ON", "INSERT INTO t VALUES (1)")
        )
        == "read-only"
    )
    full = sqlite_error(
        "CREATE TABLE t (x)", "PRAGMA max_page_count = 2", "INSERT INTO t SELECT zeroblob(100000)"
    )
    assert dberrors.classify(full) == "disk-full"
    gone = f"file:{tmp_path}/no/such/folder.db?mode=ro"
    assert dberrors.classify(sqlite_error("SELECT 1", path=gone)) == "unreachable"
    busy_file = tmp_path / "busy.db"
    with contextlib.closing(sqlite3.connect(busy_file, isolation_level=None)) as holder:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN IMMEDIATE")
        busy = sqlite_error("BEGIN IMMEDIATE", path=str(busy_file), timeout=0)
    assert dberrors.classify(busy) == "busy"

    assert dberrors.classify(wrapped(psycopg.errors.DiskFull("could not extend file"))) == "disk-full"
    assert (
        dberrors.classify(wrapped(psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT")))
        == "read-only"
    )
    assert dberrors.classify(wrapped(psycopg.errors.AdminShutdown("terminating connection"))) == "unreachable"
    assert dberrors.classify(wrapped(psycopg.errors.LockNotAvailable("could not obtain lock"))) == "busy"
    refused = psycopg.OperationalError(
        'connection to server at "127.0.0.1", port 9 failed: Connection refused'
    )
    assert dberrors.classify(wrapped(refused)) == "unreachable", "no SQLSTATE: the client could not connect"

    # The words decide nothing: only the driver's code does.
    assert dberrors.classify(OperationalError("attempt to write a readonly database")) is None
    assert dberrors.classify(wrapped(psycopg.errors.UniqueViolation("database or disk is full"))) is None
    assert (
        dberrors.classify(
            sqlite_error("CREATE TABLE t (x UNIQUE)", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)")
        )
        is None
    )
    assert dberrors.classify(ValueError("attempt to write a readonly database")) is None


@pytest.mark.django_db
def test_any_other_error_is_still_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    from backhome.web.progress import services

    def broken(**_: object) -> None:
        raise DatabaseError("some other database error")

    monkeypatch.setattr(services, "checkin_record", broken)
    _dana, client = guest_with_plan()
    assert client.post("/check-in/", checkin_form()).status_code == 500
