"""Prescription and blocks at intake: B8-B13, with EL-02...EL-06, DPT-11/20-24, TBC-01/02/04/05, ND-01/02.

``prescribe`` is called only for tiers that allow a programme (B2). It chooses the programme's
direction (B9), the stage of the extension family (B10), applies the blocks (B12) and the
out-of-scope rules (B13), and returns the exercises with their starting doses from the library,
the exercises held back with their rules and a plain reason, and the findings that shaped it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from backhome.core.model import (
    CAT_CAMEL,
    EXTENSION_FAMILY,
    FLEXION_STRETCHES,
    NERVE_GLIDE,
    Block,
    Context,
    Exercise,
    Intake,
    Mode,
    Prescription,
    Response,
    Tier,
)
from backhome.core.rules.directional import MAX_PAIN_TO_TEST, combine
from backhome.core.rules.triage import Finding

IMPLEMENTS: tuple[str, ...] = (
    "EL-02",
    "EL-03",
    "EL-04",
    "EL-05",
    "EL-06",
    "DPT-11",
    "DPT-20",
    "DPT-21",
    "DPT-22",
    "DPT-23",
    "DPT-24",
    "DPT-26",
    "TBC-01",
    "TBC-02",
    "TBC-04",
    "TBC-05",
    "ND-01",
    "ND-02",
    "PM-00",
    "DS-09",
)

Bias = Literal["extension", "flexion", "balanced"]
Phase = Literal["extension", "flexion"]
#: B29: the phases of cat-camel each programme direction gives.
BIAS_PHASES: dict[Bias, tuple[Phase, ...]] = {
    "extension": ("extension",),
    "flexion": ("flexion",),
    "balanced": ("extension", "flexion"),
}
_PHASE_MODE: dict[tuple[Phase, ...], Mode | None] = {
    ("extension",): "extension_only",
    ("flexion",): "flexion_only",
    ("extension", "flexion"): None,
}
_Add = Callable[[Finding], None]

#: B10 / TBC-05: back or leg pain at or above this is the symptom-modulation stage.
MODULATION_PAIN = 7
#: DPT-23: the directional exercises (the nerve glide is neural, not directional).
DIRECTIONAL: tuple[str, ...] = (*EXTENSION_FAMILY, *FLEXION_STRETCHES, CAT_CAMEL)
#: Starting variants of the flexion stretches (DS-04 moves on to the others later).
FLEXION_START = ("single-knee-to-chest", "childs-pose")


@dataclass(frozen=True, slots=True)
class Programme:
    exercises: tuple[Prescription, ...]
    blocked: tuple[Block, ...]
    findings: tuple[Finding, ...]
    bias: Bias


class _Holds:
    """Exercises held back, with every rule and reason that holds each one."""

    def __init__(self) -> None:
        self.rules: dict[str, list[str]] = {}
        self.reasons: dict[str, list[str]] = {}

    def hold(self, ids: tuple[str, ...] | list[str], rule: str, reason: str) -> None:
        for exercise_id in ids:
            rules = self.rules.setdefault(exercise_id, [])
            if rule not in rules:
                rules.append(rule)
                self.reasons.setdefault(exercise_id, []).append(reason)

    def main_rule(self) -> str:
        """The rule that holds back the most exercises (the first such rule on a tie)."""
        counts = Counter(rule for rules in self.rules.values() for rule in rules)
        return counts.most_common(1)[0][0]

    def __contains__(self, exercise_id: object) -> bool:
        return exercise_id in self.rules

    def blocks(self, library: Mapping[str, Exercise]) -> tuple[Block, ...]:
        return tuple(
            Block(exercise_id, tuple(sorted(self.rules[exercise_id])), " ".join(self.reasons[exercise_id]))
            for exercise_id in sorted(self.rules, key=lambda i: library[i].sequence)
        )


def prescribe(intake: Intake, context: Context, library: Mapping[str, Exercise]) -> Programme:
    """The programme for an intake whose tier allows one (B2). Pure."""
    h = intake.history
    found: list[Finding] = []
    add = found.append
    holds = _Holds()
    cleared = context.clearances

    chosen = _choose_bias(intake, add, holds)
    bias = chosen.bias

    # B10: the extension family's starting stage.
    modulation = max(intake.pain.back, intake.pain.leg) >= MODULATION_PAIN
    if modulation:
        add(
            Finding(
                "TBC-05",
                Tier.PROCEED,
                "Your pain is high right now, so the programme starts gently: "
                "short, easy positions and few repetitions, building up as the pain settles.",
            )
        )
    extension_stage = "prone-lying" if modulation else "prone-press-up"

    # The candidate programme for the bias (B9), before blocks.
    candidates: list[str] = []
    if bias in ("extension", "balanced"):
        candidates.append(extension_stage)
    if bias in ("flexion", "balanced"):
        candidates.extend(FLEXION_START)
    candidates.append(CAT_CAMEL)

    surgery = h.lumbar_surgery != "none"
    glide_cleared_after_surgery = surgery and "EL-03" in cleared
    if intake.leg_symptoms or glide_cleared_after_surgery:
        candidates.append(NERVE_GLIDE)
        why = (
            "Your symptoms reach into your buttock or leg, so a gentle nerve glide is part of your programme."
            if intake.leg_symptoms
            else "After back surgery, your physical therapist has cleared you to do the gentle nerve glide."
        )
        add(Finding("ND-01", Tier.PROCEED, why))
        add(
            Finding(
                "ND-02",
                Tier.PROCEED,
                "The nerve glide starts in its gentlest form, the slider: the knee "
                "straightens while the foot points away, so the nerve slides without being stretched.",
            )
        )

    # B12 blocks at intake. ``phases_off`` collects, per phase of cat-camel, the rules that remove it (B29).
    phases_off: dict[Phase, list[tuple[str, str]]] = {"extension": [], "flexion": []}
    if h.spinal_stenosis:
        if "EL-06" in cleared:
            add(
                Finding(
                    "EL-06",
                    Tier.PROCEED,
                    "Your physical therapist has cleared you for exercises that bend your back "
                    "backwards, despite the narrowing of your spinal canal.",
                )
            )
        else:
            add(
                Finding(
                    "EL-06",
                    Tier.REFER,
                    "With a narrowed spinal canal (spinal stenosis), bending backwards "
                    "often makes leg symptoms worse, so the lying-face-down exercises are held back. A physical "
                    "therapist can check which exercises suit you best.",
                )
            )
            holds.hold(
                EXTENSION_FAMILY, "EL-06", "Bending backwards tends to narrow the spinal canal further."
            )
            # B21: stenosis also removes cat-camel's extension phase.
            phases_off["extension"].append(
                ("EL-06", "Its dipping half bends the back backwards, which narrows the spinal canal.")
            )
    if h.vertebral_fracture:
        if "EL-04" in cleared:
            add(
                Finding(
                    "EL-04",
                    Tier.PROCEED,
                    "Your physical therapist has cleared you to exercise after your spinal fracture.",
                )
            )
        else:
            add(
                Finding(
                    "EL-04",
                    Tier.REFER,
                    "Because you have had a fracture of a bone in your spine, exercises "
                    "that bend your back far forwards or backwards are held back until a physical therapist clears them.",
                )
            )
            reason = "A spinal fracture needs a physical therapist's or doctor's go-ahead first."
            holds.hold(EXTENSION_FAMILY, "EL-04", reason)
            holds.hold(FLEXION_STRETCHES, "EL-04", reason)
            # B18: cat-camel bends both ways, so both its phases wait for the clearance too.
            holds.hold((CAT_CAMEL,), "EL-04", reason)
    if h.osteoporosis or h.long_term_steroids:
        cause = "osteoporosis" if h.osteoporosis else "long-term steroid tablets"
        if "EL-05" in cleared:
            add(
                Finding(
                    "EL-05",
                    Tier.PROCEED,
                    f"Your physical therapist has cleared you for forward-bending stretches despite {cause}.",
                )
            )
        else:
            add(
                Finding(
                    "EL-05",
                    Tier.REFER,
                    f"With {cause}, bones can be fragile, and deep forward bending puts "
                    "the most load on them. Forward-bending stretches are held back until a physical therapist advises.",
                )
            )
            holds.hold(FLEXION_STRETCHES, "EL-05", "Deep forward bending loads fragile bones the most.")
            phases_off["flexion"].append(
                ("EL-05", "Its rounding half bends the back forwards, which loads fragile bones.")
            )
    if h.lumbar_surgery != "none":
        when = "in the last 12 months" if h.lumbar_surgery == "recent" else "in the past"
        if glide_cleared_after_surgery:
            add(
                Finding(
                    "EL-03",
                    Tier.PROCEED,
                    f"You had back surgery {when}; your physical therapist has cleared the nerve glide.",
                )
            )
        else:
            add(
                Finding(
                    "EL-03",
                    Tier.REFER,
                    f"You had back surgery {when}. The nerve glide is often used after "
                    "surgery, but only once your surgeon or physical therapist has cleared it for you.",
                )
            )
            holds.hold(
                (NERVE_GLIDE,),
                "EL-03",
                "After back surgery the nerve glide needs a physical therapist's or doctor's go-ahead.",
            )

    # DPT-24: a direction found worse in the self-check.
    directional = intake.directional
    if directional is not None:
        if directional.extension is Response.WORSE:
            holds.hold(
                EXTENSION_FAMILY, "DPT-24", "Your self-check found that bending backwards made things worse."
            )
            phases_off["extension"].append(
                ("DPT-24", "Its dipping half bends the back backwards, which made things worse.")
            )
        if directional.flexion is Response.WORSE:
            holds.hold(
                FLEXION_STRETCHES, "DPT-24", "Your self-check found that bending forwards made things worse."
            )
            phases_off["flexion"].append(
                ("DPT-24", "Its rounding half bends the back forwards, which made things worse.")
            )
        if Response.WORSE in (directional.extension, directional.flexion):
            add(
                Finding(
                    "DPT-24",
                    Tier.PROCEED,
                    "Exercises in the direction that made your symptoms worse are held "
                    "back until a physical therapist reviews you, or a new self-check in 2 weeks shows it has changed.",
                )
            )

    cat_mode = _cat_camel(bias, chosen.rule, phases_off, add, holds)

    # B13: pregnancy holds the whole programme until a clinician clears it (EL-02).
    if intake.pregnant:
        if "EL-02" in cleared:
            add(
                Finding(
                    "EL-02",
                    Tier.PROCEED,
                    "Your physical therapist has cleared you to do this programme during your pregnancy.",
                )
            )
        else:
            add(
                Finding(
                    "EL-02",
                    Tier.REFER,
                    "Back pain in pregnancy needs its own advice, so no exercises are given "
                    "until your midwife, doctor or physical therapist has cleared them.",
                )
            )
            held = [*candidates, *(i for i in holds.rules if i not in candidates)]
            holds.hold(
                held,
                "EL-02",
                "During pregnancy, exercises wait for a physical therapist's or doctor's go-ahead.",
            )

    exercises: list[Prescription] = []
    for exercise_id in candidates:
        if exercise_id in holds:
            continue
        exercise = library[exercise_id]
        mode: Mode | None = None
        rules: tuple[str, ...] = ()
        if exercise_id == NERVE_GLIDE:
            mode, rules = "slider", ("ND-01", "ND-02")
        elif exercise_id == CAT_CAMEL:
            mode, rules = cat_mode
        exercises.append(Prescription(exercise_id, exercise.envelope.start_dose(mode), rules))
    exercises.sort(key=lambda p: library[p.exercise_id].sequence)

    if not exercises and not (intake.pregnant and "EL-02" not in cleared):
        # B21: the blocks leave no exercise at all: refer, with an empty programme, and say why.
        rule = holds.main_rule()
        add(
            Finding(
                rule,
                Tier.REFER,
                "With everything that has to be held back for you, no exercise of this programme "
                "is left that is safe to start on your own. Please see a licensed physical therapist, who can "
                "choose exercises that suit you.",
            )
        )

    if exercises:
        add(
            Finding(
                "PM-00",
                Tier.PROCEED,
                "A stretch should feel gentle and should not hurt. Stop straight away if "
                "your back pain or the pain down your leg increases, and tell us how you feel after each exercise.",
            )
        )
        add(
            Finding(
                "DS-09",
                Tier.PROCEED,
                "Keep up your normal activities as much as you can, such as walking: "
                "staying active helps your back recover. These stretches are one part of that.",
            )
        )

    return Programme(tuple(exercises), holds.blocks(library), tuple(found), bias)


def _cat_camel(
    bias: Bias,
    bias_rule: str | None,
    phases_off: Mapping[Phase, list[tuple[str, str]]],
    add: _Add,
    holds: _Holds,
) -> tuple[Mode | None, tuple[str, ...]]:
    """B29: cat-camel follows the bias (extension_only, flexion_only, or both phases when balanced);
    a phase removed by B12, B21 or DPT-24 goes; with no phase left, cat-camel is held back.

    Returns the mode and the rules that shaped it, and says in those rules' reasons which half is done.
    """
    removed = {phase for phase, why in phases_off.items() if why}
    left = tuple(phase for phase in BIAS_PHASES[bias] if phase not in removed)
    removers = [item for phase in BIAS_PHASES[bias] for item in phases_off[phase]]
    if not left:
        for rule, reason in removers:
            holds.hold((CAT_CAMEL,), rule, reason)
        return None, ()
    mode = _PHASE_MODE[left]
    if mode is None:
        return None, ()
    # The phase left out is left out by the bias, or by a block of the other phase (balanced programme).
    other: Phase = "flexion" if mode == "extension_only" else "extension"
    rules = tuple(dict.fromkeys(rule for rule, _ in phases_off[other]))
    if bias != "balanced" and bias_rule is not None:
        rules = tuple(dict.fromkeys((bias_rule, *rules)))
    half = (
        "only its dipping half (let your belly sag, then back to flat), not the rounding half"
        if mode == "extension_only"
        else "only its rounding half (round your back up, then back to flat), not the dipping half"
    )
    for rule in rules:
        add(Finding(rule, Tier.PROCEED, f"Cat-camel is done with {half}."))
    return mode, rules


@dataclass(frozen=True, slots=True)
class _Bias:
    """The programme's direction and the rule that chose it (None for a balanced programme)."""

    bias: Bias
    rule: str | None


