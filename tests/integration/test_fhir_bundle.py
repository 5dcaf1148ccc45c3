"""A person's record as a FHIR R4 Bundle (docs/fhir.md): Dana with sessions, check-ins and a referral,
Walt, a guest with nothing done, and a person with a clinic alert. Every Bundle is parsed with the R4B
models of fhir.resources, as a whole and resource by resource (tests/integration/fhir_checks.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backhome.core.dose import describe_dose
from backhome.core.library.load import default_library
from backhome.web.clinic.alerts import alert_acknowledge
from backhome.web.clinic.models import Alert, Membership
from backhome.web.fhir.bundle import person_bundle
from backhome.web.patient import services
from backhome.web.patient.models import Person, Screening
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.selectors import current_programme
from tests.integration.clinic_people import cast
from tests.integration.fhir_checks import BACK, LEG, by_url, of_type, site, validated
from tests.integration.people import DANA_WEB, WALT_WEB, person_with_plan
from tests.integration.progress_builders import (
    checked_in,
    days_ago,
    person_started,
    session_done,
    three_green_days,
    today,
)
from tests.integration.screening_helpers import flat

pytestmark = pytest.mark.django_db

PAIN_CODE = "72514-3"


def rescreened_at_medium_risk(person: Person) -> Screening:
    """Dana answers the questions again, now agreeing with five of the risk topics (STarT Back total 5,
    psychosocial 1: medium risk, so "see a physical therapist" as well, SB-11)."""
    answers = flat(DANA_WEB)
    for item in range(5):
        answers[f"startback.agree.{item}"] = True
    services.screening_save_answers(person=person, step_id="bladder-bowel", answers=answers)
    screening, _ = services.screening_submit(person=person)
    return screening


def dana_with_a_history() -> tuple[Person, Screening]:
    """Dana: three green days and this morning's check-in on her first plan, then a new screening that
    refers her to a physical therapist."""
    dana, _ = person_started(days=3)
    three_green_days(dana)
    checked_in(dana, today())
    return dana, rescreened_at_medium_risk(dana)


def pain_scores(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        o for o in of_type(bundle, "Observation") if any(c["code"] == PAIN_CODE for c in o["code"]["coding"])
    ]


def test_danas_record_with_sessions_check_ins_and_a_referral_is_a_valid_r4_collection_bundle() -> None:
    dana, referral = dana_with_a_history()
    assert referral.tier == "refer"
    bundle = validated(person_bundle(dana))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Patient"
    assert {"QuestionnaireResponse", "Observation", "RiskAssessment", "ServiceRequest", "CarePlan"} <= set(
        kinds
    )
    assert kinds.count("Procedure") == 3
    assert kinds.count("CarePlan") == 1
    json.dumps(bundle)  # plain JSON, nothing else


def test_the_patient_is_known_by_the_installations_identifier_and_never_given_a_name() -> None:
    guest = Person.objects.create()
    bundle = validated(person_bundle(guest))
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"][0]["system"] == "http://127.0.0.1:8000/person"
    assert patient["identifier"][0]["value"] == str(guest.pk)
    assert "name" not in patient and "gender" not in patient and "birthDate" not in patient


def test_the_identifier_follows_the_public_address_of_the_installation(settings: Any) -> None:
    settings.PUBLIC_URL = "https://backhome.clinic.example"  # BACKHOME_PUBLIC_URL, read at start
    guest = Person.objects.create()
    patient = validated(person_bundle(guest))["entry"][0]["resource"]
    assert patient["identifier"][0]["system"] == "https://backhome.clinic.example/person"


def test_the_careplan_has_one_activity_per_exercise_at_its_current_dose() -> None:
    dana, _ = person_started(days=3)
    three_green_days(dana)
    checked_in(dana, today())
    programme = current_programme(dana)
    assert programme is not None
    assert programme.changes, "the morning check-in changed a dose"
    [plan] = of_type(validated(person_bundle(dana)), "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"
    library = default_library()
    assert [a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"]] == [
        i.exercise_id for i in programme.items
    ]
    assert [a["detail"]["description"] for a in plan["activity"]] == [
        describe_dose(i.dose) for i in programme.items
    ]
    assert [a["detail"]["code"]["coding"][0]["display"] for a in plan["activity"]] == [
        library[i.exercise_id].name for i in programme.items
    ]
    starting = {i.exercise_id: i for i in programme.screening.items.all()}
    moved = [
        i
        for i in programme.items
        if describe_dose(i.dose) != describe_dose(_dose(starting[i.plan_exercise_id]))
    ]
    assert moved, "at least one activity shows a dose other than the starting one"


def _dose(item: Any) -> Any:
    from backhome.core.model import Dose

    return Dose(item.sets, item.reps, item.hold_s, item.per_side, item.mode or None)


def test_walts_careplan_is_his_flexion_programme() -> None:
    walt, screening = person_with_plan(WALT_WEB)
    bundle = validated(person_bundle(walt))
    [plan] = of_type(bundle, "CarePlan")
    ids = [a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"]]
    assert ids == [i.exercise_id for i in screening.items.order_by("position")]
    assert any("knee-to-chest" in i for i in ids)
    assert all(a["detail"]["status"] == "in-progress" for a in plan["activity"])
    # Stenosis: Walt may start, and a licensed physical therapist should also see him.
    assert screening.tier == "refer"
    [request] = of_type(bundle, "ServiceRequest")
    assert (request["status"], request["priority"]) == ("active", "routine")
    assert request["code"]["coding"][0]["code"] == "308447003"


def test_every_pain_score_is_loinc_72514_3_with_back_and_leg_told_apart_by_body_site() -> None:
    dana, _ = dana_with_a_history()
    bundle = validated(person_bundle(dana))
    scores = pain_scores(bundle)
    sessions = ExerciseSession.objects.filter(person=dana).prefetch_related("logs")
    checks = sum(1 + sum(1 for log in s.logs.all() if log.after_back is not None) for s in sessions)
    mornings = dana.checkins.count()
    screenings = 2
    assert len(scores) == 2 * (checks + mornings + screenings)
    assert {site(o) for o in scores} == {BACK, LEG}
    assert sum(site(o) == BACK for o in scores) == sum(site(o) == LEG for o in scores)
    for o in scores:
        assert isinstance(o["valueInteger"], int) and 0 <= o["valueInteger"] <= 10
        assert o["effectiveDateTime"].endswith("Z")
        assert o["category"][0]["coding"][0]["code"] == "survey"


def test_each_pain_score_names_the_session_check_in_or_screening_it_came_from() -> None:
    dana, _ = dana_with_a_history()
    bundle = validated(person_bundle(dana))
    resources = by_url(bundle)
    origins = []
    for o in pain_scores(bundle):
        [link] = o.get("partOf", []) + o.get("derivedFrom", [])
        origins.append(resources[link["reference"]])
    procedures = [r for r in origins if r["resourceType"] == "Procedure"]
    answers = [r for r in origins if r["resourceType"] == "QuestionnaireResponse"]
    assert len(procedures) + len(answers) == len(origins)
    session_ids = {f"urn:uuid:{s.pk}" for s in ExerciseSession.objects.filter(person=dana)}
    assert {p["identifier"][0]["value"] for p in procedures} == session_ids
    checkin_ids = {f"urn:uuid:{c.pk}" for c in dana.checkins.all()}
    assert {
        a["identifier"]["value"] for a in answers if a["identifier"]["system"] == "urn:ietf:rfc:3986"
    } == (checkin_ids)


def test_a_sessions_before_check_is_its_start_and_the_leg_score_carries_how_far_the_pain_reaches() -> None:
    dana, _ = person_started(days=3)
    three_green_days(dana)
    session = ExerciseSession.objects.filter(person=dana).order_by("started_at").first()
    assert session is not None
    bundle = validated(person_bundle(dana))
    [procedure] = [
        p for p in of_type(bundle, "Procedure") if p["identifier"][0]["value"] == f"urn:uuid:{session.pk}"
    ]
    url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is procedure)
    mine = [o for o in pain_scores(bundle) if o.get("partOf") == [{"reference": url}]]
    before = [o for o in mine if o["effectiveDateTime"] == procedure["performedPeriod"]["start"]]
    assert {(site(o), o["valueInteger"]) for o in before} >= {
        (BACK, session.before_back),
        (LEG, session.before_leg),
    }
    legs = [o for o in mine if site(o) == LEG]
    assert all(o["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "3" for o in legs)
    assert all("component" not in o for o in mine if site(o) == BACK)


def test_sessions_are_procedures_completed_or_stopped_and_based_on_the_current_plan() -> None:
    dana, _ = person_started(days=3)
    three_green_days(dana)
    stopped = ExerciseSession.objects.filter(person=dana).order_by("started_at").last()
    assert stopped is not None
    stopped.status = ExerciseSession.Status.STOPPED
    stopped.stop_rules = ["PM-12"]
    stopped.stop_advice = "Your back pain went up by 2 or more. Stop for today."
    stopped.save()
    bundle = validated(person_bundle(dana))
    [plan_url] = [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    procedures = of_type(bundle, "Procedure")
    assert [p["status"] for p in procedures] == ["completed", "completed", "stopped"]
    assert all(p["basedOn"] == [{"reference": plan_url}] for p in procedures)
    assert all(p["code"]["coding"][0]["code"] == "229065009" for p in procedures)
    assert procedures[-1]["statusReason"]["text"] == f"{stopped.stop_advice} (PM-12)"
    assert procedures[0]["note"][0]["text"].startswith("1. ")


def test_screening_answers_are_a_questionnaire_response_with_a_link_id_per_question() -> None:
    dana, screening = person_with_plan()
    bundle = validated(person_bundle(dana))
    [response] = of_type(bundle, "QuestionnaireResponse")
    assert response["status"] == "completed"
    answers = {item["linkId"]: item["answer"][0] for item in response["item"]}
    assert set(answers) == set(screening.answers)
    assert answers["pain.back"] == {"valueInteger": screening.answers["pain.back"]}
    assert answers["history.disc_herniation"] == {"valueBoolean": True}
    assert answers["startback.bothersome"]["valueCoding"]["code"] == "slightly"
    assert all(item["text"] for item in response["item"])


def test_the_startback_result_is_a_risk_assessment_coded_as_keele_publishes_it() -> None:
    dana, referral = dana_with_a_history()
    bundle = validated(person_bundle(dana))
    low, medium = of_type(bundle, "RiskAssessment")
    assert low["prediction"][0]["qualitativeRisk"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "945621000000107",
    }
    assert medium["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "45641000000100"
    assert medium["prediction"][0]["rationale"] == "Total score 5 of 9; psychosocial subscore 1 of 5."
    assert referral.decision["risk"]["category"] == "medium"
    answers_of = {r["basis"][0]["reference"] for r in (low, medium)}
    assert all(by_url(bundle)[url]["resourceType"] == "QuestionnaireResponse" for url in answers_of)


def test_a_referral_is_a_proposed_service_request_with_the_decisions_reasons() -> None:
    dana, referral = dana_with_a_history()
    bundle = validated(person_bundle(dana))
    [request] = of_type(bundle, "ServiceRequest")
    assert request["status"] == "active"
    assert request["intent"] == "proposal"
    assert request["priority"] == "routine"
    assert request["code"]["coding"][0]["code"] == "308447003"
    texts = [r["text"] for r in request["reasonCode"]]
    assert texts == [f"{r['text']} ({r['rule']})" for r in referral.decision["reasons"]]
    kinds = {by_url(bundle)[s["reference"]]["resourceType"] for s in request["supportingInfo"]}
    assert kinds == {"QuestionnaireResponse", "RiskAssessment"}


def test_an_emergency_stop_is_a_stopped_questionnaire_and_a_stat_referral_with_no_plan() -> None:
    person = Person.objects.create()
    services.screening_save_answers(
        person=person, step_id="bladder-bowel", answers={"symptoms.bladder_change": True}
    )
    person.refresh_from_db()
    assert person.locked
    bundle = validated(person_bundle(person))
    [response] = of_type(bundle, "QuestionnaireResponse")
    assert response["status"] == "stopped"
    [request] = of_type(bundle, "ServiceRequest")
    assert (request["priority"], request["status"]) == ("stat", "active")
    assert not of_type(bundle, "CarePlan") and not of_type(bundle, "RiskAssessment")


def test_a_clinic_alert_is_a_flag_active_until_a_clinician_acknowledges_it() -> None:
    people = cast()
    alert = Alert.objects.create(
        clinic=people.riverside,
        person=people.dana,
        kind=Alert.Kind.RED_STOP,
        key="test",
        rules=["PM-12"],
        text="Dana stopped a session: back pain went up.",
    )
    bundle = validated(person_bundle(people.dana))
    [flag] = of_type(bundle, "Flag")
    assert flag["status"] == "active"
    assert flag["code"]["coding"][0]["code"] == "red_stop"
    assert flag["code"]["text"] == alert.text
    [clinic] = of_type(bundle, "Organization")
    assert clinic["name"] == "Riverside" or clinic["name"] == people.riverside.name
    assert by_url(bundle)[flag["author"]["reference"]] is clinic
    patient = of_type(bundle, "Patient")[0]
    assert by_url(bundle)[patient["managingOrganization"]["reference"]] is clinic

    alert_acknowledge(
        membership=Membership.objects.get(user=people.cleo), alert_id=alert.pk, note="Called her."
    )
    [flag] = of_type(validated(person_bundle(people.dana)), "Flag")
    assert flag["status"] == "inactive"
    assert "end" in flag["period"]


def test_the_same_record_gives_the_same_bundle_but_for_its_timestamp() -> None:
    dana, _ = dana_with_a_history()
    first, second = person_bundle(dana), person_bundle(dana)
    first.pop("timestamp"), second.pop("timestamp")
    assert first == second
    walt, _ = person_with_plan(WALT_WEB)
    walts = {e["fullUrl"] for e in person_bundle(walt)["entry"]}
    assert not walts & {e["fullUrl"] for e in first["entry"]}


def test_entries_come_oldest_first_within_each_kind() -> None:
    dana, _ = dana_with_a_history()
    bundle = person_bundle(dana)
    starts = [p["performedPeriod"]["start"] for p in of_type(bundle, "Procedure")]
    assert starts == sorted(starts)
    authored = [q["authored"] for q in of_type(bundle, "QuestionnaireResponse")]
    screening_times = authored[:2]
    assert screening_times == sorted(screening_times)


def test_the_bundle_takes_the_same_number_of_queries_for_three_sessions_as_for_thirty() -> None:
    few, _ = person_started(days=3)
    three_green_days(few)
    many, _ = person_started(days=3)
    for day in range(3):
        checked_in(many, days_ago(day))
        for _ in range(10):
            session_done(many, days_ago(day))
    counts = []
    for person in (few, many):
        person = Person.objects.get(pk=person.pk)
        with CaptureQueriesContext(connection) as queries:
            person_bundle(person)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


def test_times_are_utc_to_the_second() -> None:
    dana, screening = person_with_plan()
    moment = timezone.make_aware(dt.datetime(2025, 3, 4, 5, 6, 7, 891011), dt.UTC)
    Screening.objects.filter(pk=screening.pk).update(decided_at=moment)
    [response] = of_type(person_bundle(dana), "QuestionnaireResponse")
    assert response["authored"] == "2025-03-04T05:06:07Z"


def test_an_earlier_referral_is_of_unknown_status_once_a_later_result_replaces_it() -> None:
    dana, _ = person_started(days=3)
    rescreened_at_medium_risk(dana)
    services.screening_save_answers(person=dana, step_id="bladder-bowel", answers=flat(DANA_WEB))
    services.screening_submit(person=dana)
    [request] = of_type(validated(person_bundle(dana)), "ServiceRequest")
    assert request["status"] == "unknown"
