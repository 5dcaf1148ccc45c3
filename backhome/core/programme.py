"""The programme as one history (clinical-spec B27, with B26 and B30): ``fold`` reads a person's
changes in order and returns the current programme, decided here and nowhere else.

A change is one of: a screening (``Screened``, the intake the engine decides), a self-check result
(``SelfChecked``), a step of the progression ladder (``LadderStep``, what ``course.advance`` gave), a
clinician's edit (``SetDose``, ``AddExercise``, ``RemoveExercise``), a clearance (``Clearance``), an
override of one exercise block (``Override``), a stop by a pain check and its release (``Stop``,
``StopRelease``) and the monitoring mode (``MonitoringSet``). Every clinician change says who, when, a
reason the patient reads and a private note for the clinic.

How the fold reads them (docs/engine.md, "The programme as one history"):

- The engine's part is decided once, at the end: ``decide`` on the latest screening's intake (with the
  latest self-check's results) under the clearances and the monitoring mode in force. So a clearance
  or a new self-check never rebuilds the programme from scratch: it only changes the engine's
  decision, and every clinician edit is laid over that decision again.
- Blocks are read as they hold *now*: a block of the decision (less the rules a clinician overrode for
  that exercise), a stop in force (B30) or a suspension by the ladder holds an exercise back, whoever
  put it in. A clinician's edit of a held exercise is kept and listed as held back with the rule's
  reason; it comes back by itself when the rule clears.
- A dose is the latest of the ladder's and the clinician's for that exercise; a new screening starts
  the ladder again from its starting doses but keeps the clinician's doses. Every dose is put inside
  its exercise's envelope; cat-camel's phase is always the decision's (B29).
- A tier that prescribes nothing (emergency, urgent, soon; B2) gives no programme whatever a clinician
  did (B26): every clinician edit is held back until a new screening allows a programme.

Pure: no clock and no I/O; ``today`` is passed in. The same changes always fold to the same programme.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from backhome.core.course import CourseItem, bias_of
from backhome.core.engine import decide
from backhome.core.model import (
    CAT_CAMEL,
    NERVE_GLIDE,
    Block,
    Context,
    Decision,
    Direction,
    DirectionalResults,
    Dose,
    Exercise,
    Intake,
    Mode,
    Monitoring,
    Range,
    Reason,
    Response,
    Tier,
)
from backhome.core.rules import safety
from backhome.core.rules.ids import KNOWN_RULE_IDS
from backhome.core.rules.prescribe import Bias
from backhome.core.rules.progress import Action

__all__ = [
    "CLINICIAN",
    "DECIDES",
    "AddExercise",
    "Change",
    "ChangeCard",
    "ChangeLine",
    "Clearance",
    "HeldBack",
    "HeldEdit",
    "Item",
    "LadderStep",
    "MonitoringSet",
    "Override",
    "Programme",
    "RemoveExercise",
    "Removed",
    "Screened",
    "SelfChecked",
    "SetDose",
    "Stop",
    "StopRelease",
    "change_card",
    "etag",
    "fold",
    "template_conflicts",
]

#: The binding decisions this module decides (tested firing and not firing, like a rule).
DECIDES: tuple[str, ...] = ("B26", "B27")

#: The id under which a clinician's own reason is listed beside the rules (not a rule of the spec: the
#: clinician's decision). The web stores dose changes under the same id.
CLINICIAN = "clinician"

#: Why nothing is given while the tier prescribes nothing (B2, B26).
_NO_PROGRAMME = (
    "Your latest answers need a clinician to see you before any exercise, so no exercises are given "
    "now. A new screening is needed before they can come back."
)
_NO_SCREENING = "There is no screening yet, so no exercises are given."


# --------------------------------------------------------------------------- the change kinds


@dataclass(frozen=True, slots=True)
class Screened:
    """A screening (self-screen or in clinic): the intake the engine decides. A new one replaces the
    previous intake and starts the ladder again (B25); clinician edits, overrides and stops stay."""

    at: dt.datetime
    intake: Intake


@dataclass(frozen=True, slots=True)
class SelfChecked:
    """A directional self-check result (DPT-07...DPT-10): the engine decides again with it (B9)."""

    at: dt.datetime
    results: DirectionalResults


@dataclass(frozen=True, slots=True)
class LadderStep:
    """One step of the progression ladder for one exercise of the plan (``course.Step``): the exercise
    done now (a DS-04 variant may differ from ``plan_exercise_id``), its dose and action, and why."""

    at: dt.datetime
    plan_exercise_id: str
    exercise_id: str
    dose: Dose
    action: Action
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class SetDose:
    """A clinician sets an exercise's dose. ``reason`` is shown to the patient, ``note`` never."""

    at: dt.datetime
    by: str
    exercise_id: str
    dose: Dose
    reason: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class AddExercise:
    """A clinician adds an exercise (at ``dose``, or the library's starting dose), or puts back one
    they removed or the ladder suspended."""

    at: dt.datetime
    by: str
    exercise_id: str
    reason: str
    note: str = ""
    dose: Dose | None = None


