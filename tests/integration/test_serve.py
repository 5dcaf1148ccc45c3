"""``backhome serve`` starts a real gunicorn server on a fresh data folder and serves the site."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_migrates_a_fresh_data_folder_and_answers_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "BACKHOME_DATA_DIR": str(tmp_path / "data"),
        "BACKHOME_WORKERS": "1",
        "DJANGO_SETTINGS_MODULE": "backhome.web.config.settings",
    }
    env.pop("BACKHOME_SECRET_KEY", None)  # a fresh install makes and keeps its own key
    server = subprocess.Popen(
        [sys.executable, "-m", "backhome", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert f"backhome is running at http://127.0.0.1:{port}" in first
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode("utf-8")
                    headers = response.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "backhome" in page.lower()
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        # The server uses the tests' database: SQLite in its data folder, or DATABASE_URL's PostgreSQL.
        on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
        assert (tmp_path / "data" / "backhome.sqlite3").exists() is not on_postgres
        key = tmp_path / "data" / "secret_key"
        assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
        css = [line for line in page.split('"') if line.endswith(".css")]
        assert css, "the page links its stylesheet"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{css[0]}", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)


def _csrf_post(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    return client.post(path, data={**data, "csrfmiddlewaretoken": token.group(1)})


@pytest.mark.slow
def test_serve_keeps_the_data_folder_owner_only_and_says_so_when_it_fixes_it(tmp_path: Path) -> None:
    """A fresh server, used (a sign-up, a session, a reset email into the mail folder): nothing in the
    data folder may be read by group or others; an older folder left world-readable is fixed at start."""
    data = tmp_path / "data"
    (data / "mail").mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    (data / "mail").chmod(0o755)
    old_mail = data / "mail" / "old-reset.log"
    old_mail.write_text("a reset link from before\n")
    old_mail.chmod(0o644)
    port = free_port()
    env = {
        **os.environ,
        "BACKHOME_DATA_DIR": str(data),
        "BACKHOME_WORKERS": "1",
        "DJANGO_SETTINGS_MODULE": "backhome.web.config.settings",
    }
    env.pop("BACKHOME_SECRET_KEY", None)
    env.pop("DATABASE_URL", None)  # the SQLite file and its -wal and -shm are in the data folder
    server = subprocess.Popen(
        [sys.executable, "-m", "backhome", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        said = [server.stdout.readline()]
        while "backhome is running" not in said[-1]:
            assert said[-1], said
            said.append(server.stdout.readline())
        fixes = [line for line in said if "now the owner's only" in line]
        assert len(fixes) == 1, said
        assert "3 file(s) or folder(s)" in fixes[0]
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=10) as browser:
            made = _csrf_post(
                browser,
                "/account/signup/",
                {"email": "dana@example.com", "password": "correct horse battery"},
            )
            assert made.status_code == 302, made.text[:500]
        with httpx.Client(base_url=base, timeout=10) as browser:
            sent = _csrf_post(browser, "/account/password-reset/", {"email": "dana@example.com"})
            assert sent.status_code == 302, sent.text[:500]
    finally:
        server.terminate()
        server.wait(timeout=20)
    mails = [path for path in (data / "mail").iterdir() if path != old_mail]
    assert mails, "the reset email is in the mail folder"
    walked = [data, *data.rglob("*")]
    assert data / "backhome.sqlite3" in walked and data / "secret_key" in walked
    assert any(path.parent.name == "sessions" for path in walked), "a session in the file cache"
    readable = {
        str(path.relative_to(tmp_path)): oct(path.stat().st_mode & 0o777)
        for path in walked
        if path.stat().st_mode & 0o077
    }
    assert readable == {}


@pytest.mark.slow
def test_the_access_log_of_serve_keeps_no_secret_address(tmp_path: Path) -> None:
    """Feed, stop, reset and join links are keys: the log shows where they lead, never the key."""
    port = free_port()
    env = {**os.environ, "BACKHOME_DATA_DIR": str(tmp_path / "data"), "BACKHOME_WORKERS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "backhome", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    secrets = ["feedSECRET1", "stopSECRET2", "Mg", "resetSECRET3", "joinSECRET4"]
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        for path in [
            "/reminders/feed/feedSECRET1.ics",
            "/reminders/stop/stopSECRET2/",
            "/account/password-reset/Mg/resetSECRET3/",
        ]:
            httpx.get(base + path, timeout=5)
        httpx.get(base + "/static/x.css", headers={"Referer": base + "/clinic/join/joinSECRET4/"}, timeout=5)
        httpx.get(base + "/account/password-reset/sent/", timeout=5)
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=20)
    requests = [line for line in log.splitlines() if '"GET /' in line]
    assert len(requests) >= 6, log
    for secret in secrets:
        assert secret not in log, secret
    assert "/reminders/feed/[secret].ics" in log and "/clinic/join/[secret]/" in log
    assert "/account/password-reset/[secret]/" in log and "/account/password-reset/sent/" in log
