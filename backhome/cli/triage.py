"""``backhome triage`` (the decision as JSON) and ``backhome plan`` (the same decision, for a person)."""

from __future__ import annotations

import argparse
import textwrap

from backhome.cli import IO, Subcommands
from backhome.cli.common import read_intake
from backhome.core.contract import dump_decision
from backhome.core.dose import MODE_NAMES, describe_dose
from backhome.core.engine import decide
from backhome.core.library.load import default_library, in_language
from backhome.core.model import Context, Decision, Monitoring
from backhome.core.words import LANGUAGES, dose_words, reason_words, tier_text

#: The rules a clinician may clear for a person (clinical-spec EL-02...EL-06).
CLEARABLE = ("EL-02", "EL-03", "EL-04", "EL-05", "EL-06")
WIDTH = 88

#: The plan's own words in each language (the tier texts, exercises and reasons come from the content).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "todo": "What to do now:",
        "programme": "Your programme (once a day, in this order):",
        "exercise": "Exercise",
        "dose": "Dose",
        "none": "No exercises for now: see what is held back below.",
        "held": "Held back, and why:",
        "risk": "How back pain affects you (adapted STarT Back topics): {total}/9, worry and mood {psy}/5, "
        "{category} risk.",
        "why": "Why (the rules behind this result):",
        "footer": "backhome is not a diagnosis. Its rules are design defaults awaiting review by clinicians. "
        "If you are unsure, speak to a licensed physical therapist.",
    },
    "es": {
        "todo": "Qué hacer ahora:",
        "programme": "Su programa (una vez al día, en este orden):",
        "exercise": "Ejercicio",
        "dose": "Dosis",
        "none": "Por ahora no hay ejercicios: vea más abajo lo que se deja fuera.",
        "held": "Lo que se deja fuera, y por qué:",
        "risk": "Cómo le afecta el dolor de espalda (temas adaptados del STarT Back): {total}/9, preocupación "
        "y ánimo {psy}/5, riesgo {category}.",
        "why": "Por qué (las reglas detrás de este resultado):",
        "footer": "backhome no es un diagnóstico. Sus reglas son valores de diseño pendientes de revisión por "
        "profesionales sanitarios. Si tiene dudas, hable con un fisioterapeuta colegiado.",
    },
}
RISK_ES = {"low": "bajo", "medium": "medio", "high": "alto"}


def register(sub: Subcommands) -> None:
    for name, handler, help_ in (
        ("triage", _triage, "decide on an intake and print the backhome.decision/1 JSON"),
        ("plan", _plan, "decide on an intake and print the programme for a person to read"),
    ):
        parser = sub.add_parser(name, help=help_, description=help_)
        add_intake_arguments(parser)
        if name == "plan":
            add_language_argument(parser)
        parser.set_defaults(handler=handler)


def add_language_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="the language to write in (the decision is the same in every language)",
    )


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
    io.stdout.write(render_plan(decision, args.lang))
    return 0


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> str:
    return textwrap.fill(
        text, WIDTH, initial_indent=first if first is not None else indent, subsequent_indent=indent
    )


def render_plan(decision: Decision, lang: str = "en") -> str:
    """The decision as a person reads it: what to do, the programme, what is held back and why."""
    library = default_library()
    words = LABELS.get(lang, LABELS["en"])
    text = tier_text(decision.tier, lang)
    out: list[str] = []
    out.append(f"{text.title.upper()}  [{decision.tier.value}]")
    out.append(_wrap(text.headline, "  "))
    out.append("")
    out.append(words["todo"])
    for number, step in enumerate(text.steps, 1):
        out.append(_wrap(step, "     ", f"  {number}. "))
    out.append("")
    if decision.exercises:
        out.append(words["programme"])
        rows = []
        for number, item in enumerate(decision.exercises, 1):
            exercise = in_language(library[item.exercise_id], lang)
            name = exercise.name
            if item.dose.mode:
                if lang == "en":
                    name += f" - {MODE_NAMES[item.dose.mode]}"
                else:
                    name += " - " + next(m.name for m in exercise.modes if m.id == item.dose.mode)
            dose = item.dose
            dose_text = (
                describe_dose(dose)
                if lang == "en"
                else dose_words(dose.sets, dose.reps, dose.hold_s, dose.per_side, lang)
            )
            rows.append((str(number), name, dose_text, item.exercise_id))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        out.append(
            f"  {'#'.ljust(widths[0])}  {words['exercise'].ljust(widths[1])}  {words['dose'].ljust(widths[2])}  Id"
        )
        for row in rows:
            out.append(
                f"  {row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2].ljust(widths[2])}  {row[3]}"
            )
        out.append("")
    elif decision.tier.prescribes:
        out.append(words["none"])
        out.append("")
    if decision.blocked:
        out.append(words["held"])
        for block in decision.blocked:
            name = in_language(library[block.exercise_id], lang).name
            why = reason_words(block.rules[0], block.reason, lang) if block.rules else block.reason
            out.append(_wrap(f"{why} ({', '.join(block.rules)})", "      ", f"  - {name}: "))
        out.append("")
    if decision.risk is not None:
        risk = decision.risk
        category = RISK_ES.get(risk.category, risk.category) if lang == "es" else risk.category
        out.append(words["risk"].format(total=risk.total, psy=risk.psychosocial, category=category))
        out.append("")
    out.append(words["why"])
    for reason in decision.reasons:
        out.append(_wrap(reason_words(reason.rule, reason.text, lang), "           ", f"  {reason.rule:<8} "))
    out.append("")
    out.append(_wrap(words["footer"], ""))
    return "\n".join(out) + "\n"