@dataclass(frozen=True, slots=True)
class RemoveExercise:
    """A clinician takes an exercise out of the programme; it stays out until a clinician adds it."""

    at: dt.datetime
    by: str
    exercise_id: str
    reason: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Clearance:
    """A clinician clears a rule for this person (EL-02...EL-06), or withdraws the clearance."""

    at: dt.datetime
    by: str
    rule: str
    reason: str
    note: str = ""
    cleared: bool = True


@dataclass(frozen=True, slots=True)
class Override:
    """B26: a clinician overrides one rule's block of one exercise (an EL, DPT, TBC or ND block, or a
    PM stop, which it releases), with a written reason; who and when are recorded."""

    at: dt.datetime
    by: str
    exercise_id: str
    rule: str
    reason: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Stop:
    """B30: a pain check's RED stopped an exercise (``rule``: the PM rule that keeps it, ``reason``
    in the patient's words). It stays out until released, in any later session or day."""

    at: dt.datetime
    exercise_id: str
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class StopRelease:
    """B30: the rule that stopped an exercise lets it back (``rule``: the rule that released it)."""

    at: dt.datetime
    exercise_id: str
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class MonitoringSet:
    """B7, PM-00: a clinician sets the monitoring mode; the engine decides again with it."""

    at: dt.datetime
    by: str
    monitoring: Monitoring
    reason: str
    note: str = ""


ClinicianEdit = SetDose | AddExercise | RemoveExercise
Change = (
    Screened
    | SelfChecked
    | LadderStep
    | SetDose
    | AddExercise
    | RemoveExercise
    | Clearance
    | Override
    | Stop
    | StopRelease
    | MonitoringSet
)


# --------------------------------------------------------------------------- the programme


@dataclass(frozen=True, slots=True)
class Item:
    """One exercise of the current programme. ``exercise_id`` is the exercise done now (after a DS-04
    step, a later variant of ``plan_exercise_id``). ``source`` says who put it in; ``rules`` and
    ``reasons`` say why it is there at this dose, in the patient's words (a clinician's reason under
    ``CLINICIAN``). ``edits`` are the clinician edits in force for it (with their private notes); ``since`` the day its
    dose began (None: the screening's starting dose)."""

    plan_exercise_id: str
    exercise_id: str
    dose: Dose
    source: Literal["engine", "clinician", "override"]
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]
    edits: tuple[ClinicianEdit, ...] = ()
    since: dt.date | None = None


HeldKind = Literal["block", "stop", "suspended", "no_programme"]


@dataclass(frozen=True, slots=True)
class HeldBack:
    """An exercise held back now: by a block of the decision, a stop (B30), a suspension by the ladder,
    or a tier that gives no programme; with the rules and a reason the patient can read."""

    exercise_id: str
    kind: HeldKind
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class HeldEdit:
    """A clinician's edit that a rule now holds back (B27): shown to the clinician with the rule's
    reason; it takes effect again by itself when the rule clears."""

    edit: ClinicianEdit
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Removed:
    """An exercise a clinician took out, with their reason (for the patient) and note."""

    exercise_id: str
    edit: RemoveExercise


