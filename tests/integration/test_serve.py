"""``backhome serve`` starts a real gunicorn server on a fresh data folder and serves the site."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
