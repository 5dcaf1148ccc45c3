"""The course of a programme from one morning check-in to the next session.

``advance`` is orchestration only: it asks the rule modules and reports what they answered. PM-40
(``monitor.next_morning``) judges this morning against the previous one and marks yesterday's sessions
tolerated or not; PM-41 (``monitor.repeated_intolerance``), PM-42 (``monitor.weekly_trend``), PM-43
(``monitor.detect_flare`` / ``monitor.flare_over``) and DS-08 (``progress.review_point``) read the
person's recent history; ``progress.next_dose`` gives each exercise its next dose (DS-02...DS-07,
ND-02, ND-03, ND-05). Every threshold stays in those modules. Pure: ``today`` is passed in.

Two choices of this module, both about *which* history a rule is shown:

- **One step per step.** ``next_dose`` reads "the last sessions" of an exercise. Shown every session
  since the programme began, three good sessions would move the dose up at every later check-in, and
  one RED session would move it down again each morning until the next session. So the ladder (DS-02,
  DS-03, DS-05, DS-06, ND-02, ND-03) is shown only the sessions done at the current dose since it
  began (``CourseItem.since``): each session moves a dose at most once, and a new step needs its own
  three good sessions. Suspensions (DS-07 with PM-41, ND-05's second RED glide) read the whole
  history of the programme, because they count events across steps (a bad morning regresses, the
  next one suspends).
- **A flare keeps the direction-matched exercises only (PM-43).** While a flare lasts, an exercise of
  the direction opposite to the programme's (``bias``) is paused (action ``suspend`` with PM-43 alone)
  and comes back at its dose when the flare is over; every other exercise gets the flare dose. A
  balanced programme has no direction preference, so nothing is paused. The flare lasts from the
  latest morning ``detect_flare`` found one until ``flare_over`` (two GREEN days in a row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from backhome.core.model import (
    Direction,
    Dose,
    Exercise,
    ExerciseResult,
    MorningCheck,
    Reason,
    Tier,
)
from backhome.core.rules import monitor, progress
from backhome.core.rules.explain import fired
from backhome.core.rules.monitor import FlareCheck, FlareEnd, MorningVerdict, Suspension
from backhome.core.rules.prescribe import Bias
from backhome.core.rules.progress import Action, ReviewPoint

__all__ = [
    "Bias",
    "Course",
    "CourseItem",
    "Step",
    "advance",
    "bias_of",
    "weekly_morning_pain",
]

#: PM-42 compares the last three weeks (two rises in a row).
TREND_WEEKS = 3
#: How many days before a morning ``detect_flare`` reads (yesterday and the 7 days before it).
_FLARE_LOOKBACK = 8


@dataclass(frozen=True, slots=True)
class CourseItem:
    """One exercise of the programme as it stands before this morning.

    ``exercise_id`` is the exercise done now (after a DS-04 step, a later variant than the plan's).
    ``since`` is the day the current dose began (None: the programme's start). ``suspended`` with
    ``suspended_by``, the rules of the suspension in force (PM-43 alone: a flare pause).
    """

    exercise_id: str
    dose: Dose
    since: dt.date | None = None
    suspended: bool = False
    suspended_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """One exercise's next dose and action, and why. ``changed``: the exercise, its dose or whether it
    is suspended differs from before (a hold at the same dose is no change)."""

    exercise_id: str
    dose: Dose
    action: Action
    changed: bool
    tier: Tier
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Course:
    """What follows from this morning: a step per programme item (same order) and the findings about
    the whole programme (PM-40, PM-42, PM-43, DS-08) with their rules and reasons.

    ``morning`` is None when there is no check-in today or none before it to compare with. ``flare`` is
    today's PM-43 check (it fired today or not); ``in_flare`` whether the flare dose applies (a flare
    found on an earlier morning lasts until it is over); ``flare_end`` is set on the morning it ends.
    ``tier`` is refer when any step or finding recommends a clinician (DS-07, PM-41, PM-42, ND-05).
    """

    steps: tuple[Step, ...]
    morning: MorningVerdict | None
    trend: Suspension
    flare: FlareCheck
    in_flare: bool
    flare_end: FlareEnd | None
    review: ReviewPoint
    tier: Tier
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]

    @property
    def rescreen(self) -> bool:
        """PM-43: a new flare asks for the quick red-flag check again."""
        return self.flare.rescreen


def bias_of(rules: Iterable[str]) -> Bias:
    """The direction of a decided programme from its rules: DPT-20 extension-biased, DPT-21
    flexion-biased, otherwise balanced (B9; the prescription fires exactly one of DPT-20/21/22)."""
    found = set(rules)
    if "DPT-20" in found:
        return "extension"
    if "DPT-21" in found:
        return "flexion"
    return "balanced"


def _day_pain(check: MorningCheck) -> int:
    # As PM-43 reads a day (monitor.detect_flare): the worse of back and leg pain.
    return max(check.back, check.leg)


def weekly_morning_pain(mornings: Sequence[MorningCheck], today: dt.date) -> tuple[float, ...]:
    """PM-42's input: average morning pain of the last ``TREND_WEEKS`` seven-day weeks ending today,
    oldest first. Only the run of weeks up to today that all have a check-in is given (a week without
    one breaks the comparison of one week with the next)."""
    averages: list[float] = []
    for week in range(TREND_WEEKS):
        last = today - dt.timedelta(days=7 * week)
        first = last - dt.timedelta(days=6)
        pains = [_day_pain(m) for m in mornings if first <= m.date <= last]
        if not pains:
            break
        averages.append(sum(pains) / len(pains))
    return tuple(reversed(averages))


def _by_date(mornings: Sequence[MorningCheck]) -> dict[dt.date, MorningCheck]:
    found: dict[dt.date, MorningCheck] = {}
    for m in mornings:
        if m.date in found:
            raise ValueError(f"two morning check-ins on {m.date.isoformat()}")
        found[m.date] = m
    return found


def _flare_start(mornings: Sequence[MorningCheck], start: dt.date, day: dt.date) -> dt.date | None:
    """The latest morning from ``start`` to ``day`` on which PM-43 found a flare."""
    latest = None
    for m in sorted(mornings, key=lambda m: m.date):
        if not start <= m.date <= day:
            continue
        window = [w for w in mornings if m.date - dt.timedelta(days=_FLARE_LOOKBACK) <= w.date <= m.date]
        if monitor.detect_flare(window, m.date).flare:
            latest = m.date
    return latest


def _in_flare(
    mornings: Sequence[MorningCheck], results: Sequence[ExerciseResult], start: dt.date, day: dt.date
) -> tuple[bool, dt.date | None]:
    """Whether the flare dose applies on the morning of ``day``: sessions before that morning count."""
    flare_start = _flare_start(mornings, start, day)
    if flare_start is None:
        return False, None
    before = day - dt.timedelta(days=1)
    over = before >= flare_start and monitor.flare_over(results, flare_start, before).over
    return not over, flare_start


def _opposite(direction: Direction, bias: Bias) -> bool:
    return (bias == "extension" and direction is Direction.FLEXION) or (
        bias == "flexion" and direction is Direction.EXTENSION
    )


def advance(
    programme: Sequence[CourseItem],
    results: Sequence[ExerciseResult],
    mornings: Sequence[MorningCheck],
    *,
    today: dt.date,
    start: dt.date,
    library: Mapping[str, Exercise],
    bias: Bias = "balanced",
) -> Course:
    """The next doses after the morning check-in of ``today`` and what the person's history shows.

    ``programme``: each exercise at its current dose. ``results``: how each exercise went in each
    session of this programme, ``tolerated_next_morning`` filled from the check-ins already judged;
    the verdict of today's morning (PM-40) is filled in here for yesterday's sessions. ``mornings``:
    the person's morning check-ins up to today (at most one a day). ``start``: the day the programme
    began (DS-08). ``bias``: the programme's direction (``bias_of`` its decision's rules).
    Raises ``ValueError`` on inconsistent input (two check-ins on one day, an unknown exercise, a dose
    outside its exercise's envelope, ``today`` before ``start``): fail closed, no guess.
    """
    by_date = _by_date(mornings)
    unknown = [item.exercise_id for item in programme if item.exercise_id not in library]
    if unknown:
        raise ValueError(f"unknown exercise(s) in the programme: {', '.join(unknown)}")
    review = progress.review_point(start, today)

    # PM-40: this morning against the previous one; yesterday's sessions get the verdict.
    this_morning = by_date.get(today)
    earlier = [d for d in by_date if d < today]
    verdict = (
        monitor.next_morning(this_morning, by_date[max(earlier)])
        if this_morning is not None and earlier
        else None
    )
    yesterday = today - dt.timedelta(days=1)
    history = [
        replace(r, tolerated_next_morning=verdict.tolerated)
        if verdict is not None and r.date == yesterday and r.tolerated_next_morning is None
        else r
        for r in results
        if r.date <= today
    ]

    trend = monitor.weekly_trend(weekly_morning_pain(mornings, today))
    flare_today = monitor.detect_flare(mornings, today)
    in_flare, flare_start = _in_flare(mornings, history, start, today)
    was_in_flare, _ = _in_flare(mornings, history, start, yesterday)
    flare_end = None
    if was_in_flare and not in_flare and flare_start is not None:
        flare_end = monitor.flare_over(history, flare_start, yesterday)
    leg_pain = this_morning.leg if this_morning is not None else None

    steps = tuple(
        _step(
            item,
            history,
            today=today,
            library=library,
            bias=bias,
            in_flare=in_flare,
            flare_end=flare_end,
            paused=trend.stop,
            leg_pain=leg_pain,
        )
        for item in programme
    )

    flare_reasons = flare_today.reasons if flare_today.flare else flare_end.reasons if flare_end else ()
    found = (*(verdict.reasons if verdict else ()), *trend.reasons, *flare_reasons, *review.reasons)
    rules, reasons = fired((r.rule, r.text) for r in found)
    tier = Tier.most_severe([trend.tier, *(s.tier for s in steps)])
    return Course(steps, verdict, trend, flare_today, in_flare, flare_end, review, tier, rules, reasons)


def _step(
    item: CourseItem,
    history: Sequence[ExerciseResult],
    *,
    today: dt.date,
    library: Mapping[str, Exercise],
    bias: Bias,
    in_flare: bool,
    flare_end: FlareEnd | None,
    paused: bool,
    leg_pain: int | None,
) -> Step:
    exercise = library[item.exercise_id]

    def same(action: Action, changed: bool, pairs: list[tuple[str, str]]) -> Step:
        rules, reasons = fired(pairs)
        return Step(item.exercise_id, item.dose, action, changed, Tier.PROCEED, rules, reasons)

    flare_pause = item.suspended and set(item.suspended_by) == {"PM-43"}
    if item.suspended and not (flare_pause and not in_flare):
        return same("suspend", False, [])
    if flare_pause:
        back = flare_end.reasons[0].text + " " if flare_end is not None and flare_end.reasons else ""
        return same("hold", True, [("PM-43", back + "This exercise is back in your programme.")])
    if in_flare and _opposite(exercise.direction, bias):
        return same(
            "suspend",
            True,
            [
                (
                    "PM-43",
                    "During a flare-up you only do the exercises that bend your back the way that suits "
                    "it, so this one is paused. It comes back when the flare-up is over.",
                )
            ],
        )

    def dose_for(shown: Sequence[ExerciseResult]) -> progress.DoseChange:
        return progress.next_dose(
            exercise,
            item.dose,
            shown,
            today=today,
            library=library,
            flare=in_flare,
            progression_paused=paused,
            leg_pain=leg_pain,
        )

    change = dose_for(history)
    if change.action != "suspend":
        at_this_step = [
            r
            for r in history
            if r.exercise_id != item.exercise_id
            or (r.dose == item.dose and (item.since is None or r.date >= item.since))
        ]
        change = dose_for(at_this_step)
    rules, reasons, tier = change.rules, change.reasons, change.tier
    if change.action == "suspend":
        intolerance = monitor.repeated_intolerance(history, item.exercise_id)
        if intolerance.stop:
            rules, reasons = fired(
                [(r.rule, r.text) for r in (*change.reasons, *intolerance.reasons)],
            )
            tier = Tier.most_severe([tier, intolerance.tier])
    changed = change.exercise_id != item.exercise_id or change.dose != item.dose or change.action == "suspend"
    return Step(change.exercise_id, change.dose, change.action, changed, tier, rules, reasons)
