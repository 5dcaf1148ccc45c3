"""The load test's count of acknowledged writes (scripts/loadlib/verify.py) finds a missing write, a
stored write nobody was told about, and a second screening, so the fault test can fail."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from scripts.loadlib.paths import path
from scripts.loadlib.verify import count, integrity
from tests.integration.people import browser_session, client_for, person_with_plan

pytestmark = pytest.mark.django_db

BEFORE = {"back": 3, "leg": 2, "zone": 3, "numbness": False, "red_flag": False}


def started(client: Any) -> str:
    session_id = str(uuid.uuid4())
    answer = client.post(
        path("session start"), {"id": session_id, "before": BEFORE}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    return session_id


def test_every_acknowledged_write_that_is_stored_counts_once_and_nothing_is_missing() -> None:
    dana, _ = person_with_plan()
    session_id = started(client_for(dana))
    acks = [{"kind": "screening", "id": browser_session(dana)}, {"kind": "session start", "id": session_id}]
    report = count(acks)
    assert report["session start"] == {
        "acknowledged": 1, "stored": 1, "present": 1, "missing": 0, "missing_ids": [], "extra": 0
    }  # fmt: skip
    assert report["screening"]["present"] == 1
    assert report["screening"]["extra"] == 0


def test_an_acknowledged_write_that_is_not_in_the_database_is_missing_by_its_id() -> None:
    invented = str(uuid.uuid4())
    report = count([{"kind": "session log", "id": invented, "session": invented, "position": 1}])
    assert report["session log"]["missing"] == 1
    assert report["session log"]["missing_ids"] == [invented]


def test_a_stored_write_no_client_was_told_about_is_extra() -> None:
    dana, _ = person_with_plan()
    started(client_for(dana))
    report = count([])
    assert report["session start"]["extra"] == 1


def test_a_second_decided_screening_of_the_same_browser_is_extra() -> None:
    dana, screening = person_with_plan()
    screening.pk = None
    screening.save()  # the same answers decided a second time
    report = count([{"kind": "screening", "id": browser_session(dana)}])
    assert report["screening"]["present"] == 1
    assert report["screening"]["extra"] == 1


def test_the_sqlite_integrity_check_of_the_test_database_passes() -> None:
    assert integrity()["ok"]


def test_the_screening_of_a_returning_patient_made_before_the_load_is_no_write_of_the_load() -> None:
    walt, _ = person_with_plan()  # screened on an earlier day (scripts/loadlib/seed.py)
    dana, _ = person_with_plan()
    report = count([{"kind": "screening", "id": browser_session(dana)}], seeded=[walt.pk])
    assert report["screening"]["extra"] == 0
    assert count([{"kind": "screening", "id": browser_session(dana)}])["screening"]["extra"] == 1
