"""The shapes of the API: strict request bodies and the documented answers (the OpenAPI document).

Request bodies are checked strictly, as the session player's are: no unknown field, no coerced type
(``"3"`` is not ``3``, ``1`` is not ``true``), values in range, ids version-4 UUIDs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

from pydantic import UUID4, BaseModel, ConfigDict, Field, StrictBool

StrictInput = ConfigDict(extra="forbid")
Nprs = Annotated[int, Field(strict=True, ge=0, le=10, description="0-10 numeric rating")]
Zone = Annotated[int, Field(strict=True, ge=0, le=5, description="how far down the leg (DPT-03 zone 0-5)")]


# --------------------------------------------------------------------------- shared pieces


class ReasonOut(BaseModel):
    rule: str
    text: str


class DoseOut(BaseModel):
    sets: int
    reps: int
    hold_s: int
    per_side: bool
    mode: str | None


# --------------------------------------------------------------------------- library


class RangeOut(BaseModel):
    min: int
    start: int
    step: int
    max: int


class DoseRangeOut(BaseModel):
    sets: RangeOut
    reps: RangeOut
    hold_s: RangeOut
    per_side: bool


class ModeOut(BaseModel):
    id: str
    name: str
    steps: list[str]


class SourceOut(BaseModel):
    ref: str
    note: str


class ExerciseOut(BaseModel):
    id: str
    name: str
    other_names: list[str]
    direction: str
    summary: str
    start_position: str
    steps: list[str]
    may_feel: list[str]
    must_not: list[str]
    dose_range: DoseRangeOut
    modes: list[ModeOut]
    progresses_to: str | None
    regresses_to: str | None
    contraindications: list[str]
    rules: list[str]
    sources: list[SourceOut]


class LibraryOut(BaseModel):
    exercises: list[ExerciseOut]


# --------------------------------------------------------------------------- triage (backhome.decision/1)


class DecisionExerciseOut(BaseModel):
    id: str
    sets: int
    reps: int
    hold_s: int
    per_side: bool
    mode: str | None


class BlockedOut(BaseModel):
    id: str
    rules: list[str]
    reason: str


class RiskOut(BaseModel):
    tool: str
    total: int
    psychosocial: int
    category: str


class DecisionOut(BaseModel):
    """A ``backhome.decision/1`` document (contracts/decision.schema.json)."""

    model_config = ConfigDict(populate_by_name=True)
    schema_: Literal["backhome.decision/1"] = Field(alias="schema")
    tier: str
    rules: list[str]
    reasons: list[ReasonOut]
    exercises: list[DecisionExerciseOut]
    blocked: list[BlockedOut]
    risk: RiskOut | None
    monitoring: str


# --------------------------------------------------------------------------- my plan


class PlanExerciseOut(BaseModel):
    position: int
    exercise_id: str
    plan_exercise_id: str
    name: str
    dose: DoseOut
    dose_words: str
    suspended: bool
    rules: list[str]
    changed_on: dt.date | None
    change_action: str | None
    change_reasons: list[ReasonOut]


class PlanOut(BaseModel):
    screening_id: int
    decided_at: dt.datetime | None
    tier: str
    monitoring: str
    exercises: list[PlanExerciseOut]


# --------------------------------------------------------------------------- sessions


class CheckBefore(BaseModel):
    """The pain check before a session (PM-01) and "any new warning sign" (PM-14)."""

    model_config = StrictInput
    back: Nprs
    leg: Nprs
    zone: Zone
    numbness: StrictBool
    red_flag: StrictBool


class CheckAfter(CheckBefore):
    """The pain check after an exercise: the same, and leg weakness (PM-11)."""

    weakness: StrictBool


class SessionIn(BaseModel):
    model_config = StrictInput
    id: UUID4 = Field(description="made by the client; the same id again is the same session")
    before: CheckBefore


class LogIn(BaseModel):
    model_config = StrictInput
    id: UUID4 = Field(description="made by the client; the same id again is the same log")
    position: Annotated[int, Field(strict=True, ge=1, le=50)]
    sets_done: Annotated[int, Field(strict=True, ge=0, le=50)]
    skipped: StrictBool
    it_hurts: StrictBool
    after: CheckAfter | None = Field(default=None, description="required unless skipped")


class RecheckIn(BaseModel):
    model_config = StrictInput
    settled: StrictBool = Field(description="has back pain come back down to the pre-exercise value?")


class BeforeOut(BaseModel):
    back: int
    leg: int
    zone: int
    numbness: bool
    red_flag: bool


class SessionExerciseOut(BaseModel):
    position: int
    exercise_id: str
    dose: DoseOut


class StopOut(BaseModel):
    rules: list[str]
    advice: str


class SessionOut(BaseModel):
    id: UUID
    status: Literal["in_progress", "finished", "stopped"]
    day: dt.date
    monitoring: str
    before: BeforeOut
    programme: list[SessionExerciseOut]
    next_position: int | None
    stop: StopOut | None


class LogOut(BaseModel):
    id: UUID
    position: int
    exercise_id: str
    skipped: bool
    it_hurts: bool
    light: Literal["green", "amber", "red"] | None
    end_session: bool
    needs_recheck: bool
    recheck_minutes: int | None
    settled: bool | None
    advice: str
    rules: list[str]
    reasons: list[ReasonOut]
    next_position: int | None
    session_status: Literal["in_progress", "finished", "stopped"]


# --------------------------------------------------------------------------- check-ins


class CheckInIn(BaseModel):
    model_config = StrictInput
    id: UUID4 = Field(description="made by the client; the same id again is the same check-in")
    back: Nprs
    leg: Nprs
    zone: Zone
    stiffness: Literal["none", "under_30_min", "30_min_or_more"]


class DoseChangeOut(BaseModel):
    plan_exercise_id: str
    exercise_id: str
    action: str
    changed: bool
    before: DoseOut
    after: DoseOut
    rules: list[str]
    reasons: list[ReasonOut]


class CheckInOut(BaseModel):
    id: UUID
    date: dt.date
    back: int
    leg: int
    zone: int
    stiffness: str
    tolerated: bool | None
    rules: list[str]
    reasons: list[ReasonOut]
    exercises: list[DoseChangeOut]


# --------------------------------------------------------------------------- history


class PainDayOut(BaseModel):
    day: dt.date
    back: int
    leg: int
    source: str


class OutcomeOut(BaseModel):
    measure: str
    baseline: int
    current: int
    since: dt.date
    meaningful: bool
    text: str
    rules: list[str]


class SessionLineOut(BaseModel):
    id: UUID
    day: dt.date
    status: str
    exercises: int
    logged: int
    stop_rules: list[str]


class DoseHistoryOut(BaseModel):
    exercise_id: str
    name: str
    start: str
    current: str
    suspended: bool


class EventOut(BaseModel):
    day: dt.date
    kind: str
    title: str
    reasons: list[str]
    advice: str
    rules: list[str]


class HistoryOut(BaseModel):
    today: dt.date
    pain: list[PainDayOut]
    outcomes: list[OutcomeOut]
    sessions: list[SessionLineOut]
    doses: list[DoseHistoryOut]
    events: list[EventOut]


# --------------------------------------------------------------------------- clinic


class PainSummaryOut(BaseModel):
    baseline: int | None
    current: int | None
    current_day: dt.date | None
    verdict: str
    meaningful: bool
    rules: list[str]


class AdherenceOut(BaseModel):
    done: int
    planned: int
    low: bool


class PatientOut(BaseModel):
    id: int
    label: str
    joined_at: dt.datetime | None
    locked: bool
    adherence: AdherenceOut
    back_pain: PainSummaryOut
    open_alerts: int
    last_activity: dt.date | None


class PatientListOut(BaseModel):
    patients: list[PatientOut]
    page: int
    pages: int
    count: int
    total: int


class BlockedLineOut(BaseModel):
    exercise_id: str
    rules: list[str]
    reason: str


class ProgrammeOut(BaseModel):
    patient_id: int
    locked: bool
    tier: str | None
    monitoring: str | None
    exercises: list[PlanExerciseOut]
    held_back: list[BlockedLineOut]


class AlertOut(BaseModel):
    id: int
    patient_id: int
    label: str
    kind: str
    kind_words: str
    rules: list[str]
    text: str
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    note: str


class AlertsOut(BaseModel):
    alerts: list[AlertOut]


class AcknowledgeIn(BaseModel):
    model_config = StrictInput
    note: Annotated[str, Field(strict=True, max_length=1000, description="what you did or decided")]
