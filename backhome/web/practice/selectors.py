"""Every read of the session player, shaped for its page, its JSON answers and the summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from backhome.core.dose import MODE_NAMES, describe_dose
from backhome.core.library.load import default_library
from backhome.core.model import Dose
from backhome.core.rules.session import todays_exercises
from backhome.illustrate import poses
from backhome.web.patient import questions
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.selectors import current_programme

Status = ExerciseSession.Status


# --------------------------------------------------------------------------- JSON answers


def _dose(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("sets", "reps", "hold_s", "per_side", "mode")}


def _next_position(session: ExerciseSession, logged: int) -> int | None:
    if session.status != Status.IN_PROGRESS or logged >= len(session.programme):
        return None
    return logged + 1


def session_json(session: ExerciseSession) -> dict[str, Any]:
    """A session as the start endpoint answers it: its check, its programme and where it stands."""
    logged = session.logs.count()
    stopped = session.status == Status.STOPPED
    return {
        "id": str(session.id),
        "status": session.status,
        "day": session.day.isoformat(),
        "monitoring": session.monitoring,
        "before": {
            "back": session.before_back,
            "leg": session.before_leg,
            "zone": session.before_zone,
            "numbness": session.before_numbness,
            "red_flag": session.before_red_flag,
        },
        "programme": [
            {"position": row["position"], "exercise_id": row["exercise_id"], "dose": _dose(row)}
            for row in session.programme
        ],
        "next_position": _next_position(session, logged),
        "stop": {"rules": list(session.stop_rules), "advice": session.stop_advice} if stopped else None,
    }


def log_json(log: ExerciseLog, *, logged: int | None = None) -> dict[str, Any]:
    """One exercise's result as the log and re-check endpoints answer it (what was stored). ``logged``:
    how many exercises of the session are recorded, when the caller knows (counted here otherwise)."""
    session = log.session
    if logged is None:
        logged = session.logs.count()
    return {
        "id": str(log.id),
        "position": log.position,
        "exercise_id": log.exercise_id,
        "skipped": log.skipped,
        "it_hurts": log.it_hurts,
        "light": log.light or None,
        "end_session": log.end_session,
        "needs_recheck": log.needs_recheck,
        "recheck_minutes": log.recheck_minutes,
        "settled": log.settled,
        "advice": log.advice,
        "rules": list(log.rules),
        "reasons": list(log.reasons),
        "next_position": None if log.needs_recheck else _next_position(session, logged),
        "session_status": session.status,
    }


# --------------------------------------------------------------------------- the player page


@dataclass(frozen=True)
class Step:
    """One step of an exercise's timeline: the phase of its picture, how long, what to do."""

    phase: str
    seconds: float
    caption: str


@dataclass(frozen=True)
class PlayerExercise:
    position: int
    exercise_id: str
    name: str
    mode_name: str
    mode_id: str | None
    dose: dict[str, Any]
    dose_words: str
    start_position: str
    steps: tuple[str, ...]
    may_feel: tuple[str, ...]
    must_not: tuple[str, ...]
    timeline: tuple[Step, ...]
    drawn_side: str | None

    def data(self) -> dict[str, Any]:
        """What the player's script needs (the words and pictures are in the page)."""
        return {
            "position": self.position,
            "exercise_id": self.exercise_id,
            "name": self.name,
            "dose": self.dose,
            "dose_words": self.dose_words,
            "drawn_side": self.drawn_side,
            "timeline": [
                {"phase": s.phase, "seconds": s.seconds, "caption": s.caption} for s in self.timeline
            ],
        }


def _exercise(position: int, row: dict[str, Any]) -> PlayerExercise:
    library = default_library()
    exercise = library[row["exercise_id"]]
    mode = row["mode"] or None
    steps = exercise.steps
    for m in exercise.modes:
        if m.id == mode:
            steps = m.steps
    dose = Dose(row["sets"], row["reps"], row["hold_s"], row["per_side"], mode)
    ill = poses.load(exercise.id)
    timeline = tuple(Step(s.phase, s.seconds, s.caption) for s in ill.timeline(mode, row["hold_s"] or None))
    return PlayerExercise(
        position=position,
        exercise_id=exercise.id,
        name=exercise.name,
        mode_name=MODE_NAMES.get(mode, "") if mode else "",
        mode_id=mode,
        dose=_dose(row),
        dose_words=describe_dose(dose),
        start_position=exercise.start_position,
        steps=steps,
        may_feel=exercise.may_feel,
        must_not=exercise.must_not,
        timeline=timeline,
        drawn_side=ill.spec.drawn_side if ill.spec.per_side else None,
    )


PageState = Literal["no_person", "locked", "no_programme", "used_up", "ready", "resume", "rescreen"]


@dataclass(frozen=True)
class PlayerPage:
    state: PageState
    exercises: tuple[PlayerExercise, ...] = ()
    session: ExerciseSession | None = None
    #: DS-01's reasons when today's sessions are used up; exercises left out of a session otherwise.
    reasons: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    last_today: ExerciseSession | None = None
    data: dict[str, Any] = field(default_factory=dict)


