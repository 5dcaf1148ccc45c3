"""Every read of the patient app, shaped for its pages. Reads only: writes are in services.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.db.models import Prefetch

from backhome.core.dose import describe_dose, mode_name
from backhome.core.library.load import default_library
from backhome.core.model import Exercise, Tier
from backhome.core.words import TierText, tier_text
from backhome.web.patient import questions
from backhome.web.patient.models import Person, PlanItem, Screening
from backhome.web.patient.services import SESSION_KEY

if TYPE_CHECKING:  # progress.selectors imports this module
    from backhome.web.progress.selectors import RecentChanges

#: Which page shows a result of each tier.
PAGE_FOR_TIER = {
    Tier.EMERGENCY: "emergency",
    Tier.URGENT: "urgent",
    Tier.SOON: "soon",
    Tier.REFER: "plan",
    Tier.PROCEED: "plan",
}


def person_for_session(session: SessionBase) -> Person | None:
    person_id = session.get(SESSION_KEY)
    if person_id is None:
        return None
    return Person.objects.select_related("emergency_screening").filter(pk=person_id).first()


def person_id_for_session(session: SessionBase) -> int | None:
    """The id of the browser's person, from the session alone (no query; the person may since have been
    deleted: whatever reads with it must find nothing then)."""
    person_id = session.get(SESSION_KEY)
    return person_id if isinstance(person_id, int) else None


def person_ref_for_session(session: SessionBase) -> Person | None:
    """The browser's person as a reference that carries only its id (no query). Only for a service that
    reads the person's rows with it in its own query, and so finds nothing for a person who no longer
    exists (the session log); never read its fields."""
    person_id = person_id_for_session(session)
    return None if person_id is None else Person(pk=person_id)


@dataclass(frozen=True)
class PlanStamp:
    """Everything the plan page's content depends on, read in one query (``plan_stamp``).

    Two equal stamps mean the same page: the person's lock, their latest decided screening, the count and
    newest of that screening's plan items and dose changes, and the referral card's clinic. ``created``
    and the timestamps make a stamp unique to one person even if a database reuses ids."""

    values: tuple[object, ...]
    locked: bool
    #: The clinicians' changes the person has not seen yet: the page shows them once, so it is not cached.
    unseen_changes: int

    @property
    def cacheable(self) -> bool:
        return not self.locked and self.unseen_changes == 0


@cache
def _plan_stamp_sql() -> str:
    def table(label: str) -> str:
        return connection.ops.quote_name(apps.get_model(label)._meta.db_table)

    person, screening, item = table("patient.Person"), table("patient.Screening"), table("patient.PlanItem")
    change, enrolment = table("progress.DoseChange"), table("clinic.Enrolment")
    clinic, programme_change = table("clinic.Clinic"), table("clinic.ProgrammeChange")
    return f"""
SELECT p.created_at, p.emergency_locked_at, p.emergency_screening_id, s.id, s.decided_at,
  (SELECT COUNT(*) FROM {item} i WHERE i.screening_id = s.id),
  (SELECT MAX(i.id) FROM {item} i WHERE i.screening_id = s.id),
  (SELECT COUNT(*) FROM {change} d WHERE d.screening_id = s.id),
  (SELECT MAX(d.id) FROM {change} d WHERE d.screening_id = s.id),
  (SELECT MAX(d.created_at) FROM {change} d WHERE d.screening_id = s.id),
  c.id, c.name, c.phone, c.url,
  (SELECT COUNT(*) FROM {programme_change} pc WHERE pc.person_id = p.id AND pc.seen_at IS NULL)
FROM {person} p
LEFT JOIN {screening} s ON s.id = (
  SELECT s2.id FROM {screening} s2 WHERE s2.person_id = p.id AND s2.decided_at IS NOT NULL
  ORDER BY s2.decided_at DESC, s2.id DESC LIMIT 1)
