"""Red flags (RF) and the eligibility rules that set a tier at intake (EL-01), clinical-spec §1.

``screen`` reads an :class:`Intake` and returns one :class:`Finding` per rule that fired, each with
the tier it yields (B1) and a reason a patient can read. The engine takes the most severe tier.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from backhome.core.model import Intake, Tier

IMPLEMENTS: tuple[str, ...] = (
    "EL-01",
    "RF-01",
    "RF-02",
    "RF-03",
    "RF-04",
    "RF-05",
    "RF-06",
    "RF-07",
    "RF-08",
    "RF-09",
    "RF-10",
    "RF-11",
    "RF-12",
    "RF-13",
    "RF-14",
    "RF-15",
    "RF-16",
    "RF-18",
    "RF-20",
    "RF-22",
    "TBC-03",
)

#: RF-12: "age-related fragility" is 70 or over (B20); osteoporosis or long-term steroids count at any age.
FRAGILITY_AGE = 70


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired at intake, the tier it yields and its reason."""

    rule: str
    tier: Tier
    text: str


_GO_NOW = "Go to an emergency department now, or call your local emergency number. Do not do any exercises. "


def screen(intake: Intake) -> list[Finding]:
    """Apply RF-01...RF-22 (and EL-01) to one intake. Pure; order follows the spec."""
    s, h = intake.symptoms, intake.history
    found: list[Finding] = []
    add = found.append

    # --- T0: possible cauda equina syndrome and major trauma (RF-01...RF-06, RF-08)
    answers = {name: getattr(s, name) for name in EMERGENCY_QUESTIONS}
    claudication = long_standing_claudication(intake)
    if claudication:
        # B23: long-standing symptoms in both legs of known stenosis, with every sign of trouble absent,
        # are soon (RF-05 and RF-06 do not fire), with the cauda equina safety card (RF-22).
        answers["both_legs"] = False
        add(Finding("RF-22", Tier.SOON, CLAUDICATION_CARD))
    found.extend(emergency_signs(answers))

    # B17: RF-07's nerve symptoms are B8's leg symptoms or any numbness, on B16's safer reading.
    neurological = (
        intake.nerve_symptoms
        or s.leg_weakness != "none"
        or s.both_legs
        or s.bladder_change
        or s.bowel_change
        or s.saddle_numbness
    )
    rf07 = h.cancer and neurological
    if rf07:
        add(
            Finding(
                "RF-07",
                Tier.EMERGENCY,
                _GO_NOW + "You have had cancer and now have back pain with nerve "
                "symptoms such as leg pain, numbness or weakness. Doctors want to see this the same day, "
                "to rule out pressure on the spinal cord.",
            )
        )

    # --- T1: same day (RF-09...RF-13)
    if s.leg_weakness == "worsening":
        add(
            Finding(
                "RF-09",
                Tier.URGENT,
                "Weakness in your leg or foot that is getting worse needs to be "
                "checked today. Contact your doctor, an urgent care service or your physical therapist today, "
                "and do not start the exercises.",
            )
        )
    _infection(intake, add)
    rf11 = (
        h.cancer and not rf07 and (s.thoracic_pain or s.progressive_pain or s.worse_straining or s.night_pain)
    )
    if rf11:
        add(
            Finding(
                "RF-11",
                Tier.URGENT,
                "You have had cancer, and your pain has features (pain in the middle "
                "of the back or neck, pain that keeps getting worse, pain worse on coughing or straining, or night "
                "pain) that doctors want to check within a day. Contact your doctor or cancer team today.",
            )
        )
    fragile = h.osteoporosis or h.long_term_steroids or intake.age >= FRAGILITY_AGE
    if s.minor_trauma and fragile:
        add(
            Finding(
                "RF-12",
                Tier.URGENT,
                "Your pain started suddenly after a small fall or a lift, and your bones "
                "may be more fragile than most. A small break in a bone of the spine needs ruling out: contact "
                "your doctor today, and do not exercise until you have been checked.",
            )
        )
    if s.leg_weakness == "stable":
        add(
            Finding(
                "RF-13",
                Tier.URGENT,
                "New weakness in one leg or foot should be checked by a doctor or "
                "physical therapist today, even if it is not getting worse. Do not start the exercises yet.",
            )
        )
    elif intake.numbness and s.leg_weakness == "none":
        # B4: one-leg numbness without weakness -> refer; the programme is allowed, glide in slider mode.
        add(
            Finding(
                "RF-13",
                Tier.REFER,
                "You have numbness or pins and needles in one leg without weakness. "
                "This is common with a trapped nerve and you can do the programme, but a physical therapist "
                "should assess you. If the numbness spreads, or your leg becomes weak, get checked the same day.",
            )
        )

    # --- T2: soon (RF-14...RF-18, EL-01)
    if h.cancer and not rf07 and not rf11:
        add(
            Finding(
                "RF-14",
                Tier.SOON,
                "You have had cancer and have a new episode of back pain. Please see your "
                "doctor in the next week or two so they can check it, before starting a new exercise programme.",
            )
        )
    if s.weight_loss or s.unwell:
        what = "losing weight without trying" if s.weight_loss else "feeling generally unwell"
        if h.cancer:
            add(
                Finding(
                    "RF-15",
                    Tier.URGENT,
                    f"You mention {what} and you have had cancer. Please contact your doctor today.",
                )
            )
        else:
            add(
                Finding(
                    "RF-15",
                    Tier.SOON,
                    f"You mention {what}. Together with back pain, a doctor should check "
                    "this in the next week or two, before you start a new exercise programme.",
                )
            )
    if s.night_pain:
        add(
            Finding(
                "RF-18",
                Tier.SOON,
                "Constant pain at night that does not ease when you change position "
                "should be checked by a doctor in the next week or two, before you start a new programme.",
            )
        )
    if intake.age > 50 or intake.age < 20:
        # B5: age raises the tier only together with RF-14, RF-15 or RF-18; alone it adds advice.
        with_other = any(f.rule in {"RF-14", "RF-15", "RF-18"} for f in found)
        band = "over 50" if intake.age > 50 else "under 20"
        if with_other:
            add(
                Finding(
                    "RF-16",
                    Tier.SOON,
                    f"Back pain at an age {band}, together with the other signs above, "
                    "is a reason to see a doctor in the next week or two.",
                )
            )
        else:
            add(
                Finding(
                    "RF-16",
                    Tier.PROCEED,
                    f"Back pain that is new at an age {band} is usually not serious. "
                    "If it is not settling, or you feel unwell, see your doctor.",
                )
            )
    if intake.age < 16:
        add(
            Finding(
                "EL-01",
                Tier.SOON,
                "backhome is made for people aged 16 and over. Please see a doctor or "
                "physical therapist, who can advise on exercises that suit a young person.",
            )
        )

    # --- T4: refer (RF-20, TBC-03)
    if intake.distal_zone >= 4 and intake.weeks > 6:
        add(
            Finding(
                "RF-20",
                Tier.REFER,
                "Your symptoms have reached below the knee for more than 6 weeks. You can "
                "do the programme, and a physical therapist or doctor should review your leg.",
            )
        )
    if s.lateral_shift:
        add(
            Finding(
                "TBC-03",
                Tier.REFER,
                "Your body is shifted to one side and you cannot stand straight. A "
                "physical therapist can correct this with you; it is not something to treat on your own.",
            )
        )

    # --- advice (no change of tier); B16: nerve symptoms on the safer reading of conflicting answers
    if intake.nerve_symptoms and not claudication:
        add(
            Finding(
                "RF-22",
                Tier.PROCEED,
                "Because your symptoms reach your leg, know the rare warning signs: "
                "new trouble passing or holding urine or stool, numbness between your legs or around your bottom, "
                "or pain, numbness or weakness in both legs. If any of these happen, go to an emergency "
                "department straight away.",
            )
        )
    conflict = conflicting_answers(intake)
    if conflict:
        add(Finding("RF-22", Tier.PROCEED, conflict))
    return found


