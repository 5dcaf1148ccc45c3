"""The simplified directional self-check (DPT), clinical-spec §3.4.

``may_test`` (DPT-01) and ``may_test_second`` (DPT-02) say whether a test may run; ``procedure``
gives its steps (DPT-04, DPT-05) with the disclaimer (DPT-26); ``should_abort`` (DPT-06) is asked
during the test; ``classify`` turns the before / after / re-check measurements (DPT-03) into a
direction's :class:`Response` (DPT-06...DPT-10); ``confirm_next_morning`` applies DPT-12;
``combine`` gives the directional preference of DPT-11; ``retest_due`` is DPT-25. All pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from backhome.core.model import (
    Decision,
    Direction,
    Monitoring,
    MorningCheck,
    PainCheck,
    Reason,
    Response,
    Tier,
)
from backhome.core.rules.explain import fired as _fired

IMPLEMENTS: tuple[str, ...] = (
    "DPT-01",
    "DPT-02",
    "DPT-03",
    "DPT-04",
    "DPT-05",
    "DPT-06",
    "DPT-07",
    "DPT-08",
    "DPT-09",
    "DPT-10",
    "DPT-11",
    "DPT-12",
    "DPT-25",
    "DPT-26",
)

#: DPT-26, in our own words.
DISCLAIMER = (
    "This is a simple self-check, not a diagnosis. A trained physiotherapist can assess your back "
    "more reliably."
)

#: DPT-04: the extension self-check, step by step.
EXTENSION_STEPS: tuple[str, ...] = (
    "Before you start, note your back pain and leg pain from 0 to 10, how far down your leg the pain "
    "reaches, and whether you have any numbness or pins and needles.",
    "Lie on your stomach for up to 5 minutes. If your pain spreads further down your leg, or your leg "
    "pain goes up, stop the check.",
    "If that was fine, prop yourself up on your elbows for up to 5 minutes, with the same stop signs.",
    "If that was fine, do 10 press-ups: hands under your shoulders, hips stay on the floor, push your "
    "upper body up and pause for 2 to 3 seconds at the top. Go only halfway for the first 2 or 3.",
    "Straight after the 10, note your pain and where it reaches again.",
    "Rest for 2 to 5 minutes, then note your pain and where it reaches one more time.",
)

#: DPT-05: the flexion self-check, step by step.
FLEXION_STEPS: tuple[str, ...] = (
    "Before you start, note your back pain and leg pain from 0 to 10, how far down your leg the pain "
    "reaches, and whether you have any numbness or pins and needles.",
    "Lie on your back with both knees bent. Gently pull one knee towards your chest, then the other, "
    "taking turns. If your pain spreads further down your leg, or your leg pain goes up, stop the check.",
    "If that was fine, pull both knees towards your chest together 10 times, pausing briefly each time.",
    "Straight after the 10, note your pain and where it reaches again.",
    "Rest for 2 to 5 minutes, then note your pain and where it reaches one more time.",
)

#: DPT-01: the intake blocks that rule out testing a direction (EL-04 fracture, EL-05 osteoporosis or
#: steroids, EL-06 stenosis).
_BLOCKING: dict[Direction, frozenset[str]] = {
    Direction.EXTENSION: frozenset({"EL-04", "EL-06"}),
    Direction.FLEXION: frozenset({"EL-04", "EL-05"}),
}
#: DPT-01: highest current pain at which the test may run.
MAX_PAIN_TO_TEST = 7
#: DPT-02: shortest gap between the two directions on one day.
SAME_DAY_GAP = dt.timedelta(hours=1)
#: DPT-25: re-test after this many days.
RETEST_DAYS = 14

Preference = Literal["extension", "flexion", "both", "none"]


def _tested(direction: Direction) -> None:
    if direction not in _BLOCKING:
        raise ValueError(f"the self-check tests extension or flexion, not {direction.value}")


# --------------------------------------------------------------------------- DPT-01, DPT-02


@dataclass(frozen=True, slots=True)
class Permission:
    """Whether a self-check may run now (DPT-01, DPT-02). The rules fire when it may not."""

    allowed: bool
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def may_test(direction: Direction, decision: Decision, back_pain: int) -> Permission:
    """DPT-01: only when the intake's tier is proceed or refer, no EL-04/EL-05/EL-06 block applies to
    the direction (extension: EL-04, EL-06; flexion: EL-04, EL-05), and back pain is 7 or less."""
    _tested(direction)
    if not 0 <= back_pain <= 10:
        raise ValueError("back_pain must be between 0 and 10")
    blocks = {rule for block in decision.blocked for rule in block.rules} & _BLOCKING[direction]
    why: list[str] = []
    if decision.tier not in (Tier.PROCEED, Tier.REFER):
        why.append("your answers mean a physical therapist should see you first")
    if blocks:
        why.append(
            f"{direction.value} movements are not advised for you until a physical therapist clears them"
        )
    if back_pain > MAX_PAIN_TO_TEST:
        why.append("your back pain is above 7 out of 10 right now")
    if not why:
        return Permission(True, (), ())
    text = "We will skip the self-check because " + " and ".join(why) + ". Your programme does not need it."
    return Permission(False, *_fired([("DPT-01", text)]))


def may_test_second(first_done: dt.datetime, *, now: dt.datetime, back_at_baseline: bool) -> Permission:
    """DPT-02: the second direction runs on another day, or the same day at least 1 hour after the
    first once back pain is back to where it was before the first test."""
    if now < first_done:
        raise ValueError("now is before the first test")
    if now.date() != first_done.date() or (now - first_done >= SAME_DAY_GAP and back_at_baseline):
        return Permission(True, (), ())
    text = (
        "Please wait before testing the other direction: do it on another day, or at least an hour "
        "later once your pain is back to where it was before the first check."
    )
    return Permission(False, *_fired([("DPT-02", text)]))


# --------------------------------------------------------------------------- DPT-04, DPT-05, DPT-26


@dataclass(frozen=True, slots=True)
class Procedure:
    """What to show before a self-check: the steps and the disclaimer (DPT-04/DPT-05, DPT-26)."""

    direction: Direction
    steps: tuple[str, ...]
    disclaimer: str
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def procedure(direction: Direction) -> Procedure:
    """DPT-04 (extension) or DPT-05 (flexion) steps, always with the DPT-26 disclaimer."""
    _tested(direction)
    if direction is Direction.EXTENSION:
        steps, rule = EXTENSION_STEPS, "DPT-04"
        text = "This check uses lying on your stomach and press-ups to see how backward bending suits you."
    else:
        steps, rule = FLEXION_STEPS, "DPT-05"
        text = "This check uses pulling your knees to your chest to see how forward bending suits you."
    return Procedure(direction, steps, DISCLAIMER, *_fired([(rule, text), ("DPT-26", DISCLAIMER)]))


# --------------------------------------------------------------------------- DPT-03, DPT-06


def check_measurement(check: PainCheck, name: str = "measurement") -> None:
    """DPT-03: back and leg pain 0-10, zone 0-5. Raises ``ValueError`` naming the wrong field (B15)."""
    for field_name, value, top in (("back", check.back, 10), ("leg", check.leg, 10), ("zone", check.zone, 5)):
        if not 0 <= value <= top:
            raise ValueError(f"{name}.{field_name} must be between 0 and {top}, got {value}")


def _worse(before: PainCheck, now: PainCheck) -> list[str]:
    """The DPT-06 criteria that hold at ``now``, in plain words."""
    found: list[str] = []
    if now.zone > before.zone:
        found.append("your pain spread further down your leg")
    if (now.numbness and not before.numbness) or (now.weakness and not before.weakness):
        found.append("you noticed new numbness, pins and needles or weakness")
    if now.leg - before.leg >= 1:
        found.append("your leg pain went up")
    if now.back > MAX_PAIN_TO_TEST:
        found.append("your back pain went above 7 out of 10")
    elif now.back - before.back >= 3:
        found.append("your back pain went up by 3 points or more")
    if now.red_flag:
        found.append("you noticed a warning sign")
    return found


@dataclass(frozen=True, slots=True)
class AbortCheck:
    """Whether to stop the self-check now (DPT-06)."""

    abort: bool
    rescreen: bool
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def should_abort(before: PainCheck, current: PainCheck) -> AbortCheck:
    """DPT-06: stop at once if the zone increases, numbness is new or increased, leg pain rises by 1 or
    more, or back pain goes above 7 or up by 3 or more. The direction then counts as worse."""
    check_measurement(before, "before")
    check_measurement(current, "current")
    found = _worse(before, current)
    if not found:
        return AbortCheck(False, False, (), ())
    text = "Stop the self-check now: " + " and ".join(found) + ". Rest in a comfortable position."
    return AbortCheck(True, current.red_flag, *_fired([("DPT-06", text)]))


# --------------------------------------------------------------------------- DPT-07 ... DPT-10


@dataclass(frozen=True, slots=True)
class DirectionResult:
    """One direction's response to the self-check (DPT-07...DPT-10, DPT-12)."""

    direction: Direction
    response: Response
    rescreen: bool
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def classify(
    direction: Direction,
    before: PainCheck,
    after: PainCheck,
    recheck: PainCheck,
    mode: Monitoring = Monitoring.STRICT,
) -> DirectionResult:
    """DPT-06/DPT-10 worse, DPT-07 centralizes, DPT-08 better, DPT-09 no effect; with DPT-26's
    disclaimer on every result.

    ``after`` is measured straight after the set, ``recheck`` after 2-5 minutes' rest (DPT-04). When
    the test was aborted, pass the values at the abort as both ``after`` and ``recheck``.
    """
    _tested(direction)
    check_measurement(before, "before")
    check_measurement(after, "after")
    check_measurement(recheck, "recheck")
    pairs: list[tuple[str, str]] = [("DPT-26", DISCLAIMER)]
    name = direction.value
    during, later = _worse(before, after), _worse(before, recheck)
    if during or later:
        if during:
            pairs.append(("DPT-06", "The check had to stop because " + " and ".join(during) + "."))
        pairs.append(
            (
                "DPT-10",
                f"Bending {_WAY[direction]} made your symptoms worse, so we will not give you "
                f"{name} exercises for now.",
            )
        )
        return DirectionResult(direction, Response.WORSE, after.red_flag or recheck.red_flag, *_fired(pairs))

    centralized = after.zone < before.zone and recheck.zone < before.zone
    back_persists = recheck.back - before.back >= 2
    if centralized:
        if mode is Monitoring.STRICT and back_persists:
            # DPT-07: in STRICT a lasting 2-point back rise makes the centralization "not tolerated";
            # we read that as not favourable (no effect), not as worse, unless DPT-06 applied above.
            pairs.append(
                (
                    "DPT-07",
                    "Your pain moved back towards your spine, but your back pain stayed 2 or more points "
                    "higher, so we do not count this as a good response yet.",
                )
            )
            pairs.append(("DPT-09", _NO_EFFECT.format(way=_WAY[direction])))
            return DirectionResult(direction, Response.NO_EFFECT, False, *_fired(pairs))
        pairs.append(
            (
                "DPT-07",
                f"Bending {_WAY[direction]} moved your pain back towards your spine and it stayed "
                "there. That is a good sign for these exercises.",
            )
        )
        return DirectionResult(direction, Response.FAVOURABLE, False, *_fired(pairs))

    def eased(part: str) -> bool:
        b, a, r = getattr(before, part), getattr(after, part), getattr(recheck, part)
        return bool(b - a >= 2 and b - r >= 2)

    # DPT-08 also asks that nothing else is up at the re-check (our conservative reading).
    steady = recheck.zone <= before.zone and recheck.back <= before.back and recheck.leg <= before.leg
    if (eased("back") or eased("leg")) and steady:
        pairs.append(
            (
                "DPT-08",
                f"Bending {_WAY[direction]} eased your pain by 2 points or more and it stayed lower. "
                "That is a good sign for these exercises.",
            )
        )
        return DirectionResult(direction, Response.FAVOURABLE, False, *_fired(pairs))
    pairs.append(("DPT-09", _NO_EFFECT.format(way=_WAY[direction])))
    return DirectionResult(direction, Response.NO_EFFECT, False, *_fired(pairs))


