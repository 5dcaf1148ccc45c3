"""Every write of a guided session. Each one asks the core and stores what it answered.

A session follows ``current_programme(person).active`` as it is at the start (kept on the session, so a
dose change later that day does not change a session that has begun), limited by DS-01
(``todays_exercises``). After each exercise the core's ``evaluate`` compares the check with the
pre-exercise value (``pre_exercise_check``, PM-12) in the session's monitoring mode, and the light,
rules, reasons and advice are stored as given. A result that ends the session stops it. Ids come
from the browser: a write retried with the same id finds what it wrote and returns it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from backhome.core.model import Monitoring, PainCheck
from backhome.core.rules.monitor import ExerciseCheck, evaluate
from backhome.core.rules.session import pre_exercise_check, stop_before_start, todays_exercises
from backhome.web.patient.models import Person
from backhome.web.practice.api import ApiError, invalid
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.practice.prepared import Prepared, insert, run
from backhome.web.practice.writeturn import write_turn
from backhome.web.progress.selectors import current_programme

Status = ExerciseSession.Status


def _not_found() -> ApiError:
    return ApiError(404, "not_found", "There is no such session.")


def _ended() -> ApiError:
    return ApiError(409, "ended", "This session has already ended, so nothing more can be added to it.")


def _recheck_pending() -> ApiError:
    return ApiError(
        409,
        "recheck_pending",
        "First tell us whether your back pain has come back down after the rest.",
    )


def _locked_person(person: Person | None) -> Person | None:
    """The person's row, locked for the rest of the transaction, so two starts of one person queue."""
    if person is None:
        return None
    return Person.objects.select_for_update().filter(pk=person.pk).first()


def _session_of(session_id: UUID, person_id: int) -> QuerySet[ExerciseSession]:
    return ExerciseSession.objects.filter(pk=session_id, person_id=person_id).order_by()[:1]


def _logs_of(session_id: UUID, log_id: UUID) -> QuerySet[ExerciseLog]:
    """The session's logs and, from any session, the log with ``log_id`` (unordered)."""
    return ExerciseLog.objects.filter(Q(session_id=session_id) | Q(pk=log_id)).order_by()


#: The two reads of every session log, compiled once (``prepared``).
_SESSION_OF = Prepared(
    ExerciseSession,
    _session_of,
    (ExerciseSession._meta.get_field("id"), ExerciseSession._meta.get_field("person")),
)
_LOGS_OF = Prepared(
    ExerciseLog, _logs_of, (ExerciseLog._meta.get_field("session"), ExerciseLog._meta.get_field("id"))
)


def _own_session(person: Person | None, session_id: UUID, *, for_update: bool = True) -> ExerciseSession:
    """The person's session, locked for the transaction unless ``for_update`` is False (404 for anyone
    else's: nothing is revealed)."""
    if person is None:
        raise _not_found()
    if for_update:
        found = list(ExerciseSession.objects.select_for_update().filter(pk=session_id, person=person)[:1])
    else:
        found = _SESSION_OF(session_id, person.pk)
    if not found:
        raise _not_found()
    return found[0]


def session_before(session: ExerciseSession) -> PainCheck:
    return PainCheck(
        back=session.before_back,
        leg=session.before_leg,
        zone=session.before_zone,
        numbness=session.before_numbness,
        red_flag=session.before_red_flag,
    )


def log_after(log: ExerciseLog) -> PainCheck | None:
    """The check after an exercise, or None for a skipped one."""
    if log.skipped or log.after_back is None:
        return None
    return PainCheck(
        back=log.after_back,
        leg=int(log.after_leg or 0),
        zone=int(log.after_zone or 0),
        numbness=bool(log.after_numbness),
        weakness=log.after_weakness,
        red_flag=log.after_red_flag,
    )


def _stop(session: ExerciseSession, check: ExerciseCheck) -> None:
    session.status = Status.STOPPED
    session.stop_rules = list(check.rules)
    session.stop_advice = check.advice
    session.ended_at = timezone.now()
    session.save(update_fields=["status", "stop_rules", "stop_advice", "ended_at"])


# --------------------------------------------------------------------------- start


