"""The clinicians' CSV export (/clinic/export.csv): adherence and outcomes of the clinic's own patients,
for a spreadsheet; nobody else's patients; audited; a constant number of queries; no formula runs."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from backhome.web.clinic.models import AuditEvent, Enrolment
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseSession
from tests.integration.clinic_builders import (
    alert_for,
    count_queries,
    joined_days_ago,
    patient_like,
    practised,
)
from tests.integration.clinic_people import cast
from tests.integration.history_builders import checkin_on, session_on

pytestmark = pytest.mark.django_db


def table(client: Client) -> list[dict[str, str]]:
    response = client.get("/clinic/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="backhome-patients-')
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_cleo_downloads_danas_adherence_and_outcomes() -> None:
    people = cast()
    joined_days_ago(people.dana, 40)
    practised(people.dana, days=[0, 1, 2, 3, 10, 20], back=4, leg=2)
    today = timezone.localdate()
    checkin_on(people.dana, today, back=2, leg=1)
    session_on(
        people.dana, today - dt.timedelta(days=5), status=ExerciseSession.Status.STOPPED, stop_rules=["PM-11"]
    )
    alert_for(people.dana, people.riverside, "one")
    alert_for(people.dana, people.riverside, "two", open_=False)

    (dana,) = table(people.client("cleo"))
    assert dana["Patient"] == "Dana"
    assert dana["Emergency lock"] == "no"
    # Last 7 days: today, 1, 2, 3 and the stopped session 5 days ago = 5 of 7.
    assert (dana["Sessions done, last 7 days"], dana["Sessions planned, last 7 days"]) == ("5", "7")
    assert dana["Adherence %, last 7 days"] == "71"
    assert (dana["Sessions done, last 28 days"], dana["Sessions planned, last 28 days"]) == ("7", "28")
    assert dana["Adherence %, last 28 days"] == "25"
    intake = people.dana.screenings.get().intake
    assert dana["Back pain at first screening"] == str(intake["pain"]["back"])
    assert dana["Leg pain at first screening"] == str(intake["pain"]["leg"])
    # The morning check-in wins over the session's before-check on the same day.
    assert (dana["Back pain latest"], dana["Leg pain latest"]) == ("2", "1")
    assert dana["Back pain change"] == str(2 - intake["pain"]["back"])
    assert dana["Leg pain change"] == str(1 - intake["pain"]["leg"])
    assert dana["Back pain verdict (OM-01)"] in ("a real improvement", "lower, not yet a real change")
    assert dana["Latest pain score on"] == today.isoformat()
    assert dana["Sessions stopped by a stop rule, last 28 days"] == "1"
    assert dana["Sessions stopped by a stop rule, all time"] == "1"
    assert dana["Open alerts"] == "1"
    assert dana["Last activity"] == today.isoformat()


def test_a_patient_who_joined_three_days_ago_is_planned_three_days_not_seven() -> None:
    people = cast()
    joined_days_ago(people.dana, 2)
    practised(people.dana, days=[0, 1, 5])  # the session 5 days ago was before she joined
    (dana,) = table(people.client("cleo"))
    assert (dana["Sessions done, last 7 days"], dana["Sessions planned, last 7 days"]) == ("2", "3")
    assert (dana["Sessions done, last 28 days"], dana["Sessions planned, last 28 days"]) == ("2", "3")


def test_a_patient_with_no_session_yet_has_empty_outcome_cells() -> None:
    people = cast()
    (walt,) = table(people.client("yusuf"))
    assert walt["Patient"] == "Walt"
    assert walt["Back pain latest"] == "" and walt["Back pain change"] == ""
    assert walt["Last activity"] == ""
    assert walt["Back pain verdict (OM-01)"] == "no pain score since screening"


def test_each_clinic_gets_only_its_own_patients() -> None:
    people = cast()
    assert [row["Patient"] for row in table(people.client("cleo"))] == ["Dana"]
    assert [row["Patient"] for row in table(people.client("ada"))] == ["Dana"]
    assert [row["Patient"] for row in table(people.client("yusuf"))] == ["Walt"]


@pytest.mark.parametrize("persona", ["dana", "walt", "anonymous"])
def test_patients_and_visitors_are_sent_to_the_login_page(persona: str) -> None:
    people = cast()
    response = people.client(persona).get("/clinic/export.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_the_site_admin_without_a_clinic_gets_403_and_no_data() -> None:
    people = cast()
    response = people.client("sam").get("/clinic/export.csv")
    assert response.status_code == 403
    assert b"Dana" not in response.content


def test_the_export_is_in_the_audit_log() -> None:
    people = cast()
    table(people.client("cleo"))
    event = AuditEvent.objects.get(action="export")
    assert (event.clinic_id, event.user_id) == (people.riverside.pk, people.cleo.pk)
    assert event.what == "CSV export: adherence and outcomes of 1 patient"


@pytest.mark.parametrize(
    "label",
    ['=HYPERLINK("http://evil.example")', "+1+2", "-2+3", "@SUM(A1:A2)", "\tcmd", "\r=1"],
)
def test_a_label_that_a_spreadsheet_would_run_is_written_as_text(label: str) -> None:
    people = cast()
    Enrolment.objects.filter(person=people.dana).update(label=label)
    (dana,) = table(people.client("cleo"))
    assert dana["Patient"] == "'" + label


def test_negative_changes_stay_numbers() -> None:
    people = cast()
    practised(people.dana, days=[0], back=0, leg=0)
    (dana,) = table(people.client("cleo"))
    assert dana["Back pain change"].startswith("-") and int(dana["Back pain change"]) < 0


def test_the_export_runs_the_same_number_of_queries_for_2_and_22_patients() -> None:
    people = cast()
    cleo = people.client("cleo")
    cleo.get("/clinic/")  # the session and the clinician's own person exist from here on
    few = count_queries(lambda: cleo.get("/clinic/export.csv"))
    for number in range(20):
        person = patient_like(people.dana, people.riverside, f"P{number:02d}")
        joined_days_ago(person, 3 + number * 2)  # some inside the 7- and 28-day windows, some before
        practised(person, days=[0, 1, 4, 9], checkin_back=3 if number % 2 else None)
        if number % 3 == 0:
            alert_for(person, people.riverside, f"k{number}")
    many = count_queries(lambda: cleo.get("/clinic/export.csv"))
    assert len(table(cleo)) == 21
    assert few == many
    # The user, their person, the membership; the export's three reads (the rows, the recent sessions,
    # the clinicians' overrides); the audit row and the session's new expiry (each in a savepoint under
    # the test's transaction).
    assert many <= 12


def test_the_patient_list_links_to_the_export() -> None:
    people = cast()
    page = people.client("cleo").get("/clinic/").content.decode()
    assert 'href="/clinic/export.csv"' in page


def test_a_person_who_left_the_clinic_is_not_in_its_export() -> None:
    people = cast()
    Enrolment.objects.filter(person=people.dana).delete()
    assert table(people.client("cleo")) == []
    assert Person.objects.filter(pk=people.dana.pk).exists()
