"""Outcome change against the minimal important change (OM), clinical-spec §6.1.

``pain_change`` is OM-01 (NPRS), ``psfs_change`` and ``psfs_activity_change`` are OM-05 (PSFS),
``improvement_review`` is OM-08 with its two consequences: RF-17 at 4 weeks and DS-08 at 6 weeks.
All pure: dates are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from backhome.core.model import Outcome, Reason, Tier
from backhome.core.rules.explain import fired as _fired

IMPLEMENTS: tuple[str, ...] = ("OM-01", "OM-05", "OM-07", "OM-08", "RF-17")

#: OM-01: a fall of 2 points or 30 % from baseline is an important improvement (S30, S31).
NPRS_MIC_POINTS = 2
NPRS_MIC_FRACTION = 0.30
#: OM-05: the PSFS smallest detectable change (MDC90): 2 points on the average, 3 on one activity.
PSFS_MDC_AVERAGE = 2.0
PSFS_MDC_ACTIVITY = 3.0
#: OM-07: the PSFS is asked at the start and then weekly.
PSFS_EVERY_DAYS = 7
#: OM-08 / RF-17 / DS-08 review points, in days from the programme start.
FOUR_WEEKS = 28
SIX_WEEKS = 42


def is_recovered(current: int) -> bool:
    """OM-01: the recovery cut-off is no pain at all (NPRS 0, S32)."""
    return current == 0


def pain_change(baseline: int, current: int) -> Outcome:
    """OM-01: NPRS down by 2 points or more, or by 30 % or more of the baseline, is a meaningful
    improvement. ``change`` is current minus baseline (negative = better). A rise is never meaningful
    *improvement*."""
    for name, value in (("baseline", baseline), ("current", current)):
        if not 0 <= value <= 10:
            raise ValueError(f"{name} must be between 0 and 10, got {value}")
    drop = baseline - current
    meaningful = drop > 0 and (drop >= NPRS_MIC_POINTS or drop >= NPRS_MIC_FRACTION * baseline)
    if not meaningful:
        return Outcome(baseline, current, current - baseline, False)
    text = f"Your pain has gone down from {baseline} to {current} out of 10. That is a real improvement."
    if is_recovered(current):
        text = f"Your pain has gone down from {baseline} to 0 out of 10: you are pain-free."
    rules, reasons = _fired([("OM-01", text)])
    return Outcome(baseline, current, current - baseline, True, rules, reasons)


def _psfs(values: Sequence[float], name: str) -> None:
    if not 3 <= len(values) <= 5:
        raise ValueError(f"{name} must rate 3 to 5 activities, got {len(values)}")
    if any(not 0 <= v <= 10 for v in values):
        raise ValueError(f"{name} ratings must be between 0 and 10")


def psfs_change(baseline: Sequence[float], current: Sequence[float]) -> Outcome:
    """OM-05: the PSFS score is the mean of 3-5 activity ratings (0 = unable, 10 = as before); a rise of
    2 points or more in the mean is a meaningful improvement. The same activities, in the same order,
    must be rated both times."""
    _psfs(baseline, "baseline")
    _psfs(current, "current")
    if len(baseline) != len(current):
        raise ValueError("baseline and current must rate the same activities")
    before = sum(baseline) / len(baseline)
    now = sum(current) / len(current)
    gain = now - before
    if gain < PSFS_MDC_AVERAGE:
        return Outcome(before, now, gain, False)
    rules, reasons = _fired(
        [
            (
                "OM-05",
                "On average you can do the activities you chose noticeably better than when you started.",
            )
        ]
    )
    return Outcome(before, now, gain, True, rules, reasons)


def psfs_activity_change(baseline: float, current: float) -> Outcome:
    """OM-05: for one activity of the PSFS, a rise of 3 points or more is a meaningful change."""
    if not (0 <= baseline <= 10 and 0 <= current <= 10):
        raise ValueError("activity ratings must be between 0 and 10")
    gain = current - baseline
    if gain < PSFS_MDC_ACTIVITY:
        return Outcome(baseline, current, gain, False)
    rules, reasons = _fired([("OM-05", "You can do this activity noticeably better than when you started.")])
    return Outcome(baseline, current, gain, True, rules, reasons)


@dataclass(frozen=True, slots=True)
class Review:
    """Progress review of a programme (OM-08, RF-17, DS-08)."""

    days: int
    improved: bool
    tier: Tier
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def improvement_review(
    *,
    start: dt.date,
    today: dt.date,
    baseline_pain: int,
    latest_pain: int,
    function: Outcome | None = None,
) -> Review:
    """OM-08: meaningful improvement = pain (OM-01) AND one disability/function measure (``function``,
    e.g. OM-05's PSFS) reach their minimal important change.

    From 4 weeks on, pain not meaningfully lower -> RF-17 (tier soon). From 6 weeks on, no OM-08
    improvement -> DS-08, recommend a physical therapist (tier refer). The most severe tier wins (B1).
    """
    if today < start:
        raise ValueError("today is before the programme start")
    days = (today - start).days
    pain = pain_change(baseline_pain, latest_pain)
    improved = pain.meaningful and function is not None and function.meaningful
    pairs: list[tuple[str, str]] = []
    tiers = [Tier.PROCEED]
    if improved:
        pairs.append(
            (
                "OM-08",
                "Both your pain and what you can do have improved by an amount that really matters. "
                "Keep going.",
            )
        )
    if days >= FOUR_WEEKS and not pain.meaningful:
        pairs.append(
            (
                "RF-17",
                "After four weeks your pain has not gone down as much as we would expect. Please book an "
                "appointment with your doctor or a physical therapist in the next week or two.",
            )
        )
        tiers.append(Tier.SOON)
    if days >= SIX_WEEKS and not improved:
        pairs.append(
            (
                "DS-08",
                "After six weeks the programme has not helped you enough on its own. We recommend you see "
                "a licensed physical therapist.",
            )
        )
        tiers.append(Tier.REFER)
    rules, reasons = _fired(pairs)
    return Review(days, improved, Tier.most_severe(tiers), rules, reasons)


@dataclass(frozen=True, slots=True)
class Due:
    """Whether a measure should be asked today (OM-07), with the rule and a reason when it should."""

    due: bool
    rules: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()


def psfs_due(*, programme_start: dt.date, today: dt.date, last_asked: dt.date | None) -> Due:
    """OM-07 (B28): the PSFS at the start of the programme, then once a week: due when it has never
    been asked, or 7 days or more after it was last asked."""
    if today < programme_start:
        raise ValueError("today is before the programme start")
    if last_asked is not None and last_asked > today:
        raise ValueError("last_asked is after today")
    if last_asked is None:
        text = "Before you start, name 3 to 5 everyday activities your back makes hard, and rate each."
    elif (today - last_asked).days >= PSFS_EVERY_DAYS:
        text = "It is a week since you last rated your activities. Please rate them again for today."
    else:
        return Due(False)
    rules, reasons = _fired([("OM-07", text)])
    return Due(True, rules, reasons)
