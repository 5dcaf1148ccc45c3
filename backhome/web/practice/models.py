"""Guided sessions: what a person did and how each exercise went.

Ids are UUIDs made by the browser, so a retried request (a weak connection, a double tap, the offline
queue of issue 7) finds the row it already wrote instead of writing a second one. Exercise content is
never copied: an exercise id and the dose it was done at.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backhome.web.patient.models import Person, Screening


class Light(models.TextChoices):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Monitoring(models.TextChoices):
    STRICT = "strict"
    MONITORED = "monitored"


class ExerciseSession(models.Model):
    """One guided session: the pain check before it, and how it ended."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        FINISHED = "finished"
        STOPPED = "stopped"  # a RED result ended it (PM-10...PM-14)

    id = models.UUIDField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sessions")
    #: The screening whose programme this session followed.
    screening = models.ForeignKey(Screening, null=True, on_delete=models.SET_NULL, related_name="+")
    monitoring = models.CharField(max_length=16, choices=Monitoring.choices, default=Monitoring.STRICT)
    #: The person's calendar day of the session (progression counts calendar days, DS-03).
    day = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    # The pain check before the session (PM-01).
    before_back = models.PositiveSmallIntegerField()
    before_leg = models.PositiveSmallIntegerField()
    before_zone = models.PositiveSmallIntegerField()
    before_numbness = models.BooleanField()
    #: "Any new warning sign" at the check before the session (PM-14): a yes stops it at once.
    before_red_flag = models.BooleanField(default=False)
    #: The exercises of this session as they were at its start, in order: ``{"position", "exercise_id",
    #: "sets", "reps", "hold_s", "per_side", "mode"}``. A dose change later in the day does not change a
    #: session that has begun.
    programme = models.JSONField(default=list, blank=True)
    #: Why the session stopped early: the rule ids and the advice the core gave.
    stop_rules = models.JSONField(default=list, blank=True)
    stop_advice = models.TextField(blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["person", "-day"], name="session_person_day"),
            # Covers the clinic's patient list (latest session's pain, sessions done in a window)
            # without reading the table's rows.
            models.Index(fields=["person", "day", "status", "before_back"], name="session_person_day_cover"),
        )

    def __str__(self) -> str:
        return f"session {self.id} ({self.status})"


class ExerciseLog(models.Model):
    """One exercise of a session: the dose it was done at, the pain check after it, and its light."""

    id = models.UUIDField(primary_key=True)
    session = models.ForeignKey(ExerciseSession, on_delete=models.CASCADE, related_name="logs")
    #: The exercise's place in the session (1 = first).
    position = models.PositiveSmallIntegerField()
    exercise_id = models.CharField(max_length=64)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField()
    hold_s = models.PositiveSmallIntegerField()
    per_side = models.BooleanField()
    mode = models.CharField(max_length=32, blank=True)
    sets_done = models.PositiveSmallIntegerField(default=0)
    skipped = models.BooleanField(default=False)
    #: The check was started by the "it hurts" button rather than at the end of the exercise.
    it_hurts = models.BooleanField(default=False)
    # The pain check after the exercise (PM-01); empty for a skipped exercise.
    after_back = models.PositiveSmallIntegerField(null=True, blank=True)
    after_leg = models.PositiveSmallIntegerField(null=True, blank=True)
    after_zone = models.PositiveSmallIntegerField(null=True, blank=True)
    after_numbness = models.BooleanField(null=True, blank=True)
    after_weakness = models.BooleanField(default=False)
    after_red_flag = models.BooleanField(default=False)
    #: PM-13's re-check after rest: did back pain come back down? None until asked.
    settled = models.BooleanField(null=True, blank=True)
    #: The core's light; empty while a PM-13 re-check is pending or when skipped.
    light = models.CharField(max_length=8, choices=Light.choices, blank=True)
    #: PM-13's re-check is pending (cleared when it is answered), and how long to rest before it.
    needs_recheck = models.BooleanField(default=False)
    recheck_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The core said this result ends the session (PM-10, PM-11, PM-12, PM-14).
    end_session = models.BooleanField(default=False)
    rules = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    advice = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("session", "position")
        constraints = (
            models.UniqueConstraint(fields=["session", "position"], name="exerciselog_unique_position"),
        )

    def __str__(self) -> str:
        return f"{self.position}. {self.exercise_id} ({self.light or 'open'})"


class ExerciseStop(models.Model):
    """An exercise stopped by a pain check's RED (B30): kept on every later session and day until the
    rule that stopped it lets it back (``core.rules.safety.stop_release``) or a clinician clears it.
    One row a stopping log; a clinician's clearance fills ``released_at``, ``released_by`` and ``note``."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="exercise_stops")
    exercise_id = models.CharField(max_length=64)
    #: The PM rule that keeps the stop (the strictest RED rule of the check, ``stop_for``).
    rule = models.CharField(max_length=16)
    #: The person's calendar day of the stop (the session's day).
    day = models.DateField()
    session = models.ForeignKey(ExerciseSession, null=True, on_delete=models.SET_NULL, related_name="+")
    log = models.OneToOneField(ExerciseLog, null=True, on_delete=models.SET_NULL, related_name="stop")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        indexes = (models.Index(fields=["person", "released_at"], name="exercisestop_person_open"),)

    def __str__(self) -> str:
        return f"{self.exercise_id} stopped by {self.rule} on {self.day}"
