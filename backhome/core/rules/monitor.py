"""Pain monitoring during and after a session (PM), clinical-spec §5 and binding decision B7.

``evaluate`` turns the pain checks before and after one exercise into its traffic light (PM-10...PM-30).
``next_morning`` compares two morning check-ins (PM-40); ``repeated_intolerance`` (PM-41),
``weekly_trend`` (PM-42), ``detect_flare`` and ``flare_over`` (PM-43) read a patient's recent history.
``monitoring_mode`` applies PM-00's default. Every function is pure: dates are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backhome.core.model import (
    ExerciseResult,
    Light,
    Monitoring,
    MorningCheck,
    PainCheck,
    Reason,
    Tier,
)
from backhome.core.rules.explain import fired as _fired

IMPLEMENTS: tuple[str, ...] = (
    "PM-00",
    "PM-10",
    "PM-11",
    "PM-12",
    "PM-13",
    "PM-14",
    "PM-20",
    "PM-30",
    "PM-40",
    "PM-41",
    "PM-42",
    "PM-43",
)

#: PM-13: how long to rest before the back-pain re-check, per mode (minutes).
RECHECK_MINUTES: dict[Monitoring, int] = {Monitoring.STRICT: 5, Monitoring.MONITORED: 30}

#: PM-12/PM-13 MONITORED and PM-F2: pain above 5 of 10 is the model's "unacceptable" zone.
MONITORED_CEILING = 5

#: PM-43: a flare needs a 7-day average to compare with; with fewer than this many recorded days in
#: the window there is no average worth the name, so no flare is detected (design default).
FLARE_MIN_BASELINE_DAYS = 3

_STIFFNESS_ORDER = {"none": 0, "under_30_min": 1, "30_min_or_more": 2}

#: S0's own stop advice and referral, in our words.
_STOP = "Stop this exercise now and rest in a comfortable position."
_PT = "If your symptoms do not settle, contact a licensed physical therapist before you exercise again."


def _check_pain(check: PainCheck | MorningCheck, name: str) -> None:
    """B15 fail closed: NPRS 0-10 and zone 0-5 (DPT-03), or no result at all."""
    for field_name, value, top in (("back", check.back, 10), ("leg", check.leg, 10), ("zone", check.zone, 5)):
        if not 0 <= value <= top:
            raise ValueError(f"{name}.{field_name} must be between 0 and {top}, got {value}")


# --------------------------------------------------------------------------- PM-00


@dataclass(frozen=True, slots=True)
class ModeChoice:
    """The monitoring mode in force for a patient (PM-00, B7)."""

    mode: Monitoring
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def monitoring_mode(clinician_setting: Monitoring | None = None) -> ModeChoice:
    """PM-00: STRICT unless a clinician has set MONITORED for this patient (B7).

    PM-00 fires whenever the careful default is what applies; a clinician's MONITORED setting is
    the clinician's decision, not a rule firing.
    """
    if clinician_setting is Monitoring.MONITORED:
        return ModeChoice(Monitoring.MONITORED, (), ())
    rules, reasons = _fired(
        [
            (
                "PM-00",
                "We use the careful setting: stop an exercise at any rise in your back or leg pain. "
                "Your physical therapist can change this for you.",
            )
        ]
    )
    return ModeChoice(Monitoring.STRICT, rules, reasons)


# --------------------------------------------------------------------------- PM-10 ... PM-30


@dataclass(frozen=True, slots=True)
class ExerciseCheck:
    """The traffic light for one exercise and what to do now (PM-10...PM-30).

    ``needs_recheck`` is the provisional state of PM-13: back pain rose and we do not yet know
    whether it settles. The light is then AMBER *provisionally*; the caller asks again after
    ``recheck_minutes`` of rest and calls :func:`evaluate` once more with ``settled`` set. A
    provisional AMBER never counts as a session result for progression.
    """

    light: Light
    end_session: bool
    needs_recheck: bool
    recheck_minutes: int | None
    direction_worse: bool
    rescreen: bool
    quick_check: bool
    advice: str
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def evaluate(
    before: PainCheck,
    after: PainCheck,
    mode: Monitoring = Monitoring.STRICT,
    settled: bool | None = None,
) -> ExerciseCheck:
    """The light for one exercise: PM-10, PM-11, PM-12, PM-13, PM-14 (RED), PM-20 (AMBER), PM-30 (GREEN).

    ``settled`` is the re-check after rest: whether back pain came back to the ``before`` value within
    5 minutes (STRICT) or 30 minutes (MONITORED); ``None`` when nobody has re-checked yet.
    """
    _check_pain(before, "before")
    _check_pain(after, "after")
    strict = mode is Monitoring.STRICT
    back_up = after.back - before.back
    leg_up = after.leg - before.leg
    red: list[tuple[str, str]] = []
    end_session = direction_worse = rescreen = quick_check = False

    if after.red_flag or before.red_flag:
        # PM-14: a red-flag symptom outranks the exercise; the full screen (§1) decides the tier.
        red.append(
            (
                "PM-14",
                "You told us about a warning sign. Stop exercising now and answer the safety questions "
                "again, so we can tell you whether you need to see someone today.",
            )
        )
        end_session = rescreen = True
    if after.zone > before.zone:
        # PM-10: peripheralization is the key stop signal (PM-F3); the direction counts as worse (DPT-10).
        red.append(
            (
                "PM-10",
                "Your pain spread further down your leg during this exercise, so we stopped it. "
                "Do no more exercises today, and do not repeat this one until it has been reviewed.",
            )
        )
        end_session = direction_worse = True
    if (after.numbness and not before.numbness) or after.weakness:
        # PM-11: new nerve symptoms need the quick red-flag check (RF-09/RF-13).
        red.append(
            (
                "PM-11",
                "You noticed new numbness, pins and needles or weakness, so we stopped the session. "
                "Please answer a few quick safety questions now.",
            )
        )
        end_session = quick_check = True
    leg_red = leg_up >= 1 if strict else (leg_up >= 2 or after.leg > MONITORED_CEILING)
    if leg_red:
        # PM-12: leg pain is "sciatic pain down the leg" (S0): leg-related, so the session ends.
        red.append(
            (
                "PM-12",
                "Your leg pain went up during this exercise, so we stopped it. "
                "Rest, and do no more exercises today.",
            )
        )
        end_session = True

    # PM-13 / PM-20: back pain. A rise only becomes RED when it does not settle (or, MONITORED,
    # exceeds 5); until the re-check is in, the answer is provisional.
    needs_recheck = False
    amber: list[tuple[str, str]] = []
    window = RECHECK_MINUTES[mode]
    if strict and back_up >= 1:
        if settled is None:
            needs_recheck = True
        elif not settled:
            red.append(
                (
                    "PM-13",
                    "Your back pain went up and had not settled after 5 minutes' rest, so we stopped "
                    "this exercise. Do not repeat it today.",
                )
            )
        elif back_up >= 2:
            # Conservative reading of S0 "stop if any increase": a 2-point rise is RED even if it settled.
            red.append(
                (
                    "PM-13",
                    "Your back pain went up by 2 points or more during this exercise, so we stopped it, "
                    "even though it settled afterwards. Do not repeat it today.",
                )
            )
        else:
            amber.append(
                (
                    "PM-20",
                    "Your back pain went up a little but settled within 5 minutes. Keep this exercise "
                    "at the same level next time.",
                )
            )
    elif not strict and back_up >= 1:
        if after.back > MONITORED_CEILING:
            red.append(
                (
                    "PM-13",
                    "Your back pain went above 5 out of 10 during this exercise, so we stopped it. "
                    "Do not repeat it today.",
                )
            )
        elif back_up >= 2 and settled is None:
            needs_recheck = True
        elif back_up >= 2 and not settled:
            red.append(
                (
                    "PM-13",
                    "Your back pain went up and had not settled after 30 minutes, so we stopped this "
                    "exercise. Do not repeat it today.",
                )
            )
        elif after.zone < before.zone:
            amber.append(
                (
                    "PM-20",
                    "Your pain moved back towards your spine, which is a good sign, while your back felt "
                    "a bit sorer. Keep this exercise at the same level next time.",
                )
            )
        else:
            amber.append(
                (
                    "PM-20",
                    "Your back pain went up a little but stayed at 5 or below. Keep this exercise at the "
                    "same level next time.",
                )
            )
    if not strict and not leg_red and leg_up >= 1:
        # An allowed leg rise (MONITORED, +1, at most 5) is not "no increase" (PM-30), so not GREEN.
        amber.append(
            (
                "PM-20",
                "Your leg pain went up a little but stayed at 5 or below. Keep this exercise at the same "
                "level next time.",
            )
        )

    if red:
        rules, reasons = _fired(red)
        advice = _STOP
        if end_session:
            advice += " Do no more exercises today."
        if rescreen or quick_check:
            advice += " Answer the safety questions before anything else."
        advice += " " + _PT
        return ExerciseCheck(
            Light.RED,
            end_session,
            False,
            None,
            direction_worse,
            rescreen,
            quick_check,
            advice,
            rules,
            reasons,
        )
    if needs_recheck:
        rules, reasons = _fired(
            [
                (
                    "PM-13",
                    f"Your back pain went up during this exercise. Rest for {window} minutes, then tell "
                    "us whether it has come back down to where it was before.",
                )
            ]
        )
        advice = f"Stop this exercise and rest for {window} minutes, then check your back pain again."
        return ExerciseCheck(Light.AMBER, False, True, window, False, False, False, advice, rules, reasons)
    if amber:
        rules, reasons = _fired(amber)
        return ExerciseCheck(
            Light.AMBER,
            False,
            False,
            None,
            False,
            False,
            False,
            "Finish this set gently without going further, and keep the same level next time.",
            rules,
            reasons,
        )
    rules, reasons = _fired(
        [
            (
                "PM-30",
                "Your pain did not go up and did not spread. This exercise suits you at this level.",
            )
        ]
    )
    return ExerciseCheck(
        Light.GREEN,
        False,
        False,
        None,
        False,
        False,
        False,
        "Well done. Carry on with your programme.",
        rules,
        reasons,
    )


# --------------------------------------------------------------------------- PM-40


@dataclass(frozen=True, slots=True)
class MorningVerdict:
    """Whether yesterday's session was tolerated, judged the next morning (PM-40)."""

    tolerated: bool
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def next_morning(today: MorningCheck, previous: MorningCheck) -> MorningVerdict:
    """PM-40: back or leg 2 or more above the previous morning, zone further down the leg, or
    longer morning stiffness -> NOT TOLERATED (the next session regresses one step, DS-06)."""
    _check_pain(today, "today")
    _check_pain(previous, "previous")
    if previous.date >= today.date:
        raise ValueError("the previous morning check must be from an earlier date")
    found: list[str] = []
    if today.back - previous.back >= 2:
        found.append("your back pain is 2 or more points higher than the morning before")
    if today.leg - previous.leg >= 2:
        found.append("your leg pain is 2 or more points higher than the morning before")
    if today.zone > previous.zone:
        found.append("your pain reaches further down your leg than the morning before")
    if _STIFFNESS_ORDER[today.stiffness] > _STIFFNESS_ORDER[previous.stiffness]:
        found.append("your back stayed stiff for longer this morning")
    if not found:
        return MorningVerdict(True, (), ())
    rules, reasons = _fired(
        [
            (
                "PM-40",
                "This morning " + " and ".join(found) + ". Your body did not take yesterday's "
                "exercises well, so we will make them a little easier next time.",
            )
        ]
    )
    return MorningVerdict(False, rules, reasons)


