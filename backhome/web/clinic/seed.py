"""Made-up data at clinic scale, for benchmarks and demos: ``backhome seed-clinic``.

A clinic with N patients, each with a screening decided by the real core (a handful of distinct
intakes, so the decisions are true ones), an enrolment, and D days of history: daily sessions with
their exercise logs, next-morning check-ins, weekly dose steps up the exercise's envelope, and an
alert for each session a RED light stopped. Nothing here is a clinical rule: the lights, stops and
dose steps are invented as the other apps would have stored them, with a fixed random seed.

Pain follows one of four courses: most people get better over a few weeks (by 2 to 5 points), some
slowly, some not at all, and a few stop practising after a while. Adherence differs per person.

Rows are written with ``bulk_create`` in batches, one transaction per group of patients, so a big
seed neither holds one huge transaction nor slows down for it. The times that the models fill in
themselves (``auto_now_add``) are set to the made-up days instead, for the duration of the seed only.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from backhome.core.contract import decision_to_json, parse_intake
from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import Context
from backhome.web.clinic.models import Alert, Clinic, Enrolment, Membership, Role
from backhome.web.clinic.services import clinic_create
from backhome.web.patient.models import Person, PlanItem, Screening
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn, DoseChange

#: Patients written per transaction.
PATIENTS_PER_COMMIT = 200
BATCH_SIZE = 2000

_NO = {
    "cancer": False,
    "osteoporosis": False,
    "long_term_steroids": False,
    "vertebral_fracture": False,
    "spinal_stenosis": False,
    "disc_herniation": False,
    "immunosuppression": False,
    "iv_drug_use": False,
    "lumbar_surgery": "none",
}
_SYMPTOMS = {
    name: False
    for name in (
        "bladder_change",
        "bowel_change",
        "saddle_numbness",
        "sexual_dysfunction",
        "both_legs",
        "major_trauma",
        "minor_trauma",
        "fever",
        "unwell",
        "weight_loss",
        "night_pain",
        "thoracic_pain",
        "worse_straining",
        "progressive_pain",
        "lateral_shift",
        "eased_by_bending_forward",
    )
}
_BASE_INTAKE: dict[str, Any] = {
    "schema": "backhome.intake/1",
    "age": 45,
    "pregnant": False,
    "weeks": 3,
    "pain": {"back": 5, "leg": 0},
    "distal_zone": 1,
    "numbness": False,
    "history": _NO,
    "symptoms": {**_SYMPTOMS, "leg_weakness": "none"},
    "startback": {"agree": [False] * 8, "bothersome": "slightly"},
}
#: The kinds of patient: (history flags, age, share of patients).
PROFILES: tuple[tuple[str, dict[str, Any], int, float], ...] = (
    ("disc", {"disc_herniation": True}, 38, 0.45),
    ("stenosis", {"spinal_stenosis": True}, 72, 0.25),
    ("plain", {}, 50, 0.30),
)
#: Pain courses: (name, share, points of improvement range, weeks to get there).
COURSES: tuple[tuple[str, float], ...] = (("better", 0.55), ("slow", 0.2), ("flat", 0.18), ("dropout", 0.07))


@dataclass
class SeedResult:
    clinic: Clinic
    admin_email: str
    patients: int
    sessions: int
    logs: int
    checkins: int
    dose_changes: int
    alerts: int
    seconds: float


@contextlib.contextmanager
def _own_timestamps(*fields: models.Field[Any, Any]) -> Iterator[None]:
    """Let the seed set ``auto_now``/``auto_now_add`` fields itself (restored afterwards)."""
    saved = [(f, getattr(f, "auto_now", False), getattr(f, "auto_now_add", False)) for f in fields]
    for f in fields:
        f.auto_now = False  # type: ignore[attr-defined]
        f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now = now  # type: ignore[attr-defined]
            f.auto_now_add = now_add  # type: ignore[attr-defined]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return model._meta.get_field(name)  # type: ignore[return-value]


class _Table:
    """Rows of one big table, kept as model instances and written with ``bulk_create`` in batches."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.rows: list[models.Model] = []
        self.written = 0

    def add(self, **values: Any) -> None:
        self.rows.append(self.model(**values))

    def flush(self) -> int:
        written = len(self.rows)
        self.model._default_manager.bulk_create(self.rows, batch_size=BATCH_SIZE)
        self.written += written
        self.rows.clear()
        return written