LEFT JOIN {clinic} c ON c.id = (SELECT e.clinic_id FROM {enrolment} e WHERE e.person_id = p.id)
WHERE p.id = %s"""


def plan_stamp(person_id: int) -> PlanStamp | None:
    """The version of a person's plan page (one query, no ORM: it runs on every plan page). None for a
    person who does not exist."""
    with connection.cursor() as cursor:
        cursor.execute(_plan_stamp_sql(), [person_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return PlanStamp(values=(person_id, *row[:-1]), locked=row[1] is not None, unseen_changes=int(row[-1]))


def screening_open(person: Person | None) -> Screening | None:
    if person is None:
        return None
    return person.screenings.filter(decided_at__isnull=True).order_by("-created_at").first()


def screening_latest_decided(person: Person) -> Screening | None:
    """The latest decided screening (it gives the current plan), with its plan items."""
    return (
        person.screenings.filter(decided_at__isnull=False)
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("position")))
        .order_by("-decided_at", "-pk")
        .first()
    )


def next_step(answers: dict[str, Any]) -> str | None:
    """The first step with an unanswered question (None when all are answered)."""
    for step in questions.screening().steps:
        if any(q.field not in answers for q in step.questions):
            return step.id
    return None


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str


@dataclass(frozen=True)
class PlanExercise:
    exercise_id: str
    name: str
    mode: str
    dose: str
    summary: str
    why: tuple[str, ...]
    mode_id: str | None = None  # for the picture: slider, tensioner, extension_only
    hold_s: int = 0
    #: Stopped for now (DS-07, PM-41, ND-05, or paused in a flare, PM-43), with the core's reasons.
    suspended: bool = False
    stopped_why: tuple[str, ...] = ()
    #: Why the exercise is at its current dose, when a check-in changed it (the change's reasons).
    dose_why: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeldBack:
    """Exercises held back for one reason (several often share it: said once, not four times)."""

    exercise_ids: tuple[str, ...]
    names: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Result:
    """What a person's current result page shows."""

    page: str  # "none", "emergency", "urgent", "soon" or "plan"
    tier: str = ""
    text: TierText | None = None
    reasons: tuple[Reason, ...] = ()
    exercises: tuple[PlanExercise, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    #: The latest dose changes with what they replaced (progress.selectors.RecentChanges), or None.
    changes: RecentChanges | None = None
    locked: bool = False
    screening: Screening | None = None
    clinic: dict[str, str] = field(default_factory=dict)

    @property
    def active_exercises(self) -> tuple[PlanExercise, ...]:
        """The exercises to do today (not the suspended ones)."""
        return tuple(e for e in self.exercises if not e.suspended)


def clinic(person: Person | None = None) -> dict[str, str]:
    """Who the referral card sends a person to: the clinic they joined, else the site's setting."""
    if person is not None:
        from backhome.web.clinic.models import Enrolment  # the clinic app builds on this one

        enrolment = Enrolment.objects.select_related("clinic").filter(person_id=person.pk).first()
        if enrolment is not None:
            joined = enrolment.clinic
            return {"name": joined.name, "phone": joined.phone, "url": joined.url}
    return dict(settings.CLINIC)


def result_for_person(person: Person | None) -> Result:
    """The page a person's latest result belongs on. A locked person always gets the emergency page."""
    if person is None:
        return Result(page="none", clinic=clinic())
    if person.locked:
        return _result(person.emergency_screening, locked=True, person=person)
    screening = screening_latest_decided(person)
    if screening is None:
        return Result(page="none", clinic=clinic())
    return _result(screening, locked=False, person=person)


def emergency_information() -> Result:
    """The emergency page for someone with no result: what to do, without personal reasons."""
    return Result(
        page="emergency", tier=Tier.EMERGENCY.value, text=tier_text(Tier.EMERGENCY), clinic=clinic()
    )


def _reasons(decision: dict[str, Any]) -> tuple[Reason, ...]:
    return tuple(Reason(r["rule"], r["text"]) for r in decision.get("reasons", []))


def _result(screening: Screening | None, *, locked: bool, person: Person | None = None) -> Result:
    if screening is None or screening.decision is None:
        # A lock without its screening (the screening was deleted): still the emergency page.
        tier = Tier.EMERGENCY
        return Result(
            page="emergency", tier=tier.value, text=tier_text(tier), locked=locked, clinic=clinic(person)
        )
    decision = screening.decision
    tier = Tier.EMERGENCY if locked else Tier(screening.tier)
    page = PAGE_FOR_TIER[tier]
    reasons = _reasons(decision)
    exercises: tuple[PlanExercise, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    changes = None
    if page == "plan":
        exercises, held_back, changes = _plan(screening, decision, reasons)
    return Result(
        page=page,
        tier=tier.value,
        text=tier_text(tier),
        reasons=reasons,
        exercises=exercises,
        held_back=held_back,
        changes=changes,
        locked=locked,
        screening=screening,
        clinic=clinic(person),
    )


def _plan(
    screening: Screening, decision: dict[str, Any], reasons: tuple[Reason, ...]
) -> tuple[tuple[PlanExercise, ...], tuple[HeldBack, ...], RecentChanges | None]:
    """The programme in words, at the current doses (``progress.selectors``: the starting doses as
    changed by the morning check-ins). An exercise's "why" is the text of the decision's reasons for the
    rules the core gave it, and for the rules its library entry names that fired in this decision; a
    suspended exercise says why it stopped; the latest changes come with what they replaced."""
    from backhome.web.progress.selectors import programme_for_screening, recent_changes

    library = default_library()
    text_of = {r.rule: r.text for r in reasons}
    programme = programme_for_screening(screening)
    exercises = []
    for item in programme.items if programme is not None else ():
        exercise = library[item.exercise_id]
        rules = [*item.rules, *(r for r in exercise.rules if r not in item.rules)]
        why = tuple(dict.fromkeys(text_of[r] for r in rules if r in text_of))
        mode = item.dose.mode
        change_why = tuple(str(r["text"]) for r in (item.change.reasons if item.change else []) or [])
        exercises.append(
            PlanExercise(
                exercise_id=item.exercise_id,
                name=exercise.name,
                mode=mode_name(mode),
                dose=describe_dose(item.dose),
                summary=exercise.summary,
                why=why,
                mode_id=mode,
                hold_s=item.dose.hold_s,
                suspended=item.suspended,
                stopped_why=change_why if item.suspended else (),
                dose_why=() if item.suspended else change_why,
            )
        )
    by_reason: dict[str, list[str]] = {}
    for block in decision.get("blocked", []):
        by_reason.setdefault(block["reason"], []).append(block["id"])
    held = tuple(
        HeldBack(tuple(ids), tuple(library[i].name for i in ids), reason) for reason, ids in by_reason.items()
    )
    changes = recent_changes(programme) if programme is not None else None
    return tuple(exercises), held, changes


def library_exercises() -> tuple[Exercise, ...]:
    """The exercises of the library in programme order (content, not a person's data)."""
    return default_library().exercises