# --------------------------------------------------------------------------- PM-41, PM-42


@dataclass(frozen=True, slots=True)
class Suspension:
    """Whether progression or an exercise is stopped, with the tier it yields (PM-41, PM-42)."""

    stop: bool
    tier: Tier
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def _ordered(results: Iterable[ExerciseResult], exercise_id: str) -> list[ExerciseResult]:
    # sorted() is stable: results of one day keep the order the caller gave them.
    return sorted((r for r in results if r.exercise_id == exercise_id), key=lambda r: r.date)


def repeated_intolerance(history: Sequence[ExerciseResult], exercise_id: str) -> Suspension:
    """PM-41: the last two sessions of this exercise with a morning answer were both NOT TOLERATED
    -> suspend the exercise, tier refer.

    Sessions whose morning answer is still missing are skipped, not counted as tolerated.
    """
    answered = [r for r in _ordered(history, exercise_id) if r.tolerated_next_morning is not None]
    if len(answered) >= 2 and not any(r.tolerated_next_morning for r in answered[-2:]):
        rules, reasons = _fired(
            [
                (
                    "PM-41",
                    "Two sessions in a row of this exercise left you worse the next morning, so we have "
                    "stopped it for now. If your symptoms have not settled in 2 to 3 days, contact a "
                    "licensed physical therapist or your doctor.",
                )
            ]
        )
        return Suspension(True, Tier.REFER, rules, reasons)
    return Suspension(False, Tier.PROCEED, (), ())


