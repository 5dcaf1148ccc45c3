"""Every read of the self-check, shaped for its pages. Whether a test may run, what a step is and what a
result means are the core's answers (``backhome.core.rules.directional``); this module only gathers what
the core needs and what the pages show."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from django.utils import timezone

from backhome.core.dose import describe_dose, dose_of, mode_name
from backhome.core.library.load import default_library
from backhome.core.model import (
    Block,
    Decision,
    Direction,
    DirectionalResults,
    Dose,
    Monitoring,
    PainCheck,
    Prescription,
    Reason,
    Response,
    Risk,
    Tier,
)
from backhome.core.rules import directional as dpt
from backhome.web.patient.models import Person, PlanItem, Screening
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.selfcheck.models import DirectionalTest

DIRECTIONS: tuple[Direction, ...] = (Direction.EXTENSION, Direction.FLEXION)
TITLES = {Direction.EXTENSION: "Bending backwards", Direction.FLEXION: "Bending forwards"}
RESPONSE_WORDS = {
    Response.FAVOURABLE.value: "It suited you",
    Response.NO_EFFECT.value: "No clear change",
    Response.WORSE.value: "It made things worse",
}

StepKind = Literal["before", "move", "after", "recheck"]

#: The exercise pictured on each movement step (step index -> exercise id of the library).
_PICTURES: dict[Direction, dict[int, str]] = {
    Direction.EXTENSION: {1: "prone-lying", 2: "prone-on-elbows", 3: "prone-press-up"},
    Direction.FLEXION: {1: "single-knee-to-chest", 2: "double-knee-to-chest"},
}
#: Timers for the steps whose text names a time: "up to 5 minutes" in a position (DPT-04), and the
#: 2 minutes' rest before the re-check ("2 to 5 minutes"). A data test checks these against the core's text.
TIMERS: dict[Direction, dict[int, int]] = {
    Direction.EXTENSION: {1: 300, 2: 300, 5: 120},
    Direction.FLEXION: {4: 120},
}


def disclaimer() -> str:
    """DPT-26, shown on every page of the check."""
    return dpt.DISCLAIMER


# --------------------------------------------------------------------------- the procedure


@dataclass(frozen=True)
class Step:
    """One step of the core's procedure, as a page shows it."""

    index: int  # 0-based, as stored in DirectionalTest.step
    number: int  # 1-based, for people
    total: int
    text: str
    kind: StepKind
    timer_s: int | None
    exercise_id: str | None

    @property
    def timer_face(self) -> str:
        """The timer's start, as a clock shows it: "5:00"."""
        seconds = self.timer_s or 0
        return f"{seconds // 60}:{seconds % 60:02d}"

    @property
    def timer_words(self) -> str:
        """ "5-minute", for the timer's button."""
        seconds = self.timer_s or 0
        return f"{seconds // 60}-minute" if seconds % 60 == 0 else f"{seconds}-second"


def steps(direction: Direction) -> tuple[Step, ...]:
    """The core's steps (DPT-04, DPT-05). The first is the measurement before the test, the last two are
    the measurements straight after and after the rest; the ones between are movements."""
    texts = dpt.procedure(direction).steps
    total = len(texts)
    found = []
    for index, text in enumerate(texts):
        kind: StepKind
        if index == 0:
            kind = "before"
        elif index == total - 2:
            kind = "after"
        elif index == total - 1:
            kind = "recheck"
        else:
            kind = "move"
        found.append(
            Step(
                index,
                index + 1,
                total,
                text,
                kind,
                TIMERS[direction].get(index),
                _PICTURES[direction].get(index),
            )
        )
    return tuple(found)


def step_index(direction: Direction, kind: StepKind) -> int:
    return next(s.index for s in steps(direction) if s.kind == kind)


def about(direction: Direction) -> dpt.Procedure:
    return dpt.procedure(direction)


# --------------------------------------------------------------------------- the decision


def decision_of(screening: Screening | None) -> Decision | None:
    """The core's decision as stored on a screening (``backhome.decision/1``), or None if it has none."""
    if screening is None or not isinstance(screening.decision, dict):
        return None
    doc: dict[str, Any] = screening.decision
    if doc.get("schema") != "backhome.decision/1":
        return None
    risk = doc.get("risk")
    return Decision(
        tier=Tier(doc["tier"]),
        rules=tuple(doc["rules"]),
        reasons=tuple(Reason(r["rule"], r["text"]) for r in doc["reasons"]),
        exercises=tuple(
            Prescription(e["id"], Dose(e["sets"], e["reps"], e["hold_s"], e["per_side"], e.get("mode")), ())
            for e in doc["exercises"]
        ),
        blocked=tuple(Block(b["id"], tuple(b["rules"]), b["reason"]) for b in doc["blocked"]),
        risk=None if risk is None else Risk(risk["total"], risk["psychosocial"], risk["category"]),
        monitoring=Monitoring(doc.get("monitoring", Monitoring.STRICT.value)),
    )


