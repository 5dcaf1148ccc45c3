"""A patient's timeline (the patient page's "What happened"): one entry per session, morning check-in,
dose change, screening, clinician's change, lifted lock and the day the person joined, newest first,
each with the rules' reasons as the other apps stored them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from backhome.core.dose import describe_dose, dose_from_json, dose_of
from backhome.core.model import Tier
from backhome.core.words import tier_text
from backhome.web.clinic.editor.changes import change_text
from backhome.web.clinic.models import Membership, ProgrammeChange
from backhome.web.clinic.words import exercise_name
from backhome.web.patient.models import EmergencyLockClearance, Person, Screening
from backhome.web.practice.models import ExerciseSession, Light
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.progress.selectors import STIFFNESS_WORDS


@dataclass(frozen=True)
class Line:
    """One detail of a timeline entry: a text and, when it is a rule's reason, the rule id."""

    text: str
    rule: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    day: dt.date
    at: dt.datetime
    kind: str  # screening, session, checkin, dose, clinician, joined, clearance
    kind_words: str
    title: str
    summary: str = ""
    lines: tuple[Line, ...] = ()
    flag: str = ""  # red, amber, ok or "": a word on the entry, never colour alone
    lights: tuple[tuple[str, str], ...] = ()  # (exercise name, light) for a session


STATUS_WORDS: dict[str, str] = {
    ExerciseSession.Status.FINISHED: "finished",
    ExerciseSession.Status.STOPPED: "stopped early",
    ExerciseSession.Status.IN_PROGRESS: "not finished",
}
ACTION_WORDS: dict[str, str] = {
    DoseChange.Action.PROGRESS: "one step up",
    DoseChange.Action.HOLD: "stays the same",
    DoseChange.Action.REGRESS: "made easier",
    DoseChange.Action.SUSPEND: "stopped for now",
}
KIND_WORDS: dict[str, str] = {
    ProgrammeChange.Kind.ADD: "added",
    ProgrammeChange.Kind.REMOVE: "removed",
    ProgrammeChange.Kind.DOSE: "dose changed",
    ProgrammeChange.Kind.MONITORING: "monitoring changed",
    ProgrammeChange.Kind.CLEARANCE: "clearance",
    ProgrammeChange.Kind.UNLOCK: "lock cleared",
}


def reason_lines(reasons: Iterable[Any] | None) -> tuple[Line, ...]:
    out = []
    for reason in reasons or ():
        if isinstance(reason, dict):
            out.append(Line(str(reason.get("text", "")), str(reason.get("rule", ""))))
        elif reason:
            out.append(Line(str(reason)))
    return tuple(dict.fromkeys(line for line in out if line.text))


