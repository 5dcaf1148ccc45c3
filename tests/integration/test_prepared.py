"""The session log's compiled reads and insert (practice/prepared.py) give exactly what the ORM gives."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from backhome.core.model import PainCheck
from backhome.web.practice import services
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.practice.prepared import insert
from tests.integration.people import person_with_plan

pytestmark = pytest.mark.django_db


def values(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.fixture
def session() -> ExerciseSession:
    dana, _ = person_with_plan()
    before = PainCheck(back=3, leg=2, zone=3, numbness=False)
    started, _ = services.session_start(person=dana, id=uuid.uuid4(), before=before)
    return started


def a_log(session: ExerciseSession, position: int) -> ExerciseLog:
    item = session.programme[0]  # the same exercise's dose whatever the position
    return ExerciseLog(
        id=uuid.uuid4(),
        session=session,
        position=position,
        exercise_id=item["exercise_id"],
        sets=item["sets"],
        reps=item["reps"],
        hold_s=item["hold_s"],
        per_side=item["per_side"],
        mode=item["mode"] or "",
        sets_done=1,
        after_back=4,
        after_leg=0,
        after_zone=0,
        after_numbness=False,
        settled=None,
        light="amber",
        rules=["PM-07", "PM-12"],
        reasons=["Back pain went up by one point."],
        advice="Keep to a gentle range.",
    )


def test_the_compiled_insert_stores_the_row_the_orm_would_store(session: ExerciseSession) -> None:
    mine, theirs = a_log(session, 1), a_log(session, 2)
    insert(mine)
    theirs.save(force_insert=True)
    assert not mine._state.adding and mine._state.db == "default"
    assert mine.created_at is not None and mine.updated_at is not None
    stored_mine, stored_theirs = ExerciseLog.objects.get(pk=mine.pk), ExerciseLog.objects.get(pk=theirs.pk)
    ignored = {"id", "position", "created_at", "updated_at"}
    assert {k: v for k, v in values(stored_mine).items() if k not in ignored} == {
        k: v for k, v in values(stored_theirs).items() if k not in ignored
    }
    assert stored_mine.rules == ["PM-07", "PM-12"] and stored_mine.settled is None
    assert stored_mine.created_at == mine.created_at


def test_values_not_yet_of_their_field_s_type_are_converted_as_the_orm_converts_them(
    session: ExerciseSession,
) -> None:
    log = a_log(session, 1)
    log.__dict__.update(sets_done="1", after_numbness="True", after_weakness=0)  # as a form might give them
    insert(log)
    stored = ExerciseLog.objects.get(pk=log.pk)
    assert (stored.sets_done, stored.after_numbness, stored.after_weakness) == (1, True, False)
    assert type(stored.sets_done) is int


def test_the_compiled_reads_give_the_orm_s_instances(session: ExerciseSession) -> None:
    log = a_log(session, 1)
    insert(log)
    read = services._SESSION_OF(session.pk, session.person_id)
    assert [values(row) for row in read] == [values(ExerciseSession.objects.get(pk=session.pk))]
    assert isinstance(read[0].id, uuid.UUID) and isinstance(read[0].programme, list)
    logs = services._LOGS_OF(session.pk, uuid.uuid4())
    assert [values(row) for row in logs] == [values(ExerciseLog.objects.get(pk=log.pk))]
    assert not logs[0]._state.adding
    assert services._SESSION_OF(session.pk, session.person_id + 1) == [], "another person's: nothing"


def test_a_model_with_save_receivers_is_saved_the_orm_s_way(session: ExerciseSession) -> None:
    heard: list[Any] = []

    def receiver(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append((instance.pk, created))

    post_save.connect(receiver, sender=ExerciseLog)
    try:
        log = a_log(session, 1)
        insert(log)
    finally:
        post_save.disconnect(receiver, sender=ExerciseLog)
    assert heard == [(log.pk, True)]
    assert ExerciseLog.objects.filter(pk=log.pk).exists()


def test_prepared_statements_are_counted_while_django_logs_queries(session: ExerciseSession) -> None:
    with CaptureQueriesContext(connection) as captured:
        insert(a_log(session, 1))
        services._SESSION_OF(session.pk, session.person_id)
    assert [query["sql"].split()[0] for query in captured.captured_queries] == ["INSERT", "SELECT"]


def test_a_refused_prepared_insert_raises_django_s_error_and_leaves_the_transaction_usable(
    session: ExerciseSession,
) -> None:
    log = a_log(session, 1)
    insert(log)
    again = a_log(session, 2)
    again.id = log.id
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(again)
    assert ExerciseLog.objects.filter(session=session).count() == 1


def test_a_prepared_statement_in_a_broken_transaction_is_refused_as_by_the_orm(
    session: ExerciseSession,
) -> None:
    log = a_log(session, 1)
    insert(log)
    with transaction.atomic():
        try:
            with transaction.atomic(savepoint=False):
                insert(log)  # the same id again
        except IntegrityError:
            pass
        with pytest.raises(TransactionManagementError):
            services._SESSION_OF(session.pk, session.person_id)