def _intake(profile: dict[str, Any], age: int, back: int, leg: int) -> dict[str, Any]:
    doc = copy.deepcopy(_BASE_INTAKE)
    doc["age"] = age
    doc["history"].update(profile)
    doc["pain"] = {"back": back, "leg": leg}
    doc["distal_zone"] = 0 if leg == 0 else (2 if leg < 4 else 3)
    if profile.get("spinal_stenosis"):
        doc["symptoms"]["eased_by_bending_forward"] = True
    return doc


class _Decisions:
    """The core's decision for each distinct made-up intake, decided once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, int, int], tuple[dict[str, Any], dict[str, Any]]] = {}

    def get(self, profile_name: str, profile: dict[str, Any], age: int, back: int, leg: int) -> Any:
        key = (profile_name, back, leg)
        if key not in self.cache:
            doc = _intake(profile, age, back, leg)
            decision = decide(parse_intake(doc), Context())
            self.cache[key] = (doc, decision_to_json(decision))
        return self.cache[key]


#: Ids come from their own generator, seeded by the system: the same ``seed`` twice gives the same
#: data, never the same ids.
_IDS = random.Random()


def _uuid(_rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=_IDS.getrandbits(128), version=4)


def _admin(clinic: Clinic) -> str:
    """The seeded clinic's admin (no password: set one with ``backhome clinic add-clinician``)."""
    email = f"seed-admin-{clinic.pk}@backhome.example"
    user_model = get_user_model()
    user = user_model._default_manager.filter(username=email).first()
    if user is None:
        user = user_model._default_manager.create_user(username=email, email=email, password=None)
    Membership.objects.get_or_create(clinic=clinic, user=user, defaults={"role": Role.ADMIN})
    return email


