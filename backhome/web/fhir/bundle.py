"""A person's record as a FHIR R4 ``collection`` Bundle (plain JSON; docs/fhir.md has the mapping).

``person_bundle(person)`` reads through ``selectors.person_record`` and only re-shapes what is stored:
no rule is judged here, no value is inferred, and a guest stays nameless (the Patient is known by the
installation's identifier). Every entry has a ``urn:uuid:`` full URL made from the installation's address
and the row it comes from (UUID version 5), so the same record always gives the same Bundle, apart from
its ``timestamp``. Entries come in a fixed order: Patient, clinics, then each screening (its answers,
pain scores, STarT Back result, referral) oldest first, the current CarePlan, each session with its pain
checks, each morning check-in with its pain scores, and the clinic's alerts.

The tests parse the whole Bundle, and each resource, with the R4B models of ``fhir.resources``; this
module does not import them (building plain dictionaries is several times faster).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone

from backhome.core.dose import describe_dose, dose_of, mode_name
from backhome.core.library.load import default_library
from backhome.core.model import Tier
from backhome.core.words import tier_text
from backhome.web.clinic.models import Alert, Clinic, OutcomeScore
from backhome.web.fhir.selectors import Record, person_record
from backhome.web.patient import questions
from backhome.web.patient.models import Person, Screening
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn
from backhome.web.progress.selectors import Programme

FHIR_JSON = "application/fhir+json"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
RFC3986 = "urn:ietf:rfc:3986"
#: backhome's own codes (exercise ids, alert kinds, the distal zone): local, documented in docs/fhir.md.
LOCAL_EXERCISE = "urn:backhome:exercise"
LOCAL_ALERT = "urn:backhome:alert-kind"
LOCAL_OBSERVATION = "urn:backhome:observation"

PAIN_SCORE = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
#: OM-02 and SB-06 totals (S39: as the CMS ACCESS Model and CQF CDS4CPM guides use them; the spec asks
#: to confirm them on loinc.org, so no display is sent that could disagree with LOINC's own).
ODI_TOTAL = {"system": LOINC, "code": "97908-8"}
STARTBACK_TOTAL = {"system": LOINC, "code": "91351-7"}
BODY_SITES = {
    "back": ({"system": SNOMED, "code": "37822005", "display": "Lower back structure"}, "Lower back"),
    "leg": ({"system": SNOMED, "code": "61685007", "display": "Lower limb structure"}, "Leg"),
}
EXERCISE_THERAPY = {"system": SNOMED, "code": "229065009", "display": "Exercise therapy"}
PHYSIO_REFERRAL = {"system": SNOMED, "code": "308447003", "display": "Referral to physiotherapist"}

#: STarT Back risk groups (SB-06: UK SNOMED CT extension codes as published by Keele; the displays are
#: ours, so none is sent) and the nearest code of FHIR's risk-probability system.
STARTBACK = {
    "low": ("945621000000107", "low", "Low"),
    "medium": ("45641000000100", "moderate", "Medium"),
    "high": ("45601000000103", "high", "High"),
}

#: A referral's urgency (clinical-spec B1) as a FHIR request priority: routine < urgent < asap < stat.
PRIORITY = {Tier.EMERGENCY: "stat", Tier.URGENT: "asap", Tier.SOON: "urgent", Tier.REFER: "routine"}

#: Keyed by the stored value (``ExerciseSession.status`` is the column's string).
SESSION_STATUS: dict[str, str] = {
    ExerciseSession.Status.FINISHED: "completed",
    ExerciseSession.Status.STOPPED: "stopped",
    ExerciseSession.Status.IN_PROGRESS: "in-progress",
}

ZONE_WORDS = {
    0: "No pain",
    1: "In the middle of the lower back",
    2: "On one side of the back or the buttock",
    3: "In the thigh, above the knee",
    4: "Below the knee",
    5: "In the foot or toes",
}
STIFFNESS_WORDS = {
    "none": "No morning stiffness",
    "under_30_min": "Stiff for less than 30 minutes",
    "30_min_or_more": "Stiff for 30 minutes or more",
}
CHECKIN_QUESTIONS = (
    ("back", "Back pain this morning, from 0 (none) to 10 (worst imaginable)"),
    ("leg", "Leg pain this morning, from 0 (none) to 10 (worst imaginable)"),
    ("zone", "How far the pain reaches"),
    ("stiffness", "Morning stiffness"),
)


def installation_url() -> str:
    """The site's public address (``BACKHOME_PUBLIC_URL``, Django's ``PUBLIC_URL``): the namespace of the
    ids in an export, whatever address or port the request came in on."""
    return str(getattr(settings, "PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def person_identifier_system() -> str:
    """The system of a Patient's identifier: the installation's address + ``/person``."""
    return f"{installation_url()}/person"


def person_bundle(person: Person, *, for_clinic: bool = False) -> dict[str, Any]:
    """Everything backhome keeps about this person that has a FHIR home, as a Bundle of type
    ``collection`` (plain JSON-able dictionaries). ``for_clinic``: the clinic's export, whose Patient
    also carries the name the clinic knows them by."""
    return _Builder(person_record(person), for_clinic=for_clinic).bundle()


def _instant(value: dt.datetime) -> str:
    """A stored time as FHIR ``dateTime``/``instant``: UTC, whole seconds, ``Z``."""
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _ref(url: str) -> dict[str, str]:
    return {"reference": url}


def _text(text: str) -> dict[str, str]:
    return {"text": text}


class _Builder:
    """Builds the entries of one person's Bundle, in order."""

    def __init__(self, record: Record, *, for_clinic: bool = False) -> None:
        self.record = record
        self.for_clinic = for_clinic
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"{installation_url()}/fhir")
        self.entries: list[dict[str, Any]] = []
        self.library = default_library()
        self.patient = self.url("Patient", record.person.pk)
        #: The QuestionnaireResponse and RiskAssessment of each screening (for the CarePlan's support).
        self.screening_refs: dict[int, list[str]] = {}

    # ------------------------------------------------------------------ plumbing

    def url(self, kind: str, key: object) -> str:
        return f"urn:uuid:{self.uuid(kind, key)}"

    def uuid(self, kind: str, key: object) -> uuid.UUID:
        return uuid.uuid5(self.namespace, f"{kind}/{key}")

    def add(self, url: str, resource: dict[str, Any]) -> str:
        resource = {
            "resourceType": resource.pop("resourceType"),
            "id": url.removeprefix("urn:uuid:"),
            **resource,
        }
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def bundle(self) -> dict[str, Any]:
        record = self.record
        self.add_patient()
        for screening in record.screenings:
            self.add_screening(screening)
        if record.programme is not None:
            self.add_care_plan(record.programme)
        for session in record.sessions:
            self.add_session(session)
        for checkin in record.checkins:
            self.add_checkin(checkin)
        for alert in record.alerts:
            self.add_flag(alert)
        for score in record.odi:
            self.add_odi(score)
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": _instant(timezone.now()),
            "entry": self.entries,
        }

    # ------------------------------------------------------------------ who

    def add_patient(self) -> None:
        record = self.record
        patient: dict[str, Any] = {
            "resourceType": "Patient",
            "identifier": [
                {
                    "use": "usual",
                    "type": _text("backhome person number"),
                    "system": person_identifier_system(),
                    "value": str(record.person.pk),
                }
            ],
            "active": True,
        }
        clinic = record.clinic
        if clinic is not None and clinic.identifier_system and record.record_number:
            # The clinic's own number for the patient, so its record system can match this export.
            patient["identifier"].append(
                {
                    "use": "official",
                    "type": _text(f"{clinic.name} record number"),
                    "system": clinic.identifier_system,
                    "value": record.record_number,
                    "assigner": _ref(self.url("Organization", clinic.pk)),
                }
            )
        if self.for_clinic and record.label:
            patient["name"] = [{"use": "usual", "text": record.label}]
        if record.email:
            patient["telecom"] = [{"system": "email", "value": record.email, "use": "home"}]
        if record.clinic is not None:
            patient["managingOrganization"] = _ref(self.url("Organization", record.clinic.pk))
        self.add(self.patient, patient)
        clinics = {record.clinic.pk: record.clinic} if record.clinic is not None else {}
        clinics.update({a.clinic.pk: a.clinic for a in record.alerts})
        for pk in sorted(clinics):
            self.add_organization(clinics[pk])

    def add_organization(self, clinic: Clinic) -> None:
        telecom = [
            {"system": system, "value": value}
            for system, value in (("phone", clinic.phone), ("email", clinic.email), ("url", clinic.url))
            if value
        ]
        organization: dict[str, Any] = {
            "resourceType": "Organization",
            "identifier": [{"system": f"{installation_url()}/clinic", "value": str(clinic.pk)}],
            "active": True,
            "name": clinic.name,
        }
        if telecom:
            organization["telecom"] = telecom
        self.add(self.url("Organization", clinic.pk), organization)

    # ------------------------------------------------------------------ screenings

    def add_screening(self, screening: Screening) -> None:
        decided = screening.decided_at is not None
        when = _instant(screening.decided_at or screening.created_at)
        answers_url = self.url("QuestionnaireResponse/screening", screening.pk)
        status = "in-progress" if not decided else ("completed" if screening.intake else "stopped")
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "identifier": {"system": f"{installation_url()}/screening", "value": str(screening.pk)},
            "status": status,
            "subject": _ref(self.patient),
            "authored": when,
            "author": _ref(self.patient),
            "source": _ref(self.patient),
        }
        items = _screening_items(screening.answers or {})
        if items:
            response["item"] = items
        self.add(answers_url, response)
        self.screening_refs[screening.pk] = [answers_url]
        answers = screening.answers or {}
        for site in ("back", "leg"):
            value = answers.get(f"pain.{site}")
            if isinstance(value, int) and not isinstance(value, bool):
                zone = answers.get("distal_zone") if site == "leg" else None
                self.add_pain(
                    f"screening/{screening.pk}/{site}",
                    site,
                    value,
                    when,
                    derived_from=answers_url,
                    zone=zone if isinstance(zone, int) else None,
                    final=decided,
                )
        decision = screening.decision or {}
        risk = decision.get("risk")
        support = [answers_url]
        if decided and isinstance(risk, dict) and risk.get("category") in STARTBACK:
            risk_url = self.add_risk(screening, risk, when, answers_url)
            support.append(risk_url)
            self.screening_refs[screening.pk].append(risk_url)
            if isinstance(risk.get("total"), int):
                self.add_score(
                    f"startback/{screening.pk}",
                    STARTBACK_TOTAL,
                    "STarT Back total score (0-9)",
                    int(risk["total"]),
                    when,
                    derived_from=answers_url,
                )
        if decided and screening.tier in PRIORITY:
            self.add_referral(screening, decision, when, support)

    def add_risk(self, screening: Screening, risk: dict[str, Any], when: str, basis: str) -> str:
        snomed, probability, words = STARTBACK[risk["category"]]
        return self.add(
            self.url("RiskAssessment", screening.pk),
            {
                "resourceType": "RiskAssessment",
                "status": "final",
                "code": _text("STarT Back risk group"),
                "method": _text(
                    "STarT Back Screening Tool (backhome's own wording of its nine item topics), "
                    "scored by clinical-spec SB-01 to SB-04"
                ),
                "subject": _ref(self.patient),
                "occurrenceDateTime": when,
                "basis": [_ref(basis)],
                "prediction": [
                    {
                        "outcome": _text("Persistent disabling back pain"),
                        "qualitativeRisk": {
                            "coding": [
                                {"system": SNOMED, "code": snomed},
                                {"system": RISK_PROBABILITY, "code": probability},
                            ],
                            "text": f"{words} risk (STarT Back)",
                        },
                        "rationale": (
                            f"Total score {int(risk['total'])} of 9; "
                            f"psychosocial subscore {int(risk['psychosocial'])} of 5."
                        ),
                    }
                ],
            },
        )

    def add_referral(
        self, screening: Screening, decision: dict[str, Any], when: str, support: list[str]
    ) -> None:
        tier = Tier(screening.tier)
        words = tier_text(tier)
        latest = self.latest_decided()
        code: dict[str, Any] = {"text": words.title}
        if tier == Tier.REFER:
            code["coding"] = [PHYSIO_REFERRAL]
        reasons = [
            _text(f"{r['text']} ({r['rule']})")
            for r in decision.get("reasons", [])
            if isinstance(r, dict) and r.get("text")
        ]
        request: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            # Only the latest result's advice stands; whether an earlier one was followed is not known.
            "status": "active" if latest is not None and latest.pk == screening.pk else "unknown",
            "intent": "proposal",
            "priority": PRIORITY[tier],
            "code": code,
            "subject": _ref(self.patient),
            "authoredOn": when,
            "supportingInfo": [_ref(url) for url in support],
            "patientInstruction": words.headline,
        }
        if reasons:
            request["reasonCode"] = reasons
        self.add(self.url("ServiceRequest", screening.pk), request)

    def latest_decided(self) -> Screening | None:
        decided = [s for s in self.record.screenings if s.decided_at is not None]
        return max(decided, key=lambda s: (s.decided_at, s.pk), default=None)

    # ------------------------------------------------------------------ the programme

    def add_care_plan(self, programme: Programme) -> None:
        screening = programme.screening
        activities = []
        for item in programme.items:
            exercise = self.library[item.exercise_id]  # a stored id the library no longer has is a bug
            mode = mode_name(item.dose.mode)
            name = f"{exercise.name} ({mode})" if mode else exercise.name
            detail: dict[str, Any] = {
                "code": {
                    "coding": [
                        {"system": LOCAL_EXERCISE, "code": item.exercise_id, "display": exercise.name}
                    ],
                    "text": name,
                },
                "status": "on-hold" if item.suspended else "in-progress",
                "description": describe_dose(item.dose),
            }
            if item.suspended and item.change is not None:
                reasons = [str(r.get("text", "")) for r in item.change.reasons or [] if isinstance(r, dict)]
                detail["statusReason"] = _text(" ".join(r for r in reasons if r) or "Stopped for now.")
            activities.append({"detail": detail})
        plan: dict[str, Any] = {
            "resourceType": "CarePlan",
            "status": "active",
            "intent": "plan",
            "category": [{"coding": [EXERCISE_THERAPY], "text": "Home exercise programme"}],
            "title": "Home exercise programme for low back pain",
            "subject": _ref(self.patient),
            "created": _instant(screening.decided_at or screening.created_at),
            "supportingInfo": [_ref(url) for url in self.screening_refs.get(screening.pk, [])],
            "activity": activities,
        }
        if not plan["supportingInfo"]:
            del plan["supportingInfo"]
        self.add(self.care_plan_url(), plan)

    def care_plan_url(self) -> str:
        programme = self.record.programme
        assert programme is not None
        return self.url("CarePlan", programme.screening.pk)

    # ------------------------------------------------------------------ sessions

    def add_session(self, session: ExerciseSession) -> None:
        url = self.url("Procedure", session.pk)
        procedure: dict[str, Any] = {
            "resourceType": "Procedure",
            "identifier": [{"system": RFC3986, "value": f"urn:uuid:{session.pk}"}],
            "status": SESSION_STATUS.get(session.status, "unknown"),
            "category": {"coding": [EXERCISE_THERAPY]},
            "code": {"coding": [EXERCISE_THERAPY], "text": "Home exercise session"},
            "subject": _ref(self.patient),
            "performedPeriod": {"start": _instant(session.started_at)},
        }
        programme = self.record.programme
        if programme is not None and session.screening_id == programme.screening.pk:
            procedure["basedOn"] = [_ref(self.care_plan_url())]
        if session.ended_at is not None:
            procedure["performedPeriod"]["end"] = _instant(session.ended_at)
        if session.status == ExerciseSession.Status.STOPPED:
            rules = ", ".join(str(r) for r in session.stop_rules or [])
            reason = session.stop_advice or "Stopped early."
            procedure["statusReason"] = _text(f"{reason} ({rules})" if rules else reason)
        notes = [_text(self.log_words(log)) for log in session.logs.all()]
        if notes:
            procedure["note"] = notes
        self.add(url, procedure)
        started = _instant(session.started_at)
        self.add_pain(f"session/{session.pk}/before/back", "back", session.before_back, started, part_of=url)
        self.add_pain(
            f"session/{session.pk}/before/leg",
            "leg",
            session.before_leg,
            started,
            part_of=url,
            zone=session.before_zone,
        )
        for log in session.logs.all():
            if log.after_back is None or log.after_leg is None:
                continue
            when = _instant(log.created_at)
            self.add_pain(f"log/{log.pk}/back", "back", log.after_back, when, part_of=url)
            self.add_pain(f"log/{log.pk}/leg", "leg", log.after_leg, when, part_of=url, zone=log.after_zone)

    def log_words(self, log: ExerciseLog) -> str:
        exercise = self.library.get(log.exercise_id)
        name = exercise.name if exercise is not None else log.exercise_id
        words = f"{log.position}. {name}: {describe_dose(dose_of(log))}."
        if log.skipped:
            return f"{words} Skipped."
        words += f" {log.sets_done} of {log.sets} set{'s' if log.sets != 1 else ''} done."
        if log.light:
            words += f" Light: {log.light}."
        return words

    # ------------------------------------------------------------------ check-ins

    def add_checkin(self, checkin: CheckIn) -> None:
        url = self.url("QuestionnaireResponse/check-in", checkin.pk)
        when = _instant(checkin.created_at)
        values: dict[str, dict[str, Any]] = {
            "back": {"valueInteger": int(checkin.back)},
            "leg": {"valueInteger": int(checkin.leg)},
            "zone": {"valueCoding": {"code": str(checkin.zone), "display": ZONE_WORDS.get(checkin.zone, "")}},
            "stiffness": {
                "valueCoding": {
                    "code": checkin.stiffness,
                    "display": STIFFNESS_WORDS.get(checkin.stiffness, ""),
                }
            },
        }
        for value in values.values():
            coding = value.get("valueCoding")
            if coding is not None and not coding["display"]:
                del coding["display"]
        self.add(
            url,
            {
                "resourceType": "QuestionnaireResponse",
                "identifier": {"system": RFC3986, "value": f"urn:uuid:{checkin.pk}"},
                "status": "completed",
                "subject": _ref(self.patient),
                "authored": when,
                "author": _ref(self.patient),
                "source": _ref(self.patient),
                "item": [
                    {"linkId": link, "text": text, "answer": [values[link]]}
                    for link, text in CHECKIN_QUESTIONS
                ],
            },
        )
        self.add_pain(f"check-in/{checkin.pk}/back", "back", checkin.back, when, derived_from=url)
        self.add_pain(
            f"check-in/{checkin.pk}/leg", "leg", checkin.leg, when, derived_from=url, zone=checkin.zone
        )

    # ------------------------------------------------------------------ pain scores

    def add_pain(
        self,
        key: str,
        site: str,
        value: int,
        when: str,
        *,
        part_of: str | None = None,
        derived_from: str | None = None,
        zone: int | None = None,
        final: bool = True,
    ) -> None:
        """One 0-10 pain score (LOINC 72514-3), its body site telling back from leg. The leg's score
        carries the most distal zone (DPT-03) as a component, when it was asked with it."""
        coding, words = BODY_SITES[site]
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final" if final else "preliminary",
            "category": [
                {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
            ],
            "code": {"coding": [PAIN_SCORE], "text": f"{words} pain (0-10)"},
            "subject": _ref(self.patient),
            "effectiveDateTime": when,
            "performer": [_ref(self.patient)],
            "valueInteger": int(value),
            "bodySite": {"coding": [coding], "text": words},
        }
        if part_of is not None:
            observation["partOf"] = [_ref(part_of)]
        if derived_from is not None:
            observation["derivedFrom"] = [_ref(derived_from)]
        if zone is not None:
            observation["component"] = [
                {
                    "code": {
                        "coding": [
                            {
                                "system": LOCAL_OBSERVATION,
                                "code": "distal-zone",
                                "display": "Most distal symptom location (0-5)",
                            }
                        ],
                        "text": "How far the pain reaches",
                    },
                    "valueCodeableConcept": {
                        "coding": [{"system": f"{LOCAL_OBSERVATION}:distal-zone", "code": str(int(zone))}],
                        "text": ZONE_WORDS.get(int(zone), f"Zone {int(zone)}"),
                    },
                }
            ]
        self.add(self.url("Observation", key), observation)

    def add_score(
        self,
        key: str,
        code: dict[str, str],
        text: str,
        value: int,
        when: str,
        *,
        derived_from: str | None = None,
    ) -> str:
        """One questionnaire total as an Observation with its LOINC code (OM-09)."""
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
            ],
            "code": {"coding": [code], "text": text},
            "subject": _ref(self.patient),
            "effectiveDateTime": when,
            "valueInteger": value,
        }
        if derived_from is not None:
            observation["derivedFrom"] = [_ref(derived_from)]
        return self.add(self.url("Observation", key), observation)

    def add_odi(self, score: OutcomeScore) -> None:
        """An ODI total a clinician entered (OM-02: the score, never the items), LOINC 97908-8."""
        url = self.add_score(
            f"odi/{score.pk}",
            ODI_TOTAL,
            "Oswestry Disability Index total (0-100)",
            int(score.value),
            score.measured_on.isoformat(),
        )
        entry = self.entries[-1]["resource"]
        assert entry["id"] == url.removeprefix("urn:uuid:")
        entry["performer"] = [_ref(self.url("Organization", score.clinic_id))]
        if self.record.clinic is None or self.record.clinic.pk != score.clinic_id:
            del entry["performer"]  # a clinic the person has left is not in the Bundle

    # ------------------------------------------------------------------ alerts

    def add_flag(self, alert: Alert) -> None:
        period = {"start": _instant(alert.created_at)}
        if alert.acknowledged_at is not None:
            period["end"] = _instant(alert.acknowledged_at)
        self.add(
            self.url("Flag", alert.pk),
            {
                "resourceType": "Flag",
                "status": "active" if alert.acknowledged_at is None else "inactive",
                "category": [
                    {"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}
                ],
                "code": {
                    "coding": [
                        {"system": LOCAL_ALERT, "code": alert.kind, "display": Alert.Kind(alert.kind).label}
                    ],
                    "text": alert.text,
                },
                "subject": _ref(self.patient),
                "period": period,
                "author": _ref(self.url("Organization", alert.clinic_id)),
            },
        )


# ---------------------------------------------------------------------- screening answers


def _screening_items(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """One item per answer given, in the order of the questions (linkId = the question's id, the
    intake path); an answer to no known question comes last, by its path."""
    asked = {q.field: q for step in questions.screening().steps for q in step.questions}
    order = [f for f in asked if f in answers] + sorted(f for f in answers if f not in asked)
    items = []
    for field in order:
        question = asked.get(field)
        value = _answer(answers[field], question)
        if value is None:
            continue
        item: dict[str, Any] = {"linkId": field}
        if question is not None:
            item["text"] = question.text
        item["answer"] = [value]
        items.append(item)
    return items


def _answer(value: object, question: questions.Question | None) -> dict[str, Any] | None:
    if question is not None and question.options:
        words = {str(o.value): o.text for o in question.options}
        code = _code(value)
        coding: dict[str, Any] = {"code": code}
        if code in words:
            coding["display"] = words[code]
        return {"valueCoding": coding}
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    if isinstance(value, str) and value:
        return {"valueString": value}
    return None


def _code(value: object) -> str:
    """An answer's option value as a code: 3.0 and 3 are the same option ("3")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