def _high_pain(intake: Intake) -> bool:
    """B24: back or leg pain above DPT-01's ceiling when the self-check was done."""
    return max(intake.pain.back, intake.pain.leg) > MAX_PAIN_TO_TEST


def _choose_bias(intake: Intake, add: _Add, holds: _Holds) -> _Bias:
    """B9: the direction of the programme, from the self-check if there is one (DPT-11), else the history.

    B24: a self-check done at pain above 7 gives no preference: the history decides, as without one,
    and DPT-01 (not DPT-11, DPT-20...DPT-22) is the rule cited; a direction found worse still blocks.
    """
    directional = intake.directional
    if directional is None:
        return _bias_from_history(intake, add, holds, trusted_rules=True)
    if _high_pain(intake):
        add(
            Finding(
                "DPT-01",
                Tier.PROCEED,
                "You did the self-check while your pain was above 7 out of 10. At that level "
                "its result is not reliable, so it is not used to choose the direction of your programme; to be "
                "safe, a direction that made things worse is still left out.",
            )
        )
        if directional.extension is Response.WORSE and directional.flexion is Response.WORSE:
            _both_worse(add, holds)
        return _bias_from_history(intake, add, holds, trusted_rules=False)
    return _bias_from_self_check(intake, add, holds)


def _flexion_reason(intake: Intake) -> str | None:
    """TBC-02 (B9): spinal stenosis, or over 50 with leg symptoms eased by sitting or bending forward."""
    if intake.history.spinal_stenosis:
        return "you have been told you have spinal stenosis"
    if intake.age > 50 and intake.leg_symptoms and intake.symptoms.eased_by_bending_forward:
        return "you are over 50 and your leg symptoms ease when you sit or bend forwards"
    return None


