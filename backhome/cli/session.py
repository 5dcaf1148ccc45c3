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
from backhome.cli.triage import add_intake_arguments, decision_from
from backhome.core.dose import MODE_NAMES, describe_dose
from backhome.core.library.load import default_library
from backhome.core.model import Decision, Exercise, Light, PainCheck, Prescription
from backhome.core.rules.monitor import ExerciseCheck, evaluate
from backhome.core.words import seconds, tier_text

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
    parser.set_defaults(handler=_session)


def _session(args: argparse.Namespace, io: IO) -> int:
    decision = decision_from(args, io)
    if decision is None:
        return 2
    clock: Clock = io.clock or RealClock()
    return Player(decision, io, clock).run()


class Player:
    def __init__(self, decision: Decision, io: IO, clock: Clock) -> None:
        self.decision = decision
        self.io = io
        self.clock = clock
        self.library = default_library()
        self.summary = Summary()

    # ------------------------------------------------------------------ output and input

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
        if answer in {"q", "quit", "stop"}:
            raise Quit
        return answer

    def ask_number(self, prompt: str, low: int, high: int) -> int:
        while True:
            answer = self.ask(prompt)
            if answer.isdigit() and low <= int(answer) <= high:
                return int(answer)
            self.say(f"  Please type a whole number from {low} to {high}.")

    def ask_yes_no(self, prompt: str) -> bool:
        while True:
            answer = self.ask(prompt)
            if answer in {"y", "yes"}:
                return True
            if answer in {"n", "no"}:
                return False
            self.say("  Please type y for yes or n for no.")

    def pain_check(self, title: str) -> PainCheck:
        self.say(f"\n-- Pain check: {title} --")
        back = self.ask_number("Back pain now, 0 (none) to 10 (worst imaginable): ", 0, 10)
        leg = self.ask_number("Leg pain now, 0 to 10: ", 0, 10)
        self.say("How far do your symptoms reach?")
        for words in ZONES:
            self.say(f"   {words}")
        zone = self.ask_number("Zone, 0 to 5: ", 0, 5)
        numbness = self.ask_yes_no("Numbness or pins and needles in a leg? (y/n) ")
        weakness = self.ask_yes_no("Is a leg or foot weak (the foot drops, the knee gives way)? (y/n) ")
        red_flag = self.ask_yes_no(WARNING_SIGNS)
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
        answer = self.ask("  Paused. Enter = go on, s = skip this exercise, h = it hurts, q = stop: ")
        if answer == "s":
            raise SkipExercise
        if answer == "h":
            raise ItHurts

    # ------------------------------------------------------------------ the session

    def run(self) -> int:
        decision = self.decision
        text = tier_text(decision.tier)
        if not decision.exercises:
            self.say(f"{text.title.upper()}: {text.headline}")
            for number, step in enumerate(text.steps, 1):
                self.say(f"  {number}. {step}")
            self.say("There is no exercise session for you today.")
            return EXIT_DONE
        try:
            self.intro()
            before = self.pain_check("before you start")
            self.summary.first = self.summary.last = before
            if before.red_flag:
                return self.stopped(evaluate(before, before, decision.monitoring), "before the session")
            for number, item in enumerate(decision.exercises, 1):
                before = self.summary.last or before
                outcome = self.exercise(number, item, before)
                if outcome is not None and outcome.end_session:
                    return self.stopped(outcome, item.exercise_id)
        except Quit:
            self.say("\nYou stopped the session. That is fine: do what feels right today.")
        except EndOfInput:
            self.say("\nThe input ended before the session did; stopping here.")
            self.report()
            return EXIT_NO_INPUT
        self.report()
        return EXIT_DONE

    def intro(self) -> None:
        self.say(f"backhome guided session: {len(self.decision.exercises)} exercises today.")
        for number, item in enumerate(self.decision.exercises, 1):
            self.say(f"  {number}. {self.name(item)} - {describe_dose(item.dose)}")
        self.say(
            "\nA stretch should feel gentle. Stop on any increase in your back pain or the pain down your leg.\n"
            "Keys: Enter = go on, s = skip, h = it hurts, q = stop. Ctrl-C pauses a countdown."
        )
        self.ask("Press Enter to start. ")

    def name(self, item: Prescription) -> str:
        exercise = self.library[item.exercise_id]
        return exercise.name + (f" ({MODE_NAMES[item.dose.mode]})" if item.dose.mode else "")

    def steps(self, exercise: Exercise, item: Prescription) -> tuple[str, ...]:
        for mode in exercise.modes:
            if mode.id == item.dose.mode:
                return mode.steps
        return exercise.steps

    def exercise(self, number: int, item: Prescription, before: PainCheck) -> ExerciseCheck | None:
        exercise = self.library[item.exercise_id]
        total = len(self.decision.exercises)
        self.say(f"\n=== Exercise {number} of {total}: {self.name(item)} ===")
        self.say(f"Dose: {describe_dose(item.dose)}")
        self.say(f"Start position: {exercise.start_position}")
        for step_number, step in enumerate(self.steps(exercise, item), 1):
            self.say(f"  {step_number}. {step}")
        if exercise.may_feel:
            self.say("You may feel: " + "; ".join(exercise.may_feel))
        if exercise.must_not:
            self.say("Stop if: " + "; ".join(exercise.must_not))
        answer = self.ask("Enter when you are in the start position (s = skip, h = it hurts): ")
        if answer == "s":
            self.summary.skipped.append(item.exercise_id)
            return None
        try:
            if answer == "h":
                raise ItHurts
            self.perform(item)
        except SkipExercise:
            self.say("  Skipped.")
            self.summary.skipped.append(item.exercise_id)
            return None
        except ItHurts:
            self.say("  Stopping this exercise. Tell us how you feel now.")
        return self.after(item, before)

    def perform(self, item: Prescription) -> None:
        dose = item.dose
        self.countdown("Get ready", GET_READY_S)
        sides = ("left side", "right side") if dose.per_side else ("",)
        for side in sides:
            if side:
                self.say(f"  -- {side} --")
            for set_number in range(1, dose.sets + 1):
                for rep in range(1, dose.reps + 1):
                    where = f"set {set_number} of {dose.sets}, " if dose.sets > 1 else ""
                    label = f"{where}rep {rep} of {dose.reps}"
                    if dose.hold_s:
                        self.say(f"  Move gently into position: {label}. Hold for {seconds(dose.hold_s)}.")
                        self.countdown("Hold", dose.hold_s)
                    else:
                        self.say(f"  Move slowly: {label}.")
                    if rep < dose.reps:
                        self.countdown("Relax", RELAX_S)
        self.say("  Done. Come back to a comfortable position.")

    def after(self, item: Prescription, before: PainCheck) -> ExerciseCheck:
        after = self.pain_check(f"after {self.library[item.exercise_id].name}")
        mode = self.decision.monitoring
        result = evaluate(before, after, mode)
        if result.needs_recheck:
            minutes = result.recheck_minutes or 5
            self.say(
                f"Your back pain went up a little. Rest in a comfortable position for {minutes} minutes."
            )
            self.countdown("Rest", minutes * 60)
            settled = self.ask_yes_no(f"Is your back pain back to {before.back} out of 10 or lower? (y/n) ")
            result = evaluate(before, after, mode, settled=settled)
        self.summary.lights[item.exercise_id] = result.light
        self.summary.done.append(item.exercise_id)
        self.summary.last = after
        label = {Light.GREEN: "GREEN - good", Light.AMBER: "AMBER - keep this dose", Light.RED: "RED - stop"}
        self.say(f"Result: {label[result.light]}.")
        for reason in result.reasons:
            self.say(f"  {reason.text}")
        if result.light is not Light.GREEN and result.advice:
            self.say(f"  {result.advice}")
        return result

    def stopped(self, result: ExerciseCheck, where: str) -> int:
        self.summary.stop, self.summary.stopped_on = result, where
        self.say("\n*** The session has ended for your safety. ***")
        self.say(result.advice)
        if result.rescreen or result.quick_check:
            self.say("Answer the safety questions again now (backhome triage), and follow what they say.")
        self.report()
        return EXIT_STOPPED_BY_RULE

    def report(self) -> None:
        s = self.summary
        self.say("\n=== Summary ===")
        name = self.library.__getitem__
        for exercise_id in s.done:
            self.say(f"  done     {name(exercise_id).name}: {s.lights[exercise_id].value.upper()}")
        for exercise_id in s.skipped:
            self.say(f"  skipped  {name(exercise_id).name}")
        if s.stop is not None:
            self.say(f"  stopped  {s.stopped_on} (rules {', '.join(s.stop.rules)})")
        if s.first is not None and s.last is not None:
            self.say(
                f"  pain     back {s.first.back} -> {s.last.back}, leg {s.first.leg} -> {s.last.leg}, "
                f"zone {s.first.zone} -> {s.last.zone}"
            )
        self.say("If you are unsure about any exercise, speak to a licensed physical therapist.")


class SkipExercise(Exception):
    """The person skipped the exercise from the pause menu."""


class ItHurts(Exception):
    """The person pressed 'it hurts': the exercise stops and the pain check runs now."""
