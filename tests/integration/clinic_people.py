"""The clinic personas, the same everywhere (house style): two clinics, their people and two patients.

- Riverside Physio (clinic X): Cleo, physical therapist (clinician); Ada, clinic admin.
- Hilltop Clinic (clinic Y): Yusuf, physical therapist (clinician).
- Dana (disc herniation, extension plan) is Riverside's patient; Walt (stenosis, flexion plan) Hilltop's.
- Sam is the site admin (Django superuser, no clinic).
An anonymous visitor is a plain test client.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from backhome.web.clinic.models import Clinic, Enrolment, Membership, Role
from backhome.web.patient.models import Person
from tests.integration.people import WALT_WEB, client_for, person_with_plan

PASSWORD = "a long test password 42"


@dataclass
class Cast:
    riverside: Clinic
    hilltop: Clinic
    cleo: AbstractBaseUser
    ada: AbstractBaseUser
    yusuf: AbstractBaseUser
    sam: AbstractBaseUser
    dana: Person
    walt: Person

    def client(self, persona: str) -> Client:
        """A logged-in client for a clinician persona, a guest client for a patient, or anonymous."""
        if persona == "anonymous":
            return Client()
        if persona in ("dana", "walt"):
            return client_for(getattr(self, persona))
        client = Client()
        client.force_login(getattr(self, persona))
        return client


def user(email: str, *, superuser: bool = False) -> AbstractBaseUser:
    model = get_user_model()
    if superuser:
        return model.objects.create_superuser(username=email, email=email, password=PASSWORD)
    return model.objects.create_user(username=email, email=email, password=PASSWORD)


def cast() -> Cast:
    riverside = Clinic.objects.create(name="Riverside Physio", phone="+44 20 7946 0001")
    hilltop = Clinic.objects.create(name="Hilltop Clinic", phone="+44 20 7946 0002")
    cleo = user("cleo@riverside.example")
    ada = user("ada@riverside.example")
    yusuf = user("yusuf@hilltop.example")
    sam = user("sam@backhome.example", superuser=True)
    Membership.objects.create(clinic=riverside, user=cleo, role=Role.CLINICIAN)
    Membership.objects.create(clinic=riverside, user=ada, role=Role.ADMIN)
    Membership.objects.create(clinic=hilltop, user=yusuf, role=Role.CLINICIAN)
    dana, _ = person_with_plan()
    walt, _ = person_with_plan(WALT_WEB)
    Enrolment.objects.create(person=dana, clinic=riverside, label="Dana")
    Enrolment.objects.create(person=walt, clinic=hilltop, label="Walt")
    return Cast(riverside, hilltop, cleo, ada, yusuf, sam, dana, walt)


PERSONAS = ("anonymous", "dana", "walt", "cleo", "yusuf", "ada", "sam")