def _bias_from_history(intake: Intake, add: _Add, holds: _Holds, *, trusted_rules: bool) -> _Bias:
    """B9 without a (usable) self-check. ``trusted_rules`` False is B24: the deferrals cite DPT-01."""
    h = intake.history
    flexion_why = _flexion_reason(intake)
    if flexion_why:
        text = f"Because {flexion_why}, bending forwards is likely to ease your symptoms."
        if h.disc_herniation:
            # B22: a disc herniation would lean the other way; when both apply, flexion wins.
            text += (
                " You have also been told you have a disc herniation, which often does better bending "
                "backwards; when the two point different ways, the forward-bending programme is the one used."
            )
        add(Finding("TBC-02", Tier.PROCEED, text))
        rule = "DPT-21" if trusted_rules else "DPT-01"
        _defer_extension(add, holds, rule)
        return _Bias("flexion", rule)
    if h.disc_herniation:
        rule = "DPT-20" if trusted_rules else "DPT-01"
        add(
            Finding(
                rule,
                Tier.PROCEED,
                "You have been told you have a disc herniation (a bulging or slipped "
                "disc). Gently bending backwards often eases this, so your programme leans that way, and "
                "stretches that bend you forwards wait for the first two weeks.",
            )
        )
        holds.hold(
            FLEXION_STRETCHES,
            rule,
            "Forward bending is left out for the first two weeks of a programme "
            "that bends backwards; after that they can come back one at a time if they do not spread your symptoms.",
        )
        return _Bias("extension", rule)
    if trusted_rules:
        add(
            Finding(
                "DPT-22",
                Tier.PROCEED,
                "Nothing points to one direction being better for you, so your programme "
                "is a balanced mix of the stretches, each stopped if it makes your pain worse.",
            )
        )
    return _Bias("balanced", None)


