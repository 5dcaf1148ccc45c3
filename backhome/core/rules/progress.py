"""Dosing, progression and regression of one exercise (DS, clinical-spec §7.2) and the nerve glide's
slider and tensioner modes (ND-02, ND-03, ND-05, §7.3).

``next_dose`` reads an exercise's recent results and returns the dose for its next session.
``session_allowed`` (DS-01) and ``review_point`` (DS-08) are small helpers. All pure: ``today`` is
passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from backhome.core.model import (
    EXTENSION_FAMILY,
    NERVE_GLIDE,
    Dose,
    Exercise,
    ExerciseResult,
    Light,
    Mode,
    Reason,
    Tier,
)
from backhome.core.rules.explain import fired as _fired

IMPLEMENTS: tuple[str, ...] = (
    "DS-01",
    "DS-02",
    "DS-03",
    "DS-04",
    "DS-05",
    "DS-06",
    "DS-07",
    "DS-08",
    "ND-02",
    "ND-03",
    "ND-05",
)

Action = Literal["progress", "hold", "regress", "suspend"]

#: DS-03 / ND-03: sessions that must have gone well before a step up.
SESSIONS_TO_PROGRESS = 3
#: ND-02: the glide stays a slider for its first two weeks.
SLIDER_DAYS = 14
#: ND-02: leg pain at or above this is "irritable".
IRRITABLE_LEG_PAIN = 6
#: ND-05: RED glide results within this many days that make a recurrence ("twice" -> suspend, refer).
GLIDE_RECURRENCE_DAYS = 14
#: DS-01: sessions a day allowed for direction-matched extension work in symptom modulation (3-5).
MODULATION_SESSIONS_PER_DAY = 5


# --------------------------------------------------------------------------- DS-01


@dataclass(frozen=True, slots=True)
class SessionAllowance:
    """Whether one more session of an exercise may run today (DS-01)."""

    allowed: bool
    max_per_day: int
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def session_allowed(
    exercise_id: str,
    *,
    sessions_today: int,
    symptom_modulation: bool = False,
    direction_matched: bool = False,
) -> SessionAllowance:
    """DS-01: once a day by default; direction-matched extension work in the symptom-modulation
    stage (TBC-05) may be done up to 5 times a day. DS-01 fires when today's allowance is used up."""
    if sessions_today < 0:
        raise ValueError("sessions_today must not be negative")
    extra = symptom_modulation and direction_matched and exercise_id in EXTENSION_FAMILY
    most = MODULATION_SESSIONS_PER_DAY if extra else 1
    if sessions_today < most:
        return SessionAllowance(True, most, (), ())
    text = (
        "You have done this exercise as often as is useful today. Once a day is enough; "
        "come back to it tomorrow."
        if most == 1
        else f"You have done this exercise {most} times today, which is the most we suggest. "
        "Come back to it tomorrow."
    )
    rules, reasons = _fired([("DS-01", text)])
    return SessionAllowance(False, most, rules, reasons)


# --------------------------------------------------------------------------- DS-08


ReviewName = Literal["none", "4_weeks", "6_weeks"]


@dataclass(frozen=True, slots=True)
class ReviewPoint:
    """Which review point of DS-08 a programme has reached."""

    weeks: int
    point: ReviewName
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def review_point(start: dt.date, today: dt.date) -> ReviewPoint:
    """DS-08: review progress at 4 weeks (RF-17, OM-08) and at 6 weeks (physiotherapy if no
    meaningful improvement). Fires once the programme is 4 weeks old or more."""
    if today < start:
        raise ValueError("today is before the programme start")
    days = (today - start).days
    weeks = days // 7
    if days >= 42:
        point: ReviewName = "6_weeks"
        text = "Your programme is 6 weeks old: time to check whether it has helped you enough."
    elif days >= 28:
        point = "4_weeks"
        text = "Your programme is 4 weeks old: time to check how much it has helped you."
    else:
        return ReviewPoint(weeks, "none", (), ())
    rules, reasons = _fired([("DS-08", text)])
    return ReviewPoint(weeks, point, rules, reasons)


# --------------------------------------------------------------------------- next dose


@dataclass(frozen=True, slots=True)
class DoseChange:
    """The dose of an exercise's next session and why (DS-02...DS-07, ND-02, ND-03, ND-05).

    ``exercise_id`` may differ from the input exercise after a DS-04 step to the next variant.
    ``tier`` is refer when the change comes with a recommendation to see a clinician (ND-05).
    """

    exercise_id: str
    dose: Dose
    action: Action
    tier: Tier
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def _went_well(r: ExerciseResult) -> bool:
    # DS-03: GREEN, or AMBER that settled, and (the 24-hour response matters most, PM-F2) a
    # tolerated next morning. A missing morning answer is not yet "went well".
    return r.light in (Light.GREEN, Light.AMBER) and r.tolerated_next_morning is True