def session_start(
    *, person: Person | None, id: UUID, before: PainCheck, today: dt.date | None = None
) -> tuple[ExerciseSession, bool]:
    """Start a session with the pain check before it (PM-01). Returns the session and whether it is new.

    Refused (409) for a locked person, a person without a programme, or when DS-01 leaves no exercise
    for one more session today. A warning sign (PM-14) stores the session already stopped.
    """
    today = today or timezone.localdate()
    with write_turn(), transaction.atomic():
        # The person's lock first: a retry that arrives while its first send is still being stored waits
        # here, then finds it (looked up before the lock, it would miss it and meet DS-01 on PostgreSQL).
        person = _locked_person(person)
        existing = ExerciseSession.objects.select_for_update().filter(pk=id).first()
        if existing is not None:
            if person is None or existing.person_id != person.pk:
                raise _not_found()
            if session_before(existing) != before:
                raise ApiError(409, "id_reused", "This session id was already used with other answers.")
            return existing, False
        if person is None:
            raise ApiError(
                409, "no_programme", "You have no programme yet: answer the questions first to get one."
            )
        if person.locked:
            raise ApiError(
                409,
                "locked",
                "Your answers showed a warning sign, so exercises are stopped until a clinician has seen you.",
            )
        programme = current_programme(person)
        if programme is None or not programme.active:
            raise ApiError(409, "no_programme", "There is no exercise in your programme to do today.")
        decision: dict[str, Any] = programme.screening.decision or {}
        sessions_today = ExerciseSession.objects.filter(person=person, day=today).count()
        today_ok = todays_exercises(
            [item.exercise_id for item in programme.active],
            sessions_today=sessions_today,
            programme_rules=decision.get("rules", []),
        )
        if not today_ok.allowed:
            raise ApiError(409, "sessions_used_up", " ".join(r.text for r in today_ok.reasons))
        items = [item for item in programme.active if item.exercise_id in today_ok.allowed]
        mode = Monitoring(decision.get("monitoring", Monitoring.STRICT.value))
        session = ExerciseSession.objects.create(
            id=id,
            person=person,
            screening=programme.screening,
            monitoring=mode.value,
            day=today,
            before_back=before.back,
            before_leg=before.leg,
            before_zone=before.zone,
            before_numbness=before.numbness,
            before_red_flag=before.red_flag,
            programme=[
                {
                    "position": number,
                    "exercise_id": item.exercise_id,
                    "sets": item.dose.sets,
                    "reps": item.dose.reps,
                    "hold_s": item.dose.hold_s,
                    "per_side": item.dose.per_side,
                    "mode": item.dose.mode,
                }
                for number, item in enumerate(items, 1)
            ],
        )
        stop = stop_before_start(before, mode)
        if stop is not None:
            _stop(session, stop)
        _scan_alerts(person)
        return session, True


# --------------------------------------------------------------------------- one exercise


def _same_log(
    log: ExerciseLog,
    *,
    position: int,
    sets_done: int,
    skipped: bool,
    it_hurts: bool,
    after: PainCheck | None,
) -> bool:
    return (
        log.position == position
        and log.sets_done == sets_done
        and log.skipped == skipped
        and log.it_hurts == it_hurts
        and log_after(log) == after
    )


def _apply(log: ExerciseLog, after: PainCheck, check: ExerciseCheck) -> None:
    """Store the check and the core's answer exactly as given (a pending PM-13 re-check has no light)."""
    log.after_back = after.back
    log.after_leg = after.leg
    log.after_zone = after.zone
    log.after_numbness = after.numbness
    log.after_weakness = after.weakness
    log.after_red_flag = after.red_flag
    log.light = "" if check.needs_recheck else check.light.value
    log.needs_recheck = check.needs_recheck
    log.recheck_minutes = check.recheck_minutes
    log.end_session = check.end_session
    log.rules = list(check.rules)
    log.reasons = [{"rule": r.rule, "text": r.text} for r in check.reasons]
    log.advice = check.advice


def _pre_exercise(
    session: ExerciseSession, position: int, logs: list[ExerciseLog] | None = None
) -> PainCheck:
    """PM-12's reference for an exercise: the check before the session as the earlier exercises left it
    (``logs``: the session's logs in order, when already read)."""
    if logs is None:
        logs = list(session.logs.filter(position__lt=position).order_by("position"))
    earlier = [log_after(log) for log in logs if log.position < position]
    return pre_exercise_check(session_before(session), earlier)


@dataclass(frozen=True)
class _Prepared:
    """A log decided from what was read: new (to be saved) or the stored one of a retry."""

    log: ExerciseLog
    new: bool
    check: ExerciseCheck | None
    #: How many logs the session had when this was decided.
    logged: int


