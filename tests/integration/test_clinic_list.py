"""The patient list /clinic/: the numbers of each row, sorting, filters, pages, and a fixed number of
queries whatever the number of patients."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from backhome.web.clinic.models import AuditEvent
from backhome.web.clinic.selectors.patient_rows import patient_rows
from tests.integration.clinic_builders import (
    alert_for,
    count_queries,
    joined_days_ago,
    patient_like,
    practised,
)
from tests.integration.clinic_people import cast

pytestmark = pytest.mark.django_db


def rows(page: str) -> list[str]:
    """The patients' labels in the order the table shows them."""
    return re.findall(
        r'<th scope="row" class="col-label" data-label="Patient"><a href="[^"]+">([^<]+)</a>', page
    )


def row_of(page: str, person_id: int) -> str:
    match = re.search(rf'<tr id="patient-{person_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {person_id}"
    return (
        html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))))
        .replace("\xa0", " ")
        .strip()
    )


def test_a_row_says_sessions_done_of_planned_pain_then_and_now_alerts_and_last_activity() -> None:
    people = cast()
    joined_days_ago(people.dana, 30)
    # Dana's screening said back pain 5; she practised on 10 of the last 14 days, and says 3 this morning.
    practised(people.dana, days=range(1, 11), back=4)
    practised(people.dana, days=[0], back=3, checkin_back=3)
    alert_for(people.dana, people.riverside, "red:1")
    alert_for(people.dana, people.riverside, "red:2", open_=False)
    html = people.client("cleo").get("/clinic/").content.decode()
    row = row_of(html, people.dana.pk)
    assert "11 of 14 sessions" in row
    assert "79 %" in row
    assert "5 → 3" in row and "a real improvement" in row  # OM-01: 2 points down
    assert "1 open" in row
    assert "today" in row


def test_adherence_is_counted_from_the_day_the_patient_joined_when_that_is_less_than_14_days_ago() -> None:
    people = cast()
    joined_days_ago(people.dana, 3)  # joined 3 days ago: 4 days planned (today included)
    practised(people.dana, days=[10, 9, 8, 2, 1])  # the sessions before she joined do not count
    row = patient_rows(people.riverside.pk, today=timezone.localdate())[0]
    assert (row.adherence.done, row.adherence.planned) == (2, 4)
    assert row.adherence.words == "2 of 4 sessions"
    assert row.adherence.low is False  # 50 % is not under half


def test_two_sessions_on_one_day_count_as_one_day_done() -> None:
    people = cast()
    joined_days_ago(people.dana, 20)
    practised(people.dana, days=[1, 1, 2])
    row = patient_rows(people.riverside.pk, today=timezone.localdate())[0]
    assert (row.adherence.done, row.adherence.planned) == (2, 14)
    assert row.adherence.low is True


def test_the_pain_verdict_is_om01s_in_words() -> None:
    people = cast()
    clinic = people.riverside
    cases = {
        "better": (6, 3, "a real improvement"),
        "a little": (6, 5, "lower, not yet a real change"),
        "same": (6, 6, "no change"),
        "worse": (4, 6, "worse"),
    }
    ids = {}
    for label, (baseline, now, _) in cases.items():
        person = patient_like(people.dana, clinic, label, back=baseline)
        practised(person, days=[1], back=now)
        ids[label] = person.pk
    quiet = patient_like(people.dana, clinic, "quiet", back=5)
    html = people.client("cleo").get("/clinic/").content.decode()
    for label, (baseline, now, words) in cases.items():
        row = row_of(html, ids[label])
        assert f"{baseline} → {now}" in row and words in row, row
    assert "5 at screening, none since" in row_of(html, quiet.pk)


def test_the_latest_pain_is_the_morning_check_in_when_it_is_on_the_latest_day() -> None:
    people = cast()
    practised(people.dana, days=[2], back=6)
    practised(people.dana, days=[1], back=5, checkin_back=2)  # the session's check said 5, the morning 2
    row = patient_rows(people.riverside.pk, today=timezone.localdate())[0]
    assert (row.pain.baseline, row.pain.current) == (5, 2)
    assert row.pain.sentence == "back pain 5 → 2 out of 10, a real improvement"


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("label", "asc", ["Ann", "Bo", "Cy"]),
        ("label", "desc", ["Cy", "Bo", "Ann"]),
        ("adherence", "asc", ["Cy", "Bo", "Ann"]),
        ("adherence", "desc", ["Ann", "Bo", "Cy"]),
        ("pain", "desc", ["Bo", "Ann", "Cy"]),  # the largest rise first; no score since screening last
        ("pain", "asc", ["Ann", "Bo", "Cy"]),
        ("alerts", "desc", ["Cy", "Ann", "Bo"]),
        ("activity", "asc", ["Bo", "Ann", "Cy"]),  # the longest quiet first; never practised last
        ("activity", "desc", ["Ann", "Bo", "Cy"]),
    ],
)
def test_each_column_sorts_both_ways(sort: str, order: str, expected: list[str]) -> None:
    people = cast()
    clinic = people.riverside
    from backhome.web.clinic.models import Enrolment

    Enrolment.objects.filter(person=people.dana).delete()
    ann = patient_like(people.dana, clinic, "Ann", back=6)
    bo = patient_like(people.dana, clinic, "Bo", back=4)
    cy = patient_like(people.dana, clinic, "Cy", back=5)
    for person in (ann, bo, cy):
        joined_days_ago(person, 30)
    practised(ann, days=range(0, 10), back=3)  # 10 of 14, 6 -> 3
    practised(bo, days=[8, 9], back=5)  # 2 of 14, 4 -> 5, quiet for 8 days
    alert_for(cy, clinic, "a")
    alert_for(cy, clinic, "b")
    alert_for(ann, clinic, "c")
    html = people.client("cleo").get(f"/clinic/?sort={sort}&order={order}").content.decode()
    assert rows(html) == expected


