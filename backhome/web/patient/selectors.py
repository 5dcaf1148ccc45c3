"""Every read of the patient app, shaped for its pages. Reads only: writes are in services.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language

from backhome.core import words
from backhome.core.dose import describe_dose, mode_name
from backhome.core.library.load import default_library
from backhome.core.model import Exercise, Tier
from backhome.core.rules.safety import startback_due
from backhome.core.words import TierText, reason_words
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
    """The first step asked with these answers that has an unanswered question (None when all are
    answered)."""
    for step in questions.screening().steps:
        if questions.applies(step, answers) and any(q.field not in answers for q in step.questions):
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
    #: Stopped by a pain check (B30): kept out until its rule or a clinician lets it back.
    red_stop: bool = False


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

    #: The red-flag questions must be answered again before any exercise (B25, B31, RF-21).
    rescreen: bool = False
    #: SB-13: the STarT Back questions are due again (the core's words), or empty.
    startback_due: str = ""

    @property
    def active_exercises(self) -> tuple[PlanExercise, ...]:
        """The exercises to do today (not the suspended ones)."""
        return tuple(e for e in self.exercises if not e.suspended)

    @property
    def listed_exercises(self) -> tuple[PlanExercise, ...]:
        """The programme's list: every exercise but those a pain check stopped (shown apart, B30)."""
        return tuple(e for e in self.exercises if not e.red_stop)

    @property
    def red_stops(self) -> tuple[PlanExercise, ...]:
        return tuple(e for e in self.exercises if e.red_stop)


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
    result = _result(screening, locked=False, person=person)
    if result.page != "plan":
        return result
    if person.needs_rescreen:
        return replace(result, rescreen=True)
    return replace(result, startback_due=_startback_due(screening))


def _startback_due(screening: Screening, today: dt.date | None = None) -> str:
    """SB-13: STarT Back again from 4 weeks after it was last asked (every screening asks it, so the
    latest screening's day is both when the programme took its shape and when it was last asked)."""
    if screening.decided_at is None:
        return ""
    asked = timezone.localdate(screening.decided_at)
    today = today or timezone.localdate()
    if today < asked:
        return ""
    due = startback_due(programme_start=asked, today=today, last_asked=asked)
    return " ".join(r.text for r in due.reasons) if due.holds else ""


def emergency_information() -> Result:
    """The emergency page for someone with no result: what to do, without personal reasons."""
    return Result(
        page="emergency", tier=Tier.EMERGENCY.value, text=tier_text(Tier.EMERGENCY), clinic=clinic()
    )


def tier_text(tier: Tier) -> TierText:
    """The tier's words in the page's language (the decision stored is the same in every language)."""
    return words.tier_text(tier, get_language())


def _reasons(decision: dict[str, Any]) -> tuple[Reason, ...]:
    lang = get_language()
    return tuple(
        Reason(r["rule"], reason_words(r["rule"], r["text"], lang)) for r in decision.get("reasons", [])
    )


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
                stopped_why=(item.red_stop,) if item.red_stop else change_why if item.suspended else (),
                red_stop=item.red_stop is not None,
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