@dataclass(frozen=True, slots=True)
class Programme:
    """The fold of a person's changes: what every front end shows.

    ``decision`` is the engine's decision under the clearances and monitoring in force (None before
    any screening); ``items`` the exercises to do, in the library's order; ``held_back`` the exercises
    held back with their rules; ``held_edits`` the clinician edits a rule holds back; ``removed`` the
    exercises a clinician took out; ``overrides`` and ``stops`` those in force.
    """

    decision: Decision | None
    tier: Tier | None
    bias: Bias
    monitoring: Monitoring
    clearances: frozenset[str]
    items: tuple[Item, ...]
    held_back: tuple[HeldBack, ...]
    held_edits: tuple[HeldEdit, ...]
    removed: tuple[Removed, ...]
    overrides: tuple[Override, ...]
    stops: tuple[Stop, ...]
    #: What ``course.advance`` reads: each exercise at its dose, with those the ladder paused (so a
    #: flare pause can end), in the programme's order.
    course: tuple[CourseItem, ...] = ()

    @property
    def prescribes(self) -> bool:
        return self.tier is not None and self.tier.prescribes

    def item(self, exercise_id: str) -> Item | None:
        """The item of a plan exercise, or of the variant done now."""
        return next((i for i in self.items if exercise_id in (i.plan_exercise_id, i.exercise_id)), None)

    def held(self, exercise_id: str) -> HeldBack | None:
        return next((h for h in self.held_back if h.exercise_id == exercise_id), None)


# --------------------------------------------------------------------------- the fold


@dataclass(slots=True)
class _Dose:
    seq: int
    at: dt.datetime
    exercise_id: str
    dose: Dose
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]
    suspended: bool = False
    edit: SetDose | None = None


@dataclass(slots=True)
class _State:
    intake: Intake | None = None
    results: DirectionalResults | None = None
    clearances: set[str] = field(default_factory=set)
    monitoring: Monitoring = Monitoring.STRICT
    overrides: dict[tuple[str, str], Override] = field(default_factory=dict)
    stops: dict[str, Stop] = field(default_factory=dict)
    screened_at: dt.datetime | None = None
    self_checks: list[SelfChecked] = field(default_factory=list)
    ladder: dict[str, _Dose] = field(default_factory=dict)
    clinician: dict[str, _Dose] = field(default_factory=dict)
    membership: dict[str, tuple[int, AddExercise | RemoveExercise]] = field(default_factory=dict)
    # When a clinician last put an exercise back (an add, or an override of a ladder suspension).
    put_back: dict[str, int] = field(default_factory=dict)
    # The plan exercise of each variant the ladder moved to (DS-04), to read a clinician's edit of it.
    plan_of: dict[str, str] = field(default_factory=dict)


def _check(change: Change, library: Mapping[str, Exercise]) -> None:
    exercise_id = getattr(change, "exercise_id", None)
    if exercise_id is not None and exercise_id not in library:
        raise ValueError(f"unknown exercise {exercise_id!r} in a {type(change).__name__}")
    rule = getattr(change, "rule", None)
    if isinstance(change, Clearance | Override) and rule not in KNOWN_RULE_IDS:
        raise ValueError(f"{rule!r} is not a rule of the clinical rules")
    if isinstance(change, Stop) and change.rule not in safety.STOP_RULES:
        raise ValueError(f"{change.rule} does not stop an exercise (B30)")
    if isinstance(change, LadderStep) and change.plan_exercise_id not in library:
        raise ValueError(f"unknown exercise {change.plan_exercise_id!r} in a LadderStep")
    if isinstance(change, SetDose | AddExercise | RemoveExercise | Clearance | Override | MonitoringSet):
        if not change.by.strip():
            raise ValueError(f"a {type(change).__name__} needs the clinician who made it")
        if not change.reason.strip():
            raise ValueError(f"a {type(change).__name__} needs a written reason (B26)")