# --------------------------------------------------------------------------- tests of a person


def test_for(person: Person | None, test_id: uuid.UUID) -> DirectionalTest | None:
    """A test, only if it is this person's (never by its id alone)."""
    if person is None:
        return None
    return DirectionalTest.objects.filter(pk=test_id, person=person).first()


def test_in_progress(person: Person) -> DirectionalTest | None:
    return (
        DirectionalTest.objects.filter(person=person, status=DirectionalTest.Status.IN_PROGRESS)
        .order_by("-started_at")
        .first()
    )


def _latest_ended(person: Person, direction: Direction) -> DirectionalTest | None:
    return (
        DirectionalTest.objects.filter(person=person, direction=direction.value, ended_at__isnull=False)
        .order_by("-ended_at")
        .first()
    )


def _latest_result(person: Person, direction: Direction) -> DirectionalTest | None:
    """The latest test of a direction with a response from the core (finished or stopped)."""
    return (
        DirectionalTest.objects.filter(person=person, direction=direction.value)
        .exclude(response="")
        .order_by("-ended_at")
        .first()
    )


def settled_results(person: Person) -> DirectionalResults:
    """Each direction's latest settled response (confirmed next morning, or worse at once): what the
    plan is built on (DPT-11). A newer test still waiting for its morning does not count yet."""
    found: dict[str, Response | None] = {}
    for direction in DIRECTIONS:
        test = (
            DirectionalTest.objects.filter(person=person, direction=direction.value)
            .exclude(final_response="")
            .order_by("-settled_at")
            .first()
        )
        found[direction.value] = Response(test.final_response) if test is not None else None
    return DirectionalResults(extension=found["extension"], flexion=found["flexion"])


def last_back_pain(person: Person, screening: Screening) -> tuple[int, dt.datetime] | None:
    """The back pain the person told us last: a self-check measurement or a morning check-in, unless they
    answered the screening questions after it. (A plan reshaped by the self-check copies older answers,
    so its screening's time does not count as a new answer.)"""
    from backhome.web.progress.models import CheckIn

    seen: list[tuple[dt.datetime, int]] = []
    answered = _answered(person, screening)
    if answered is not None:
        seen.append(answered[::-1])
    for test in DirectionalTest.objects.filter(person=person).order_by("-started_at")[:4]:
        seen.append((test.started_at, test.before_back))
        for at, back in (
            (test.after_at, test.after_back),
            (test.recheck_at, test.recheck_back),
            (test.morning_at, test.morning_back),
        ):
            if at is not None and back is not None:
                seen.append((at, back))
    checkin = CheckIn.objects.filter(person=person).order_by("-created_at").first()
    if checkin is not None:
        seen.append((checkin.created_at, checkin.back))
    if not seen:
        return None
    at, back = max(seen, key=lambda pair: pair[0])
    return back, at


def _answered(person: Person, screening: Screening) -> tuple[int, dt.datetime] | None:
    """Back pain and time of the latest screening the person answered (not one the self-check made)."""
    candidates = person.screenings.filter(decided_at__isnull=False).order_by("-decided_at", "-pk")
    for candidate in candidates.only("intake", "decided_at")[:20]:
        intake = candidate.intake
        if isinstance(intake, dict) and "directional" not in intake and candidate.decided_at is not None:
            return int(intake["pain"]["back"]), candidate.decided_at
    intake = screening.intake
    if isinstance(intake, dict) and screening.decided_at is not None:
        return int(intake["pain"]["back"]), screening.decided_at
    return None


# --------------------------------------------------------------------------- may a test run


