"""``backhome session FILE|-``: a guided session in the terminal, keyboard only.

It decides on the intake, then runs the programme one exercise at a time: the steps, a get-ready
countdown, hold countdowns with a progress bar, repetition / set / side counting, and a pain check
before the session and after each exercise. The pain checks go to the core's monitor rules
(PM-10...PM-30); a RED result that ends the session ends it here, with the rule's advice. Nothing
about pain is decided in this file.

Keys: Enter to go on, ``s`` to skip an exercise, ``h`` when it hurts, ``q`` to stop. Ctrl-C during
a countdown pauses it. Time comes from a :class:`Clock`, so tests run with a fake one instantly.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Protocol

from backhome.cli import IO, Subcommands
from backhome.cli.triage import add_intake_arguments, add_language_argument, decision_from
from backhome.core.dose import MODE_NAMES, describe_dose
from backhome.core.library.load import default_library, in_language
from backhome.core.model import Decision, Exercise, Light, PainCheck, Prescription
from backhome.core.rules.monitor import ExerciseCheck, evaluate
from backhome.core.words import dose_words, reason_words, seconds_in, tier_text

GET_READY_S = 5
RELAX_S = 3
BAR = 20
ZONES = (
    "0 = no pain",
    "1 = the middle of the low back",
    "2 = one side of the back, or the buttock",
    "3 = the thigh, above the knee",
    "4 = below the knee (calf or shin)",
    "5 = the foot or toes",
)
WARNING_SIGNS = (
    "Any NEW warning sign since the start: trouble passing or holding urine or stool, numbness between "
    "your legs or around your bottom, or pain, numbness or weakness in BOTH legs? (y/n) "
)
INTRO = (
    "\nA stretch should feel gentle. Stop on any increase in your back pain or the pain down your leg.\n"
    "Keys: Enter = go on, s = skip, h = it hurts, q = stop. Ctrl-C pauses a countdown."
)

#: The session's words in Spanish (``--lang es``), keyed by the English; the content's words come from
#: the content (tier texts, exercises, reasons). The keys stay the ones the player types in English too.
SPANISH: dict[str, str] = {
    "0 = no pain": "0 = sin dolor",
    "1 = the middle of the low back": "1 = el centro de la zona lumbar",
    "2 = one side of the back, or the buttock": "2 = un lado de la espalda, o la nalga",
    "3 = the thigh, above the knee": "3 = el muslo, por encima de la rodilla",
    "4 = below the knee (calf or shin)": "4 = por debajo de la rodilla (pantorrilla o espinilla)",
    "5 = the foot or toes": "5 = el pie o los dedos del pie",
    WARNING_SIGNS: "¿Alguna señal de alarma NUEVA desde el principio: dificultad para orinar o hacer de vientre o "
    "para retenerlos, adormecimiento entre las piernas o alrededor de las nalgas, o dolor, adormecimiento o "
    "debilidad en LAS DOS piernas? (s/n) ",
    INTRO: "\nUn estiramiento debe sentirse suave. Pare si aumenta el dolor de espalda o el que le baja por la "
    "pierna.\nTeclas: Intro = seguir, s = saltar, h = me duele, q = parar. Ctrl-C pausa una cuenta atrás.",
    "  Please type a whole number from {low} to {high}.": "  Escriba un número entero del {low} al {high}.",
    "  Please type y for yes or n for no.": "  Escriba s para sí o n para no.",
    "\n-- Pain check: {title} --": "\n-- Control del dolor: {title} --",
    "Back pain now, 0 (none) to 10 (worst imaginable): ": "Dolor de espalda ahora, de 0 (nada) a 10 (el peor imaginable): ",
    "Leg pain now, 0 to 10: ": "Dolor de pierna ahora, de 0 a 10: ",
    "How far do your symptoms reach?": "¿Hasta dónde le llegan los síntomas?",
    "Zone, 0 to 5: ": "Zona, de 0 a 5: ",
    "Numbness or pins and needles in a leg? (y/n) ": "¿Adormecimiento u hormigueo en una pierna? (s/n) ",
    "Is a leg or foot weak (the foot drops, the knee gives way)? (y/n) ": "¿Tiene débil una pierna o un pie (el pie "
    "cae, la rodilla le falla)? (s/n) ",
    "  Paused. Enter = go on, s = skip this exercise, h = it hurts, q = stop: ": "  En pausa. Intro = seguir, "
    "s = saltar este ejercicio, h = me duele, q = parar: ",
    "There is no exercise session for you today.": "Hoy no hay sesión de ejercicios para usted.",
    "before you start": "antes de empezar",
    "before the session": "antes de la sesión",
    "\nYou stopped the session. That is fine: do what feels right today.": "\nHa parado la sesión. No pasa "
    "nada: haga hoy lo que le siente bien.",
    "\nThe input ended before the session did; stopping here.": "\nLa entrada terminó antes que la sesión; "
    "paramos aquí.",
    "backhome guided session: {n} exercises today.": "Sesión guiada de backhome: {n} ejercicios hoy.",
    "Press Enter to start. ": "Pulse Intro para empezar. ",
    "\n=== Exercise {number} of {total}: {name} ===": "\n=== Ejercicio {number} de {total}: {name} ===",
    "Dose: {dose}": "Dosis: {dose}",
    "Start position: {position}": "Posición de partida: {position}",
    "You may feel: ": "Puede notar: ",
    "Stop if: ": "Pare si: ",
    "Enter when you are in the start position (s = skip, h = it hurts): ": "Pulse Intro cuando esté en la "
    "posición de partida (s = saltar, h = me duele): ",
    "  Skipped.": "  Saltado.",
    "  Stopping this exercise. Tell us how you feel now.": "  Paramos este ejercicio. Díganos cómo se encuentra "
    "ahora.",
    "Get ready": "Prepárese",
    "left side": "lado izquierdo",
    "right side": "lado derecho",
    "set {n} of {of}, ": "serie {n} de {of}, ",
    "rep {n} of {of}": "repetición {n} de {of}",
    "  Move gently into position: {label}. Hold for {hold}.": "  Colóquese con suavidad: {label}. Mantenga "
    "{hold}.",
    "Hold": "Mantenga",
    "  Move slowly: {label}.": "  Muévase despacio: {label}.",
    "Relax": "Descanse",
    "  Done. Come back to a comfortable position.": "  Hecho. Vuelva a una posición cómoda.",
    "after {name}": "después de {name}",
    "Your back pain went up a little. Rest in a comfortable position for {minutes} minutes.": "El dolor de "
    "espalda ha subido un poco. Descanse en una posición cómoda durante {minutes} minutos.",
    "Rest": "Descanso",
    "Is your back pain back to {back} out of 10 or lower? (y/n) ": "¿Ha vuelto el dolor de espalda a {back} "
    "sobre 10 o menos? (s/n) ",
    "Result: {light}.": "Resultado: {light}.",
    "GREEN - good": "VERDE - bien",
    "AMBER - keep this dose": "ÁMBAR - mantenga esta dosis",
    "RED - stop": "ROJO - pare",
    "\n*** The session has ended for your safety. ***": "\n*** La sesión ha terminado por su seguridad. ***",
    "Answer the safety questions again now (backhome triage), and follow what they say.": "Responda ahora otra "
    "vez a las preguntas de seguridad (backhome triage) y siga lo que indiquen.",
    "\n=== Summary ===": "\n=== Resumen ===",
    "GREEN": "VERDE",
    "AMBER": "ÁMBAR",
    "RED": "ROJO",
    "  done     {name}: {light}": "  hecho    {name}: {light}",
    "  skipped  {name}": "  saltado  {name}",
    "  stopped  {where} (rules {rules})": "  parado   {where} (reglas {rules})",
    "  pain     back {b0} -> {b1}, leg {l0} -> {l1}, zone {z0} -> {z1}": "  dolor    espalda {b0} -> {b1}, "
    "pierna {l0} -> {l1}, zona {z0} -> {z1}",
    "If you are unsure about any exercise, speak to a licensed physical therapist.": "Si tiene dudas sobre "
    "algún ejercicio, hable con un fisioterapeuta colegiado.",
}

EXIT_DONE, EXIT_NO_INPUT, EXIT_STOPPED_BY_RULE = 0, 1, 3


class Clock(Protocol):
    def sleep(self, seconds: float) -> None: ...


class RealClock:
    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class EndOfInput(Exception):
    """Standard input ended before the session did."""


class Quit(Exception):
    """The person asked to stop."""


@dataclass
class Summary:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    lights: dict[str, Light] = field(default_factory=dict)
    stop: ExerciseCheck | None = None
    stopped_on: str | None = None
    first: PainCheck | None = None
    last: PainCheck | None = None


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "session",
        help="run a guided session of the programme in the terminal",
        description="Decide on an intake, then guide a session of its programme: keyboard only.",
    )
    add_intake_arguments(parser)
    add_language_argument(parser)
    parser.set_defaults(handler=_session)


def _session(args: argparse.Namespace, io: IO) -> int:
    decision = decision_from(args, io)
    if decision is None:
        return 2
    clock: Clock = io.clock or RealClock()
    return Player(decision, io, clock, args.lang).run()


class Player:
    def __init__(self, decision: Decision, io: IO, clock: Clock, lang: str = "en") -> None:
        self.lang = lang
        self.decision = decision
        self.io = io
        self.clock = clock
        self.library = default_library()
        self.summary = Summary()

    # ------------------------------------------------------------------ output and input

    def t(self, text: str, **values: object) -> str:
        """``text`` in the session's language (SPANISH below), with ``values`` put in."""
        words = SPANISH.get(text, text) if self.lang == "es" else text
        return words.format(**values) if values else words

    def dose(self, item: Prescription) -> str:
        d = item.dose
        return (
            describe_dose(d)
            if self.lang == "en"
            else dose_words(d.sets, d.reps, d.hold_s, d.per_side, self.lang)
        )

    def exercise_of(self, exercise_id: str) -> Exercise:
        return in_language(self.library[exercise_id], self.lang)

    def say(self, text: str = "") -> None:
        self.io.stdout.write(text + "\n")
        self.io.stdout.flush()

    def ask(self, prompt: str) -> str:
        self.io.stdout.write(prompt)
        self.io.stdout.flush()
        line = self.io.stdin.readline()
        if line == "":
            raise EndOfInput
        answer = line.strip().lower()
        if not self.io.stdin.isatty():
            self.io.stdout.write(answer + "\n")  # echo, so a transcript reads like the screen did
        if answer in {"q", "quit", "stop", "salir"}:
            raise Quit
        return answer

    def ask_number(self, prompt: str, low: int, high: int) -> int:
        while True:
            answer = self.ask(prompt)
            if answer.isdigit() and low <= int(answer) <= high:
                return int(answer)
            self.say(self.t("  Please type a whole number from {low} to {high}.", low=low, high=high))

    def ask_yes_no(self, prompt: str) -> bool:
        while True:
            answer = self.ask(prompt)
            if answer in {"y", "yes"} or (self.lang == "es" and answer in {"s", "si", "sí"}):
                return True
            if answer in {"n", "no"}:
                return False
            self.say(self.t("  Please type y for yes or n for no."))

    def pain_check(self, title: str) -> PainCheck:
        self.say(self.t("\n-- Pain check: {title} --", title=title))
        back = self.ask_number(self.t("Back pain now, 0 (none) to 10 (worst imaginable): "), 0, 10)
        leg = self.ask_number(self.t("Leg pain now, 0 to 10: "), 0, 10)
        self.say(self.t("How far do your symptoms reach?"))
        for words in ZONES:
            self.say(f"   {self.t(words)}")
        zone = self.ask_number(self.t("Zone, 0 to 5: "), 0, 5)
        numbness = self.ask_yes_no(self.t("Numbness or pins and needles in a leg? (y/n) "))
        weakness = self.ask_yes_no(
            self.t("Is a leg or foot weak (the foot drops, the knee gives way)? (y/n) ")
        )
        red_flag = self.ask_yes_no(self.t(WARNING_SIGNS))
        return PainCheck(back, leg, zone, numbness, weakness, red_flag)

    def countdown(self, label: str, total: int) -> None:
        """A countdown with a progress bar; Ctrl-C pauses it (resume, skip, it hurts, quit)."""
        elapsed = 0
        while elapsed < total:
            done = round(BAR * elapsed / total)
            self.io.stdout.write(f"\r  {label} [{'#' * done}{'.' * (BAR - done)}] {total - elapsed:>3} s ")
            self.io.stdout.flush()
            try:
                self.clock.sleep(1)
            except KeyboardInterrupt:
                self.say("")
                self.pause()
                continue
            elapsed += 1
        self.io.stdout.write(f"\r  {label} [{'#' * BAR}]   0 s \n")

    def pause(self) -> None:
        answer = self.ask(self.t("  Paused. Enter = go on, s = skip this exercise, h = it hurts, q = stop: "))
        if answer == "s":
            raise SkipExercise
        if answer == "h":
            raise ItHurts

    # ------------------------------------------------------------------ the session

    def run(self) -> int:
        decision = self.decision
        text = tier_text(decision.tier, self.lang)
        if not decision.exercises:
            self.say(f"{text.title.upper()}: {text.headline}")
            for number, step in enumerate(text.steps, 1):
                self.say(f"  {number}. {step}")
            self.say(self.t("There is no exercise session for you today."))
            return EXIT_DONE
        try:
            self.intro()
            before = self.pain_check(self.t("before you start"))
            self.summary.first = self.summary.last = before
            if before.red_flag:
                return self.stopped(
                    evaluate(before, before, decision.monitoring), self.t("before the session")
                )
            for number, item in enumerate(decision.exercises, 1):
                before = self.summary.last or before
                outcome = self.exercise(number, item, before)
                if outcome is not None and outcome.end_session:
                    return self.stopped(outcome, item.exercise_id)
        except Quit:
            self.say(self.t("\nYou stopped the session. That is fine: do what feels right today."))
        except EndOfInput:
            self.say(self.t("\nThe input ended before the session did; stopping here."))
            self.report()
            return EXIT_NO_INPUT
        self.report()
        return EXIT_DONE

    def intro(self) -> None:
        self.say(self.t("backhome guided session: {n} exercises today.", n=len(self.decision.exercises)))
        for number, item in enumerate(self.decision.exercises, 1):
            self.say(f"  {number}. {self.name(item)} - {self.dose(item)}")
        self.say(self.t(INTRO))
        self.ask(self.t("Press Enter to start. "))

    def name(self, item: Prescription) -> str:
        exercise = self.exercise_of(item.exercise_id)
        if not item.dose.mode:
            return exercise.name
        if self.lang == "en":
            return f"{exercise.name} ({MODE_NAMES[item.dose.mode]})"
        return f"{exercise.name} ({next(m.name for m in exercise.modes if m.id == item.dose.mode)})"

    def steps(self, exercise: Exercise, item: Prescription) -> tuple[str, ...]:
        for mode in exercise.modes:
            if mode.id == item.dose.mode:
                return mode.steps
        return exercise.steps

    def exercise(self, number: int, item: Prescription, before: PainCheck) -> ExerciseCheck | None:
        exercise = self.exercise_of(item.exercise_id)
        total = len(self.decision.exercises)
        self.say(
            self.t(
                "\n=== Exercise {number} of {total}: {name} ===",
                number=number,
                total=total,
                name=self.name(item),
            )
        )
        self.say(self.t("Dose: {dose}", dose=self.dose(item)))
        self.say(self.t("Start position: {position}", position=exercise.start_position))
        for step_number, step in enumerate(self.steps(exercise, item), 1):
            self.say(f"  {step_number}. {step}")
        if exercise.may_feel:
            self.say(self.t("You may feel: ") + "; ".join(exercise.may_feel))
        if exercise.must_not:
            self.say(self.t("Stop if: ") + "; ".join(exercise.must_not))
        answer = self.ask(self.t("Enter when you are in the start position (s = skip, h = it hurts): "))
        if answer == "s":
            self.summary.skipped.append(item.exercise_id)
            return None
        try:
            if answer == "h":
                raise ItHurts
            self.perform(item)
        except SkipExercise:
            self.say(self.t("  Skipped."))
            self.summary.skipped.append(item.exercise_id)
            return None
        except ItHurts:
            self.say(self.t("  Stopping this exercise. Tell us how you feel now."))
        return self.after(item, before)

    def perform(self, item: Prescription) -> None:
        dose = item.dose
        self.countdown(self.t("Get ready"), GET_READY_S)
        sides = (self.t("left side"), self.t("right side")) if dose.per_side else ("",)
        for side in sides:
            if side:
                self.say(f"  -- {side} --")
            for set_number in range(1, dose.sets + 1):
                for rep in range(1, dose.reps + 1):
                    where = self.t("set {n} of {of}, ", n=set_number, of=dose.sets) if dose.sets > 1 else ""
                    label = where + self.t("rep {n} of {of}", n=rep, of=dose.reps)
                    if dose.hold_s:
                        hold = seconds_in(dose.hold_s, self.lang)
                        self.say(
                            self.t(
                                "  Move gently into position: {label}. Hold for {hold}.",
                                label=label,
                                hold=hold,
                            )
                        )
                        self.countdown(self.t("Hold"), dose.hold_s)
                    else:
                        self.say(self.t("  Move slowly: {label}.", label=label))
                    if rep < dose.reps:
                        self.countdown(self.t("Relax"), RELAX_S)
        self.say(self.t("  Done. Come back to a comfortable position."))

    def after(self, item: Prescription, before: PainCheck) -> ExerciseCheck:
        after = self.pain_check(self.t("after {name}", name=self.exercise_of(item.exercise_id).name))
        mode = self.decision.monitoring
        result = evaluate(before, after, mode)
        if result.needs_recheck:
            minutes = result.recheck_minutes or 5
            self.say(
                self.t(
                    "Your back pain went up a little. Rest in a comfortable position for {minutes} minutes.",
                    minutes=minutes,
                )
            )
            self.countdown(self.t("Rest"), minutes * 60)
            settled = self.ask_yes_no(
                self.t("Is your back pain back to {back} out of 10 or lower? (y/n) ", back=before.back)
            )
            result = evaluate(before, after, mode, settled=settled)
        self.summary.lights[item.exercise_id] = result.light
        self.summary.done.append(item.exercise_id)
        self.summary.last = after
        label = {Light.GREEN: "GREEN - good", Light.AMBER: "AMBER - keep this dose", Light.RED: "RED - stop"}
        self.say(self.t("Result: {light}.", light=self.t(label[result.light])))
        for reason in result.reasons:
            self.say(f"  {reason_words(reason.rule, reason.text, self.lang)}")
        if result.light is not Light.GREEN and result.advice:
            self.say(f"  {result.advice}")
        return result

    def stopped(self, result: ExerciseCheck, where: str) -> int:
        self.summary.stop, self.summary.stopped_on = result, where
        self.say(self.t("\n*** The session has ended for your safety. ***"))
        self.say(result.advice)
        if result.rescreen or result.quick_check:
            self.say(
                self.t("Answer the safety questions again now (backhome triage), and follow what they say.")
            )
        self.report()
        return EXIT_STOPPED_BY_RULE

    def report(self) -> None:
        s = self.summary
        self.say(self.t("\n=== Summary ==="))
        name = self.exercise_of
        for exercise_id in s.done:
            light = self.t(s.lights[exercise_id].value.upper())
            self.say(self.t("  done     {name}: {light}", name=name(exercise_id).name, light=light))
        for exercise_id in s.skipped:
            self.say(self.t("  skipped  {name}", name=name(exercise_id).name))
        if s.stop is not None:
            self.say(
                self.t(
                    "  stopped  {where} (rules {rules})", where=s.stopped_on, rules=", ".join(s.stop.rules)
                )
            )
        if s.first is not None and s.last is not None:
            self.say(
                self.t(
                    "  pain     back {b0} -> {b1}, leg {l0} -> {l1}, zone {z0} -> {z1}",
                    b0=s.first.back,
                    b1=s.last.back,
                    l0=s.first.leg,
                    l1=s.last.leg,
                    z0=s.first.zone,
                    z1=s.last.zone,
                )
            )
        self.say(self.t("If you are unsure about any exercise, speak to a licensed physical therapist."))


class SkipExercise(Exception):
    """The person skipped the exercise from the pause menu."""


class ItHurts(Exception):
    """The person pressed 'it hurts': the exercise stops and the pain check runs now."""
