"""STarT Back risk stratification (SB), clinical-spec §2 and B6.

backhome asks the nine item *topics* in its own words (see ``content/questionnaires/startback.toml``);
the scoring (SB-01...SB-04) is a sum and two cut-offs. A missing item gives no result (SB-05).
Risk never blocks an exercise (B6); it raises the tier to refer for medium and high (SB-11, SB-12).
"""

from __future__ import annotations

from backhome.core.model import Risk, RiskCategory, StartBackAnswers, Tier
from backhome.core.rules.triage import Finding

IMPLEMENTS: tuple[str, ...] = (
    "SB-01",
    "SB-02",
    "SB-03",
    "SB-04",
    "SB-05",
    "SB-10",
    "SB-11",
    "SB-12",
    "TBC-06",
)

#: SB-06: UK SNOMED CT codes for the categories, for export.
SNOMED = {"low": "945621000000107", "medium": "45641000000100", "high": "45601000000103"}
#: SB-06: LOINC code of the total score (to verify on loinc.org, spec §10.4).
LOINC_TOTAL = "91351-7"


def score(answers: StartBackAnswers) -> Risk:
    """SB-01...SB-04: total of the nine items, psychosocial subscale of items 5-9, category."""
    if len(answers.agree) != 8:
        raise ValueError("STarT Back needs exactly 8 agree/disagree answers (SB-05)")
    item9 = answers.bothersome in ("very_much", "extremely")
    total = sum(answers.agree) + item9
    psychosocial = sum(answers.agree[4:8]) + item9
    category: RiskCategory
    if total <= 3:
        category = "low"
    elif psychosocial <= 3:
        category = "medium"
    else:
        category = "high"
    return Risk(total=total, psychosocial=psychosocial, category=category)


def assess(answers: StartBackAnswers | None) -> tuple[Risk | None, list[Finding]]:
    """The risk result and the findings it adds to a decision."""
    if answers is None:
        return None, [
            Finding(
                "SB-05",
                Tier.PROCEED,
                "The questions about how back pain affects you were not "
                "all answered, so there is no risk result. You can answer them later.",
            )
        ]
    risk = score(answers)
    found = [
        Finding(
            "SB-01",
            Tier.PROCEED,
            f"Your answers to the nine questions about how back pain affects "
            f"you score {risk.total} of 9, and {risk.psychosocial} of 5 on the questions about worry and mood.",
        )
    ]
    if risk.category == "low":
        found.append(Finding("SB-02", Tier.PROCEED, "That is a low risk of long-lasting problems."))
        found.append(
            Finding(
                "SB-10",
                Tier.PROCEED,
                "Most people with this result get better with good "
                "information, staying active and a home programme like this one.",
            )
        )
    elif risk.category == "medium":
        found.append(Finding("SB-03", Tier.PROCEED, "That is a medium risk of long-lasting problems."))
        found.append(
            Finding(
                "SB-11",
                Tier.REFER,
                "People with this result do better with help from a physical "
                "therapist alongside the home programme. We recommend you book an appointment.",
            )
        )
    else:
        found.append(
            Finding(
                "SB-04",
                Tier.PROCEED,
                "That is a high risk of long-lasting problems, mostly "
                "because of how much the pain is worrying you and getting you down. This is common and it can "
                "change.",
            )
        )
        found.append(
            Finding(
                "SB-12",
                Tier.REFER,
                "People with this result do best with a physical therapist who "
                "helps with both the body and the worry that pain brings. Use this programme alongside that care, "
                "not instead of it. Please contact a physical therapist.",
            )
        )
        found.append(
            Finding(
                "TBC-06",
                Tier.PROCEED,
                "How you feel about your pain matters as much as the "
                "exercises: worry and low mood are worth talking about with your physical therapist.",
            )
        )
    return risk, found
