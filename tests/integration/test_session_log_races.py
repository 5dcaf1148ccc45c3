"""The session log decides from a read outside the write transaction, and inside it checks that nothing
changed meanwhile before it inserts (practice.services.log_record). Whatever another request wrote in
between, Dana's log is decided again from what is stored: never stored twice, never out of order, never
added to a session that has ended."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction

from backhome.core.model import PainCheck
from backhome.web.practice import services
from backhome.web.practice.api import ApiError
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from tests.integration.people import person_with_plan

pytestmark = pytest.mark.django_db

BEFORE = PainCheck(back=3, leg=2, zone=3, numbness=False)
SAME = PainCheck(back=3, leg=2, zone=3, numbness=False)


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


def meanwhile(monkeypatch: pytest.MonkeyPatch, write: Callable[[], None]) -> list[bool]:
    """Run ``write`` (another request, committed) after Dana's log was decided and before her write
    transaction begins; returns what the transaction's check answered for her log."""
    real_turn, real_check = services.write_turn, services._unchanged
    answers: list[bool] = []
    state = {"turns": 0, "other": False}

    @contextmanager
    def turn() -> Iterator[None]:
        state["turns"] += 1
        if state["turns"] == 1:
            state["other"] = True
            write()
            state["other"] = False
        with real_turn():
            yield

    def check(*args: Any) -> bool:
        answer = real_check(*args)
        if not state["other"]:
            answers.append(answer)
        return answer

    monkeypatch.setattr(services, "write_turn", turn)
    monkeypatch.setattr(services, "_unchanged", check)
    return answers


@pytest.fixture
def dana_in_session() -> tuple[Any, uuid.UUID]:
    dana, _ = person_with_plan()
    session, _ = services.session_start(person=dana, id=uuid.uuid4(), before=BEFORE)
    return dana, session.id


def test_with_nothing_in_between_the_log_is_written_after_one_check(
    monkeypatch: pytest.MonkeyPatch, dana_in_session: tuple[Any, uuid.UUID]
) -> None:
    dana, session_id = dana_in_session
    answers = meanwhile(monkeypatch, lambda: None)
    _, created = record(dana, session_id, uuid.uuid4())
    assert created and answers == [True]
    assert list(ExerciseLog.objects.values_list("position", flat=True)) == [1]


def test_the_same_exercise_recorded_meanwhile_makes_this_one_out_of_order(
    monkeypatch: pytest.MonkeyPatch, dana_in_session: tuple[Any, uuid.UUID]
) -> None:
    dana, session_id = dana_in_session
    answers = meanwhile(monkeypatch, lambda: record(dana, session_id, uuid.uuid4()))
    with pytest.raises(ApiError) as refused:
        record(dana, session_id, uuid.uuid4())
    assert refused.value.code == "out_of_order" and answers == [False]
    assert ExerciseLog.objects.count() == 1


def test_the_same_id_stored_meanwhile_by_a_retry_is_answered_with_the_stored_log(
    monkeypatch: pytest.MonkeyPatch, dana_in_session: tuple[Any, uuid.UUID]
) -> None:
    dana, session_id = dana_in_session
    log_id = uuid.uuid4()
    answers = meanwhile(monkeypatch, lambda: record(dana, session_id, log_id))
    log, created = record(dana, session_id, log_id)
    assert not created and log.pk == log_id and answers == [False]
    assert ExerciseLog.objects.count() == 1


def test_a_session_that_ended_meanwhile_takes_no_more_logs(
    monkeypatch: pytest.MonkeyPatch, dana_in_session: tuple[Any, uuid.UUID]
) -> None:
    dana, session_id = dana_in_session
    answers = meanwhile(monkeypatch, lambda: services.session_finish(person=dana, session_id=session_id))
    with pytest.raises(ApiError) as refused:
        record(dana, session_id, uuid.uuid4())
    assert refused.value.code == "ended" and answers == [False]
    assert not ExerciseLog.objects.exists()
    assert ExerciseSession.objects.get(pk=session_id).status == ExerciseSession.Status.FINISHED


@pytest.mark.django_db(transaction=True)
def test_a_retry_committed_while_this_log_waited_for_the_session_s_row_lock_is_seen_after_the_wait() -> None:
    """PostgreSQL: the check inside the transaction waits for the session's row lock, then sees what the
    lock's holder committed (a statement's subqueries would still see the database from before the wait)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no row lock to wait for (a writer holds the whole database from its transaction's "
            "start), and its in-memory test database refuses a second writer instead of letting it wait"
        )
    dana, _ = person_with_plan()
    session, _ = services.session_start(person=dana, id=uuid.uuid4(), before=BEFORE)
    log_id = uuid.uuid4()
    holding, done = threading.Event(), threading.Event()

    def other_request() -> None:  # the same log sent again, from another worker
        try:
            with transaction.atomic():
                ExerciseSession.objects.select_for_update().get(pk=session.id)
                record(dana, session.id, log_id)
                holding.set()
                time.sleep(0.5)  # this log's check is waiting for the row meanwhile
        finally:
            connection.close()
            done.set()

    other = threading.Thread(target=other_request)
    other.start()
    assert holding.wait(10)
    log, created = record(dana, session.id, log_id)
    other.join(10)
    assert done.is_set()
    assert (log.pk, created) == (log_id, False)
    assert ExerciseLog.objects.filter(session_id=session.id).count() == 1
