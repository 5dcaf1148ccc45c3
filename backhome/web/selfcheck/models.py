"""The directional self-check (clinical-spec §3.4): one row per test of one direction.

The id is a UUID made by the browser's form, so a retried start finds the test it already wrote. Every
judgement stored here is the core's (``backhome.core.rules.directional``): the rule ids and the reasons it
returned, never a verdict of our own.
"""

from __future__ import annotations

from django.db import models

from backhome.web.patient.models import Person, Screening


class Direction(models.TextChoices):
    EXTENSION = "extension"
    FLEXION = "flexion"


class Response(models.TextChoices):
    FAVOURABLE = "favourable"
    NO_EFFECT = "no_effect"
    WORSE = "worse"


class DirectionalTest(models.Model):
    """One direction's self-check: the three measurements (DPT-03), the core's response (DPT-06...DPT-10),
    the next-morning confirmation (DPT-12), and the plan it reshaped (DPT-20...DPT-24)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        FINISHED = "finished"  # all three measurements taken
        STOPPED = "stopped"  # the core's should_abort stopped it (DPT-06)
        CANCELLED = "cancelled"  # the person stopped it themselves; no result

    id = models.UUIDField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="directional_tests")
    #: The screening whose decision allowed the test (DPT-01).
    screening = models.ForeignKey(Screening, null=True, on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    #: The monitoring mode of that decision (PM-00), which ``classify`` reads (DPT-07).
    monitoring = models.CharField(max_length=16, default="strict")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    #: The procedure step shown now (0-based index into the core's ``procedure(direction).steps``).
    step = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    # DPT-03, before the test.
    before_back = models.PositiveSmallIntegerField()
    before_leg = models.PositiveSmallIntegerField()
    before_zone = models.PositiveSmallIntegerField()
    before_numbness = models.BooleanField()
    # Straight after the movements (or at the moment the test was stopped).
    after_back = models.PositiveSmallIntegerField(null=True, blank=True)
    after_leg = models.PositiveSmallIntegerField(null=True, blank=True)
    after_zone = models.PositiveSmallIntegerField(null=True, blank=True)
    after_numbness = models.BooleanField(null=True, blank=True)
    after_at = models.DateTimeField(null=True, blank=True)
    # After 2-5 minutes' rest (equal to "after" when the test was stopped).
    recheck_back = models.PositiveSmallIntegerField(null=True, blank=True)
    recheck_leg = models.PositiveSmallIntegerField(null=True, blank=True)
    recheck_zone = models.PositiveSmallIntegerField(null=True, blank=True)
    recheck_numbness = models.BooleanField(null=True, blank=True)
    recheck_at = models.DateTimeField(null=True, blank=True)
    #: Checks the person asked for during a position ("my symptoms got worse"), each with the core's answer:
    #: ``{"id", "step", "back", "leg", "zone", "numbness", "at", "abort", "rules"}``.
    checks = models.JSONField(default=list, blank=True)
    #: ``should_abort``'s rules and advice when it stopped the test, or fired at the re-check.
    stop_rules = models.JSONField(default=list, blank=True)
    stop_advice = models.TextField(blank=True)

    #: ``classify``'s response, rules and reasons (``[{"rule", "text"}]``).
    response = models.CharField(max_length=16, choices=Response.choices, blank=True)
    rules = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)

    # DPT-12: the morning after.
    morning_date = models.DateField(null=True, blank=True)
    morning_back = models.PositiveSmallIntegerField(null=True, blank=True)
    morning_leg = models.PositiveSmallIntegerField(null=True, blank=True)
    morning_zone = models.PositiveSmallIntegerField(null=True, blank=True)
    morning_at = models.DateTimeField(null=True, blank=True)
    #: ``confirm_next_morning``'s response, rules and reasons.
    confirmed_response = models.CharField(max_length=16, choices=Response.choices, blank=True)
    confirmed_rules = models.JSONField(default=list, blank=True)
    confirmed_reasons = models.JSONField(default=list, blank=True)

    #: The response the plan uses: the confirmed one, or "worse" at once (confirmation cannot undo it).
    final_response = models.CharField(max_length=16, choices=Response.choices, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    #: The plan before and after this result reshaped it (``screening_redecide``).
    previous_screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=["person", "-started_at"], name="selfcheck_person_started"),)

    def __str__(self) -> str:
        return f"{self.direction} self-check {self.id} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def awaiting_morning(self) -> bool:
        """Finished with a result that the next morning can still change (DPT-12)."""
        return bool(self.response) and not self.final_response
