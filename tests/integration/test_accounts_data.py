"""Download my data and delete my account: Dana gets every row of hers and nothing of Walt's; deleting
removes everything of hers and nothing of his. The models are found by walking foreign keys, so a model
added later with a foreign key to Person is checked here without changing this file."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backhome.web.accounts import selectors, services
from backhome.web.patient.models import EmergencyLockClearance, Person, PlanItem, Screening
from backhome.web.patient.services import SESSION_KEY
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.selfcheck.models import DirectionalTest
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "correct horse battery"

#: The models the tests below fill for both people: each must have rows of Dana's in her export.
FILLED = {
    Screening,
    PlanItem,
    ExerciseSession,
    ExerciseLog,
    CheckIn,
    DoseChange,
    EmergencyLockClearance,
    DirectionalTest,
}


def everything_for(person: Person, screening: Screening, clinician: Any) -> None:
    """A row of every kind the patient apps store, made with the ORM as those apps store them."""
    session = ExerciseSession.objects.create(
        id=uuid.uuid4(),
        person=person,
        screening=screening,
        day=dt.date(2025, 3, 3),
        status=ExerciseSession.Status.FINISHED,
        ended_at=timezone.now(),
        before_back=4,
        before_leg=2,
        before_zone=2,
        before_numbness=False,
    )
    item = screening.items.first()
    assert item is not None
    ExerciseLog.objects.create(
        id=uuid.uuid4(),
        session=session,
        position=1,
        exercise_id=item.exercise_id,
        sets=item.sets,
        reps=item.reps,
        hold_s=item.hold_s,
        per_side=item.per_side,
        sets_done=item.sets,
        after_back=3,
        after_leg=1,
        after_zone=2,
        after_numbness=False,
        light="green",
        rules=["PM-02"],
    )
    checkin = CheckIn.objects.create(
        id=uuid.uuid4(), person=person, date=dt.date(2025, 3, 4), back=3, leg=1, zone=2, stiffness="none"
    )
    DoseChange.objects.create(
        person=person,
        screening=screening,
        checkin=checkin,
        exercise_id=item.exercise_id,
        sets=item.sets,
        reps=item.reps + 2,
        hold_s=item.hold_s,
        per_side=item.per_side,
        action=DoseChange.Action.PROGRESS,
        rules=["DS-01"],
    )
    EmergencyLockClearance.objects.create(
        person=person, screening=None, locked_at=timezone.now(), cleared_by=clinician, note="seen in clinic"
    )
    DirectionalTest.objects.create(
        id=uuid.uuid4(),
        person=person,
        screening=screening,
        direction="extension",
        started_at=timezone.now(),
        before_back=4,
        before_leg=2,
        before_zone=2,
        before_numbness=False,
    )


@pytest.fixture
def clinician() -> Any:
    return User.objects.create_user(
        username="carol@clinic.example", email="carol@clinic.example", password=PASSWORD
    )


@pytest.fixture
def dana(clinician: Any) -> Person:
    """Dana, with an account and a row of everything."""
    person, screening = person_with_plan()
    everything_for(person, screening, clinician)
    services.account_create(email="dana@example.com", password=PASSWORD, guest=person)
    person.refresh_from_db()
    return person


@pytest.fixture
def walt(clinician: Any) -> Person:
    """Walt, another patient with a row of everything (and an account)."""
    person, screening = person_with_plan(WALT_WEB)
    everything_for(person, screening, clinician)
    services.account_create(email="walt@example.com", password=PASSWORD, guest=person)
    person.refresh_from_db()
    return person


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


# --------------------------------------------------------------------------- the models, found independently


def paths_to_person(model: type[models.Model], seen: tuple[type[models.Model], ...] = ()) -> list[str]:
    """Every chain of forward foreign keys from ``model`` to Person, as ORM lookups ("session__person")."""
    found = []
    for field in model._meta.concrete_fields:
        target = field.related_model if field.is_relation else None
        if target is None or target in seen or target is model:
            continue
        if target is Person:
            found.append(field.name)
        else:
            found.extend(f"{field.name}__{rest}" for rest in paths_to_person(target, (*seen, model)))
    return found


def rows_of(person: Person) -> dict[type[models.Model], set[Any]]:
    """The ids of every row that points at ``person`` through any chain of foreign keys."""
    found = {}
    for model in apps.get_models():
        if model is Person:
            continue
        paths = paths_to_person(model)
        if paths:
            query = Q()
            for path in paths:
                query |= Q(**{path: person})
            found[model] = set(model._default_manager.filter(query).values_list("pk", flat=True))
    return found


def exported_ids(document: dict[str, Any]) -> dict[type[models.Model], set[Any]]:
    """The ids of the rows in an export, by model (the export names each list after its relation)."""
    found: dict[type[models.Model], set[Any]] = {}

    def walk(branches: tuple[selectors.Branch, ...], records: list[dict[str, Any]]) -> None:
        for branch in branches:
            for record in records:
                for row in record[branch.key]:
                    found.setdefault(branch.model, set()).add(row[branch.model._meta.pk.name])
                walk(branch.children, record[branch.key])

    walk(selectors.person_tree(), [document["person"]])
    return found


def as_exported(ids: set[Any]) -> set[Any]:
    return {str(i) if isinstance(i, uuid.UUID) else i for i in ids}


def test_the_walk_finds_every_model_with_a_foreign_key_path_to_person() -> None:
    independent = {model for model in apps.get_models() if model is not Person and paths_to_person(model)}
    assert selectors.person_models() == independent
    assert independent >= FILLED


# --------------------------------------------------------------------------- download


def test_the_download_holds_every_row_of_dana_and_none_of_walt(dana: Person, walt: Person) -> None:
    response = logged_in(dana).get(reverse("accounts:download"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="backhome-my-data-')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["schema"] == "backhome.export/1"
    assert document["account"]["email"] == "dana@example.com"
    assert "password" not in json.dumps(document["account"])
    assert document["person"]["id"] == dana.pk and document["person"]["user"] == dana.user_id

    exported = exported_ids(document)
    mine, his = rows_of(dana), rows_of(walt)
    for model, ids in mine.items():
        assert exported.get(model, set()) == as_exported(ids), model._meta.label
        assert not exported.get(model, set()) & as_exported(his[model]), model._meta.label
    for model in FILLED:
        assert mine[model], f"the test made no {model._meta.label} row for Dana"
    text = response.content.decode()
    for model, ids in his.items():
        for pk in ids:
            if isinstance(pk, uuid.UUID):
                assert str(pk) not in text, model._meta.label


def test_the_download_nests_plan_items_under_screenings_and_logs_under_sessions(dana: Person) -> None:
    document = json.loads(logged_in(dana).get(reverse("accounts:download")).content)
    person = document["person"]
    screening = person["screenings"][0]
    assert {"answers", "intake", "decision", "tier"} <= set(screening)
    assert [item["exercise_id"] for item in screening["items"]] == [
        "sciatic-nerve-glide",
        "prone-press-up",
        "cat-camel",
    ]
    session = person["sessions"][0]
    assert session["day"] == "2025-03-03" and len(session["logs"]) == 1
    assert person["checkins"][0]["date"] == "2025-03-04"
    assert person["dose_changes"][0]["action"] == "progress"
    assert person["directional_tests"][0]["direction"] == "extension"
    assert dt.datetime.fromisoformat(person["created_at"]).tzinfo is not None
    assert dt.datetime.fromisoformat(document["exported_at"]).tzinfo is not None


def test_a_guest_can_download_their_data(client: Client) -> None:
    guest, screening = person_with_plan()
    document = json.loads(client_for(guest).get(reverse("accounts:download")).content)
    assert document["account"] is None
    assert document["person"]["screenings"][0]["id"] == screening.pk


def test_someone_with_nothing_stored_gets_an_empty_export(client: Client) -> None:
    document = json.loads(client.get(reverse("accounts:download")).content)
    assert (
        document["schema"] == "backhome.export/1"
        and document["person"] is None
        and document["account"] is None
    )


# --------------------------------------------------------------------------- delete


def test_deleting_asks_for_the_word_delete(dana: Person) -> None:
    client = logged_in(dana)
    page = client.get(reverse("accounts:delete")).content.decode()
    assert "Type DELETE to confirm" in page and "This cannot be undone." in page
    response = client.post(reverse("accounts:delete"), {"confirm": "yes"})
    assert response.status_code == 400
    assert "Please type the word DELETE to confirm." in response.content.decode()
    assert Person.objects.filter(pk=dana.pk).exists() and User.objects.filter(pk=dana.user_id).exists()


def test_deleting_removes_everything_of_dana_and_nothing_of_walt(dana: Person, walt: Person) -> None:
    mine_before, his_before = rows_of(dana), rows_of(walt)
    user_id = dana.user_id
    for attempt in range(10):  # someone guessing: logins for this email are paused
        Client(REMOTE_ADDR=f"198.51.100.{attempt}").post(
            reverse("accounts:login"), {"email": "dana@example.com", "password": "wrong password"}
        )
    client = logged_in(dana)

    response = client.post(reverse("accounts:delete"), {"confirm": "DELETE"})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:deleted")
    assert not Person.objects.filter(pk=dana.pk).exists()
    assert not User.objects.filter(pk=user_id).exists()
    # The count of wrong passwords went with the account: a new account with the address logs in.
    services.account_create(email="dana@example.com", password="a new long password", guest=None)
    again = Client().post(
        reverse("accounts:login"), {"email": "dana@example.com", "password": "a new long password"}
    )
    assert again.status_code == 302
    for model, ids in mine_before.items():
        # A row is gone, or kept by its model on purpose (SET_NULL) with no link to anyone.
        for row in model._default_manager.filter(pk__in=ids):
            assert not any(
                getattr(row, path.split("__")[0] + "_id", None) for path in paths_to_person(model)
            ), model._meta.label
    for model in FILLED:
        assert not model._default_manager.filter(pk__in=mine_before[model]).exists(), model._meta.label
    assert rows_of(walt) == his_before
    assert Person.objects.filter(pk=walt.pk, user__isnull=False).exists()
    assert "_auth_user_id" not in client.session and SESSION_KEY not in client.session
    goodbye = client.get(reverse("accounts:deleted")).content.decode()
    assert "Your data have been deleted" in goodbye


def test_a_guest_can_delete_their_data() -> None:
    guest, _ = person_with_plan()
    walt, _ = person_with_plan(WALT_WEB)
    client = client_for(guest)
    assert "Delete my data" in client.get(reverse("accounts:account")).content.decode()
    response = client.post(reverse("accounts:delete"), {"confirm": "delete"})
    assert response["Location"] == reverse("accounts:deleted")
    assert not Person.objects.filter(pk=guest.pk).exists() and Person.objects.filter(pk=walt.pk).exists()
    assert Screening.objects.filter(person=walt).count() == 1 and Screening.objects.count() == 1
    assert SESSION_KEY not in client.session


def test_someone_with_nothing_stored_is_told_there_is_nothing_to_delete(client: Client) -> None:
    page = client.get(reverse("accounts:delete")).content.decode()
    assert "Nothing to delete" in page
    assert client.post(reverse("accounts:delete"), {"confirm": "DELETE"}).status_code == 200
    assert not Person.objects.exists()


def test_an_account_that_cleared_a_lock_is_not_deleted_from_here(dana: Person, clinician: Any) -> None:
    services.account_person_ensure(user=clinician)
    client = Client()
    client.force_login(clinician)
    response = client.post(reverse("accounts:delete"), {"confirm": "DELETE"})
    assert response.status_code == 409
    assert "Nothing has been deleted." in response.content.decode()
    assert User.objects.filter(pk=clinician.pk).exists() and Person.objects.filter(user=clinician).exists()