def conflicting_answers(intake: Intake) -> str | None:
    """B16: when the answers about the leg disagree, which (safer) reading the screen took, in words."""
    if intake.zone_conflict:
        return (
            "Your answers did not quite agree: you gave your leg pain as "
            f"{intake.pain.leg} out of 10 but said your symptoms stay in the middle of your back. To be "
            "safe, the safety questions treated your pain as reaching your buttock or leg."
        )
    if intake.numbness and not intake.leg_symptoms:
        return (
            "Your answers did not quite agree: you have numbness or pins and needles in a leg but said "
            "your symptoms do not reach your leg. To be safe, the safety questions treated the numbness as "
            "a nerve symptom in your leg."
        )
    return None


#: B23: the cauda equina safety card given with long-standing symptoms in both legs (RF-22's warning).
CLAUDICATION_CARD = (
    "You have had symptoms in both legs for a long time with your narrowed spinal canal (spinal "
    "stenosis), they are not new or getting worse, and they ease when you sit or bend forwards. That is "
    "common with stenosis and not an emergency, but a doctor or physical therapist should see you in the "
    "next week or two before you start a new programme. Go to an emergency department straight away if "
    "the symptoms in your legs get worse or you get new numbness or weakness, new trouble passing or "
    "holding urine or stool, numbness between your legs or around your bottom, or a change in sexual "
    "function."
)

#: B23: the weeks the symptoms must have lasted to count as long-standing.
CLAUDICATION_WEEKS = 12


def long_standing_claudication(intake: Intake) -> bool:
    """B23: every one of its criteria holds. A criterion not asked (``both_legs_new_or_worse`` left
    out) is not met, so the both-legs answer stays an emergency as before."""
    s, h = intake.symptoms, intake.history
    return (
        h.spinal_stenosis
        and s.both_legs
        and s.both_legs_new_or_worse is False
        and s.eased_by_bending_forward
        and intake.weeks > CLAUDICATION_WEEKS
        and not intake.numbness
        and s.leg_weakness == "none"
        and not (s.bladder_change or s.bowel_change or s.saddle_numbness or s.sexual_dysfunction)
        and not s.progressive_pain
    )