def player_page(person: Person | None, today: dt.date | None = None) -> PlayerPage:
    """What ``/session/`` shows: today's session in progress (to carry on), a new one, or why not."""
    today = today or timezone.localdate()
    if person is None:
        return PlayerPage("no_person")
    if person.locked:
        return PlayerPage("locked")
    if person.needs_rescreen:  # B25/B31: the red-flag questions come before any exercise
        return PlayerPage("rescreen")
    current = (
        ExerciseSession.objects.filter(person=person, day=today, status=Status.IN_PROGRESS)
        .prefetch_related(Prefetch("logs", queryset=ExerciseLog.objects.order_by("position")))
        .order_by("-started_at")
        .first()
    )
    if current is not None:
        exercises = tuple(_exercise(row["position"], row) for row in current.programme)
        return PlayerPage("resume", exercises, session=current, data=_data(exercises, current))
    programme = current_programme(person)
    if programme is None or not programme.active:
        return PlayerPage("no_programme")
    decision: dict[str, Any] = programme.screening.decision or {}
    today_ok = todays_exercises(
        [item.exercise_id for item in programme.active],
        sessions_today=ExerciseSession.objects.filter(person=person, day=today).count(),
        programme_rules=decision.get("rules", []),
    )
    reasons = tuple(r.text for r in today_ok.reasons)
    if not today_ok.allowed:
        last = ExerciseSession.objects.filter(person=person, day=today).order_by("-started_at").first()
        return PlayerPage("used_up", reasons=reasons, last_today=last)
    items = [item for item in programme.active if item.exercise_id in today_ok.allowed]
    exercises = tuple(
        _exercise(
            number,
            {
                "exercise_id": item.exercise_id,
                "sets": item.dose.sets,
                "reps": item.dose.reps,
                "hold_s": item.dose.hold_s,
                "per_side": item.dose.per_side,
                "mode": item.dose.mode,
            },
        )
        for number, item in enumerate(items, 1)
    )
    left_out = tuple(default_library()[i].name for i in today_ok.refused)
    return PlayerPage("ready", exercises, reasons=reasons, left_out=left_out, data=_data(exercises, None))


_ID = "00000000-0000-4000-8000-000000000000"
_LOG = "00000000-0000-4000-8000-000000000001"


def _url_pattern(name: str, *args: str) -> str:
    """A URL with ``{id}`` (and ``{log}``) where the script puts the ids."""
    return reverse(name, args=args).replace(_ID, "{id}").replace(_LOG, "{log}")


def _after_json(log: ExerciseLog) -> dict[str, Any] | None:
    if log.skipped or log.after_back is None:
        return None
    return {
        "back": log.after_back,
        "leg": log.after_leg,
        "zone": log.after_zone,
        "numbness": bool(log.after_numbness),
        "weakness": log.after_weakness,
        "red_flag": log.after_red_flag,
    }


def _data(exercises: tuple[PlayerExercise, ...], session: ExerciseSession | None) -> dict[str, Any]:
    """The player's script data (``json_script``): exercises, URLs and, to carry on, the server's truth."""
    data: dict[str, Any] = {
        "exercises": [e.data() for e in exercises],
        "urls": {
            "start": reverse("api:me_session_start"),
            "plan": reverse("patient:plan"),
            "screening": reverse("patient:screening_start"),
            "log": _url_pattern("api:me_session_log", _ID),
            "recheck": _url_pattern("api:me_session_recheck", _ID, _LOG),
            "finish": _url_pattern("api:me_session_finish", _ID),
            "summary": _url_pattern("practice:summary", _ID),
        },
        "session": None,
    }
    if session is not None:
        logs = list(session.logs.all())
        data["session"] = {
            "id": str(session.id),
            "before": session_json(session)["before"],
            "logs": [
                {
                    "id": str(log.id),
                    "position": log.position,
                    "skipped": log.skipped,
                    "light": log.light or None,
                    "needs_recheck": log.needs_recheck,
                    "recheck_minutes": log.recheck_minutes,
                    "advice": log.advice,
                    "rules": list(log.rules),
                    "reasons": list(log.reasons),
                    "end_session": log.end_session,
                    # the check after it: offline, the player compares the next one with the latest
                    "after": _after_json(log),
                }
                for log in logs
            ],
            "next_position": _next_position(session, len(logs)),
        }
    return data


# --------------------------------------------------------------------------- the pain check form


@dataclass(frozen=True)
class Choice:
    value: str
    text: str
    input_id: str
    checked: bool = False


@dataclass(frozen=True)
class QuestionText:
    kind: str
    text: str
    hint: str = ""
    emergency: bool = False