def test_the_filters_show_open_alerts_low_adherence_and_no_improvement() -> None:
    people = cast()
    clinic = people.riverside
    from backhome.web.clinic.models import Enrolment

    Enrolment.objects.filter(person=people.dana).delete()
    ann = patient_like(people.dana, clinic, "Ann", back=6)
    bo = patient_like(people.dana, clinic, "Bo", back=4)
    cy = patient_like(people.dana, clinic, "Cy", back=5)
    for person in (ann, bo, cy):
        joined_days_ago(person, 30)
    practised(ann, days=range(0, 10), back=3)
    practised(bo, days=[8, 9], back=5)
    alert_for(cy, clinic, "a")
    cleo = people.client("cleo")
    assert rows(cleo.get("/clinic/?has_alerts=1&sort=label").content.decode()) == ["Cy"]
    assert rows(cleo.get("/clinic/?low_adherence=1&sort=label").content.decode()) == ["Bo", "Cy"]
    assert rows(cleo.get("/clinic/?no_improvement=1&sort=label").content.decode()) == ["Bo"]
    assert rows(cleo.get("/clinic/?low_adherence=1&has_alerts=1").content.decode()) == ["Cy"]
    assert rows(cleo.get("/clinic/?find=an&sort=label").content.decode()) == ["Ann"]
    page = cleo.get("/clinic/?has_alerts=1").content.decode()
    assert "matching the filters (3 in all)" in page


@pytest.mark.parametrize(
    ("query", "field"),
    [("sort=height", "sort"), ("order=up", "order"), ("page=0", "page"), ("has_alerts=yes", "has_alerts")],
)
def test_a_bad_list_query_is_a_400_naming_the_field(query: str, field: str) -> None:
    people = cast()
    response = people.client("cleo").get(f"/clinic/?{query}")
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()


def test_the_list_has_pages_of_50() -> None:
    people = cast()
    for number in range(55):
        patient_like(people.dana, people.riverside, f"Patient {number:02d}")
    cleo = people.client("cleo")
    first = cleo.get("/clinic/?sort=label").content.decode()
    assert len(rows(first)) == 50
    assert "Patients 1–50 of 56" in first and "Page 1 of 2" in first
    second = cleo.get("/clinic/?sort=label&page=2").content.decode()
    assert len(rows(second)) == 6
    assert rows(second)[-1] == "Patient 54"


def _patients(people: object, count: int) -> None:
    cast_ = people
    for number in range(count):
        person = patient_like(cast_.dana, cast_.riverside, f"P{number}")  # type: ignore[attr-defined]
        joined_days_ago(person, 5 + number % 20)
        practised(person, days=[1, 2, 4], back=3, checkin_back=3 if number % 2 else None)
        if number % 3 == 0:
            alert_for(person, cast_.riverside, f"k{number}")  # type: ignore[attr-defined]


def test_the_list_runs_the_same_number_of_queries_for_3_and_30_patients() -> None:
    people = cast()
    cleo = people.client("cleo")
    cleo.get("/clinic/")  # the session and the clinician's own person exist from here on
    _patients(people, 3)
    few = count_queries(lambda: cleo.get("/clinic/?sort=pain"))
    _patients(people, 27)
    many = count_queries(lambda: cleo.get("/clinic/?sort=pain"))
    assert len(rows(cleo.get("/clinic/").content.decode())) == 31
    assert few == many
    assert many <= 12


def test_viewing_the_list_is_in_the_audit_log() -> None:
    people = cast()
    people.client("cleo").get("/clinic/")
    event = AuditEvent.objects.get(action="view")  # logging in is audited too
    assert (event.user, event.clinic, event.action, event.person) == (
        people.cleo,
        people.riverside,
        "view",
        None,
    )
    assert event.what == "patient list, page 1"


def test_an_empty_clinic_says_how_to_invite_the_first_patient() -> None:
    people = cast()
    from backhome.web.clinic.models import Enrolment

    Enrolment.objects.filter(clinic=people.riverside).delete()
    html = people.client("cleo").get("/clinic/").content.decode()
    assert "No patients yet." in html
    assert 'href="/clinic/invitations/"' in html
