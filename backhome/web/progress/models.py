"""Next-morning check-ins and the doses they lead to (PM-40...PM-43, DS)."""

from __future__ import annotations

from django.db import models

from backhome.web.patient.models import Person, Screening


class Stiffness(models.TextChoices):
    NONE = "none"
    UNDER_30_MIN = "under_30_min"
    MORE = "30_min_or_more"


class CheckIn(models.Model):
    """The next-morning check-in (PM-01): back and leg pain, how far down the leg, morning stiffness."""

    id = models.UUIDField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()
    back = models.PositiveSmallIntegerField()
    leg = models.PositiveSmallIntegerField()
    zone = models.PositiveSmallIntegerField()
    stiffness = models.CharField(max_length=16, choices=Stiffness.choices)
    #: PM-40 against the previous morning: None when there was no earlier morning to compare with.
    #: It is also the verdict on the sessions of the day before (``tolerated_next_morning``).
    tolerated = models.BooleanField(null=True, blank=True)
    #: The findings about the whole programme this morning (PM-40, PM-42, PM-43, DS-08).
    rules = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    #: The core's whole answer this morning, as the result page shows it: every exercise's dose before
    #: and after, its action, rules and reasons, and the programme's tier and flare state.
    course = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("person", "date")
        constraints = (models.UniqueConstraint(fields=["person", "date"], name="checkin_one_per_day"),)
        # Covers the clinic's patient list (the latest morning's back pain) without reading the rows.
        indexes = (models.Index(fields=["person", "date", "back"], name="checkin_person_date_back"),)

    def __str__(self) -> str:
        return f"check-in {self.date} of {self.person}"


class DoseChange(models.Model):
    """The core's answer for one exercise's next dose (DS, ND, PM-41...PM-43), and why.

    The current dose of an exercise is its latest change for the person's current screening, or the
    screening's starting dose when there is none. A new screening starts again from its own doses.
    A change belongs to one exercise of the plan (``plan_exercise_id``, a ``PlanItem``'s exercise);
    ``exercise_id`` is the exercise done from now on, a later variant after a DS-04 step.
    """

    class Action(models.TextChoices):
        PROGRESS = "progress"
        HOLD = "hold"
        REGRESS = "regress"
        SUSPEND = "suspend"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="dose_changes")
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="dose_changes")
    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="dose_changes"
    )
    plan_exercise_id = models.CharField(max_length=64)
    exercise_id = models.CharField(max_length=64)
    #: The day this dose applies from: sessions at this dose from this day on count towards its next step.
    starts_on = models.DateField(null=True, blank=True)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField()
    hold_s = models.PositiveSmallIntegerField()
    per_side = models.BooleanField()
    mode = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    rules = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        indexes = (models.Index(fields=["screening", "exercise_id", "-created_at"], name="dose_latest"),)

    @property
    def plan_exercise(self) -> str:
        """The plan exercise this change belongs to (its own exercise when that was not recorded)."""
        return self.plan_exercise_id or self.exercise_id

    def __str__(self) -> str:
        return f"{self.exercise_id}: {self.action}"
