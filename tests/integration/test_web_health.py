"""``/healthz``: the trivial view a load balancer asks, and the web benchmark's baseline."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# Plain /healthz has no django_db mark: any database access there fails.


def test_healthz_answers_ok_without_touching_the_database(client: Client) -> None:
    assert reverse("healthz") == "/healthz"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_only_answers_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_with_database_writes_at_most_once_a_minute_for_anonymous_callers(client: Client) -> None:
    caches["shared"].clear()
    writes: list[str] = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/healthz?database=1")
        assert response.json() == {"status": "ok", "database": "ok"}
        writes += [q["sql"] for q in queries.captured_queries if "user_version =" in q["sql"]]
    if connection.vendor == "sqlite":
        assert len(writes) == 1, writes


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PRAGMA query_only is SQLite's read-only switch")
@pytest.mark.django_db
def test_healthz_with_database_still_sees_a_read_only_database_between_writes(client: Client) -> None:
    caches["shared"].clear()
    assert client.get("/healthz?database=1").status_code == 200  # the minute's write
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        response = client.get("/healthz?database=1")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")
    assert response.status_code == 503
    assert response.json()["database"] == "read-only"