def _read(changes: Iterable[Change], library: Mapping[str, Exercise], today: dt.date) -> _State:
    state = _State()
    previous: dt.datetime | None = None
    for seq, change in enumerate(changes):
        if previous is not None and change.at < previous:
            raise ValueError("changes must be given in the order they were made")
        previous = change.at
        _check(change, library)
        if change.at.date() > today:
            continue  # dated after today: not in force yet
        _apply(state, seq, change)
    return state


def _apply(state: _State, seq: int, change: Change) -> None:
    match change:
        case Screened(intake=intake):
            state.intake, state.results, state.screened_at = intake, None, change.at
            state.ladder.clear()  # a new screening starts the ladder again (B25)
            state.plan_of = {k: v for k, v in state.plan_of.items() if k == v}
        case SelfChecked(results=results):
            state.results = results
            state.self_checks.append(change)
        case LadderStep():
            state.ladder[change.plan_exercise_id] = _Dose(
                seq,
                change.at,
                change.exercise_id,
                change.dose,
                change.rules,
                change.reasons,
                suspended=change.action == "suspend",
            )
            state.plan_of[change.exercise_id] = change.plan_exercise_id
        case SetDose():
            plan = state.plan_of.get(change.exercise_id, change.exercise_id)
            reasons = (Reason(CLINICIAN, change.reason.strip()),)
            state.clinician[plan] = _Dose(
                seq, change.at, change.exercise_id, change.dose, (CLINICIAN,), reasons, edit=change
            )
            member = state.membership.get(plan)
            if member is not None and isinstance(member[1], RemoveExercise):
                del state.membership[plan]  # a dose given after a removal puts the exercise back
        case AddExercise() | RemoveExercise():
            plan = state.plan_of.get(change.exercise_id, change.exercise_id)
            state.membership[plan] = (seq, change)
            if isinstance(change, AddExercise):
                state.put_back[plan] = seq
        case Clearance(rule=rule, cleared=cleared):
            if cleared:
                state.clearances.add(rule)
            else:
                state.clearances.discard(rule)
        case Override(exercise_id=exercise_id, rule=rule):
            plan = state.plan_of.get(exercise_id, exercise_id)
            stop = state.stops.get(plan)
            ladder = state.ladder.get(plan)
            if stop is not None and stop.rule == rule:
                del state.stops[plan]  # B26: a clinician clears a PM stop of a named exercise
            elif ladder is not None and ladder.suspended and rule in ladder.rules:
                state.put_back[plan] = seq  # B26: and a suspension by the ladder (DS-07, PM-41, ND-05)
            else:
                state.overrides[(plan, rule)] = change
        case Stop():
            state.stops[state.plan_of.get(change.exercise_id, change.exercise_id)] = change
        case StopRelease():
            plan = state.plan_of.get(change.exercise_id, change.exercise_id)
            stop = state.stops.get(plan)
            if stop is not None:
                del state.stops[plan]
        case MonitoringSet(monitoring=monitoring):
            state.monitoring = monitoring


def _clamp(value: int, allowed: Range) -> int:
    return min(max(value, allowed.min), allowed.max)


def _inside(exercise: Exercise, dose: Dose, mode: Mode | None) -> Dose:
    """The dose put inside the exercise's envelope, with a mode the exercise has (or none)."""
    env = exercise.envelope
    if mode is not None and mode not in {m.id for m in exercise.modes}:
        mode = None
    if mode is None and exercise.id == NERVE_GLIDE:
        mode = "slider"  # ND-02: the glide is never given without its mode
    return Dose(
        _clamp(dose.sets, env.sets),
        _clamp(dose.reps, env.reps),
        _clamp(dose.hold_s, env.hold_s),
        env.per_side,
        mode,
    )


def _with_overrides(
    decision: Decision, overrides: Iterable[Override], library: Mapping[str, Exercise]
) -> Decision:
    """The decision with each override in force applied in order by ``safety.apply_override`` (B26).
    An override of a rule that does not hold its exercise now changes nothing, and is kept for when
    it does (a later screening may bring the block back)."""
    for o in overrides:
        try:
            decision = safety.apply_override(
                decision, safety.Override(o.exercise_id, o.rule, o.reason, o.by, o.at), library
            )
        except safety.OverrideRefused:
            continue
    return decision


