"""Every write of a guided session. Each one asks the core and stores what it answered.

A session follows ``current_programme(person).active`` as it is at the start (kept on the session, so a
dose change later that day does not change a session that has begun), limited by DS-01
(``todays_exercises``). After each exercise the core's ``evaluate`` compares the check with the
pre-exercise value (``pre_exercise_check``, PM-12) in the session's monitoring mode, and the light,
rules, reasons and advice are stored as given. A result that ends the session stops it. Ids come
from the browser: a write retried with the same id finds what it wrote and returns it.

Each write is one transaction that first locks the row it depends on (the person's for a start, the
session's for the others), then reads, decides with the core and saves: two requests for one session,
whichever worker gets them, are decided one after the other (on SQLite the transaction holds the
database's write lock from its start, ``transaction_mode`` in settings). Refusals are the domain errors
of ``backhome.web.errors``; the API gives each its status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backhome.core.model import Monitoring, PainCheck
from backhome.core.rules.monitor import ExerciseCheck, evaluate
from backhome.core.rules.safety import stop_for
from backhome.core.rules.session import pre_exercise_check, stop_before_start, todays_exercises
from backhome.web.errors import Conflict, Invalid, NotFound
from backhome.web.patient.models import Person
from backhome.web.patient.services import person_require_rescreen
from backhome.web.practice.models import ExerciseLog, ExerciseSession, ExerciseStop
from backhome.web.progress.selectors import current_programme

Status = ExerciseSession.Status


#: The message of a refusal that names the wrong fields.
WRONG_VALUES = "Some values are missing or wrong."


def _not_found() -> NotFound:
    return NotFound("There is no such session.")


def _ended() -> Conflict:
    return Conflict("This session has already ended, so nothing more can be added to it.", code="ended")


def _recheck_pending() -> Conflict:
    return Conflict(
        "First tell us whether your back pain has come back down after the rest.", code="recheck_pending"
    )


def _locked_person(person: Person | None) -> Person | None:
    """The person's row, locked for the rest of the transaction, so two starts of one person queue."""
    if person is None:
        return None
    return Person.objects.select_for_update().filter(pk=person.pk).first()


def _own_session(person: Person | None, session_id: UUID) -> ExerciseSession:
    """The person's session, its row locked for the rest of the transaction, so that the writes of one
    session take turns (``NotFound`` for anyone else's: nothing is revealed)."""
    if person is None:
        raise _not_found()
    found = ExerciseSession.objects.select_for_update().filter(pk=session_id, person=person).first()
    if found is None:
        raise _not_found()
    return found


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
    if "PM-14" in check.rules:
        # B25/B31: a warning sign ends the session and the red-flag questions come next, before any
        # more exercise.
        person_require_rescreen(person=session.person)


#: What a session start answers while a re-screen is pending (the plan page links to the questions).
RESCREEN_FIRST = (
    "Before any more exercise, please answer the safety questions again: something you told us may be "
    "a warning sign, or is new or different."
)


def _keep_stop(session: ExerciseSession, log: ExerciseLog, check: ExerciseCheck) -> None:
    """B30: a RED pain check keeps its exercise out of every later session until its rule lets it back."""
    stop = stop_for(log.exercise_id, check, session.day)
    if stop is not None:
        ExerciseStop.objects.get_or_create(
            log=log,
            defaults={
                "person_id": session.person_id,
                "exercise_id": stop.exercise_id,
                "rule": stop.rule,
                "day": stop.date,
                "session": session,
            },
        )


# --------------------------------------------------------------------------- start