def _json_words(value: Any) -> str:
    """A ProgrammeChange's before/after, in a few words (a dose, a mode, a list of clearances)."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, dict):
        if {"sets", "reps", "hold_s"} <= set(value):
            return describe_dose(dose_from_json(value), with_mode=True)
        return ", ".join(f"{k}: {_json_words(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_json_words(v) for v in value)
    return str(value)


def _session_entry(session: ExerciseSession) -> TimelineEntry:
    logs = list(session.logs.all())
    lights = tuple(
        (exercise_name(log.exercise_id), log.light or "no light") for log in logs if not log.skipped
    )
    counts = {light: sum(1 for _, shown in lights if shown == light) for light in ("green", "amber", "red")}
    parts = [f"{counts[k]} {k}" for k in ("green", "amber", "red") if counts[k]]
    skipped = sum(1 for log in logs if log.skipped)
    if skipped:
        parts.append(f"{skipped} skipped")
    summary = (
        f"Pain before: back {session.before_back}, leg {session.before_leg} out of 10. "
        f"Exercises: {', '.join(parts) if parts else 'none logged'}."
    )
    lines: list[Line] = []
    for log in logs:
        if log.light in (Light.RED, Light.AMBER):
            for line in reason_lines(log.reasons):
                lines.append(Line(f"{exercise_name(log.exercise_id)}: {line.text}", line.rule))
    if session.status == ExerciseSession.Status.STOPPED:
        if session.stop_advice:
            lines.append(Line(f"Advice given: {session.stop_advice}"))
        for rule in session.stop_rules or ():
            if not any(line.rule == rule for line in lines):
                lines.append(Line("Stop rule", str(rule)))
    flag = "red" if counts["red"] or session.status == ExerciseSession.Status.STOPPED else ""
    flag = flag or ("amber" if counts["amber"] else "")
    return TimelineEntry(
        day=session.day,
        at=session.started_at,
        kind="session",
        kind_words="Session",
        title=f"Session {STATUS_WORDS.get(session.status, session.status)}",
        summary=summary,
        lines=tuple(lines),
        flag=flag,
        lights=lights,
    )


def _checkin_entry(checkin: CheckIn) -> TimelineEntry:
    tolerated = {True: "the day before went well", False: "the day before was not tolerated", None: ""}[
        checkin.tolerated
    ]
    summary = (
        f"Back {checkin.back}, leg {checkin.leg} out of 10. "
        f"{STIFFNESS_WORDS.get(checkin.stiffness, checkin.stiffness)}."
    )
    if tolerated:
        summary += f" Verdict: {tolerated}."
    return TimelineEntry(
        day=checkin.date,
        at=checkin.created_at,
        kind="checkin",
        kind_words="Check-in",
        title="Morning check-in",
        summary=summary,
        lines=reason_lines(checkin.reasons),
        flag="amber" if checkin.tolerated is False else "",
    )


def _dose_entry(change: DoseChange) -> TimelineEntry:
    day = change.starts_on or timezone.localdate(change.created_at)
    return TimelineEntry(
        day=day,
        at=change.created_at,
        kind="dose",
        kind_words="Dose",
        title=f"{exercise_name(change.exercise_id)}: {ACTION_WORDS.get(change.action, change.action)}",
        summary=""
        if change.action == DoseChange.Action.SUSPEND
        else f"Now: {describe_dose(dose_of(change), with_mode=True)}.",
        lines=reason_lines(change.reasons) or tuple(Line("", r) for r in change.rules or ()),
        flag="amber" if change.action in (DoseChange.Action.SUSPEND, DoseChange.Action.REGRESS) else "",
    )


def _screening_entry(screening: Screening) -> TimelineEntry:
    assert screening.decided_at is not None
    decision = screening.decision or {}
    tier = screening.tier or "emergency"
    try:
        title = tier_text(Tier(tier)).title
    except ValueError:
        title = tier
    names = [
        exercise_name(e["id"]) for e in decision.get("exercises", []) if isinstance(e, dict) and "id" in e
    ]
    summary = f"Result: {tier}."
    if names:
        summary += f" Programme: {', '.join(names)}."
    lines = list(reason_lines(decision.get("reasons")))
    for block in decision.get("blocked", []) or ():
        if isinstance(block, dict):
            lines.append(
                Line(
                    f"Held back: {exercise_name(str(block.get('id', '')))}: {block.get('reason', '')}",
                    ", ".join(block.get("rules", [])),
                )
            )
    return TimelineEntry(
        day=timezone.localdate(screening.decided_at),
        at=screening.decided_at,
        kind="screening",
        kind_words="Screening",
        title=f"Screening: {title}",
        summary=summary,
        lines=tuple(lines),
        flag="red" if tier in ("emergency", "urgent") else ("amber" if tier == "soon" else ""),
    )


#: Who made a change, for a clinic that is not the one whose clinician made it.
ANOTHER_CLINIC = "A clinician at another clinic"


def _clinician_entry(change: ProgrammeChange, clinic_id: int) -> TimelineEntry:
    """A clinician's change. A clinic reads the who and the why only of its own clinicians' changes; of
    another clinic's (before the patient moved) it reads what changed, in the words the patient read."""
    own = change.clinic_id == clinic_id
    who = change.changed_by.get_username() if own else ANOTHER_CLINIC
    what = KIND_WORDS.get(change.kind, change.kind)
    title = f"{who}: {what}"
    if change.exercise_id:
        title += f" – {exercise_name(change.exercise_id)}"
    summary = f"Why: {change.why}" if own else f"{change_text(change)}."
    lines = []
    if change.before is not None or change.after is not None:
        lines.append(Line(f"Before: {_json_words(change.before)}. After: {_json_words(change.after)}."))
    return TimelineEntry(
        day=timezone.localdate(change.created_at),
        at=change.created_at,
        kind="clinician",
        kind_words="Clinician",
        title=title,
        summary=summary,
        lines=tuple(lines),
    )


def _clearance_entry(clearance: EmergencyLockClearance) -> TimelineEntry:
    """A lifted lock; its note and who wrote it only for the clinic of the clinician who lifted it
    (``own``, annotated by :func:`timeline`)."""
    own = bool(getattr(clearance, "own", False))
    who = clearance.cleared_by.get_username() if own else ANOTHER_CLINIC
    return TimelineEntry(
        day=timezone.localdate(clearance.cleared_at),
        at=clearance.cleared_at,
        kind="clearance",
        kind_words="Clinician",
        title=f"{who}: emergency lock cleared",
        summary=f"Note: {clearance.note}" if own else "",
    )


