"""Prescription and blocks at intake: B8-B13, with EL-02...EL-06, DPT-11/20-24, TBC-01/02/04/05, ND-01/02.

``prescribe`` is called only for tiers that allow a programme (B2). It chooses the programme's
direction (B9), the stage of the extension family (B10), applies the blocks (B12) and the
out-of-scope rules (B13), and returns the exercises with their starting doses from the library,
the exercises held back with their rules and a plain reason, and the findings that shaped it.
"""

from __future__ import annotations

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
from backhome.core.rules.directional import combine
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
_Add = Callable[[Finding], None]

#: B10 / TBC-05: back or leg pain at or above this is the symptom-modulation stage.
MODULATION_PAIN = 7
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

    bias = _choose_bias(intake, add, holds)

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
            else "After back surgery, your clinician has cleared you to do the gentle nerve glide."
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

    # B12 blocks at intake.
    cat_mode: Mode | None = None
    if h.spinal_stenosis:
        if "EL-06" in cleared:
            add(
                Finding(
                    "EL-06",
                    Tier.PROCEED,
                    "Your clinician has cleared you for exercises that bend your back "
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
    if h.vertebral_fracture:
        if "EL-04" in cleared:
            add(
                Finding(
                    "EL-04",
                    Tier.PROCEED,
                    "Your clinician has cleared you to exercise after your spinal fracture.",
                )
            )
        else:
            add(
                Finding(
                    "EL-04",
                    Tier.REFER,
                    "Because you have had a fracture of a bone in your spine, exercises "
                    "that bend your back far forwards or backwards are held back until a clinician clears them.",
                )
            )
            reason = "A spinal fracture needs a clinician's go-ahead first."
            holds.hold(EXTENSION_FAMILY, "EL-04", reason)
            holds.hold(FLEXION_STRETCHES, "EL-04", reason)
    if h.osteoporosis or h.long_term_steroids:
        cause = "osteoporosis" if h.osteoporosis else "long-term steroid tablets"
        if "EL-05" in cleared:
            add(
                Finding(
                    "EL-05",
                    Tier.PROCEED,
                    f"Your clinician has cleared you for forward-bending stretches despite {cause}.",
                )
            )
        else:
            add(
                Finding(
                    "EL-05",
                    Tier.REFER,
                    f"With {cause}, bones can be fragile, and deep forward bending puts "
                    "the most load on them. Forward-bending stretches are held back, and cat-camel is done with "
                    "the belly-down half only, until a clinician advises.",
                )
            )
            holds.hold(FLEXION_STRETCHES, "EL-05", "Deep forward bending loads fragile bones the most.")
            cat_mode = "extension_only"
    if h.lumbar_surgery != "none":
        when = "in the last 12 months" if h.lumbar_surgery == "recent" else "in the past"
        if glide_cleared_after_surgery:
            add(
                Finding(
                    "EL-03",
                    Tier.PROCEED,
                    f"You had back surgery {when}; your clinician has cleared the nerve glide.",
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
                (NERVE_GLIDE,), "EL-03", "After back surgery the nerve glide needs a clinician's go-ahead."
            )

    # DPT-24: a direction found worse in the self-check.
    directional = intake.directional
    if directional is not None:
        if directional.extension is Response.WORSE:
            holds.hold(
                EXTENSION_FAMILY, "DPT-24", "Your self-check found that bending backwards made things worse."
            )
            # cat-camel has no flexion-only form, so with extension worse it is held back whole.
            holds.hold(
                (CAT_CAMEL,),
                "DPT-24",
                "Its belly-down half bends the back backwards, which made things worse.",
            )
        if directional.flexion is Response.WORSE:
            holds.hold(
                FLEXION_STRETCHES, "DPT-24", "Your self-check found that bending forwards made things worse."
            )
            cat_mode = "extension_only"
        if Response.WORSE in (directional.extension, directional.flexion):
            add(
                Finding(
                    "DPT-24",
                    Tier.PROCEED,
                    "Exercises in the direction that made your symptoms worse are held "
                    "back until a physical therapist reviews you, or a new self-check in 2 weeks shows it has changed.",
                )
            )

    # B13: pregnancy holds the whole programme until a clinician clears it (EL-02).
    if intake.pregnant:
        if "EL-02" in cleared:
            add(
                Finding(
                    "EL-02",
                    Tier.PROCEED,
                    "Your clinician has cleared you to do this programme during your pregnancy.",
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
            holds.hold(held, "EL-02", "During pregnancy, exercises wait for a clinician's go-ahead.")

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
            mode = cat_mode
        exercises.append(Prescription(exercise_id, exercise.envelope.start_dose(mode), rules))
    exercises.sort(key=lambda p: library[p.exercise_id].sequence)

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


def _choose_bias(intake: Intake, add: _Add, holds: _Holds) -> Bias:
    """B9: the direction of the programme, from the self-check if there is one (DPT-11), else the history."""
    h, s = intake.history, intake.symptoms
    directional = intake.directional
    if directional is not None:
        return _bias_from_self_check(intake, add, holds)
    flexion_reason = h.spinal_stenosis or (
        intake.age > 50 and intake.leg_symptoms and s.eased_by_bending_forward
    )
    if flexion_reason:
        why = (
            "you have been told you have spinal stenosis"
            if h.spinal_stenosis
            else "you are over 50 and your leg symptoms ease when you sit or bend forwards"
        )
        add(
            Finding(
                "TBC-02", Tier.PROCEED, f"Because {why}, bending forwards is likely to ease your symptoms."
            )
        )
        _defer_extension(add, holds, "DPT-21")
        return "flexion"
    if h.disc_herniation:
        add(
            Finding(
                "DPT-20",
                Tier.PROCEED,
                "You have been told you have a disc herniation (a bulging or slipped "
                "disc). Gently bending backwards often eases this, so your programme leans that way, and "
                "stretches that bend you forwards wait for the first two weeks.",
            )
        )
        holds.hold(
            FLEXION_STRETCHES,
            "DPT-20",
            "Forward bending is left out for the first two weeks of a programme "
            "that bends backwards; after that they can come back one at a time if they do not spread your symptoms.",
        )
        return "extension"
    add(
        Finding(
            "DPT-22",
            Tier.PROCEED,
            "Nothing points to one direction being better for you, so your programme "
            "is a balanced mix of the stretches, each stopped if it makes your pain worse.",
        )
    )
    return "balanced"


def _bias_from_self_check(intake: Intake, add: _Add, holds: _Holds) -> Bias:
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
        add(
            Finding(
                "DPT-23",
                Tier.REFER,
                "Both bending backwards and bending forwards made your symptoms spread. "
                "The stretches that bend your back are stopped, and a physical therapist should assess you.",
            )
        )
        holds.hold((CAT_CAMEL,), "DPT-23", "Both directions made your symptoms spread.")
    elif neuro and fav not in (ext, flex):
        add(
            Finding(
                "DPT-23",
                Tier.REFER,
                "You have numbness or weakness in your leg and no direction eased it. "
                "A physical therapist should assess you.",
            )
        )
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
        return "extension"
    if preference.label == "flexion":
        _defer_extension(add, holds, "DPT-21")
        return "flexion"
    if not (ext is Response.WORSE and flex is Response.WORSE):
        add(
            Finding(
                "DPT-22",
                Tier.PROCEED,
                "Your programme is a balanced mix of the stretches, each stopped if "
                "it makes your pain worse.",
            )
        )
    return "balanced"


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
