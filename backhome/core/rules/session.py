"""The rules of one guided session, put together for a session player (PM-01, PM-12, PM-14, DS-01).

Nothing here decides a threshold: the lights come from :func:`backhome.core.rules.monitor.evaluate`
and the allowance from :func:`backhome.core.rules.progress.session_allowed`. These helpers only say
which values those rules are given, so every front end (the web player, the terminal player) gives
them the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backhome.core.model import Monitoring, PainCheck, Reason
from backhome.core.rules.explain import fired
from backhome.core.rules.monitor import ExerciseCheck, evaluate
from backhome.core.rules.progress import session_allowed

#: The programme's own rule ids that mean "symptom-modulation stage" (B10, TBC-05) and "the programme
#: follows an extension preference" (DPT-20) for DS-01's extra sessions.
MODULATION_RULE = "TBC-05"
EXTENSION_MATCHED_RULE = "DPT-20"


def pre_exercise_check(before: PainCheck, earlier: Iterable[PainCheck | None]) -> PainCheck:
    """The "pre-exercise value" of PM-12 and PM-13 for the next exercise of a session.

    ``earlier`` holds the after-checks of the session's earlier exercises in order (None for one that
    was skipped and so has no check). The value is the latest of those checks, or the check before the
    session (PM-01) when no exercise has one yet.
    """
    latest = before
    for check in earlier:
        if check is not None:
            latest = check
    return latest


def stop_before_start(before: PainCheck, mode: Monitoring = Monitoring.STRICT) -> ExerciseCheck | None:
    """PM-14 at the check before the session: a warning sign stops it before the first exercise.

    None when the session may start. Otherwise the monitor's own RED answer, with its advice.
    """
    if not before.red_flag:
        return None
    return evaluate(before, before, mode)


@dataclass(frozen=True, slots=True)
class TodaysExercises:
    """Which exercises of the programme may be done in one more session today (DS-01).

    ``allowed`` keeps the programme's order. When it is empty the session does not run, and the
    reasons say why.
    """

    allowed: tuple[str, ...]
    refused: tuple[str, ...]
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


def todays_exercises(
    exercise_ids: Sequence[str], *, sessions_today: int, programme_rules: Iterable[str]
) -> TodaysExercises:
    """DS-01 for each exercise of a programme, given the sessions already started today.

    The programme's decision says whether it is in the symptom-modulation stage (TBC-05) and whether
    it leans towards extension (DPT-20); only then may extension work be repeated (up to 5 times).
    """
    rules = set(programme_rules)
    allowed: list[str] = []
    refused: list[str] = []
    pairs: list[tuple[str, str]] = []
    for exercise_id in exercise_ids:
        verdict = session_allowed(
            exercise_id,
            sessions_today=sessions_today,
            symptom_modulation=MODULATION_RULE in rules,
            direction_matched=EXTENSION_MATCHED_RULE in rules,
        )
        if verdict.allowed:
            allowed.append(exercise_id)
        else:
            refused.append(exercise_id)
            pairs.extend((r.rule, r.text) for r in verdict.reasons)
    # When some exercises may still run, the session goes ahead with them and DS-01 is said only for
    # the ones left out.
    fired_rules, reasons = fired(pairs)
    return TodaysExercises(tuple(allowed), tuple(refused), fired_rules, reasons)