def timeline(
    person: Person,
    *,
    clinic_id: int,
    since: dt.date,
    until: dt.date,
    start_at: dt.datetime,
    end_at: dt.datetime,
    sessions: Sequence[ExerciseSession],
    checkins: Sequence[CheckIn],
    joined_at: dt.datetime,
) -> tuple[TimelineEntry, ...]:
    """The entries from ``since`` to ``until`` (``start_at`` to ``end_at`` as moments), newest first, as
    the clinic ``clinic_id`` may read them: its own clinicians' notes, not another clinic's.

    The sessions (with their logs) and check-ins are the page's, which reads them for its charts too;
    the dose changes, screenings, clinicians' changes and lifted locks are read here: four queries.
    """
    dose_changes = DoseChange.objects.filter(
        person=person, created_at__gte=start_at, created_at__lt=end_at
    ).order_by("created_at")
    screenings = Screening.objects.filter(
        person=person, decided_at__gte=start_at, decided_at__lt=end_at
    ).order_by("decided_at")
    clinician_changes = (
        ProgrammeChange.objects.filter(person=person, created_at__gte=start_at, created_at__lt=end_at)
        .select_related("changed_by")
        .order_by("created_at")
    )
    clearances = (
        EmergencyLockClearance.objects.filter(person=person, cleared_at__gte=start_at, cleared_at__lt=end_at)
        .annotate(
            own=Exists(Membership.objects.filter(clinic_id=clinic_id, user_id=OuterRef("cleared_by_id")))
        )
        .select_related("cleared_by")
        .order_by("cleared_at")
    )
    entries: list[TimelineEntry] = []
    entries += [_session_entry(s) for s in sessions if since <= s.day <= until]
    entries += [_checkin_entry(c) for c in checkins if since <= c.date <= until]
    # A clinician's dose change is stored twice: as the programme's DoseChange (rule "clinician") and as
    # the clinician's ProgrammeChange, which says who and why; the timeline shows it once, as the latter.
    entries += [_dose_entry(c) for c in dose_changes if CLINICIAN_RULE not in (c.rules or ())]
    entries += [_screening_entry(s) for s in screenings]
    entries += [_clinician_entry(c, clinic_id) for c in clinician_changes]
    entries += [_clearance_entry(c) for c in clearances]
    joined_day = timezone.localdate(joined_at)
    if since <= joined_day <= until:
        entries.append(
            TimelineEntry(
                day=joined_day,
                at=joined_at,
                kind="joined",
                kind_words="Clinic",
                title="Joined the clinic",
                summary="From this day the clinic sees this person's answers, plan, sessions and pain.",
            )
        )
    entries.sort(key=lambda e: (e.day, e.at), reverse=True)
    return fold_quiet_days(entries)


#: The rule id of a dose change a clinician made (``editor.choices.CLINICIAN``).
CLINICIAN_RULE = "clinician"
#: This many quiet days in a row or more fold into one line.
FOLD_MIN_DAYS = 3


def _quiet(entry: TimelineEntry) -> bool:
    """An entry with nothing to look at: a session or morning check-in with no flag and no reasons."""
    return entry.kind in ("session", "checkin") and not entry.flag and not entry.lines


def fold_quiet_days(entries: Sequence[TimelineEntry]) -> tuple[TimelineEntry, ...]:
    """Runs of ``FOLD_MIN_DAYS`` or more days whose every entry is quiet (all green, nothing to read),
    folded into one line: "28 quiet days: 28 sessions, 27 morning check-ins, all green". Anything with
    a flag or a reason breaks the run and stays on its own line. ``entries`` are newest first."""
    out: list[TimelineEntry] = []
    run: list[TimelineEntry] = []

    def flush() -> None:
        days = {e.day for e in run}
        if len(days) >= FOLD_MIN_DAYS:
            sessions = sum(1 for e in run if e.kind == "session")
            checkins = len(run) - sessions
            first, last = min(days), max(days)
            parts = [p for p in (_count(sessions, "session"), _count(checkins, "morning check-in")) if p]
            out.append(
                TimelineEntry(
                    day=last,
                    at=run[0].at,
                    kind="quiet",
                    kind_words="Quiet days",
                    title=f"{len(days)} quiet days, {first:%d %b} to {last:%d %b}",
                    summary=f"{', '.join(parts)}: every exercise green, no stop, nothing reported.",
                    flag="ok",
                )
            )
        else:
            out.extend(run)
        run.clear()

    loud_days = {e.day for e in entries if not _quiet(e)}
    for entry in entries:
        if entry.day not in loud_days:
            run.append(entry)
        else:
            flush()
            out.append(entry)
    flush()
    return tuple(out)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}" if n else ""