def weekly_trend(weekly_averages: Sequence[float]) -> Suspension:
    """PM-42: weekly average pain up by 2 or more on the week before, two weeks in a row
    (the last three weeks, oldest first) -> pause progression, tier refer."""
    if any(not 0 <= w <= 10 for w in weekly_averages):
        raise ValueError("weekly averages must be between 0 and 10")
    if len(weekly_averages) >= 3:
        a, b, c = weekly_averages[-3:]
        if b - a >= 2 and c - b >= 2:
            rules, reasons = _fired(
                [
                    (
                        "PM-42",
                        "Your average pain has gone up two weeks in a row, so we will not make your "
                        "exercises harder for now. We recommend you see a licensed physical therapist.",
                    )
                ]
            )
            return Suspension(True, Tier.REFER, rules, reasons)
    return Suspension(False, Tier.PROCEED, (), ())


# --------------------------------------------------------------------------- PM-43


@dataclass(frozen=True, slots=True)
class FlareCheck:
    """A flare (PM-43): the flare dose applies and the quick red-flag check is due again."""

    flare: bool
    rescreen: bool
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def _day_pain(check: MorningCheck) -> int:
    # A day's pain is the worse of back and leg: a flare in either counts.
    return max(check.back, check.leg)


def detect_flare(mornings: Sequence[MorningCheck], today: dt.date) -> FlareCheck:
    """PM-43: today's and yesterday's pain are both 2 or more above the average of the 7 days before
    yesterday -> flare: lowest dose, direction-matched exercises only, quick red-flag check again.

    The average needs at least ``FLARE_MIN_BASELINE_DAYS`` recorded days, otherwise no flare is found.
    """
    by_day: dict[dt.date, int] = {}
    for m in mornings:
        _check_pain(m, "morning")
        by_day[m.date] = _day_pain(m)
    yesterday = today - dt.timedelta(days=1)
    window = [by_day[d] for d in (yesterday - dt.timedelta(days=k) for k in range(1, 8)) if d in by_day]
    if today in by_day and yesterday in by_day and len(window) >= FLARE_MIN_BASELINE_DAYS:
        average = sum(window) / len(window)
        if by_day[today] - average >= 2 and by_day[yesterday] - average >= 2:
            rules, reasons = _fired(
                [
                    (
                        "PM-43",
                        "Your pain has been clearly higher than usual for two days: this is a flare-up. "
                        "We have lowered your exercises to the gentlest level and kept only those that "
                        "suit your back. Please answer the quick safety questions again.",
                    )
                ]
            )
            return FlareCheck(True, True, rules, reasons)
    return FlareCheck(False, False, (), ())


@dataclass(frozen=True, slots=True)
class FlareEnd:
    """Whether the normal ladder may resume after a flare (PM-43)."""

    over: bool
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def flare_over(results: Sequence[ExerciseResult], flare_start: dt.date, today: dt.date) -> FlareEnd:
    """PM-43: the flare ends after 2 consecutive GREEN days since it started.

    A GREEN day is a calendar day with at least one result and every result GREEN; the two days
    must be the last two days with results and follow each other on the calendar.
    """
    days: dict[dt.date, bool] = {}
    for r in results:
        if flare_start <= r.date <= today:
            days[r.date] = days.get(r.date, True) and r.light is Light.GREEN
    recent = sorted(days)[-2:]
    if len(recent) == 2 and recent[1] - recent[0] == dt.timedelta(days=1) and all(days[d] for d in recent):
        rules, reasons = _fired(
            [
                (
                    "PM-43",
                    "You have had two good days in a row, so your flare-up is over and your exercises "
                    "go back to your usual plan.",
                )
            ]
        )
        return FlareEnd(True, rules, reasons)
    return FlareEnd(False, (), ())