def _whole_programme_hold(decision: Decision) -> Block | None:
    """EL-02 holds the whole programme (B13): every exercise, not only those the engine considered."""
    return next((b for b in decision.blocked if "EL-02" in b.rules), None)


def fold(changes: Sequence[Change], library: Mapping[str, Exercise], today: dt.date) -> Programme:
    """The current programme: ``changes`` folded in the order they were made (B27).

    Raises ``ValueError`` for a change out of order, an unknown exercise, or a clinician change
    without who or a written reason: fail closed, no guess. Changes dated after ``today`` are not in
    force yet.
    """
    state = _read(changes, library, today)
    overrides = tuple(sorted(state.overrides.values(), key=lambda o: (o.at, o.exercise_id, o.rule)))
    stops = tuple(sorted(state.stops.values(), key=lambda s: (s.at, s.exercise_id)))
    clearances = frozenset(state.clearances)
    removed = tuple(
        Removed(plan, edit)
        for plan, (_, edit) in sorted(state.membership.items(), key=lambda kv: _order(library, kv[0]))
        if isinstance(edit, RemoveExercise)
    )
    if state.intake is None:
        return Programme(
            None,
            None,
            "balanced",
            state.monitoring,
            clearances,
            (),
            (),
            _all_edits_held(state, library, (), _NO_SCREENING),
            removed,
            overrides,
            stops,
        )
    intake = state.intake if state.results is None else replace(state.intake, directional=state.results)
    decision = decide(intake, Context(clearances, state.monitoring), library)
    bias = bias_of(decision.rules)
    if not decision.tier.prescribes:
        # B2, B26: no clinician action lowers an emergency, urgent or soon tier.
        return Programme(
            decision,
            decision.tier,
            bias,
            state.monitoring,
            clearances,
            (),
            (),
            _all_edits_held(state, library, decision.rules, _NO_PROGRAMME),
            removed,
            overrides,
            stops,
        )

    kept = _stops_kept(state, library, today)
    stops = tuple(s for s in stops if s.exercise_id in kept or state.plan_of.get(s.exercise_id) in kept)
    cleared_for = _cleared_for(intake, decision, clearances, state.monitoring, library)
    whole = _whole_programme_hold(decision)
    allowed = _with_overrides(decision, overrides, library)
    engine = {p.exercise_id: p for p in allowed.exercises}
    given = {p.exercise_id for p in decision.exercises}
    blocks = {b.exercise_id: (b.rules, b.reason) for b in allowed.blocked}

    wanted: list[str] = []
    for plan in library:
        member = state.membership.get(plan)
        if member is not None and isinstance(member[1], RemoveExercise):
            continue
        if plan in engine or member is not None or plan in state.clinician:
            wanted.append(plan)
    wanted.sort(key=lambda p: _order(library, p))

    items: list[Item] = []
    held_back: list[HeldBack] = []
    held_edits: list[HeldEdit] = []
    course: list[CourseItem] = []
    for plan in wanted:
        member = state.membership.get(plan)
        add = member[1] if member is not None and isinstance(member[1], AddExercise) else None
        ladder = state.ladder.get(plan)
        dosed = state.clinician.get(plan)
        current = max((d for d in (ladder, dosed) if d is not None), key=lambda d: d.seq, default=None)
        now_id = current.exercise_id if current is not None else plan
        edits: tuple[ClinicianEdit, ...] = tuple(
            e for e in (add, dosed.edit if dosed is not None else None) if e is not None
        )

        exercise = library[now_id]
        prescription = engine.get(plan)
        # Why it is there (the decision's rules, or the clinician's reason for adding it), then why it
        # is at this dose (the latest ladder step or clinician dose); a later text of one id wins.
        why: list[Reason] = []
        if prescription is not None:
            rules = _why_engine(plan, prescription.rules, allowed, cleared_for.get(plan, ()))
            why.extend(Reason(r, t) for r in rules if (t := allowed.reason_for(r)) is not None)
        if add is not None:
            why.append(Reason(CLINICIAN, add.reason.strip()))
        if dosed is not None and dosed is not current:
            why.extend(dosed.reasons)
        if current is not None:
            dose = current.dose
            why.extend(current.reasons)
        elif add is not None and add.dose is not None:
            dose = add.dose
        elif prescription is not None:
            dose = prescription.dose
        else:
            dose = exercise.envelope.start_dose()
        texts = {r.rule: r.text for r in why}
        reasons = tuple(Reason(r, texts[r]) for r in sorted(texts))
        rules = tuple(sorted({*texts, *(current.rules if current is not None else ())}))
        mode = dose.mode
        if mode is None and exercise.modes:
            # A dose given without a mode keeps the mode the exercise had (the glide's slider or
            # tensioner, ND-02/ND-03), not a guess.
            mode = next((d.dose.mode for d in (ladder, prescription) if d is not None and d.dose.mode), None)
        if exercise.id == CAT_CAMEL and prescription is not None:
            # B29: cat-camel's phase is the decision's (a phase its reasons advise against is never shown).
            mode = prescription.dose.mode
        source: Literal["engine", "clinician", "override"] = (
            "engine" if plan in given else "override" if prescription is not None else "clinician"
        )
        since = current.at.date() if current is not None else None
        item = Item(
            plan, now_id, _inside(exercise, dose, mode), source, tuple(rules), tuple(reasons), edits, since
        )

        hold = _hold_of(
            plan,
            now_id,
            blocks,
            whole,
            kept,
            state,
        )
        if hold is None:
            items.append(item)
            course.append(CourseItem(item.exercise_id, item.dose, item.since))
            continue
        held_back.append(hold)
        held_edits.extend(HeldEdit(e, hold.rules, hold.reason) for e in edits)
        if hold.kind == "suspended":
            course.append(CourseItem(item.exercise_id, item.dose, item.since, True, hold.rules))

    # Blocks of the decision for exercises nobody put in, so the patient sees what is held and why.
    shown = {h.exercise_id for h in held_back}
    for exercise_id, (rules, reason) in blocks.items():
        if exercise_id not in shown and exercise_id not in {i.plan_exercise_id for i in items}:
            held_back.append(HeldBack(exercise_id, "block", rules, reason))
    held_back.sort(key=lambda h: _order(library, h.exercise_id))
    return Programme(
        decision,
        decision.tier,
        bias,
        state.monitoring,
        clearances,
        tuple(items),
        tuple(held_back),
        tuple(held_edits),
        removed,
        overrides,
        stops,
        tuple(course),
    )


