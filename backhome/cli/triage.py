"""``backhome triage`` (the decision as JSON) and ``backhome plan`` (the same decision, for a person)."""

from __future__ import annotations

import argparse
import textwrap

from backhome.cli import IO, Subcommands
from backhome.cli.common import read_intake
from backhome.core.contract import dump_decision
from backhome.core.dose import MODE_NAMES, describe_dose
from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import Context, Decision, Monitoring
from backhome.core.words import tier_text

#: The rules a clinician may clear for a person (clinical-spec EL-02...EL-06).
CLEARABLE = ("EL-02", "EL-03", "EL-04", "EL-05", "EL-06")
WIDTH = 88


def register(sub: Subcommands) -> None:
    for name, handler, help_ in (
        ("triage", _triage, "decide on an intake and print the backhome.decision/1 JSON"),
        ("plan", _plan, "decide on an intake and print the programme for a person to read"),
    ):
        parser = sub.add_parser(name, help=help_, description=help_)
        add_intake_arguments(parser)
        parser.set_defaults(handler=handler)


def add_intake_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a backhome.intake/1 JSON file, or - for standard input")
    parser.add_argument(
        "--monitoring",
        choices=[m.value for m in Monitoring],
        default=Monitoring.STRICT.value,
        help="pain-monitoring mode (PM-00); 'monitored' only when a clinician has set it",
    )
    parser.add_argument(
        "--clearance",
        action="append",
        default=[],
        choices=CLEARABLE,
        metavar="RULE",
        help=f"a clearance given by a clinician, repeatable: {', '.join(CLEARABLE)}",
    )


def context_from(args: argparse.Namespace) -> Context:
    return Context(clearances=frozenset(args.clearance), monitoring=Monitoring(args.monitoring))


def decision_from(args: argparse.Namespace, io: IO) -> Decision | None:
    intake = read_intake(args.file, io)
    if intake is None:
        return None
    return decide(intake, context_from(args))


def _triage(args: argparse.Namespace, io: IO) -> int:
    decision = decision_from(args, io)
    if decision is None:
        return 2
    io.stdout.write(dump_decision(decision) + "\n")
    return 0


def _plan(args: argparse.Namespace, io: IO) -> int:
    decision = decision_from(args, io)
    if decision is None:
        return 2
    io.stdout.write(render_plan(decision))
    return 0


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> str:
    return textwrap.fill(
        text, WIDTH, initial_indent=first if first is not None else indent, subsequent_indent=indent
    )


def render_plan(decision: Decision) -> str:
    """The decision as a person reads it: what to do, the programme, what is held back and why."""
    library = default_library()
    text = tier_text(decision.tier)
    out: list[str] = []
    out.append(f"{text.title.upper()}  [{decision.tier.value}]")
    out.append(_wrap(text.headline, "  "))
    out.append("")
    out.append("What to do now:")
    for number, step in enumerate(text.steps, 1):
        out.append(_wrap(step, "     ", f"  {number}. "))
    out.append("")
    if decision.exercises:
        out.append("Your programme (once a day, in this order):")
        rows = []
        for number, item in enumerate(decision.exercises, 1):
            exercise = library[item.exercise_id]
            name = exercise.name
            if item.dose.mode:
                name += f" - {MODE_NAMES[item.dose.mode]}"
            rows.append((str(number), name, describe_dose(item.dose), item.exercise_id))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        out.append(f"  {'#'.ljust(widths[0])}  {'Exercise'.ljust(widths[1])}  {'Dose'.ljust(widths[2])}  Id")
        for row in rows:
            out.append(
                f"  {row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2].ljust(widths[2])}  {row[3]}"
            )
        out.append("")
    elif decision.tier.prescribes:
        out.append("No exercises for now: see what is held back below.")
        out.append("")
    if decision.blocked:
        out.append("Held back, and why:")
        for block in decision.blocked:
            name = library[block.exercise_id].name
            out.append(_wrap(f"{block.reason} ({', '.join(block.rules)})", "      ", f"  - {name}: "))
        out.append("")
    if decision.risk is not None:
        risk = decision.risk
        out.append(
            f"How back pain affects you (adapted STarT Back topics): {risk.total}/9, "
            f"worry and mood {risk.psychosocial}/5, {risk.category} risk."
        )
        out.append("")
    out.append("Why (the rules behind this result):")
    for reason in decision.reasons:
        out.append(_wrap(reason.text, "           ", f"  {reason.rule:<8} "))
    out.append("")
    out.append(
        _wrap(
            "backhome is not a diagnosis. Its rules are design defaults awaiting review by clinicians. "
            "If you are unsure, speak to a licensed physical therapist.",
            "",
        )
    )
    return "\n".join(out) + "\n"
