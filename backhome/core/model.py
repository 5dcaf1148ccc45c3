"""The domain of backhome as frozen dataclasses.

Everything the rules read or return is defined here, so the rules stay pure functions over values:
no I/O, no clock (``today``/``now`` are passed in), no Django. Rule ids are those of
``docs/clinical-rules.md``; a test checks that every id the core uses exists there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

# --------------------------------------------------------------------------- ids

#: clinical-spec B11: the exercise ids, fixed and never reused.
EXERCISE_IDS: tuple[str, ...] = (
    "prone-lying",
    "prone-on-elbows",
    "prone-press-up",
    "single-knee-to-chest",
    "double-knee-to-chest",
    "childs-pose",
    "childs-pose-side-reach",
    "cat-camel",
    "sciatic-nerve-glide",
)
EXTENSION_FAMILY: tuple[str, ...] = ("prone-lying", "prone-on-elbows", "prone-press-up")
FLEXION_STRETCHES: tuple[str, ...] = (
    "single-knee-to-chest",
    "double-knee-to-chest",
    "childs-pose",
    "childs-pose-side-reach",
)
CAT_CAMEL = "cat-camel"
NERVE_GLIDE = "sciatic-nerve-glide"


class Tier(StrEnum):
    """clinical-spec B1, most severe first. ``code`` is the research body's name."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    REFER = "refer"
    PROCEED = "proceed"

    @property
    def severity(self) -> int:
        return _TIER_SEVERITY[self]

    @property
    def code(self) -> str:
        return _TIER_CODE[self]

    @property
    def prescribes(self) -> bool:
        """B2: emergency, urgent and soon prescribe no new programme."""
        return self in (Tier.REFER, Tier.PROCEED)

    @staticmethod
    def most_severe(tiers: Iterable[Tier]) -> Tier:
        best, rank = Tier.PROCEED, 0
        for tier in tiers:
            severity = _TIER_SEVERITY[tier]
            if severity > rank:
                best, rank = tier, severity
        return best


_TIER_SEVERITY = {Tier.EMERGENCY: 4, Tier.URGENT: 3, Tier.SOON: 2, Tier.REFER: 1, Tier.PROCEED: 0}
_TIER_CODE = {
    Tier.EMERGENCY: "T0",
    Tier.URGENT: "T1",
    Tier.SOON: "T2",
    Tier.PROCEED: "T3",
    Tier.REFER: "T4",
}


class Monitoring(StrEnum):
    """PM-00: STRICT by default; MONITORED only when a clinician sets it (B7)."""

    STRICT = "strict"
    MONITORED = "monitored"


class Direction(StrEnum):
    EXTENSION = "extension"
    FLEXION = "flexion"
    BOTH = "both"  # cat-camel
    NEURAL = "neural"  # the sciatic nerve glide


class Response(StrEnum):
    """A direction's result in the directional self-check (DPT-07...DPT-10)."""

    FAVOURABLE = "favourable"
    NO_EFFECT = "no_effect"
    WORSE = "worse"


SurgeryAnswer = Literal["none", "recent", "past"]
WeaknessAnswer = Literal["none", "stable", "worsening"]
Bothersome = Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]
#: Nerve-glide mode (ND-02/ND-03), or cat-camel limited to one phase (B29).
Mode = Literal["slider", "tensioner", "extension_only", "flexion_only"]
#: The modes of the decision contract, in the order of ``backhome.decision/1``.
MODES: tuple[Mode, ...] = ("slider", "tensioner", "extension_only", "flexion_only")

# --------------------------------------------------------------------------- intake


@dataclass(frozen=True, slots=True)
class Pain:
    back: int  # 0-10 NPRS
    leg: int  # 0-10 NPRS


@dataclass(frozen=True, slots=True)
class History:
    cancer: bool
    osteoporosis: bool
    long_term_steroids: bool
    vertebral_fracture: bool
    spinal_stenosis: bool
    disc_herniation: bool
    immunosuppression: bool
    iv_drug_use: bool
    lumbar_surgery: SurgeryAnswer


