"""``/healthz``: the trivial view a load balancer asks, and the web benchmark's baseline."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

# No django_db mark: any database access in these tests fails.


def test_healthz_answers_ok_without_touching_the_database(client: Client) -> None:
    assert reverse("healthz") == "/healthz"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_only_answers_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