def permission(
    person: Person,
    direction: Direction,
    *,
    decision: Decision,
    back_pain: int,
    now: dt.datetime,
) -> dpt.Permission:
    """Whether ``direction`` may be tested now, in this order: the core's DPT-01 (tier, EL-04/05/06,
    back pain 7 or less); one test at a time; the core's DPT-02 against the other direction's last test
    (another day, or 1 hour later with back pain back to its level before that test); and the core's
    DPT-25 (a direction already tested is tested again when ``retest_due`` says so, which DPT-24 needs
    before a worse result can change)."""
    first = dpt.may_test(direction, decision, back_pain)
    if not first.allowed:
        return first
    running = test_in_progress(person)
    if running is not None and running.direction != direction.value:
        text = "Please finish or stop the check you have already started first."
        return dpt.Permission(False, (), (Reason("", text),))
    other = Direction.FLEXION if direction is Direction.EXTENSION else Direction.EXTENSION
    previous = _latest_ended(person, other)
    if previous is not None and previous.ended_at is not None:
        done = timezone.localtime(previous.ended_at)
        second = dpt.may_test_second(
            done,
            now=max(timezone.localtime(now), done),
            back_at_baseline=back_pain <= previous.before_back,
        )
        if not second.allowed:
            return second
    last = _latest_result(person, direction)
    if last is not None and last.ended_at is not None:
        tested_on = timezone.localdate(last.ended_at)
        today = max(timezone.localdate(now), tested_on)
        if not dpt.retest_due(tested_on, today=today).due:
            again = tested_on + dt.timedelta(days=dpt.RETEST_DAYS)
            text = (
                f"You did this check on {_day(tested_on)}. It is done again two weeks after the last one, "
                f"so you can do it again from {_day(again)}."
            )
            return dpt.Permission(False, ("DPT-25",), (Reason("DPT-25", text),))
    return dpt.Permission(True, (), ())


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


# --------------------------------------------------------------------------- the overview page


@dataclass(frozen=True)
class Card:
    """One direction on the overview page."""

    direction: str
    title: str
    about: str
    running: DirectionalTest | None
    latest: DirectionalTest | None  # the latest test with a result
    morning_due: bool  # the latest result waits for the next morning, and it is the next day or later
    permission: dpt.Permission

    @property
    def latest_words(self) -> str:
        return result_words(self.latest) if self.latest is not None else ""


@dataclass(frozen=True)
class ChangeLink:
    """A self-check result that reshaped the plan."""

    test_id: uuid.UUID
    title: str
    day: dt.datetime | None


@dataclass(frozen=True)
class Overview:
    screening: Screening | None
    cards: tuple[Card, ...]
    changes: tuple[ChangeLink, ...] = ()  # newest first
    locked: bool = False


def result_words(test: DirectionalTest) -> str:
    """A result in a few plain words: the settled one, else the core's response still waiting for the
    next morning."""
    if test.final_response:
        return RESPONSE_WORDS[test.final_response]
    if test.response:
        return f"{RESPONSE_WORDS[test.response]} (to be confirmed the next morning)"
    return ""


def overview(person: Person | None, *, now: dt.datetime) -> Overview:
    if person is None:
        return Overview(None, ())
    if person.locked:
        return Overview(None, (), (), locked=True)
    screening = screening_latest_decided(person)
    decision = decision_of(screening)
    if screening is None or decision is None:
        return Overview(None, ())
    last = last_back_pain(person, screening)
    back = last[0] if last is not None else 0
    running = test_in_progress(person)
    cards = []
    for direction in DIRECTIONS:
        latest = _latest_result(person, direction)
        cards.append(
            Card(
                direction=direction.value,
                title=TITLES[direction],
                about=about(direction).reasons[0].text,
                running=running if running is not None and running.direction == direction.value else None,
                latest=latest,
                morning_due=latest is not None and morning_due(latest, now=now),
                permission=permission(person, direction, decision=decision, back_pain=back, now=now),
            )
        )
    changes = tuple(
        ChangeLink(test.pk, TITLES[Direction(test.direction)], test.settled_at)
        for test in DirectionalTest.objects.filter(person=person, applied_screening__isnull=False).order_by(
            "-settled_at"
        )[:3]
    )
    return Overview(screening, tuple(cards), changes)


def morning_due(test: DirectionalTest, *, now: dt.datetime) -> bool:
    return bool(
        test.awaiting_morning
        and test.ended_at is not None
        and timezone.localdate(now) > timezone.localdate(test.ended_at)
    )


# --------------------------------------------------------------------------- a result and what it changed


@dataclass(frozen=True)
class Measurement:
    moment: str
    back: int
    leg: int
    zone: str
    numbness: str  # "Yes", "No", or "" when not asked


