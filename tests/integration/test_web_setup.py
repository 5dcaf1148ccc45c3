"""The web app's settings, protections and migrations."""

from __future__ import annotations

import argparse
import io
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from backhome.cli.serve import gunicorn_argv
from backhome.web.config.settings import env_bool, env_list, secret_key_from_file


@pytest.mark.django_db
def test_migrations_match_the_models() -> None:
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def test_the_system_check_passes() -> None:
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/screening/bladder-bowel/", "/emergency/"])
def test_security_headers_are_on_every_page(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/screening/bladder-bowel/", {"symptoms__bladder_change": "yes"}).status_code == 403


@pytest.mark.django_db
def test_the_session_cookie_is_http_only(client: Client) -> None:
    client.post(
        "/screening/bladder-bowel/", {"symptoms__bladder_change": "no", "symptoms__bowel_change": "no"}
    )
    assert client.cookies["sessionid"]["httponly"]


def test_a_secret_key_is_generated_once_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    key = secret_key_from_file(path)
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_file(path) == key


def test_environment_values_are_read_safely(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "on")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "")
    assert env_bool("X_FLAG") is False
    assert env_bool("X_UNSET_FLAG") is False
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,")
    assert env_list("X_HOSTS", "") == ["a.example", "b.example"]


def test_the_defaults_are_safe_for_one_machine() -> None:
    from django.conf import settings

    assert settings.DEBUG is False
    assert "*" not in settings.ALLOWED_HOSTS
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    options = settings.DATABASES["default"]["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"] and options["timeout"] >= 5


def test_serve_runs_gunicorn_on_the_wsgi_app() -> None:
    args = argparse.Namespace(host="127.0.0.1", port=8123, workers=2)
    argv = gunicorn_argv(args)
    assert "backhome.web.config.wsgi:application" in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
