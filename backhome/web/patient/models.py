"""What the patient app stores. Exercise content never: only ids and doses from the core's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Person(models.Model):
    """Someone doing the programme. A guest (known by their session) until accounts exist."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Set when a decision is an emergency; while set, no programme is shown. A clinician clears it.
    emergency_locked_at = models.DateTimeField(null=True, blank=True)
    emergency_screening = models.ForeignKey(
        "Screening", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Set when the person reported a warning sign in a session (PM-14) or something new or different
    #: before one (RF-21): no exercise until the red-flag questions are answered again (B25, B31).
    #: A newly decided screening clears it.
    rescreen_needed_at = models.DateTimeField(null=True, blank=True)
    #: The language they chose with the footer's control (a code of settings.LANGUAGES); blank: not chosen,
    #: the site's default is used for their emails, reminders and handouts (see language.person_language).
    language = models.CharField(max_length=8, blank=True, default="")

    def __str__(self) -> str:
        return f"person {self.pk}"

    @property
    def needs_rescreen(self) -> bool:
        return self.rescreen_needed_at is not None

    @property
    def locked(self) -> bool:
        return self.emergency_locked_at is not None


class Tier(models.TextChoices):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    REFER = "refer"
    PROCEED = "proceed"


class Screening(models.Model):
    """One run through the screening questions and what the core decided.

    ``answers`` holds every answer as given, saved step by step (flat dotted paths). ``intake`` is the
    ``backhome.intake/1`` document exactly as sent to the core, and ``decision`` the
    ``backhome.decision/1`` document it returned. A screening stopped early by an emergency answer has
    no intake; its ``decision`` is a ``backhome.emergency-signs/1`` document (docs/web.md).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="screenings")
    answers = models.JSONField(default=dict)
    intake = models.JSONField(null=True, blank=True)
    decision = models.JSONField(null=True, blank=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    #: Began from the last decided screening's answers without some of them, so only those are asked: the
    #: red-flag questions (a re-screen, B25/RF-21, whose decision carries ``after_rescreen``'s RF-21) or
    #: STarT Back at 4-6 weeks (SB-13).
    rescreen = models.BooleanField(default=False)

    class Meta:
        indexes = (models.Index(fields=["person", "-decided_at"], name="screening_person_decided"),)

    def __str__(self) -> str:
        return f"screening {self.pk} ({self.tier or 'open'})"

    @property
    def is_open(self) -> bool:
        return self.decided_at is None


class PlanItem(models.Model):
    """One exercise of the programme a screening gave: its id and dose (never its content)."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    exercise_id = models.CharField(max_length=64)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField()
    hold_s = models.PositiveSmallIntegerField()
    per_side = models.BooleanField()
    mode = models.CharField(max_length=32, blank=True)
    #: The rule ids the core gave for putting this exercise in the programme.
    rules = models.JSONField(default=list)

    class Meta:
        ordering = ("position",)
        constraints = (
            models.UniqueConstraint(fields=["screening", "position"], name="planitem_unique_position"),
        )

    def __str__(self) -> str:
        return f"{self.position}. {self.exercise_id}"


class EmergencyLockClearance(models.Model):
    """A clinician cleared a person's emergency lock: who, when, and why."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="clearances")
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField()
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()
    cleared_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"lock of {self.person} cleared at {self.cleared_at:%Y-%m-%d}"
