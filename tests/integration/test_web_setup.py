"""The web app's settings, protections and migrations."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from backhome.cli import serve
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


def database_settings(tmp_path: Path, database_url: str | None) -> dict[str, Any]:
    """The settings module's database, read in a new process (the tests' own may be PostgreSQL)."""
    env = {**os.environ, "BACKHOME_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    code = (
        "import json; from backhome.web.config import settings as s; "
        "print(json.dumps(s.DATABASES['default'], default=str))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def test_without_database_url_the_database_is_sqlite_in_wal_mode_in_the_data_folder(tmp_path: Path) -> None:
    database = database_settings(tmp_path, None)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "backhome.sqlite3")
    options = database["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"] and options["timeout"] >= 5


def test_a_postgresql_database_url_chooses_postgresql_without_the_sqlite_options(tmp_path: Path) -> None:
    database = database_settings(tmp_path, "postgresql://someone@127.0.0.1:5433/clinic")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["HOST"], database["PORT"]) == ("clinic", "127.0.0.1", 5433)
    assert "init_command" not in database.get("OPTIONS", {})


def test_serve_defaults_to_two_workers_a_core_with_four_threads_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKHOME_WORKERS", raising=False)
    monkeypatch.delenv("BACKHOME_THREADS", raising=False)
    parser = argparse.ArgumentParser()
    serve.register(parser.add_subparsers())
    args = parser.parse_args(["serve"])
    cores = len(os.sched_getaffinity(0))
    assert args.workers == max(2, min(8, 2 * cores)) and args.threads == 4
    monkeypatch.setenv("BACKHOME_WORKERS", "3")
    monkeypatch.setenv("BACKHOME_THREADS", "2")
    parser = argparse.ArgumentParser()
    serve.register(parser.add_subparsers())
    args = parser.parse_args(["serve"])
    assert (args.workers, args.threads) == (3, 2)


def test_serve_runs_gunicorn_on_the_wsgi_app() -> None:
    args = argparse.Namespace(host="127.0.0.1", port=8123, workers=2, threads=4)
    argv = gunicorn_argv(args)
    assert "backhome.web.config.wsgi:application" in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--threads") + 1] == "4"
    assert argv[argv.index("--worker-class") + 1] == "gthread"  # gunicorn's own threaded worker
