"""The public part of the API: the exercise library, and triage with the same decision as the CLI and the
web screening, rate limited per client address (issue 6 item 1, issue 7 item 5)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from django.core.cache import caches
from django.test import Client

from backhome.core import schemas
from backhome.core.library.load import default_library
from backhome.web.patient.models import Person, Screening
from tests.builders import EXAMPLES, intake_doc
from tests.cli.helpers import run
from tests.integration.api_helpers import assert_envelope, post_json
from tests.integration.screening_helpers import DANA_WEB, WALT_WEB, walk

pytestmark = pytest.mark.django_db
DECISION_SCHEMA = schemas.load("decision")
HIGH_RISK = {"agree": [True] * 8, "bothersome": "extremely"}


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    caches["shared"].clear()


def test_the_library_lists_all_nine_exercises_with_their_steps_and_dose_ranges(client: Client) -> None:
    response = client.get("/api/v1/library")
    assert response.status_code == 200
    exercises = response.json()["exercises"]
    assert [e["id"] for e in exercises] == list(default_library().ids)
    press_up = next(e for e in exercises if e["id"] == "prone-press-up")
    assert (
        press_up["steps"] and press_up["dose_range"]["reps"]["max"] >= press_up["dose_range"]["reps"]["min"]
    )


def test_one_exercise_by_its_id_and_an_unknown_id_is_not_found(client: Client) -> None:
    assert client.get("/api/v1/library/cat-camel").json()["name"] == default_library()["cat-camel"].name
    assert_envelope(client.get("/api/v1/library/no-such-stretch"), 404, "not_found")


def _web_decision(doc: dict[str, Any]) -> dict[str, Any]:
    client = Client()
    walk(client, doc)
    screening = Screening.objects.exclude(decided_at=None).latest("decided_at")
    return dict(screening.decision)


@pytest.mark.parametrize(
    "doc",
    [
        DANA_WEB,
        WALT_WEB,
        intake_doc(DANA_WEB, startback=HIGH_RISK),
        intake_doc(WALT_WEB, startback=HIGH_RISK),
    ],
    ids=["dana", "walt", "dana-high-risk", "walt-high-risk"],
)
def test_the_api_the_cli_and_the_web_give_the_same_decision_for_the_same_answers(
    client: Client, doc: dict[str, Any]
) -> None:
    api = post_json(client, "/api/v1/triage", doc)
    assert api.status_code == 200, api.content
    cli = run("triage", "-", stdin=json.dumps(doc))
    assert cli.code == 0, cli.err
    web = _web_decision(doc)
    assert api.json() == json.loads(cli.out) == web
    jsonschema.validate(api.json(), DECISION_SCHEMA)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_contract_example_gets_the_clis_decision(client: Client, example: Any) -> None:
    text = example.read_text("utf-8")
    api = client.post("/api/v1/triage", text, content_type="application/json")
    assert api.status_code == 200
    assert api.json() == json.loads(run("triage", str(example)).out)


def test_triage_stores_nothing_and_needs_no_login(client: Client) -> None:
    post_json(client, "/api/v1/triage", DANA_WEB)
    assert Person.objects.count() == 0 and Screening.objects.count() == 0
    assert "sessionid" not in client.cookies


def test_an_invalid_intake_names_every_wrong_field_like_the_cli_and_decides_nothing(client: Client) -> None:
    doc = intake_doc(DANA_WEB, age="forty", pain={"leg": 12})
    del doc["symptoms"]["bladder_change"]
    error = assert_envelope(post_json(client, "/api/v1/triage", doc), 400, "invalid")
    fields = {f["field"]: f["message"] for f in error["fields"]}
    assert set(fields) == {"age", "pain.leg", "symptoms.bladder_change"}
    cli = run("triage", "-", stdin=json.dumps(doc))
    for name, message in fields.items():
        assert f"{name}: {message}" in cli.err


def test_a_body_that_is_not_json_or_repeats_a_key_is_refused_with_the_envelope(client: Client) -> None:
    error = assert_envelope(client.post("/api/v1/triage", "{not json", content_type="application/json"), 400)
    assert error["fields"][0]["field"] == "body"
    twice = json.dumps(DANA_WEB)[:-1] + ', "age": 40}'
    assert_envelope(client.post("/api/v1/triage", twice, content_type="application/json"), 400, "invalid")


def test_triage_is_rate_limited_per_client_address_with_retry_after(client: Client, settings: Any) -> None:
    settings.API_TRIAGE_RATE = "3/min"
    for _ in range(3):
        assert post_json(client, "/api/v1/triage", DANA_WEB).status_code == 200
    refused = post_json(client, "/api/v1/triage", DANA_WEB)
    assert_envelope(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # A made-up forwarded address does not get round it; another real address has its own count.
    assert (
        post_json(client, "/api/v1/triage", DANA_WEB, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    )
    assert post_json(client, "/api/v1/triage", DANA_WEB, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_behind_a_trusted_proxy_each_client_of_the_triage_has_its_own_count(
    client: Client, settings: Any
) -> None:
    from backhome.web.config.throttle import trusted_networks

    settings.API_TRIAGE_RATE = "2/min"
    settings.TRUSTED_PROXIES = trusted_networks("127.0.0.1")
    dana, walt = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(2):
        assert post_json(client, "/api/v1/triage", DANA_WEB, **dana).status_code == 200
    assert_envelope(post_json(client, "/api/v1/triage", DANA_WEB, **dana), 429, "rate_limited")
    # Walt comes through the same proxy: he is not refused because Dana used her share.
    assert post_json(client, "/api/v1/triage", DANA_WEB, **walt).status_code == 200
