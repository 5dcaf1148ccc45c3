"""Writes to one session that arrive at the same time, from other workers or a retrying phone: each is
decided from what the one before stored. Never stored twice, never out of order, never added to a
session that has ended.

In-process, on PostgreSQL, another request holds the session's row while Dana's write arrives (what a
second worker does); against ``backhome serve`` (SQLite and PostgreSQL alike), many requests are sent at
once from threads."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from backhome.core.model import PainCheck
from backhome.web.errors import Conflict
from backhome.web.practice import services
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from tests.integration.people import person_with_plan
from tests.integration.test_api_script import PREPARE, REPO, django_python, request
from tests.integration.test_serve import free_port

BEFORE = PainCheck(back=3, leg=2, zone=3, numbness=False)
SAME = PainCheck(back=3, leg=2, zone=3, numbness=False)

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row lock to wait for (a writer holds the whole database from its transaction's "
    "start), and its in-memory test database refuses a second writer instead of letting it wait: the "
    "served test below covers SQLite",
)


def record(
    person: Any, session_id: uuid.UUID, log_id: uuid.UUID, position: int = 1
) -> tuple[ExerciseLog, bool]:
    return services.log_record(
        person=person,
        session_id=session_id,
        id=log_id,
        position=position,
        sets_done=1,
        skipped=False,
        it_hurts=False,
        after=SAME,
    )


@contextmanager
def another_request_holding_the_session(session_id: uuid.UUID, write: Callable[[], object]) -> Iterator[None]:
    """Another worker's request: it locks the session's row, writes, and commits half a second later.
    The block runs while it holds the row (so Dana's write waits for it)."""
    holding, failed = threading.Event(), []

    def other() -> None:
        try:
            with transaction.atomic():
                ExerciseSession.objects.select_for_update().get(pk=session_id)
                write()
                holding.set()
                time.sleep(0.5)
        except Exception as error:  # shown by the test below, not lost in the thread
            failed.append(error)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    assert holding.wait(10)
    try:
        yield
    finally:
        thread.join(10)
    assert not failed, failed


@pytest.fixture
def dana_in_session(transactional_db: None) -> tuple[Any, uuid.UUID]:
    dana, _ = person_with_plan()
    session, _ = services.session_start(person=dana, id=uuid.uuid4(), before=BEFORE)
    return dana, session.id


@needs_row_locks
def test_a_retry_committed_while_this_log_waited_is_answered_with_the_stored_log(
    dana_in_session: tuple[Any, uuid.UUID],
) -> None:
    dana, session_id = dana_in_session
    log_id = uuid.uuid4()
    with another_request_holding_the_session(session_id, lambda: record(dana, session_id, log_id)):
        log, created = record(dana, session_id, log_id)
    assert (log.pk, created) == (log_id, False)
    assert ExerciseLog.objects.filter(session_id=session_id).count() == 1


@needs_row_locks
def test_the_same_exercise_recorded_meanwhile_makes_this_one_out_of_order(
    dana_in_session: tuple[Any, uuid.UUID],
) -> None:
    dana, session_id = dana_in_session
    other = another_request_holding_the_session(session_id, lambda: record(dana, session_id, uuid.uuid4()))
    with other, pytest.raises(Conflict) as refused:
        record(dana, session_id, uuid.uuid4())
    assert refused.value.code == "out_of_order"
    assert ExerciseLog.objects.count() == 1


@needs_row_locks
def test_a_session_finished_meanwhile_takes_no_more_logs(dana_in_session: tuple[Any, uuid.UUID]) -> None:
    dana, session_id = dana_in_session

    def finish() -> object:
        return services.session_finish(person=dana, session_id=session_id)

    with another_request_holding_the_session(session_id, finish), pytest.raises(Conflict) as refused:
        record(dana, session_id, uuid.uuid4())
    assert refused.value.code == "ended"
    assert not ExerciseLog.objects.exists()
    assert ExerciseSession.objects.get(pk=session_id).status == ExerciseSession.Status.FINISHED


@needs_row_locks
def test_a_pending_recheck_logged_meanwhile_holds_back_the_next_exercise(
    dana_in_session: tuple[Any, uuid.UUID],
) -> None:
    dana, session_id = dana_in_session
    worse = PainCheck(back=4, leg=2, zone=3, numbness=False)  # PM-13: a re-check first

    def first() -> object:
        return services.log_record(
            person=dana,
            session_id=session_id,
            id=uuid.uuid4(),
            position=1,
            sets_done=1,
            skipped=False,
            it_hurts=False,
            after=worse,
        )

    with another_request_holding_the_session(session_id, first), pytest.raises(Conflict) as refused:
        record(dana, session_id, uuid.uuid4(), position=2)
    assert refused.value.code == "recheck_pending"
    assert ExerciseLog.objects.count() == 1


# --------------------------------------------------------------------------- against the real server


@pytest.mark.slow
def test_writes_sent_at_once_to_the_real_server_are_each_decided_from_the_one_before(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "BACKHOME_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "backhome.web.config.settings",
        "PYTHONPATH": str(REPO),
    }
    token = django_python(PREPARE, env)["token"]
    server = subprocess.Popen(
        [sys.executable, "-m", "backhome", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"

    def post(path: str, body: Any) -> tuple[int, dict[str, Any], Any]:
        return request(base, token, "POST", path, body)

    def at_once(calls: list[Callable[[], tuple[int, dict[str, Any], Any]]]) -> list[Any]:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(lambda call: call(), calls))

    after = {"back": 3, "leg": 2, "zone": 3, "numbness": False, "weakness": False, "red_flag": False}

    def log(position: int) -> dict[str, Any]:
        body = {"id": str(uuid.uuid4()), "position": position, "sets_done": 1, "skipped": False}
        return {**body, "it_hurts": False, "after": after}

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request(base, token, "GET", "/me/plan")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        session = {"id": str(uuid.uuid4()), "before": {key: after[key] for key in after if key != "weakness"}}
        assert post("/me/sessions", session)[0] == 201
        logs = f"/me/sessions/{session['id']}/logs"

        # The same exercise from eight retries at once: stored once, the same answer to each.
        first = log(1)
        answers = at_once([lambda: post(logs, first) for _ in range(8)])
        assert [status for status, _, _ in answers] == [201] * 8
        assert sum(1 for _, headers, _ in answers if headers.get("Idempotent-Replayed") != "true") == 1
        assert len({str(body) for _, _, body in answers}) == 1

        # Eight different second exercises at once (eight tabs): one is stored, the others are told.
        answers = at_once([lambda: post(logs, log(2)) for _ in range(8)])
        statuses = sorted(status for status, _, _ in answers)
        assert statuses == [201] + [409] * 7, answers
        assert {body["error"]["code"] for status, _, body in answers if status == 409} == {"out_of_order"}

        # The third exercise and the end of the session at once: either order, never a log after the end.
        third = log(3)
        logged, finished = at_once(
            [lambda: post(logs, third), lambda: post(f"/me/sessions/{session['id']}/finish", None)]
        )
        assert finished[0] == 200 and finished[2]["status"] == "finished"
        assert logged[0] == 201 or (logged[0], logged[2]["error"]["code"]) == (409, "ended")
        stored = 3 if logged[0] == 201 else 2
        assert finished[2]["next_position"] is None
        again = post(logs, log(stored + 1))
        assert (again[0], again[2]["error"]["code"]) == (409, "ended")
    finally:
        server.terminate()
        server.wait(30)
    counts = django_python(
        "import django, sys; django.setup()\n"
        "from backhome.web.practice.models import ExerciseLog\n"
        "print(ExerciseLog.objects.filter(session_id=sys.argv[1]).count())",
        env,
        session["id"],
    )
    assert counts == stored
