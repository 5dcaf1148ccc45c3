"""Outcomes at a glance (B28) on a patient's page and in the CSV: pain over the weeks, the ODI total a
clinician enters (OM-02, the score only), STarT Back in the clinician's words and visible, adherence and
OM-08's improvement flag, without a query per score."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from backhome.web.clinic.models import AuditEvent, OutcomeScore
from backhome.web.patient.models import Screening
from tests.integration.clinic_builders import count_queries, practised
from tests.integration.clinic_people import Cast, cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> Cast:
    return cast()


def set_risk(people: Cast, category: str) -> None:
    screening = Screening.objects.get(person=people.dana)
    decision = dict(screening.decision or {})
    decision["risk"] = {"tool": "startback", "total": 7, "psychosocial": 5, "category": category}
    Screening.objects.filter(pk=screening.pk).update(decision=decision)


def test_cleo_enters_an_odi_total_and_sees_it_with_the_other_outcomes(people: Cast) -> None:
    cleo = people.client("cleo")
    response = cleo.post(f"/clinic/patients/{people.dana.pk}/odi/", {"odi": "42", "odi_on": ""})
    assert response.status_code == 302 and response["Location"].endswith("#outcomes")
    cleo.post(f"/clinic/patients/{people.dana.pk}/odi/", {"odi": "30"})
    page = cleo.get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    section = page[page.index('id="outcomes"') : page.index("</section>", page.index('id="outcomes"'))]
    assert "Outcomes at a glance" in section
    assert "42 on" in section and "→ 30 on" in section
    assert "Improvement (OM-08)" in section and "Adherence" in section and "PSFS" in section
    assert AuditEvent.objects.filter(user_id=people.cleo.pk, what="ODI total entered: 42").exists()


@pytest.mark.parametrize("value", ["101", "-1", "4.5", "", "forty"])
def test_an_odi_outside_0_to_100_is_refused_naming_the_field(people: Cast, value: str) -> None:
    response = people.client("cleo").post(f"/clinic/patients/{people.dana.pk}/odi/", {"odi": value})
    assert response.status_code == 400
    assert "The ODI total is a whole number from 0 to 100" in response.content.decode()
    assert not OutcomeScore.objects.exists()


def test_yusuf_cannot_enter_an_odi_for_danas_clinic(people: Cast) -> None:
    assert (
        people.client("yusuf").post(f"/clinic/patients/{people.dana.pk}/odi/", {"odi": "40"}).status_code
        == 404
    )
    assert not OutcomeScore.objects.exists()


def test_a_high_startback_result_is_visible_in_the_clinicians_words(people: Cast) -> None:
    set_risk(people, "high")
    page = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    start = page.index('id="startback"')
    shown = page[start : page.index("</dd>", start)]
    assert "High risk of a poor outcome: psychosocial factors are prominent" in shown
    assert "total 7 of 9, psychosocial 5 of 5" in shown and "tag danger" in shown


def test_the_csv_carries_odi_startback_and_the_improvement_flag(people: Cast) -> None:
    set_risk(people, "medium")
    OutcomeScore.objects.create(
        person=people.dana,
        clinic=people.riverside,
        instrument="odi",
        value=44,
        measured_on=timezone.localdate(),
        entered_by_id=people.cleo.pk,
    )
    text = people.client("cleo").get("/clinic/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    (dana,) = rows
    assert dana["ODI total, first entered"] == "44" and dana["ODI total, latest"] == "44"
    assert dana["STarT Back risk"] == "Medium risk of a poor outcome: physical factors"
    assert dana["Improvement (OM-08)"]


def test_odi_scores_add_no_query_per_score(people: Cast) -> None:
    cleo = people.client("cleo")
    practised(people.dana, days=[1, 2], checkin_back=3)
    cleo.get(f"/clinic/patients/{people.dana.pk}/")
    few = count_queries(lambda: cleo.get(f"/clinic/patients/{people.dana.pk}/"))
    for value in range(20):
        OutcomeScore.objects.create(
            person=people.dana,
            clinic=people.riverside,
            instrument="odi",
            value=value,
            measured_on=timezone.localdate(),
            entered_by_id=people.cleo.pk,
        )
    assert count_queries(lambda: cleo.get(f"/clinic/patients/{people.dana.pk}/")) == few