def _ready(results: Sequence[ExerciseResult]) -> bool:
    last = results[-SESSIONS_TO_PROGRESS:]
    return (
        len(last) == SESSIONS_TO_PROGRESS
        and all(_went_well(r) for r in last)
        and len({r.date for r in last}) >= 2
    )


def _lower(exercise: Exercise, dose: Dose) -> Dose:
    """DS-06: one hold step down; at the lowest hold, halve the repetitions (not below the minimum)."""
    env = exercise.envelope
    if dose.hold_s > env.hold_s.min:
        return replace(dose, hold_s=max(dose.hold_s - env.hold_s.step, env.hold_s.min))
    return replace(dose, reps=max(dose.reps // 2, env.reps.min))


def _flare_dose(exercise: Exercise, dose: Dose) -> Dose:
    """PM-43/DS-06: the lowest hold and fewest sets, no more repetitions than the starting number."""
    env = exercise.envelope
    mode = "slider" if exercise.id == NERVE_GLIDE else dose.mode
    return Dose(env.sets.min, min(dose.reps, env.reps.start), env.hold_s.min, env.per_side, mode)


def next_dose(
    exercise: Exercise,
    current: Dose,
    history: Sequence[ExerciseResult],
    *,
    today: dt.date,
    library: Mapping[str, Exercise],
    flare: bool = False,
    progression_paused: bool = False,
    leg_pain: int | None = None,
) -> DoseChange:
    """The next session's dose: DS-07 suspend, ND-05 glide RED, DS-06 regress (or the PM-43 flare
    dose), DS-05 hold after AMBER, DS-03 progress one DS-02 hold step or a DS-04 variant, and for the
    nerve glide ND-02 (slider first) and ND-03 (slider -> tensioner).

    ``history`` holds results of this and other exercises (other exercises of the same direction
    matter for DS-07). ``progression_paused`` is PM-42's pause; ``leg_pain`` is today's leg NPRS for
    ND-02's irritability test. The returned dose always lies inside its exercise's envelope.
    """
    env = exercise.envelope
    if not env.contains(current):
        raise ValueError(f"current dose {current} is outside the envelope of {exercise.id}")
    if leg_pain is not None and not 0 <= leg_pain <= 10:
        raise ValueError("leg_pain must be between 0 and 10")
    glide = exercise.id == NERVE_GLIDE
    own = sorted(
        (r for r in history if r.exercise_id == exercise.id and r.date <= today), key=lambda r: r.date
    )

    def change(
        dose: Dose, action: Action, pairs: list[tuple[str, str]], tier: Tier = Tier.PROCEED
    ) -> DoseChange:
        rules, reasons = _fired(pairs)
        return DoseChange(exercise.id, dose, action, tier, rules, reasons)

    # DS-07: peripheralization in this direction (DPT-24), or two NOT TOLERATED mornings in a row (PM-41).
    same_direction = {
        r.exercise_id
        for r in history
        if r.exercise_id == exercise.id
        or (r.exercise_id in library and library[r.exercise_id].direction is exercise.direction)
    }
    if any(r.peripheralized and r.exercise_id in same_direction for r in history):
        return change(
            current,
            "suspend",
            [
                (
                    "DS-07",
                    "Your pain spread down your leg with an exercise of this kind, so we have stopped "
                    "this exercise until a physical therapist has looked at it or a new self-check shows "
                    "it suits you.",
                )
            ],
            Tier.REFER,
        )
    answered = [r for r in own if r.tolerated_next_morning is not None]
    if len(answered) >= 2 and not any(r.tolerated_next_morning for r in answered[-2:]):
        return change(
            current,
            "suspend",
            [
                (
                    "DS-07",
                    "This exercise left you worse the next morning twice in a row, so we have stopped it "
                    "for now. If you have not settled in 2 to 3 days, contact a licensed physical therapist.",
                )
            ],
            Tier.REFER,
        )

    # ND-05: a RED glide result. Twice within two weeks -> suspend and see a physical therapist.
    last = own[-1] if own else None
    if glide and last is not None and last.light is Light.RED:
        recent_red = [
            r for r in own if r.light is Light.RED and (last.date - r.date).days < GLIDE_RECURRENCE_DAYS
        ]
        if len(recent_red) >= 2:
            return change(
                current,
                "suspend",
                [
                    (
                        "ND-05",
                        "The nerve exercise made your leg symptoms worse twice in two weeks, so we have "
                        "stopped it. Please see a licensed physical therapist about it.",
                    )
                ],
                Tier.REFER,
            )
        if current.mode != "slider":
            return change(
                replace(current, mode="slider"),
                "regress",
                [
                    (
                        "ND-05",
                        "The nerve exercise made your leg symptoms worse, so you go back to the gentler "
                        "sliding version.",
                    )
                ],
            )

    # PM-43 flare: straight to the lowest step.
    if flare:
        dose = _flare_dose(exercise, current)
        pairs = [
            (
                "DS-06",
                "You are having a flare-up, so this exercise goes down to its gentlest level.",
            ),
            (
                "PM-43",
                "It stays there until you have had two good days in a row.",
            ),
        ]
        return change(dose, "regress" if dose != current else "hold", pairs)

    # DS-06: RED last time, or the next morning was not tolerated (PM-40).
    if last is not None and (last.light is Light.RED or last.tolerated_next_morning is False):
        why = (
            "Your pain went up with this exercise last time"
            if last.light is Light.RED
            else "You felt worse the morning after this exercise"
        )
        if glide and current.mode == "tensioner":
            return change(
                replace(current, mode="slider"),
                "regress",
                [("DS-06", f"{why}, so you go back to the gentler sliding version of it.")],
            )
        lower = _lower(exercise, current)
        if lower == current:
            return change(
                current,
                "hold",
                [("DS-06", f"{why}. You are already at its gentlest level, so it stays there.")],
            )
        pairs = [("DS-06", f"{why}, so we have made it a little easier.")]
        if lower.hold_s != current.hold_s:
            pairs.append(("DS-02", "You hold each stretch for a shorter time."))
        return change(lower, "regress", pairs)

    # ND-02: the glide is a slider in its first two weeks and whenever the leg is irritable.
    started = own[0].date if own else today
    irritable = leg_pain is not None and leg_pain >= IRRITABLE_LEG_PAIN
    if glide and irritable and current.mode != "slider":
        return change(
            replace(current, mode="slider"),
            "regress",
            [
                (
                    "ND-02",
                    "Your leg is quite painful today, so you do the gentler sliding version of the "
                    "nerve exercise.",
                )
            ],
        )

    # DS-05: AMBER last time -> same dose.
    if last is not None and last.light is Light.AMBER:
        return change(
            current,
            "hold",
            [("DS-05", "Your pain went up a little last time, so this exercise stays at the same level.")],
        )

    if glide and current.mode != "tensioner":
        young = (today - started).days < SLIDER_DAYS
        # ND-03 asks for GREEN slider sessions; an AMBER one does not count.
        ready = _ready(own) and all(
            r.light is Light.GREEN and r.dose.mode in ("slider", None) for r in own[-SESSIONS_TO_PROGRESS:]
        )
        if irritable or young or not ready:
            why = (
                "your leg is quite painful today"
                if irritable
                else "it is less than two weeks since you started it"
                if young
                else "it has not yet gone well three times over at least two days"
            )
            return change(
                replace(current, mode="slider"),
                "hold",
                [("ND-02", f"You keep the gentler sliding version of the nerve exercise because {why}.")],
            )
        if progression_paused:
            return change(current, "hold", [("PM-42", _PAUSED)])
        return change(
            replace(current, mode="tensioner"),
            "progress",
            [
                (
                    "ND-03",
                    "The sliding version has gone well three times without a bad morning, so you move "
                    "on to the stronger version of the nerve exercise.",
                )
            ],
        )

    # DS-03: three good sessions on at least two days -> one step up.
    if not _ready(own):
        return change(
            current,
            "hold",
            [
                (
                    "DS-03",
                    "You stay at this level until it has gone well three times, on at least two "
                    "different days, with a good next morning each time.",
                )
            ],
        )
    if progression_paused:
        return change(current, "hold", [("PM-42", _PAUSED)])
    if current.hold_s < env.hold_s.max:
        higher = replace(current, hold_s=min(current.hold_s + env.hold_s.step, env.hold_s.max))
        return change(
            higher,
            "progress",
            [
                ("DS-03", "This exercise has gone well three times, so you take one step up."),
                ("DS-02", f"You now hold it for {higher.hold_s} seconds."),
            ],
        )
    # DS-04: at the top of the hold ladder, move to the next variant at its starting dose.
    nxt = library.get(exercise.progresses_to) if exercise.progresses_to else None
    if nxt is not None:
        mode: Mode | None = "slider" if nxt.id == NERVE_GLIDE else None
        return DoseChange(
            nxt.id,
            nxt.envelope.start_dose(mode),
            "progress",
            Tier.PROCEED,
            *_fired(
                [
                    ("DS-03", "This exercise has gone well three times, so you take one step up."),
                    (
                        "DS-04",
                        f"You have reached the top of {exercise.name}, so you move on to "
                        f"{nxt.name}, starting gently.",
                    ),
                ]
            ),
        )
    return change(
        current,
        "hold",
        [("DS-02", "You have reached the top level of this exercise. Keep doing it at this level.")],
    )


_PAUSED = "Your pain has gone up over the last weeks, so we are not making this exercise harder for now."