def _zone_words() -> dict[int, str]:
    from backhome.web.patient import questions

    for step in questions.screening().steps:
        for question in step.questions:
            if question.field == "distal_zone":
                return {int(o.value): o.text for o in question.options}
    return {}


def measurements(test: DirectionalTest) -> tuple[Measurement, ...]:
    """The values the person gave, in order, with the screening's words for the zone."""
    words = _zone_words()
    rows = []
    for moment, prefix in (
        ("Before", "before"),
        ("Straight after", "after"),
        ("After the rest", "recheck"),
        ("The next morning", "morning"),
    ):
        back = getattr(test, f"{prefix}_back")
        if back is None:
            continue
        numbness = getattr(test, f"{prefix}_numbness", None)
        rows.append(
            Measurement(
                moment,
                back,
                getattr(test, f"{prefix}_leg"),
                words.get(getattr(test, f"{prefix}_zone"), ""),
                "" if numbness is None else ("Yes" if numbness else "No"),
            )
        )
    if test.status == DirectionalTest.Status.STOPPED and len(rows) >= 3:
        # a stopped test stores the values at the stop as both "after" and "re-check"
        rows = [rows[0], Measurement("When it stopped", *_values(rows[1])), *rows[3:]]
    return tuple(rows)


def _values(row: Measurement) -> tuple[int, int, str, str]:
    return row.back, row.leg, row.zone, row.numbness


def morning_reasons(test: DirectionalTest) -> tuple[Reason, ...]:
    """What the next morning added to the result (DPT-12), if anything."""
    return tuple(r for r in shown_reasons(test.confirmed_reasons) if r.rule == "DPT-12")


def shown_reasons(reasons: list[dict[str, str]]) -> tuple[Reason, ...]:
    """The core's reasons for a page; DPT-26 is left out because every page already shows it."""
    return tuple(Reason(r["rule"], r["text"]) for r in reasons if r["rule"] != "DPT-26")


def before_check(test: DirectionalTest) -> PainCheck:
    return PainCheck(test.before_back, test.before_leg, test.before_zone, test.before_numbness)


@dataclass(frozen=True)
class Added:
    name: str
    dose: str


@dataclass(frozen=True)
class Held:
    names: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class PlanChange:
    """What a self-check result changed in the plan: the core's programme before and after."""

    added: tuple[Added, ...]
    held_back: tuple[Held, ...]  # in the plan before, held back now, with the core's reason
    kept: tuple[str, ...]
    changed: tuple[Added, ...]  # kept, with another dose or way of doing it
    reasons: tuple[Reason, ...]  # the core's reasons that are new in the reshaped plan


def plan_change(test: DirectionalTest) -> PlanChange | None:
    new = test.applied_screening
    if new is None or not isinstance(new.decision, dict):
        return None
    old = test.previous_screening
    library = default_library()
    old_items = {item.exercise_id: item for item in old.items.all()} if old is not None else {}
    old_ids = set(old_items)
    old_reasons = (
        {(r["rule"], r["text"]) for r in old.decision.get("reasons", [])}
        if old is not None and isinstance(old.decision, dict)
        else set()
    )
    reasons = tuple(Reason(r["rule"], r["text"]) for r in new.decision.get("reasons", []))
    items = list(new.items.all())
    new_ids = {item.exercise_id for item in items}
    added = tuple(
        Added(_name(library, item), describe_dose(dose_of(item)))
        for item in items
        if item.exercise_id not in old_ids
    )
    by_reason: dict[str, list[str]] = {}
    for block in new.decision.get("blocked", []):
        if block["id"] in old_ids and block["id"] not in new_ids:
            by_reason.setdefault(block["reason"], []).append(library[block["id"]].name)
    held = tuple(Held(tuple(names), reason) for reason, names in by_reason.items())
    kept = tuple(library[item.exercise_id].name for item in items if item.exercise_id in old_ids)
    changed = tuple(
        Added(_name(library, item), describe_dose(dose_of(item)))
        for item in items
        if item.exercise_id in old_items and _shape(item) != _shape(old_items[item.exercise_id])
    )
    fresh = tuple(r for r in reasons if (r.rule, r.text) not in old_reasons)
    return PlanChange(added, held, kept, changed, fresh)


def _shape(item: PlanItem) -> tuple[int, int, int, bool, str]:
    return item.sets, item.reps, item.hold_s, item.per_side, item.mode


def _name(library: Any, item: PlanItem) -> str:
    mode = mode_name(item.mode)
    name: str = library[item.exercise_id].name
    return f"{name} ({mode})" if mode else name