@dataclass(frozen=True, slots=True)
class Symptoms:
    bladder_change: bool
    bowel_change: bool
    saddle_numbness: bool
    sexual_dysfunction: bool
    both_legs: bool
    major_trauma: bool
    minor_trauma: bool
    fever: bool
    unwell: bool
    weight_loss: bool
    night_pain: bool
    thoracic_pain: bool
    worse_straining: bool
    progressive_pain: bool
    lateral_shift: bool
    eased_by_bending_forward: bool
    leg_weakness: WeaknessAnswer
    #: B23: whether the symptoms in both legs are new or getting worse. Asked only after ``both_legs``;
    #: ``None`` (not asked) never counts as "no" (B23: any criterion missing -> emergency as before).
    both_legs_new_or_worse: bool | None = None


@dataclass(frozen=True, slots=True)
class StartBackAnswers:
    """The nine STarT Back item topics (B6): items 1-8 agree/disagree, item 9 bothersomeness."""

    agree: tuple[bool, ...]
    bothersome: Bothersome


@dataclass(frozen=True, slots=True)
class DirectionalResults:
    """Outcome of the directional self-check per direction, if it was done (DPT-11)."""

    extension: Response | None = None
    flexion: Response | None = None


@dataclass(frozen=True, slots=True)
class Intake:
    """One person's screening answers (``backhome.intake/1``)."""

    age: int
    pregnant: bool
    weeks: float
    pain: Pain
    distal_zone: int  # DPT-03 zones 0-5
    numbness: bool
    history: History
    symptoms: Symptoms
    startback: StartBackAnswers | None = None
    directional: DirectionalResults | None = None

    @property
    def leg_symptoms(self) -> bool:
        """B8/ND-01: distal zone >= 3, or zone 2 with leg pain >= 1. What prescribing reads (B16)."""
        return self.distal_zone >= 3 or (self.distal_zone == 2 and self.pain.leg >= 1)

    @property
    def zone_conflict(self) -> bool:
        """B16: leg pain given while the symptoms are said to stay in the centre of the back (zone <= 1)."""
        return self.pain.leg >= 1 and self.distal_zone <= 1

    @property
    def triage_zone(self) -> int:
        """B16: the safer reading of the zone for triage: leg pain >= 1 at zone <= 1 counts as zone 2."""
        return 2 if self.zone_conflict else self.distal_zone

    @property
    def nerve_symptoms(self) -> bool:
        """B16/B17, for triage (RF-07, RF-22): B8's leg symptoms on the safer reading of the zone, or
        any numbness or pins and needles whatever zone is given."""
        zone = self.triage_zone
        return self.numbness or zone >= 3 or (zone == 2 and self.pain.leg >= 1)


@dataclass(frozen=True, slots=True)
class Context:
    """What a clinician has decided for this person, outside their own answers.

    ``clearances`` holds the rule ids a clinician has cleared (EL-02 pregnancy, EL-03 surgery and the
    nerve glide, EL-04 fracture, EL-05 osteoporosis/steroids). ``monitoring`` is PM-00's mode.
    """

    clearances: frozenset[str] = frozenset()
    monitoring: Monitoring = Monitoring.STRICT


# --------------------------------------------------------------------------- decision


@dataclass(frozen=True, slots=True)
class Reason:
    """A fired rule and what it means, in words a patient can read (B14)."""

    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class Dose:
    sets: int
    reps: int
    hold_s: int
    per_side: bool
    mode: Mode | None = None


@dataclass(frozen=True, slots=True)
class Prescription:
    """One exercise of a programme with its dose, and the rules that put it there."""

    exercise_id: str
    dose: Dose
    rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """An exercise held back, with the rules and a plain reason."""

    exercise_id: str
    rules: tuple[str, ...]
    reason: str


RiskCategory = Literal["low", "medium", "high"]