def _both_worse(add: _Add, holds: _Holds) -> None:
    """DPT-23, first condition: both directions made the symptoms spread."""
    add(
        Finding(
            "DPT-23",
            Tier.REFER,
            "Both bending backwards and bending forwards made your symptoms spread. "
            "The stretches that bend your back are stopped, and a physical therapist should assess you.",
        )
    )
    holds.hold(DIRECTIONAL, "DPT-23", "Both directions made your symptoms spread.")


def _bias_from_self_check(intake: Intake, add: _Add, holds: _Holds) -> _Bias:
    """DPT-11, DPT-20...DPT-23, TBC-01, TBC-04: the self-check decides the direction (B9)."""
    directional = intake.directional
    assert directional is not None
    ext, flex = directional.extension, directional.flexion
    fav = Response.FAVOURABLE
    add(
        Finding(
            "DPT-26",
            Tier.PROCEED,
            "Your programme uses your self-check. It is a simple check you did on your "
            "own, not a diagnosis; an assessment by a trained physical therapist is more reliable.",
        )
    )
    neuro = intake.leg_symptoms and (intake.numbness or intake.symptoms.leg_weakness != "none")
    if ext is Response.WORSE and flex is Response.WORSE:
        _both_worse(add, holds)
    elif neuro and fav not in (ext, flex):
        # DPT-23, second condition: nerve symptoms and no direction that helps also stop the
        # directional exercises (the body's "stop directional exercises" applies to both conditions).
        add(
            Finding(
                "DPT-23",
                Tier.REFER,
                "You have numbness or weakness in your leg and no direction eased it. "
                "The stretches that bend your back are stopped, and a physical therapist should assess you.",
            )
        )
        holds.hold(DIRECTIONAL, "DPT-23", "No direction eased the numbness or weakness in your leg.")
    if neuro and (fav not in (ext, flex) or ext is Response.WORSE):
        add(
            Finding(
                "TBC-04",
                Tier.REFER,
                "Leg symptoms with numbness or weakness that no movement eases need "
                "treatment a home programme cannot give; please see a physical therapist.",
            )
        )

    preference = combine(ext, flex)
    for reason in preference.reasons:
        add(Finding(reason.rule, Tier.PROCEED, reason.text))
    flexion_why = _flexion_reason(intake)
    if preference.label == "both" and flexion_why and intake.age > 50:
        # B22: both directions suited you and TBC-02's flexion subgroup applies: flexion wins.
        add(
            Finding(
                "TBC-02",
                Tier.PROCEED,
                f"Both directions suited you, and because {flexion_why}, the forward-bending "
                "programme is the one used.",
            )
        )
        _defer_extension(add, holds, "DPT-21")
        return _Bias("flexion", "DPT-21")
    if preference.label == "extension":
        if intake.distal_zone >= 3 and flex in (Response.WORSE, Response.NO_EFFECT):
            add(
                Finding(
                    "TBC-01",
                    Tier.PROCEED,
                    "Bending backwards eased the symptoms in your leg while bending "
                    "forwards did not, a pattern that usually does well with backward-bending exercises.",
                )
            )
        add(
            Finding(
                "DPT-20",
                Tier.PROCEED,
                "Your programme leans on bending backwards, and forward-bending "
                "stretches wait for two weeks.",
            )
        )
        holds.hold(
            FLEXION_STRETCHES,
            "DPT-20",
            "Forward bending waits for two weeks in a programme that bends backwards.",
        )
        return _Bias("extension", "DPT-20")
    if preference.label == "flexion":
        _defer_extension(add, holds, "DPT-21")
        return _Bias("flexion", "DPT-21")
    if not (ext is Response.WORSE and flex is Response.WORSE):
        add(
            Finding(
                "DPT-22",
                Tier.PROCEED,
                "Your programme is a balanced mix of the stretches, each stopped if "
                "it makes your pain worse.",
            )
        )
    return _Bias("balanced", None)


def _defer_extension(add: _Add, holds: _Holds, rule: str) -> None:
    add(
        Finding(
            rule,
            Tier.PROCEED,
            "Your programme leans on bending forwards, which tends to ease your "
            "symptoms; exercises that bend your back backwards are left out.",
        )
    )
    holds.hold(EXTENSION_FAMILY, rule, "Bending backwards is left out of a programme that bends forwards.")