#: The rules that choose the programme's direction (B9) and the extension family's stage (B10).
_DIRECTION_RULES = ("DPT-20", "DPT-21", "DPT-22", "TBC-02", "TBC-05")
#: The rules that may limit cat-camel to one phase (B12, B21, B29, DPT-24).
_PHASE_RULES = ("EL-04", "EL-05", "EL-06", "DPT-20", "DPT-21", "DPT-24")


def _why_engine(
    plan: str, given: tuple[str, ...], decision: Decision, cleared: tuple[str, ...]
) -> tuple[str, ...]:
    """The rules behind an exercise the engine gives: its prescription's own, the direction of the
    programme, what limits cat-camel's phase, and the clearances that let it in."""
    fired = set(decision.rules)
    rules = [*given, *(r for r in _DIRECTION_RULES if r in fired)]
    if plan == CAT_CAMEL:
        rules.extend(r for r in _PHASE_RULES if r in fired)
    rules.extend(cleared)
    return tuple(sorted(set(rules)))


def _cleared_for(
    intake: Intake,
    decision: Decision,
    clearances: frozenset[str],
    monitoring: Monitoring,
    library: Mapping[str, Exercise],
) -> dict[str, tuple[str, ...]]:
    """Which exercises each clearance in force lets in or changes: the engine decides once without it,
    so the mapping is the engine's own and never written twice."""
    found: dict[str, set[str]] = {}
    modes = {p.exercise_id: p.dose.mode for p in decision.exercises}
    for rule in sorted(clearances & set(decision.rules)):
        without = decide(intake, Context(clearances - {rule}, monitoring), library)
        for block in without.blocked:
            if rule in block.rules:
                found.setdefault(block.exercise_id, set()).add(rule)
        for p in without.exercises:
            if p.exercise_id in modes and modes[p.exercise_id] != p.dose.mode:
                found.setdefault(p.exercise_id, set()).add(rule)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _order(library: Mapping[str, Exercise], exercise_id: str) -> tuple[int, str]:
    return library[exercise_id].sequence, exercise_id


