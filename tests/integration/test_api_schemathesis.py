"""schemathesis against the published OpenAPI document (issue 7 item 5): generated requests to every
operation, with a patient's token and without, find no server error and no answer that breaks the schema.
A bounded number of examples per operation keeps it well under a minute."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import caches
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.integration.api_helpers import account_for, bearer, token_for
from tests.integration.people import person_with_plan

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

pytestmark = pytest.mark.django_db
#: FHIR needs the other helper's bundle (tested in test_api_fhir.py); everything else is fuzzed here.
FUZZED = schema.exclude(path_regex=r".*/fhir$")


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    """schemathesis calls the real WSGI handler, whose request signals close "old" database connections;
    on PostgreSQL that closes the test's own transaction. Django's test client stops the same signal
    handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def headers(settings: Any) -> dict[str, str]:
    settings.API_TRIAGE_RATE = "100000/min"
    caches["shared"].clear()
    dana, _ = person_with_plan()
    token = token_for(account_for(dana, "dana@example.org"), "read", "write")
    # identity: the WSGI test client does not undo the site's gzip.
    return {"Authorization": bearer(token)["HTTP_AUTHORIZATION"], "Accept-Encoding": "identity"}


@FUZZED.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error_or_an_answer_outside_the_schema(
    case: Any, headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