@dataclass(frozen=True, slots=True)
class Risk:
    """STarT Back result (SB-01...SB-04)."""

    total: int
    psychosocial: int
    category: RiskCategory


@dataclass(frozen=True, slots=True)
class Decision:
    """What the engine decided for one intake (``backhome.decision/1``)."""

    tier: Tier
    rules: tuple[str, ...]  # sorted, unique
    reasons: tuple[Reason, ...]
    exercises: tuple[Prescription, ...]
    blocked: tuple[Block, ...]
    risk: Risk | None
    monitoring: Monitoring

    def reason_for(self, rule: str) -> str | None:
        return next((r.text for r in self.reasons if r.rule == rule), None)


# --------------------------------------------------------------------------- exercise library


@dataclass(frozen=True, slots=True)
class Range:
    """One dimension of a dose envelope: lowest, starting, step and highest value."""

    min: int
    start: int
    step: int
    max: int

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True, slots=True)
class Envelope:
    sets: Range
    reps: Range
    hold_s: Range
    per_side: bool

    def contains(self, dose: Dose) -> bool:
        return (
            self.sets.contains(dose.sets)
            and self.reps.contains(dose.reps)
            and self.hold_s.contains(dose.hold_s)
            and dose.per_side == self.per_side
        )

    def start_dose(self, mode: Mode | None = None) -> Dose:
        return Dose(self.sets.start, self.reps.start, self.hold_s.start, self.per_side, mode)


@dataclass(frozen=True, slots=True)
class ExerciseMode:
    """A way of doing an exercise with its own complete steps: the nerve glide's slider and tensioner
    modes (ND-02, ND-03) and cat-camel's single phases (B29)."""

    id: Mode
    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Source:
    ref: str  # "S0" (the article) or another source id of the spec
    note: str = ""


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of the library, loaded from ``content/exercises/<id>.toml``."""

    id: str
    name: str
    other_names: tuple[str, ...]
    direction: Direction
    sequence: int  # order within a programme: fewer changes of position
    start_position: str
    summary: str
    steps: tuple[str, ...]
    may_feel: tuple[str, ...]
    must_not: tuple[str, ...]
    envelope: Envelope
    progresses_to: str | None
    regresses_to: str | None
    modes: tuple[ExerciseMode, ...]
    contraindications: tuple[str, ...]
    rules: tuple[str, ...]
    sources: tuple[Source, ...]

    def steps_for(self, mode: Mode | None) -> tuple[str, ...]:
        """The steps to show for a prescribed mode: the mode's own complete list (B29, ND-02/ND-03),
        or the exercise's steps without a mode. Players and handouts show this one list."""
        return next((m.steps for m in self.modes if m.id == mode), self.steps)


# --------------------------------------------------------------------------- during and after a session


class Light(StrEnum):
    """The pain-monitoring traffic light for one exercise (PM-10...PM-30)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, slots=True)
class PainCheck:
    """A pain check before a session or after an exercise (PM-01)."""

    back: int
    leg: int
    zone: int
    numbness: bool
    weakness: bool = False
    red_flag: bool = False  # a new red-flag symptom reported at the check (PM-14)


Stiffness = Literal["none", "under_30_min", "30_min_or_more"]


@dataclass(frozen=True, slots=True)
class MorningCheck:
    """The next-morning check-in (PM-01)."""

    date: dt.date
    back: int
    leg: int
    zone: int
    stiffness: Stiffness


@dataclass(frozen=True, slots=True)
class Verdict:
    """A rule function's answer: a result plus the rules that fired and their reasons."""

    rules: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class ExerciseResult:
    """How one exercise went in one session, as the progression rules need it."""

    exercise_id: str
    date: dt.date
    dose: Dose
    light: Light
    tolerated_next_morning: bool | None = None  # None until the morning check-in (PM-40)
    peripheralized: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """Change of a measure against its minimal important change (OM-01, OM-05)."""

    baseline: float
    current: float
    change: float
    meaningful: bool
    rules: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = field(default=())