def _log_prepared(
    person: Person | None,
    session_id: UUID,
    *,
    id: UUID,
    position: int,
    sets_done: int,
    skipped: bool,
    it_hurts: bool,
    after: PainCheck | None,
    for_update: bool,
) -> _Prepared:
    """Read the session and its logs, refuse what cannot be recorded (``ApiError``), and decide the log:
    the stored one for a retry of the same id and body, else a new one with the core's answer."""
    session = _own_session(person, session_id, for_update=for_update)
    # One read: the session's logs so far and, from any session, a log that already has this id.
    found = _LOGS_OF(session.pk, id) if not for_update else _logs_of(session.pk, id)
    rows = sorted(found, key=lambda row: row.position)
    existing = next((row for row in rows if row.pk == id), None)
    if existing is not None:
        same = existing.session_id == session.pk and _same_log(
            existing,
            position=position,
            sets_done=sets_done,
            skipped=skipped,
            it_hurts=it_hurts,
            after=after,
        )
        if not same:
            raise ApiError(409, "id_reused", "This exercise id was already used with other answers.")
        existing.session = session
        return _Prepared(existing, False, None, 0)
    if session.status != Status.IN_PROGRESS:
        raise _ended()
    programme: list[dict[str, Any]] = session.programme
    if position > len(programme):
        raise invalid(
            "Some values are missing or wrong.",
            [("position", f"This session has {len(programme)} exercises.")],
        )
    item = programme[position - 1]
    if sets_done > item["sets"]:
        raise invalid(
            "Some values are missing or wrong.",
            [("sets_done", f"This exercise has {item['sets']} set{'s' if item['sets'] != 1 else ''}.")],
        )
    logged = [row for row in rows if row.session_id == session.pk]
    if any(row.needs_recheck for row in logged):
        raise _recheck_pending()
    expected = len(logged) + 1
    if position != expected:
        raise ApiError(
            409,
            "out_of_order",
            f"Exercise {position} is not the next one: the next one to record is number {expected}.",
        )
    log = ExerciseLog(
        id=id,
        session=session,
        position=position,
        exercise_id=item["exercise_id"],
        sets=item["sets"],
        reps=item["reps"],
        hold_s=item["hold_s"],
        per_side=item["per_side"],
        mode=item["mode"] or "",
        sets_done=sets_done,
        skipped=skipped,
        it_hurts=it_hurts,
    )
    check = None
    if after is not None:
        before = _pre_exercise(session, position, logged)
        check = evaluate(before, after, Monitoring(session.monitoring))
        _apply(log, after, check)
    return _Prepared(log, True, check, len(logged))


def _unchanged(session: ExerciseSession, log_id: UUID, logged: int) -> bool:
    """Inside the write transaction: whether the session is still in progress with ``logged`` logs and
    no log has ``log_id``, i.e. what a log was decided from still holds. SQL without the ORM: this runs
    while the database's write lock is held (SQLite), where every tenth of a millisecond counts.

    On PostgreSQL the session's row is locked first, and the logs are counted by a second statement:
    a statement that waited for the lock still sees, in its subqueries, the database as it was when it
    began, so it would miss a log that the lock's holder committed meanwhile. SQLite has no row lock
    (the transaction holds the whole database from its start): there it is one statement."""
    pk = ExerciseSession._meta.pk
    assert pk is not None
    key, log_key = pk.get_db_prep_value(session.pk, connection), pk.get_db_prep_value(log_id, connection)
    lock, counts, both = _unchanged_sql()
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            run(cursor, lock, [key])
            row = cursor.fetchone()
            if row is not None:
                run(cursor, counts, [key, log_key])
                row = (row[0], *cursor.fetchone())
        else:
            run(cursor, both, [key, log_key, key])
            row = cursor.fetchone()
    if row is None:
        return False
    status, count, taken = row
    return status == Status.IN_PROGRESS and int(count) == logged and not taken


@cache
def _unchanged_sql() -> tuple[str, str, str]:
    """The row lock, the two counts, and both at once (without the lock, for SQLite)."""
    quote = connection.ops.quote_name
    sessions, logs = quote(ExerciseSession._meta.db_table), quote(ExerciseLog._meta.db_table)
    counts = (
        f"(SELECT COUNT(*) FROM {logs} WHERE session_id = %s), (SELECT COUNT(*) FROM {logs} WHERE id = %s)"
    )
    return (
        f"SELECT status FROM {sessions} WHERE id = %s FOR UPDATE",
        f"SELECT {counts}",
        f"SELECT status, {counts} FROM {sessions} WHERE id = %s",
    )