_WAY = {Direction.EXTENSION: "backwards", Direction.FLEXION: "forwards"}
_NO_EFFECT = "Bending {way} did not clearly change your symptoms, for better or worse."


# --------------------------------------------------------------------------- DPT-12


def confirm_next_morning(
    result: DirectionResult, baseline: PainCheck, morning: MorningCheck
) -> DirectionResult:
    """DPT-12: next morning back or leg pain 2 or more above the pre-test baseline, or the zone further
    down the leg, downgrades the direction to WORSE."""
    check_measurement(baseline, "baseline")
    if not (0 <= morning.back <= 10 and 0 <= morning.leg <= 10 and 0 <= morning.zone <= 5):
        raise ValueError("morning values out of range")
    if morning.back - baseline.back < 2 and morning.leg - baseline.leg < 2 and morning.zone <= baseline.zone:
        return result
    text = (
        f"You were worse the morning after the {result.direction.value} check, so we count that "
        "direction as not suiting you for now."
    )
    pairs = [(r.rule, r.text) for r in result.reasons] + [("DPT-12", text)]
    return replace(result, response=Response.WORSE, rules=_fired(pairs)[0], reasons=_fired(pairs)[1])


# --------------------------------------------------------------------------- DPT-11


@dataclass(frozen=True, slots=True)
class DirectionalPreference:
    """The preferred direction from both results (DPT-11); ``label`` is None when nothing was tested."""

    label: Preference | None
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def combine(extension: Response | None, flexion: Response | None) -> DirectionalPreference:
    """DPT-11: extension if extension is favourable and flexion is not; flexion if the reverse; both
    if both are favourable; none otherwise. With neither direction tested, DPT-11 does not apply."""
    if extension is None and flexion is None:
        return DirectionalPreference(None, (), ())
    ext = extension is Response.FAVOURABLE
    flex = flexion is Response.FAVOURABLE
    label: Preference
    if ext and flex:
        label, text = (
            "both",
            "Both bending backwards and forwards suited you, so both kinds of exercise are fine.",
        )
    elif ext:
        label, text = (
            "extension",
            "Bending backwards suited you best, so your programme leans on those exercises.",
        )
    elif flex:
        label, text = (
            "flexion",
            "Bending forwards suited you best, so your programme leans on those exercises.",
        )
    else:
        label, text = "none", "Neither direction clearly helped, so you get a balanced set of exercises."
    return DirectionalPreference(label, *_fired([("DPT-11", text)]))


# --------------------------------------------------------------------------- DPT-25


@dataclass(frozen=True, slots=True)
class Retest:
    """Whether the self-check should be done again (DPT-25)."""

    due: bool
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def retest_due(tested_on: dt.date, *, today: dt.date, flare_since: bool = False) -> Retest:
    """DPT-25: re-test 2 weeks after the last test, or after a flare. (The "progress stalls" trigger
    of DPT-25 is "NPRS change < 2 after 2 weeks", which the 2-week trigger already covers.)"""
    if today < tested_on:
        raise ValueError("today is before the test")
    if (today - tested_on).days >= RETEST_DAYS:
        text = "It is two weeks since your last self-check. Doing it again shows what suits you now."
    elif flare_since:
        text = "You have had a flare-up since your last self-check. Doing it again shows what suits you now."
    else:
        return Retest(False, (), ())
    return Retest(True, *_fired([("DPT-25", text)]))