@dataclass(frozen=True)
class CheckRow:
    """One question of the pain check, shaped like a screening row so ``patient/_question.html`` and
    ``patient/_bodymap.html`` show it with the screening's look and labels."""

    name: str
    question: QuestionText
    choices: tuple[Choice, ...]
    after_only: bool = False
    errors: tuple[str, ...] = ()
    value: str = ""

    @property
    def input_id(self) -> str:
        return f"check-{self.name}"


def _screening_question(intake_field: str) -> questions.Question:
    for step in questions.screening().steps:
        for question in step.questions:
            if question.field == intake_field:
                return question
    raise LookupError(intake_field)


def _yes_no(name: str) -> tuple[Choice, ...]:
    return (Choice("yes", "Yes", f"check-{name}-yes"), Choice("no", "No", f"check-{name}-no"))


WARNING_SIGNS = (
    "New trouble passing urine or controlling your bowels; new numbness between your legs or around "
    "your bottom; or pain, numbness or weakness in both legs."
)


def check_rows() -> tuple[CheckRow, ...]:
    """The pain check (PM-01), in the screening's words: back and leg pain, how far down the leg (the
    screening's body map, DPT-03 zones), numbness; after an exercise also weakness (PM-11); and any new
    warning sign (PM-14)."""
    rows: list[CheckRow] = []
    for name, intake_field in (("back", "pain.back"), ("leg", "pain.leg")):
        q = _screening_question(intake_field)
        rows.append(
            CheckRow(
                name,
                QuestionText("scale", q.text, q.hint),
                tuple(Choice(str(n), str(n), f"check-{name}-{n}") for n in range(11)),
            )
        )
    zone = _screening_question("distal_zone")
    rows.append(
        CheckRow(
            "zone",
            QuestionText("zone", zone.text, zone.hint),
            tuple(Choice(str(o.value), o.text, f"check-zone-{o.value}") for o in zone.options),
        )
    )
    numbness = _screening_question("numbness")
    rows.append(CheckRow("numbness", QuestionText("yes_no", numbness.text), _yes_no("numbness")))
    rows.append(
        CheckRow(
            "weakness",
            QuestionText(
                "yes_no",
                "Does a leg or foot feel weak now?",
                "For example: your foot slaps down or drags, or your knee gives way.",
            ),
            _yes_no("weakness"),
            after_only=True,
        )
    )
    rows.append(
        CheckRow(
            "red_flag",
            QuestionText("yes_no", "Have you noticed any new warning sign?", WARNING_SIGNS, emergency=True),
            _yes_no("red_flag"),
        )
    )
    return tuple(rows)


# --------------------------------------------------------------------------- the summary


#: The core's lights in words (never colour alone): a title and a short line.
LIGHT_WORDS = {
    "green": ("Green", "It went well"),
    "amber": ("Amber", "Your pain went up a little"),
    "red": ("Red", "This exercise was stopped"),
}


@dataclass(frozen=True)
class SummaryItem:
    position: int
    name: str
    dose_words: str
    #: "done", "skipped", "waiting" (a re-check not answered) or "not_done".
    state: str
    light: str = ""
    light_title: str = ""
    light_text: str = ""
    it_hurts: bool = False
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    session: ExerciseSession
    items: tuple[SummaryItem, ...]
    rescreen: bool
    done: int


def session_summary(person: Person | None, session_id: UUID) -> Summary | None:
    """A session of this person, exercise by exercise, in words (None for anyone else's)."""
    if person is None:
        return None
    session = (
        ExerciseSession.objects.filter(pk=session_id, person=person)
        .prefetch_related(Prefetch("logs", queryset=ExerciseLog.objects.order_by("position")))
        .first()
    )
    if session is None:
        return None
    library = default_library()
    logs = {log.position: log for log in session.logs.all()}
    items = []
    for row in session.programme:
        mode = row["mode"] or None
        name = library[row["exercise_id"]].name + (
            f" – {MODE_NAMES[mode]}" if mode and mode in MODE_NAMES else ""
        )
        dose_words = describe_dose(Dose(row["sets"], row["reps"], row["hold_s"], row["per_side"], mode))
        log = logs.get(row["position"])
        if log is None:
            items.append(SummaryItem(row["position"], name, dose_words, "not_done"))
        elif log.skipped:
            items.append(SummaryItem(row["position"], name, dose_words, "skipped"))
        elif not log.light:
            items.append(SummaryItem(row["position"], name, dose_words, "waiting", it_hurts=log.it_hurts))
        else:
            title, text = LIGHT_WORDS[log.light]
            items.append(
                SummaryItem(
                    row["position"],
                    name,
                    dose_words,
                    "done",
                    light=log.light,
                    light_title=title,
                    light_text=text,
                    it_hurts=log.it_hurts,
                    reasons=tuple(r["text"] for r in log.reasons),
                )
            )
    rescreen = bool({"PM-14", "PM-11"} & set(session.stop_rules))
    done = sum(1 for i in items if i.state == "done")
    return Summary(session, tuple(items), rescreen, done)