def _stops_kept(
    state: _State, library: Mapping[str, Exercise], today: dt.date
) -> dict[str, tuple[tuple[str, ...], str]]:
    """B30: the stops still in force today, by plan exercise, each with the rule that keeps it and
    when it may return (``safety.stop_release``): PM-12 and PM-13 lapse the next day; PM-14 after a
    later screening that allows a programme (only a prescribing screening gets this far); PM-10 after
    a self-check at least 14 days on that no longer finds its direction worse; PM-11, PM-41 and ND-05
    by a ``StopRelease`` or a clinician's override."""
    kept: dict[str, tuple[tuple[str, ...], str]] = {}
    for plan, stop in state.stops.items():
        stopped_on = stop.at.date()
        screened = state.screened_at
        release = safety.stop_release(
            safety.Stop(stop.exercise_id, stop.rule, stopped_on),
            today=today,
            library=library,
            retest=_retest(state.self_checks, stop, library),
            rescreen_prescribes_on=screened.date() if screened is not None and screened > stop.at else None,
        )
        if not release.may_return:
            kept[plan] = (release.rules, " ".join(r.text for r in release.reasons) or stop.reason)
    return kept


def _retest(
    checks: Sequence[SelfChecked], stop: Stop, library: Mapping[str, Exercise]
) -> tuple[dt.date, Response] | None:
    """The latest self-check after a stop with a result for the stopped exercise's direction."""
    direction = library[stop.exercise_id].direction
    for check in reversed(checks):
        if check.at <= stop.at:
            return None
        result = (
            check.results.extension
            if direction is Direction.EXTENSION
            else check.results.flexion
            if direction is Direction.FLEXION
            else None
        )
        if result is not None:
            return check.at.date(), result
    return None


def _hold_of(
    plan: str,
    now_id: str,
    blocks: Mapping[str, tuple[tuple[str, ...], str]],
    whole: Block | None,
    stops: Mapping[str, tuple[tuple[str, ...], str]],
    state: _State,
) -> HeldBack | None:
    """What holds a wanted exercise back now, strongest first: a block, a stop, a suspension."""
    for exercise_id in dict.fromkeys((plan, now_id)):
        if exercise_id in blocks:
            rules, reason = blocks[exercise_id]
            return HeldBack(plan, "block", rules, reason)
        if whole is not None and (exercise_id, "EL-02") not in state.overrides:
            return HeldBack(plan, "block", ("EL-02",), whole.reason)
    stop = stops.get(plan)
    if stop is not None:
        return HeldBack(plan, "stop", *stop)
    ladder = state.ladder.get(plan)
    if ladder is not None and ladder.suspended and ladder.seq > state.put_back.get(plan, -1):
        text = " ".join(r.text for r in ladder.reasons) or "This exercise is paused for now."
        return HeldBack(plan, "suspended", ladder.rules, text)
    return None


def _all_edits_held(
    state: _State, library: Mapping[str, Exercise], rules: tuple[str, ...], reason: str
) -> tuple[HeldEdit, ...]:
    held: list[HeldEdit] = []
    for plan in sorted({*state.membership, *state.clinician}, key=lambda p: _order(library, p)):
        member = state.membership.get(plan)
        if member is not None and isinstance(member[1], RemoveExercise):
            continue
        if member is not None:
            held.append(HeldEdit(member[1], rules, reason))
        dosed = state.clinician.get(plan)
        if dosed is not None and dosed.edit is not None:
            held.append(HeldEdit(dosed.edit, rules, reason))
    return tuple(held)