def seed_clinic(
    *,
    patients: int,
    days: int,
    clinic_name: str = "Seed Clinic",
    today: dt.date | None = None,
    seed: int = 20261123,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Write a clinic named ``clinic_name`` (made if missing) with ``patients`` new patients and
    ``days`` days of history each, ending yesterday evening (today's session not done yet)."""
    if patients < 0 or days < 1:
        raise ValueError("patients must be 0 or more and days 1 or more")
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    clinic = Clinic.objects.filter(name=clinic_name).order_by("pk").first() or clinic_create(name=clinic_name)
    admin_email = _admin(clinic)
    decisions = _Decisions()
    library = default_library()
    counts = {"sessions": 0, "logs": 0, "checkins": 0, "dose_changes": 0, "alerts": 0}
    weights = [p[3] for p in PROFILES]
    course_weights = [c[1] for c in COURSES]

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)

    stamps = (
        _field(Screening, "created_at"),
        _field(Enrolment, "joined_at"),
        _field(DoseChange, "created_at"),
        _field(Alert, "created_at"),
        _field(Person, "created_at"),
        _field(ExerciseSession, "started_at"),
        _field(ExerciseLog, "created_at"),
        _field(ExerciseLog, "updated_at"),
        _field(CheckIn, "created_at"),
    )
    done = 0
    with _own_timestamps(*stamps):
        while done < patients:
            group = min(PATIENTS_PER_COMMIT, patients - done)
            with transaction.atomic():
                _seed_group(
                    clinic=clinic,
                    first_number=done + 1,
                    count=group,
                    days=days,
                    today=today,
                    rng=rng,
                    at=at,
                    decisions=decisions,
                    library=library,
                    weights=weights,
                    course_weights=course_weights,
                    counts=counts,
                )
            done += group
            if progress is not None:
                progress(done, patients)
    return SeedResult(
        clinic=clinic,
        admin_email=admin_email,
        patients=patients,
        seconds=time.perf_counter() - started,
        **counts,
    )


def _seed_group(
    *,
    clinic: Clinic,
    first_number: int,
    count: int,
    days: int,
    today: dt.date,
    rng: random.Random,
    at: Callable[..., dt.datetime],
    decisions: _Decisions,
    library: Any,
    weights: list[float],
    course_weights: list[float],
    counts: dict[str, int],
) -> None:
    start = today - dt.timedelta(days=days)
    people = []
    plans = []
    for _ in range(count):
        name, flags, age, _share = rng.choices(PROFILES, weights=weights)[0]
        back0 = rng.randint(3, 8)
        leg0 = rng.choice((0, 0, 2, 3, 4, 5)) if name != "plain" else rng.choice((0, 0, 0, 2))
        intake, decision = decisions.get(name, flags, age, back0, leg0)
        joined = start + dt.timedelta(days=rng.randint(0, max(days // 10, 0)))
        people.append(Person(created_at=at(joined, 8, rng.randint(0, 59))))
        plans.append((intake, decision, joined, back0, leg0))
    Person.objects.bulk_create(people, batch_size=BATCH_SIZE)

    screenings = [
        Screening(
            person=person,
            answers={},
            intake=intake,
            decision=decision,
            tier=decision["tier"],
            created_at=at(joined, 8, 30),
            decided_at=at(joined, 8, 40),
        )
        for person, (intake, decision, joined, _b, _l) in zip(people, plans, strict=True)
    ]
    Screening.objects.bulk_create(screenings, batch_size=BATCH_SIZE)
    items = []
    for screening in screenings:
        for number, exercise in enumerate((screening.decision or {})["exercises"], 1):
            items.append(
                PlanItem(
                    screening=screening,
                    position=number,
                    exercise_id=exercise["id"],
                    sets=exercise["sets"],
                    reps=exercise["reps"],
                    hold_s=exercise["hold_s"],
                    per_side=exercise["per_side"],
                    mode=exercise["mode"] or "",
                    rules=[],
                )
            )
    PlanItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                person=person,
                clinic=clinic,
                label=f"Patient {first_number + i:05d}",
                joined_at=at(plan[2], 9),
            )
            for i, (person, plan) in enumerate(zip(people, plans, strict=True))
        ],
        batch_size=BATCH_SIZE,
    )

    sessions = _Table(ExerciseSession)
    logs = _Table(ExerciseLog)
    checkins = _Table(CheckIn)
    changes: list[DoseChange] = []
    alerts: list[Alert] = []

    def flush(final: bool = False) -> None:
        if final or len(logs.rows) >= 20 * BATCH_SIZE:
            counts["sessions"] += sessions.flush()
            counts["logs"] += logs.flush()
            counts["checkins"] += checkins.flush()
            DoseChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
            Alert.objects.bulk_create(alerts, batch_size=BATCH_SIZE)
            counts["dose_changes"] += len(changes)
            counts["alerts"] += len(alerts)
            changes.clear()
            alerts.clear()

    for person, screening, (_intake, decision, joined, back0, leg0) in zip(
        people, screenings, plans, strict=True
    ):
        course = rng.choices(COURSES, weights=course_weights)[0][0]
        gain = {"better": rng.uniform(2.5, 5), "slow": rng.uniform(1, 2.5), "flat": rng.uniform(-1, 0.8)}.get(
            course, rng.uniform(0, 2)
        )
        tau = rng.uniform(7, 30)
        adherence = rng.uniform(0.35, 0.97)
        stop_after = rng.randint(10, 90) if course == "dropout" else None
        doses = {e["id"]: dict(e) for e in decision["exercises"]}
        span = (today - joined).days
        for offset in range(span):
            day = joined + dt.timedelta(days=offset)
            if stop_after is not None and offset > stop_after:
                break
            trend = gain * (1 - math.exp(-offset / tau))
            back = min(10, max(0, round(back0 - trend + rng.gauss(0, 0.7))))
            leg = min(10, max(0, round(leg0 - trend * 0.8 + rng.gauss(0, 0.6)))) if leg0 else 0
            if offset and offset % 7 == 0:  # a weekly step up the envelope, as DS would give it
                for exercise_id, dose in doses.items():
                    envelope = library[exercise_id].envelope.hold_s
                    if (
                        envelope.step
                        and dose["hold_s"] + envelope.step <= envelope.max
                        and rng.random() < 0.6
                    ):
                        dose["hold_s"] += envelope.step
                        changes.append(
                            DoseChange(
                                person=person,
                                screening=screening,
                                plan_exercise_id=exercise_id,
                                exercise_id=exercise_id,
                                starts_on=day,
                                sets=dose["sets"],
                                reps=dose["reps"],
                                hold_s=dose["hold_s"],
                                per_side=dose["per_side"],
                                mode=dose["mode"] or "",
                                action=DoseChange.Action.PROGRESS,
                                rules=["DS-03"],
                                reasons=[],
                                created_at=at(day, 7, 35),
                            )
                        )
            if offset and rng.random() < adherence * 0.85:
                checkins.add(
                    id=_uuid(rng),
                    person_id=person.pk,
                    date=day,
                    back=back,
                    leg=leg,
                    zone=0 if leg == 0 else 2,
                    stiffness="none" if back < 4 else "under_30_min",
                    tolerated=True,
                    rules=[],
                    reasons=[],
                    course={},
                    created_at=at(day, 7, 30),
                )
            if rng.random() >= adherence:
                continue
            red = rng.random() < 0.004
            session_id = _uuid(rng)
            started_at = at(day, 18, rng.randint(0, 59))
            sessions.add(
                id=session_id,
                person_id=person.pk,
                screening_id=screening.pk,
                day=day,
                started_at=started_at,
                ended_at=started_at + dt.timedelta(minutes=12),
                status=ExerciseSession.Status.STOPPED if red else ExerciseSession.Status.FINISHED,
                before_back=back,
                before_leg=leg,
                before_zone=0 if leg == 0 else 2,
                before_numbness=False,
                programme=[],
                stop_rules=["PM-11"] if red else [],
                stop_advice="Stop the exercises for today and rest." if red else "",
            )
            for position, (exercise_id, dose) in enumerate(doses.items(), 1):
                light = "green"
                after = back
                if red and position == len(doses):
                    light, after = "red", min(10, back + 3)
                elif rng.random() < 0.06:
                    light, after = "amber", min(10, back + 1)
                logs.add(
                    id=_uuid(rng),
                    session_id=session_id,
                    position=position,
                    exercise_id=exercise_id,
                    sets=dose["sets"],
                    reps=dose["reps"],
                    hold_s=dose["hold_s"],
                    per_side=dose["per_side"],
                    mode=dose["mode"] or "",
                    sets_done=dose["sets"],
                    after_back=after,
                    after_leg=leg,
                    after_zone=0 if leg == 0 else 2,
                    after_numbness=False,
                    light=light,
                    end_session=light == "red",
                    rules=["PM-11"] if light == "red" else [],
                    reasons=[],
                    created_at=started_at + dt.timedelta(minutes=3 * position),
                    updated_at=started_at + dt.timedelta(minutes=3 * position),
                )
                if light == "red":
                    break
            if red:
                recent = (today - day).days < 14
                alerts.append(
                    Alert(
                        clinic=clinic,
                        person=person,
                        kind=Alert.Kind.RED_STOP,
                        key=f"red_stop:{session_id}",
                        rules=["PM-11"],
                        text="A session was stopped: back pain rose by 3 points during an exercise.",
                        created_at=started_at + dt.timedelta(minutes=15),
                        acknowledged_at=None if recent else started_at + dt.timedelta(days=1),
                    )
                )
        flush()
    flush(final=True)
