"""Every read the FHIR export needs, in a fixed number of queries whatever the size of the record.

Reads only; the shaping into FHIR resources is in ``bundle.py``. Rows come in a stable order (time,
then primary key) so the same record always gives the same Bundle.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from backhome.web.clinic.models import Alert, Clinic, Enrolment, OutcomeScore
from backhome.web.patient.models import Person, Screening
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn
from backhome.web.progress.selectors import Programme, current_programme


@dataclass(frozen=True)
class Record:
    """What one person's FHIR export is made of."""

    person: Person
    email: str
    clinic: Clinic | None
    screenings: tuple[Screening, ...]
    programme: Programme | None
    sessions: tuple[ExerciseSession, ...]
    checkins: tuple[CheckIn, ...]
    alerts: tuple[Alert, ...]
    #: The clinic's label and record number of the person (empty outside a clinic).
    label: str = ""
    record_number: str = ""
    #: ODI totals clinicians entered (OM-02), oldest first.
    odi: tuple[OutcomeScore, ...] = ()


def person_record(person: Person) -> Record:
    """The person's screenings (open ones too), current programme, sessions with their exercises,
    check-ins and clinic alerts. About ten queries, however many rows there are."""
    email = ""
    if person.user_id is not None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=person.user_id).only("email", "username").first()
        if user is not None:
            email = user.email
    enrolment = Enrolment.objects.select_related("clinic").filter(person_id=person.pk).first()
    screenings = tuple(Screening.objects.filter(person_id=person.pk).order_by("created_at", "pk"))
    sessions = tuple(
        ExerciseSession.objects.filter(person_id=person.pk)
        .prefetch_related(Prefetch("logs", queryset=ExerciseLog.objects.order_by("position", "pk")))
        .order_by("started_at", "pk")
    )
    checkins = tuple(CheckIn.objects.filter(person_id=person.pk).order_by("date", "created_at", "pk"))
    alerts = tuple(
        Alert.objects.filter(person_id=person.pk).select_related("clinic").order_by("created_at", "pk")
    )
    odi = tuple(
        OutcomeScore.objects.filter(person_id=person.pk, instrument=OutcomeScore.Instrument.ODI).order_by(
            "measured_on", "pk"
        )
    )
    return Record(
        label=enrolment.label if enrolment is not None else "",
        record_number=enrolment.record_number if enrolment is not None else "",
        odi=odi,
        person=person,
        email=email,
        clinic=enrolment.clinic if enrolment is not None else None,
        screenings=screenings,
        programme=current_programme(person),
        sessions=sessions,
        checkins=checkins,
        alerts=alerts,
    )