# --------------------------------------------------------------------------- the change card


LineKind = Literal["added", "back", "removed", "held_back", "dose"]


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One line of the change card: an exercise, what happened to it, its dose before and after
    (None where it is not in the programme), and why, with rule ids."""

    exercise_id: str
    kind: LineKind
    before: Dose | None
    after: Dose | None
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class ChangeCard:
    """What changed in the programme since a point in its history, for the patient."""

    lines: tuple[ChangeLine, ...]
    programme: Programme


def change_card(
    changes: Sequence[Change], library: Mapping[str, Exercise], today: dt.date, since: dt.datetime
) -> ChangeCard:
    """The change card: the programme folded from every change against the programme folded from the
    changes made up to ``since``. Both come from ``fold``, so the card and the plan cannot disagree."""
    before = fold([c for c in changes if c.at <= since], library, today)
    after = fold(changes, library, today)
    lines: list[ChangeLine] = []
    old = {i.plan_exercise_id: i for i in before.items}
    new = {i.plan_exercise_id: i for i in after.items}
    removed = {r.exercise_id: r for r in after.removed}
    for plan in sorted({*old, *new}, key=lambda p: _order(library, p)):
        was, now = old.get(plan), new.get(plan)
        if was is None and now is not None:
            kind: LineKind = "back" if before.held(plan) is not None else "added"
            lines.append(ChangeLine(plan, kind, None, now.dose, now.rules, now.reasons))
        elif was is not None and now is None:
            held = after.held(plan)
            if held is not None:
                reasons = (Reason(held.rules[0], held.reason),) if held.rules else ()
                lines.append(ChangeLine(plan, "held_back", was.dose, None, held.rules, reasons))
            elif plan in removed:
                edit = removed[plan].edit
                reasons = (Reason(CLINICIAN, edit.reason.strip()),)
                lines.append(ChangeLine(plan, "removed", was.dose, None, (CLINICIAN,), reasons))
            else:
                # The engine decided again without it (a new screening or self-check): the rules that
                # newly fired say why.
                lines.append(ChangeLine(plan, "removed", was.dose, None, *_new_rules(before, after)))
        elif (
            was is not None and now is not None and (was.dose, was.exercise_id) != (now.dose, now.exercise_id)
        ):
            lines.append(ChangeLine(plan, "dose", was.dose, now.dose, now.rules, now.reasons))
    return ChangeCard(tuple(lines), after)


def _new_rules(before: Programme, after: Programme) -> tuple[tuple[str, ...], tuple[Reason, ...]]:
    if after.decision is None:
        return (), ()
    seen = set(before.decision.rules) if before.decision is not None else set()
    reasons = tuple(r for r in after.decision.reasons if r.rule not in seen) or after.decision.reasons
    return tuple(r.rule for r in reasons), reasons


# --------------------------------------------------------------------------- templates and versions


def template_conflicts(
    changes: Sequence[Change],
    template: Sequence[AddExercise | SetDose],
    library: Mapping[str, Exercise],
    today: dt.date,
) -> tuple[HeldEdit, ...]:
    """The edits of a clinic template that this person's rules would hold back, each with the rule and
    its reason, so the clinician sees every conflict before saving (every block is checked again for
    this person: the template's edits, dated at or after the person's last change, are folded after
    them)."""
    mine = set(map(id, template))
    after = fold([*changes, *template], library, today)
    return tuple(h for h in after.held_edits if id(h.edit) in mine)


def etag(programme: Programme) -> str:
    """A strong validator of what the programme shows (items, holds, edits, overrides, stops, tier,
    monitoring, clearances): equal programmes give equal tags, any change of them a new one. The web
    and the API compare it to refuse a stale form or ``If-Match``."""
    shown = (
        programme.tier,
        programme.monitoring,
        sorted(programme.clearances),
        programme.items,
        programme.held_back,
        programme.held_edits,
        programme.removed,
        programme.overrides,
        programme.stops,
    )
    return hashlib.sha256(repr(shown).encode("utf-8")).hexdigest()[:32]
