"""Safety rules that run around the screen rather than inside it (clinical-spec B25, B26, B30, RF-19,
RF-21, RF-23, SB-13, ND-04).

Each is a pure function over values (dates are passed in) that says what holds, by which rule, in
words a patient can read; the front ends store and show the result. ``rescreen_before_session`` and
``after_rescreen`` are B25/RF-21; ``stop_for`` and ``stop_release`` are B30; ``apply_override`` is B26's core;
``axial_spondyloarthritis`` is RF-19; ``imaging_advice`` is RF-23; ``startback_due`` is SB-13;
``glide_symptoms`` is ND-04.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from backhome.core.model import (
    NERVE_GLIDE,
    Block,
    Decision,
    Direction,
    Exercise,
    Light,
    Mode,
    Prescription,
    Reason,
    Response,
    Tier,
)
from backhome.core.rules.explain import fired as _fired
from backhome.core.rules.monitor import ExerciseCheck

IMPLEMENTS: tuple[str, ...] = ("RF-19", "RF-21", "RF-23", "SB-13", "ND-04")


@dataclass(frozen=True, slots=True)
class Answer:
    """A yes/no answer of a safety rule: what holds, the rules that fired, a reason for each."""

    holds: bool
    tier: Tier = Tier.PROCEED
    rules: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()


# --------------------------------------------------------------------------- B25 / RF-21


def rescreen_before_session(new_or_different: bool) -> Answer:
    """RF-21 (B25): a person who says, before a session, that something is new or different from their
    usual back pain answers the red-flag questions again before any exercise."""
    if not new_or_different:
        return Answer(False)
    text = (
        "You told us something is new or different from your usual back pain. Before any exercise, "
        "please answer the safety questions again, so we can check it is still safe to carry on."
    )
    return Answer(True, Tier.PROCEED, *_fired([("RF-21", text)]))


def after_rescreen(previous: Decision, new: Decision) -> Decision:
    """B25: the decision of the new screen replaces the previous one, whatever either said; it carries
    RF-21 with a reason so the person sees why their plan changed (or did not)."""
    del previous  # replaced, never merged: the new screen alone decides
    text = (
        "You answered the safety questions again because something had changed. This result replaces "
        "your earlier one."
    )
    if "RF-21" in new.rules:
        return new
    reasons = tuple(sorted((*new.reasons, Reason("RF-21", text)), key=lambda r: r.rule))
    return replace(new, rules=tuple(sorted((*new.rules, "RF-21"))), reasons=reasons)


# --------------------------------------------------------------------------- B30


#: The pain checks whose RED stops an exercise (PM-10...PM-14), and the other stops B30 keeps.
STOP_RULES: frozenset[str] = frozenset({"PM-10", "PM-11", "PM-12", "PM-13", "PM-14", "PM-41", "ND-05"})
#: DPT-24: a re-test this many days after the stop may release a direction found worse.
RETEST_DAYS = 14


@dataclass(frozen=True, slots=True)
class Stop:
    """An exercise stopped by a pain check: which exercise, the rule that stopped it, and the day."""

    exercise_id: str
    rule: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class Release:
    """Whether a stopped exercise may be offered again, and by what: a rule id, or ``"clinician"``."""

    may_return: bool
    by: str | None
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


#: B30: when one pain check fired several RED rules, the stop is kept by the one that releases last.
_STRICTEST_FIRST: tuple[str, ...] = ("PM-10", "PM-14", "PM-11", "PM-13", "PM-12")


def stop_for(exercise_id: str, check: ExerciseCheck, day: dt.date) -> Stop | None:
    """B30: the stop a pain check's RED makes (None for green or amber, or a provisional answer), kept by
    the strictest RED rule that fired (PM-10, then PM-14, PM-11, PM-13, PM-12)."""
    if check.light is not Light.RED:
        return None
    rule = next((r for r in _STRICTEST_FIRST if r in check.rules), None)
    return None if rule is None else Stop(exercise_id, rule, day)


def stop_release(
    stop: Stop,
    *,
    today: dt.date,
    library: Mapping[str, Exercise],
    cleared_by_clinician: bool = False,
    retest: tuple[dt.date, Response] | None = None,
    quick_check_clear_on: dt.date | None = None,
    rescreen_prescribes_on: dt.date | None = None,
) -> Release:
    """B30: an exercise stopped by a pain check is not offered again, in any later session or day,
    until the rule that stopped it says it may return, or a clinician clears it (B26).

    * PM-12, PM-13 (leg or back pain up): "not today" - it may return from the next day, at the lower
      dose DS-06 gives.
    * PM-10 (spread down the leg, the direction counts as worse, DPT-10): only through DPT-24, a
      self-check re-test at least 14 days after the stop that finds the direction no longer worse
      (``retest``: its date and result for the exercise's direction); the nerve glide and cat-camel have
      no self-check of their own, so only a clinician releases them.
    * PM-11 (new numbness or weakness): after the quick red-flag check found nothing
      (``quick_check_clear_on``), from the day after the stop.
    * PM-14 (a warning sign): after a new full screen that allows a programme (``rescreen_prescribes_on``).
    * PM-41, ND-05 (suspended after repeated trouble): only a clinician.
    """
    if stop.rule not in STOP_RULES:
        raise ValueError(f"{stop.rule} does not stop an exercise (B30 keeps {sorted(STOP_RULES)})")
    if today < stop.date:
        raise ValueError("today is before the stop")
    if stop.exercise_id not in library:
        raise ValueError(f"unknown exercise {stop.exercise_id!r}")
    name = library[stop.exercise_id].name
    if cleared_by_clinician:
        return _released("clinician", stop.rule, f"Your clinician has cleared {name} again, so it is back.")
    later = today > stop.date
    rule = stop.rule
    if rule in ("PM-12", "PM-13") and later:
        return _released(rule, rule, f"{name} is back from today, at a gentler dose than before the stop.")
    if rule == "PM-10":
        direction = library[stop.exercise_id].direction
        if retest is not None and direction in (Direction.EXTENSION, Direction.FLEXION):
            tested_on, result = retest
            if (tested_on - stop.date).days >= RETEST_DAYS and result is not Response.WORSE:
                return _released(
                    "DPT-24",
                    "DPT-24",
                    f"Your new self-check no longer found this direction worse, so {name} is back.",
                )
    if rule == "PM-11" and quick_check_clear_on is not None and later and quick_check_clear_on >= stop.date:
        return _released(
            rule, rule, f"The safety questions found no warning sign, so {name} is back from today."
        )
    if rule == "PM-14" and rescreen_prescribes_on is not None and rescreen_prescribes_on >= stop.date:
        return _released("RF-21", rule, f"Your new safety check allows exercise again, so {name} is back.")
    return Release(False, None, *_fired([(rule, _kept(rule, name))]))


def _released(by: str, rule: str, text: str) -> Release:
    rules, reasons = _fired([(rule if by == "clinician" else by, text)])
    return Release(True, by, rules, reasons)


def _kept(rule: str, name: str) -> str:
    if rule in ("PM-12", "PM-13"):
        return f"{name} was stopped today because your pain went up. It can come back tomorrow."
    if rule == "PM-10":
        return (
            f"{name} was stopped because your pain spread down your leg. It stays out of your sessions "
            "until a physical therapist has reviewed it, or a new self-check in two weeks or more shows "
            "that this direction no longer makes things worse."
        )
    if rule == "PM-11":
        return f"{name} was stopped because of new numbness or weakness. It waits until the safety questions are clear."
    if rule == "PM-14":
        return f"{name} was stopped because of a warning sign. It waits for a new safety check."
    return f"{name} is stopped until a licensed physical therapist or your clinician has reviewed it."


# --------------------------------------------------------------------------- B26


class OverrideRefused(ValueError):
    """A clinician override that B26 does not allow: the message says why."""


@dataclass(frozen=True, slots=True)
class Override:
    """A clinician's clearance of one exercise block: who, when, which rule, and the written reason."""

    exercise_id: str
    rule: str
    reason: str
    clinician: str
    at: dt.datetime


def apply_override(
    decision: Decision, override: Override, library: Mapping[str, Exercise], mode: Mode | None = None
) -> Decision:
    """B26: clear or override one exercise block (an EL, DPT, TBC, ND or PM rule on a named exercise),
    with a written reason. The exercise comes back at its starting dose once no other rule holds it;
    the decision records the override as a reason under the rule it cleared. It never changes the
    tier: an emergency, urgent or soon decision prescribes nothing and is refused (that takes a new
    screen, or the lift of the emergency lock). ``mode`` is the mode the clinician gives (cat-camel's
    phase, B29); the nerve glide starts as the slider (ND-02).
    """
    if not decision.tier.prescribes:
        raise OverrideRefused(
            f"a {decision.tier.value} decision prescribes no exercise; only a new screen can change it"
        )
    if not override.reason.strip():
        raise OverrideRefused("an override needs a written reason")
    if not override.clinician.strip():
        raise OverrideRefused("an override needs the clinician who gave it")
    block = next((b for b in decision.blocked if b.exercise_id == override.exercise_id), None)
    if block is None or override.rule not in block.rules:
        raise OverrideRefused(f"{override.exercise_id} is not held back by {override.rule}")
    exercise = library[override.exercise_id]
    text = (
        f"{override.clinician} cleared {exercise.name} on {override.at.date().isoformat()}: "
        f"{override.reason.strip()}"
    )
    rest = tuple(r for r in block.rules if r != override.rule)
    blocked = tuple(
        Block(b.exercise_id, rest, b.reason) if b is block else b
        for b in decision.blocked
        if b is not block or rest
    )
    exercises = decision.exercises
    if not rest:
        if mode is None and exercise.id == NERVE_GLIDE:
            mode = "slider"  # ND-02: the glide always starts as the slider
        start = Prescription(exercise.id, exercise.envelope.start_dose(mode), (override.rule,))
        exercises = tuple(sorted((*exercises, start), key=lambda p: library[p.exercise_id].sequence))
    reasons = list(decision.reasons)
    for i, reason in enumerate(reasons):
        if reason.rule == override.rule:
            reasons[i] = Reason(reason.rule, f"{reason.text} {text}")
            break
    else:
        reasons.append(Reason(override.rule, text))
        reasons.sort(key=lambda r: r.rule)
    rules = tuple(sorted({*decision.rules, override.rule}))
    return replace(decision, rules=rules, reasons=tuple(reasons), exercises=exercises, blocked=blocked)


# --------------------------------------------------------------------------- RF-19


@dataclass(frozen=True, slots=True)
class SpondyloarthritisAnswers:
    """RF-19 (NICE NG65): when the back pain started and how long it has lasted, and the criteria."""

    onset_age: int
    months: float
    night_waking: bool  # waking in the second half of the night because of the symptoms
    buttock_pain: bool
    better_with_movement: bool
    better_with_nsaids: bool  # improvement within 48 hours of anti-inflammatory painkillers
    relative_with_spondyloarthritis: bool  # a parent, brother, sister or child
    arthritis: bool  # now or in the past
    enthesitis: bool  # pain where tendons attach to bone, now or in the past
    psoriasis: bool  # now or in the past


#: RF-19's thresholds.
SPA_ONSET_BEFORE = 45
SPA_MONTHS = 3
SPA_EARLY_ONSET = 35
SPA_CRITERIA = 4


def spondyloarthritis_criteria(answers: SpondyloarthritisAnswers) -> int:
    """How many of RF-19's nine criteria are met (onset before 35 is one of them)."""
    a = answers
    return sum(
        (
            a.onset_age < SPA_EARLY_ONSET,
            a.night_waking,
            a.buttock_pain,
            a.better_with_movement,
            a.better_with_nsaids,
            a.relative_with_spondyloarthritis,
            a.arthritis,
            a.enthesitis,
            a.psoriasis,
        )
    )


def axial_spondyloarthritis(answers: SpondyloarthritisAnswers) -> Answer:
    """RF-19: back pain that started before 45 and has lasted more than 3 months, with 4 or more of the
    criteria -> soon (the doctor considers a rheumatology referral). With exactly 3, the rule fires
    as advice only (the doctor may do a blood test), without a change of tier."""
    if not (0 <= answers.onset_age <= 120 and answers.months >= 0):
        raise ValueError("onset_age must be 0-120 and months not negative")
    if not (answers.onset_age < SPA_ONSET_BEFORE and answers.months > SPA_MONTHS):
        return Answer(False)
    count = spondyloarthritis_criteria(answers)
    if count >= SPA_CRITERIA:
        text = (
            "Your back pain started young, has lasted more than 3 months and has several features of an "
            "inflammatory back condition (axial spondyloarthritis). Please see your doctor in the next week "
            "or two; they may refer you to a rheumatologist."
        )
        return Answer(True, Tier.SOON, *_fired([("RF-19", text)]))
    if count == SPA_CRITERIA - 1:
        text = (
            "Your back pain has a few features of an inflammatory back condition. It is worth mentioning "
            "to your doctor, who may suggest a blood test."
        )
        return Answer(True, Tier.PROCEED, *_fired([("RF-19", text)]))
    return Answer(False)


# --------------------------------------------------------------------------- RF-23

#: RF-23 in our own words: it explains that scans are not routinely needed and never suggests one.
IMAGING_TEXT = (
    "Most back pain does not need a scan or an X-ray: they rarely change what helps, and many things "
    "they show are normal changes with age. Your doctor will say if you ever need one."
)


def imaging_advice(tier: Tier) -> Answer:
    """RF-23: explain that imaging is not routinely needed, and never offer it. Given with a programme
    (proceed, refer); not with a tier that sends the person to a clinician (soon and above), where
    the clinician decides about tests."""
    if not tier.prescribes:
        return Answer(False)
    return Answer(True, Tier.PROCEED, *_fired([("RF-23", IMAGING_TEXT)]))


# --------------------------------------------------------------------------- SB-13

#: SB-13: STarT Back again between 4 and 6 weeks into the programme.
SB_AGAIN_FROM_DAY = 28
SB_AGAIN_BY_DAY = 42


def startback_due(
    *, programme_start: dt.date, today: dt.date, last_asked: dt.date | None, new_episode: bool = False
) -> Answer:
    """SB-13: STarT Back is asked at the start, again from 4 weeks (by 6 weeks at the latest) into the
    programme, and at a new episode. Due when never asked, at a new episode since it was last asked,
    or from day 28 when it has not been asked since day 28."""
    if today < programme_start:
        raise ValueError("today is before the programme start")
    if last_asked is not None and last_asked > today:
        raise ValueError("last_asked is after today")
    if last_asked is None:
        text = "Please answer the short questions about how your back pain affects you."
    elif new_episode:
        text = "This is a new episode of back pain, so please answer the short questions about it again."
    elif (today - programme_start).days >= SB_AGAIN_FROM_DAY and (
        last_asked - programme_start
    ).days < SB_AGAIN_FROM_DAY:
        text = "You are four weeks into your programme. Please answer the short questions again."
    else:
        return Answer(False)
    return Answer(True, Tier.PROCEED, *_fired([("SB-13", text)]))


# --------------------------------------------------------------------------- ND-04


def glide_symptoms(tingling_or_pain: bool, outlasts_movement: bool) -> Answer:
    """ND-04: the nerve glide stops at the first leg tingling or pain that outlasts the movement (a
    tingle that goes as soon as the leg eases back is expected). ``holds`` means: stop now."""
    if not (tingling_or_pain and outlasts_movement):
        return Answer(False)
    text = (
        "The tingling or pain in your leg stayed after you stopped moving, so stop the nerve glide now. "
        "Rest, and tell us after the session how your leg feels."
    )
    return Answer(True, Tier.PROCEED, *_fired([("ND-04", text)]))


__all__ = [
    "Answer",
    "Override",
    "OverrideRefused",
    "Release",
    "SpondyloarthritisAnswers",
    "Stop",
    "after_rescreen",
    "apply_override",
    "axial_spondyloarthritis",
    "glide_symptoms",
    "imaging_advice",
    "rescreen_before_session",
    "startback_due",
    "stop_for",
    "stop_release",
]
