"""The one engine every front end goes through: an intake in, a decision out.

``decide`` combines the red-flag screen (triage), the risk result (STarT Back) and, when the tier
allows a programme (B2), the prescription. The tier is the most severe that any fired rule yields
(B1). Every fired rule is listed with a reason a patient can read (B14).
"""

from __future__ import annotations

from collections.abc import Mapping

from backhome.core.model import Block, Context, Decision, Exercise, Intake, Prescription, Reason, Tier
from backhome.core.rules import prescribe as _prescribe
from backhome.core.rules import risk as _risk
from backhome.core.rules import triage as _triage

_DEFAULT_CONTEXT = Context()


def decide(
    intake: Intake,
    context: Context = _DEFAULT_CONTEXT,
    library: Mapping[str, Exercise] | None = None,
) -> Decision:
    """Decide tier, programme, blocks and risk for one intake. Pure and deterministic."""
    if library is None:
        from backhome.core.library.load import default_library

        library = default_library()
    findings = _triage.screen(intake)
    risk, risk_findings = _risk.assess(intake.startback)
    findings.extend(risk_findings)
    tier = Tier.most_severe([f.tier for f in findings])

    exercises: tuple[Prescription, ...] = ()
    blocked: tuple[Block, ...] = ()
    if tier.prescribes:
        programme = _prescribe.prescribe(intake, context, library)
        findings.extend(programme.findings)
        exercises, blocked = programme.exercises, programme.blocked
        tier = Tier.most_severe([tier, *(f.tier for f in programme.findings)])

    texts: dict[str, str] = {}
    for finding in findings:
        previous = texts.get(finding.rule)
        texts[finding.rule] = finding.text if previous is None else f"{previous} {finding.text}"
    rules = tuple(sorted(texts))
    return Decision(
        tier=tier,
        rules=rules,
        reasons=tuple([Reason(rule, texts[rule]) for rule in rules]),
        exercises=exercises,
        blocked=blocked,
        risk=risk,
        monitoring=context.monitoring,
    )
