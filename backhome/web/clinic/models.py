"""The clinic's side: clinics, their clinicians, the patients who joined them, what clinicians changed,
alerts, requests for a screen, and the audit log.

Clinical content is never copied here: exercise ids, doses, rule ids. Every change a clinician makes to a
patient's programme is a row of ``ProgrammeChange`` (who, when, why, before and after); every time a
clinician views or changes a patient's data is a row of ``AuditEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backhome.web.patient.models import Person


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    #: Where an urgent alert is told outside the app (an email with no health data; empty: nowhere).
    alert_email = models.EmailField(blank=True)
    #: The system of the clinic's patient identifiers in FHIR (``Patient.identifier.system``), e.g. the
    #: clinic's own URI for its record numbers; empty: the site's address is used.
    identifier_system = models.URLField(blank=True)
    #: The clinic's logo for handouts: a PNG re-encoded on upload (never SVG), in the database so every
    #: server node has it.
    logo = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINICIAN = "clinician"
    ADMIN = "admin"  # a clinic admin: a clinician who also manages the clinic's clinicians and reads the audit log


class Membership(models.Model):
    """A clinician of a clinic (a Django user), with their role there."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLINICIAN)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["clinic", "user"], name="membership_unique"),)

    def __str__(self) -> str:
        return f"{self.user} at {self.clinic} ({self.role})"


class Invitation(models.Model):
    """An invitation for a patient to join a clinic: a link (``token``) and a short ``code`` to type.

    Single use and expiring: ``used_at`` is set when a person joins with it.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: Who it is for, as the clinician wrote it (a name or a note; shown only to the clinic).
    label = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True)
    code = models.CharField(max_length=12, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"invitation {self.code} to {self.clinic}"


class Enrolment(models.Model):
    """A person is a patient of one clinic (at most one at a time)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="enrolment")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="enrolments")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: How the clinic knows the patient (a name or a reference the clinic chose; never shown to others).
    label = models.CharField(max_length=200, blank=True)
    #: The patient's number in the clinic's own records (FHIR ``Patient.identifier`` with the clinic's
    #: ``identifier_system``, so the clinic's record system can match the export).
    record_number = models.CharField(max_length=64, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.person} at {self.clinic}"


class Monitoring(models.TextChoices):
    STRICT = "strict"
    MONITORED = "monitored"


class CareSettings(models.Model):
    """What a clinician has decided for a person outside their answers: the core's ``Context``.

    ``clearances`` holds the rule ids the spec reserves to a clinician (EL-02 pregnancy, EL-03 surgery and
    the nerve glide, EL-04 fracture, EL-05 osteoporosis or steroids); ``monitoring`` is PM-00's mode.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="care")
    monitoring = models.CharField(max_length=16, choices=Monitoring.choices, default=Monitoring.STRICT)
    clearances = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"care settings of {self.person}"


class ProgrammeChange(models.Model):
    """One change a clinician made to a patient's programme or care settings: who, when, why, what."""

    class Kind(models.TextChoices):
        ADD = "add"
        REMOVE = "remove"
        DOSE = "dose"
        MONITORING = "monitoring"
        CLEARANCE = "clearance"
        UNLOCK = "unlock"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="programme_changes")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    exercise_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    why = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    #: When the patient first saw the programme after this change (None: not yet; "what changed" shows it).
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=["person", "-created_at"], name="programmechange_person"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.exercise_id} by {self.changed_by}"


class Alert(models.Model):
    """Something a clinician should look at. ``key`` makes raising the same alert twice a no-op."""

    class Kind(models.TextChoices):
        RED_STOP = "red_stop"  # a RED result in a session (PM-10...PM-13)
        RED_FLAG = "red_flag"  # a warning sign reported at any check (PM-14, a screening tier above refer)
        PERIPHERALIZATION = "peripheralization"  # PM-10 / DPT-10
        NOT_TOLERATED = "not_tolerated"  # two not-tolerated sessions (PM-41)
        NO_IMPROVEMENT = "no_improvement"  # no meaningful improvement at 4 weeks (OM-08 / RF-17)
        INACTIVE = "inactive"  # no activity for 7 days

    class Severity(models.IntegerChoices):
        """How soon a clinician should look: the inbox's filter and the patient list's first sort."""

        URGENT = 3, "urgent"  # an emergency or urgent result, a warning sign at a check
        ATTENTION = 2, "attention"  # a RED stop, symptoms spreading, a stop for intolerance, a "soon" result
        ROUTINE = 1, "routine"  # no real improvement, no activity

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="alerts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.ATTENTION)
    key = models.CharField(max_length=120)
    rules = models.JSONField(default=list, blank=True)
    text = models.TextField()
    #: When the event happened (a session's check, a screening's decision), not when the scan saw it.
    happened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: When the clinic's alert address was emailed about it (None: not emailed, or not one to email).
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (models.UniqueConstraint(fields=["person", "key"], name="alert_unique_key"),)
        indexes = (models.Index(fields=["clinic", "acknowledged_at", "-created_at"], name="alert_inbox"),)

    def __str__(self) -> str:
        return f"{self.kind} for {self.person}"


class ScreenRequest(models.Model):
    """A person asks a clinic for a screen ("speak to our licensed physical therapist")."""

    class Status(models.TextChoices):
        NEW = "new"
        CONTACTED = "contacted"
        BOOKED = "booked"

    id = models.UUIDField(primary_key=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="screen_requests")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    preferred_times = models.CharField(max_length=300, blank=True)
    #: The person agreed to send a summary of their screening decision (then ``summary`` holds it).
    share_summary = models.BooleanField(default=False)
    summary = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"screen request {self.id} ({self.status})"


class AuditEvent(models.Model):
    """Something the clinic's audit must show (readable by the clinic admin): a clinician viewed, changed
    or exported a patient's data; a login to a clinician's account, or a failed one; the clinic's people
    changed (clinicians added or switched off, invitations made or withdrawn); a patient joined or left.
    ``user`` is who did it: empty for what a patient did (joined, left) and kept when the account goes."""

    class Action(models.TextChoices):
        VIEW = "view"
        CHANGE = "change"
        EXPORT = "export"
        LOGIN = "login"  # a clinician's login, or a failed attempt at their account
        ADMIN = "admin"  # the clinic's people: clinicians, invitations
        ENROLMENT = "enrolment"  # a patient joined or left the clinic

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="audit_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    what = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-at", "-pk")
        indexes = (models.Index(fields=["clinic", "-at"], name="audit_clinic_at"),)

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.what}"


class OutcomeScore(models.Model):
    """A score a clinician entered for a patient (B28): an ODI total (OM-02), 0-100, never its items."""

    class Instrument(models.TextChoices):
        ODI = "odi", "Oswestry Disability Index"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="outcome_scores")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=16, choices=Instrument.choices)
    value = models.PositiveSmallIntegerField()
    measured_on = models.DateField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("measured_on", "pk")
        indexes = (models.Index(fields=["person", "instrument", "measured_on"], name="outcome_person"),)

    def __str__(self) -> str:
        return f"{self.instrument} {self.value} of {self.person}"