def _infection(intake: Intake, add: Callable[[Finding], None]) -> None:
    """RF-10 as settled by B3 (infection flags)."""
    s, h = intake.symptoms, intake.history
    if s.fever:
        add(
            Finding(
                "RF-10",
                Tier.URGENT,
                "A fever, chills or shivering together with back pain can be a sign of "
                "an infection. Contact your doctor or an urgent care service today, and do not start the exercises.",
            )
        )
    elif h.iv_drug_use or h.immunosuppression:
        risk = "you inject drugs" if h.iv_drug_use else "your immune system is weakened"
        if s.unwell or s.progressive_pain:
            add(
                Finding(
                    "RF-10",
                    Tier.URGENT,
                    f"Because {risk} and you feel unwell or your pain keeps getting "
                    "worse, an infection of the spine needs ruling out today. Contact your doctor or urgent care today.",
                )
            )
        else:
            add(
                Finding(
                    "RF-10",
                    Tier.SOON,
                    f"Because {risk}, back pain is a little more likely to come from an "
                    "infection. Please see your doctor in the next week or two, and sooner if you get a fever.",
                )
            )
    elif h.long_term_steroids and (s.unwell or s.progressive_pain):
        # B19: steroids alone are a fragility factor (EL-05, RF-12), not immunosuppression; but they blunt
        # a fever, so feeling unwell or steadily worse pain raises RF-10 to urgent as immunosuppression does.
        add(
            Finding(
                "RF-10",
                Tier.URGENT,
                "You take steroid tablets, which can hide a fever, and you feel unwell or "
                "your pain keeps getting worse. An infection of the spine needs ruling out today. Contact your "
                "doctor or urgent care today.",
            )
        )


#: The answers that decide an emergency on their own (RF-01...RF-06, RF-08), in the order asked.
EMERGENCY_QUESTIONS: tuple[str, ...] = (
    "bladder_change",
    "bowel_change",
    "saddle_numbness",
    "sexual_dysfunction",
    "both_legs",
    "major_trauma",
)


def emergency_signs(answers: Mapping[str, bool]) -> list[Finding]:
    """RF-01...RF-06 and RF-08 from the answers given so far (any subset of EMERGENCY_QUESTIONS).

    Each of these signs is an emergency on its own, so a screen can send a person to emergency care
    as soon as they answer yes, without asking the rest first. ``screen`` uses this same function.
    The one exception is B23: a yes to ``both_legs`` from a person with known stenosis may turn out
    to be long-standing claudication (soon, not emergency). A screen that stops early should ask
    B23's follow-up (``both_legs_new_or_worse``) straight after that yes, and leave the final word to
    :func:`screen` (see :func:`long_standing_claudication`) rather than stop on ``both_legs`` alone.
    """
    found: list[Finding] = []
    add = found.append
    if answers.get("bladder_change", False):
        add(
            Finding(
                "RF-01",
                Tier.EMERGENCY,
                _GO_NOW + "A new change in how you pass urine, with back pain, "
                "can mean the nerves at the base of the spine are being squeezed, which needs to be checked today.",
            )
        )
    if answers.get("bowel_change", False):
        add(
            Finding(
                "RF-02",
                Tier.EMERGENCY,
                _GO_NOW + "A new loss of bowel control or of the feeling that "
                "you need to go, with back pain, can mean the nerves at the base of the spine are being squeezed.",
            )
        )
    if answers.get("saddle_numbness", False):
        add(
            Finding(
                "RF-03",
                Tier.EMERGENCY,
                _GO_NOW + "New numbness or tingling between your legs or around "
                "your bottom or genitals can mean the nerves at the base of the spine are being squeezed.",
            )
        )
    if answers.get("sexual_dysfunction", False):
        add(
            Finding(
                "RF-04",
                Tier.EMERGENCY,
                _GO_NOW + "A new change in sexual function together with back or "
                "leg pain can be a sign that the nerves at the base of the spine are being squeezed.",
            )
        )
    if answers.get("both_legs", False):
        add(
            Finding(
                "RF-05",
                Tier.EMERGENCY,
                _GO_NOW + "Pain, numbness or weakness in both legs needs a "
                "doctor to check your spine and nerves straight away.",
            )
        )
    if any(f.rule in {"RF-01", "RF-02", "RF-03", "RF-04", "RF-05"} for f in found):
        add(
            Finding(
                "RF-06",
                Tier.EMERGENCY,
                "These warning signs need checking today however long you have "
                "had them, even if they started weeks ago.",
            )
        )

    if answers.get("major_trauma", False):
        add(
            Finding(
                "RF-08",
                Tier.EMERGENCY,
                _GO_NOW + "Back pain after a major injury, such as a road "
                "collision or a fall from a height, needs checking for a broken bone first.",
            )
        )
    return found