def session_start(
    *, person: Person | None, id: UUID, before: PainCheck, today: dt.date | None = None
) -> tuple[ExerciseSession, bool]:
    """Start a session with the pain check before it (PM-01). Returns the session and whether it is new.

    Refused (``Conflict``) for a locked person, a person without a programme, or when DS-01 leaves no
    exercise for one more session today, and for an id already used with another check. A warning sign
    (PM-14) stores the session already stopped.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        # The person's lock first: a retry that arrives while its first send is still being stored waits
        # here, then finds it (looked up before the lock, it would miss it and meet DS-01 on PostgreSQL).
        person = _locked_person(person)
        existing = ExerciseSession.objects.select_for_update().filter(pk=id).first()
        if existing is not None:
            if person is None or existing.person_id != person.pk:
                raise _not_found()
            if session_before(existing) != before:
                raise Conflict("This session id was already used with other answers.", code="id_reused")
            return existing, False
        if person is None:
            raise Conflict(
                "You have no programme yet: answer the questions first to get one.", code="no_programme"
            )
        if person.locked:
            raise Conflict(
                "Your answers showed a warning sign, so exercises are stopped until a doctor or physical therapist has seen you.",
                code="locked",
            )
        if person.needs_rescreen:
            raise Conflict(RESCREEN_FIRST, code="rescreen")
        programme = current_programme(person, today=today)
        if programme is None or not programme.active:
            raise Conflict("There is no exercise in your programme to do today.", code="no_programme")
        decision: dict[str, Any] = programme.screening.decision or {}
        sessions_today = ExerciseSession.objects.filter(person=person, day=today).count()
        today_ok = todays_exercises(
            [item.exercise_id for item in programme.active],
            sessions_today=sessions_today,
            programme_rules=decision.get("rules", []),
        )
        if not today_ok.allowed:
            raise Conflict(" ".join(r.text for r in today_ok.reasons), code="sessions_used_up")
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


def _pre_exercise(session: ExerciseSession, position: int, logs: list[ExerciseLog]) -> PainCheck:
    """PM-12's reference for an exercise: the check before the session as the earlier exercises left it
    (``logs``: the session's logs in order)."""
    earlier = [log_after(log) for log in logs if log.position < position]
    return pre_exercise_check(session_before(session), earlier)


def _log_fields(*, skipped: bool, it_hurts: bool, after: PainCheck | None) -> None:
    """The rules between a log's fields: a skipped exercise has no pain check, any other has one."""
    if skipped and after is not None:
        raise Invalid(WRONG_VALUES, fields=[("after", "A skipped exercise has no pain check.")])
    if skipped and it_hurts:
        raise Invalid(
            WRONG_VALUES,
            fields=[("it_hurts", "An exercise that hurt is not skipped: send its pain check instead.")],
        )
    if not skipped and after is None:
        raise Invalid(WRONG_VALUES, fields=[("after", "This field is required.")])


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
    Returns the log and whether it is new (False: a retry of the same id and body). The session's row
    is locked first, so the logs of one session are decided one after the other, each from what the
    one before stored.
    """
    _log_fields(skipped=skipped, it_hurts=it_hurts, after=after)
    with transaction.atomic():
        session = _own_session(person, session_id)
        # One read: the session's logs so far and, from any session, a log that already has this id.
        rows = list(ExerciseLog.objects.filter(Q(session=session) | Q(pk=id)).order_by("position"))
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
                raise Conflict("This exercise id was already used with other answers.", code="id_reused")
            existing.session = session
            return existing, False
        if session.status != Status.IN_PROGRESS:
            raise _ended()
        programme: list[dict[str, Any]] = session.programme
        if position > len(programme):
            raise Invalid(
                WRONG_VALUES, fields=[("position", f"This session has {len(programme)} exercises.")]
            )
        item = programme[position - 1]
        if sets_done > item["sets"]:
            plural = "s" if item["sets"] != 1 else ""
            raise Invalid(
                WRONG_VALUES, fields=[("sets_done", f"This exercise has {item['sets']} set{plural}.")]
            )
        logged = [row for row in rows if row.session_id == session.pk]
        if any(row.needs_recheck for row in logged):
            raise _recheck_pending()
        expected = len(logged) + 1
        if position != expected:
            raise Conflict(
                f"Exercise {position} is not the next one: the next one to record is number {expected}.",
                code="out_of_order",
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
            check = evaluate(_pre_exercise(session, position, logged), after, Monitoring(session.monitoring))
            _apply(log, after, check)
        log.save(force_insert=True)
        if check is not None:
            _keep_stop(session, log, check)
        if check is not None and check.end_session:
            _stop(session, check)
        _scan_log_alerts(person, log)
        return log, True


def log_recheck(
    *, person: Person | None, session_id: UUID, log_id: UUID, settled: bool
) -> tuple[ExerciseLog, bool]:
    """PM-13's answer after the rest: has back pain come back down to the pre-exercise value?

    The core evaluates the exercise again with ``settled`` and the stored result replaces the
    provisional one. Returns the log and whether it changed (False: a retry of the same answer).
    """
    with transaction.atomic():
        session = _own_session(person, session_id)
        logs = list(session.logs.order_by("position"))
        log = next((row for row in logs if row.pk == log_id), None)
        if log is None:
            raise NotFound("There is no such exercise in this session.")
        if log.settled is not None:
            if log.settled == settled:
                return log, False
            raise Conflict("This re-check has already been answered.", code="already_answered")
        after = log_after(log)
        if not log.needs_recheck or after is None:
            raise Conflict("This exercise has no re-check to answer.", code="no_recheck")
        if session.status != Status.IN_PROGRESS:
            raise _ended()
        check = evaluate(
            _pre_exercise(session, log.position, logs), after, Monitoring(session.monitoring), settled=settled
        )
        log.settled = settled
        _apply(log, after, check)
        log.save()
        _keep_stop(session, log, check)
        if check.end_session:
            _stop(session, check)
        _scan_log_alerts(person, log)
        return log, True


def session_finish(*, person: Person | None, session_id: UUID) -> tuple[ExerciseSession, bool]:
    """End a session normally (the person may end it before the last exercise). Finishing a finished
    session again changes nothing; a stopped one cannot be finished."""
    with transaction.atomic():
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