def log_record(
    *,
    person: Person | None,
    session_id: UUID,
    id: UUID,
    position: int,
    sets_done: int,
    skipped: bool,
    it_hurts: bool,
    after: PainCheck | None,
) -> tuple[ExerciseLog, bool]:
    """Record one exercise of a session: skipped, or its pain check and the core's light for it.

    Exercises are logged in order, one at a time; the next waits while a PM-13 re-check is pending.
    Returns the log and whether it is new (False: a retry of the same id and body).
    """

    # Decided from a read outside the write transaction; the transaction (SQLite lets one writer in at a
    # time) then only checks that nothing changed meanwhile and inserts. When something did, the log is
    # decided again inside it, from what is stored then.
    def decided(*, for_update: bool) -> _Prepared:
        return _log_prepared(
            person,
            session_id,
            id=id,
            position=position,
            sets_done=sets_done,
            skipped=skipped,
            it_hurts=it_hurts,
            after=after,
            for_update=for_update,
        )

    prepared = decided(for_update=False)
    if not prepared.new:
        return prepared.log, False
    with write_turn(), transaction.atomic():
        if not _unchanged(prepared.log.session, id, prepared.logged):
            prepared = decided(for_update=True)
            if not prepared.new:
                return prepared.log, False
        log, check = prepared.log, prepared.check
        insert(log)  # log.save(force_insert=True), compiled once (prepared.py)
        if check is not None and check.end_session:
            _stop(log.session, check)
        _scan_log_alerts(person, log)
        return log, True


def log_recheck(
    *, person: Person | None, session_id: UUID, log_id: UUID, settled: bool
) -> tuple[ExerciseLog, bool]:
    """PM-13's answer after the rest: has back pain come back down to the pre-exercise value?

    The core evaluates the exercise again with ``settled`` and the stored result replaces the
    provisional one. Returns the log and whether it changed (False: a retry of the same answer).
    """
    with write_turn(), transaction.atomic():
        session = _own_session(person, session_id)
        log = session.logs.filter(pk=log_id).first()
        if log is None:
            raise ApiError(404, "not_found", "There is no such exercise in this session.")
        if log.settled is not None:
            if log.settled == settled:
                return log, False
            raise ApiError(409, "already_answered", "This re-check has already been answered.")
        after = log_after(log)
        if not log.needs_recheck or after is None:
            raise ApiError(409, "no_recheck", "This exercise has no re-check to answer.")
        if session.status != Status.IN_PROGRESS:
            raise _ended()
        check = evaluate(
            _pre_exercise(session, log.position), after, Monitoring(session.monitoring), settled=settled
        )
        log.settled = settled
        _apply(log, after, check)
        log.save()
        if check.end_session:
            _stop(session, check)
        _scan_log_alerts(person, log)
        return log, True


def session_finish(*, person: Person | None, session_id: UUID) -> tuple[ExerciseSession, bool]:
    """End a session normally (the person may end it before the last exercise). Finishing a finished
    session again changes nothing; a stopped one cannot be finished."""
    with write_turn(), transaction.atomic():
        session = _own_session(person, session_id)
        if session.status == Status.FINISHED:
            return session, False
        if session.status != Status.IN_PROGRESS:
            raise _ended()
        if session.logs.filter(needs_recheck=True).exists():
            raise _recheck_pending()
        session.status = Status.FINISHED
        session.ended_at = timezone.now()
        session.save(update_fields=["status", "ended_at"])
        _scan_alerts(person)
        return session, True


def _scan_alerts(person: Person | None) -> None:
    """A clinic hears of a RED stop or a warning sign at once: the clinic app scans after the commit."""
    if person is None:
        return
    from backhome.web.clinic.alerts import alerts_scan_after_commit  # the clinic app builds on this one

    alerts_scan_after_commit(person=person)


def _scan_log_alerts(person: Person | None, log: ExerciseLog) -> None:
    """The alert this log raises, if any, after the commit: a log adds no other kind of event, so the
    clinic app looks at this log alone (nothing at all for a log without a RED result or a warning sign)."""
    if person is None:
        return
    from backhome.web.clinic.alerts import alerts_scan_log_after_commit  # the clinic app builds on this one

    alerts_scan_log_after_commit(person=person, log=log)
