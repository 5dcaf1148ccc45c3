"""A full disk or a read-only database under the real server (``backhome serve``: gunicorn, a master and
two workers): a clear 503 in our words and one log line for each failed write, reads still answer, no
process dies or restarts, and what was acknowledged before is there when the fault is gone (issue 7,
item 4). The test client's version of the same faults is test_db_faults.py.

The faults are real and work as root as well as a normal user:

- SQLite: the disk is "full" for the server only. It starts with ``RLIMIT_FSIZE`` at 32 KB (the WAL
  index needs 32 KB); CPython ignores SIGXFSZ, so a write past 32 KB fails with EFBIG, which SQLite
  reports as a "disk I/O error". The WAL file grows with each commit and cannot be checkpointed into the
  (larger) database file, so after a few writes none fits any more: the same write then fails every time.
- PostgreSQL: the server's own role is made read-only (``ALTER ROLE ... SET
  default_transaction_read_only = on``) in a database of its own, and the server is started again.

Then ``backhome serve`` cannot reach its database at start: one clear line and exit status 1.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import pytest

from backhome.web.patient import questions
from scripts.loadlib.server import HOST, free_port, group_members, is_postgres, server_env
from tests.integration.screening_helpers import DANA_WEB, WALT_WEB, flat, step_data

pytestmark = pytest.mark.slow

ON_POSTGRES = is_postgres(os.environ.get("DATABASE_URL"))
BACKHOME = Path(sys.executable).with_name("backhome")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STEPS = {step.id: step for step in questions.screening().steps}
SAVE_WORDS = (
    "We could not save that. Nothing was lost of what you saved before. Please try again in a few minutes."
)
#: The file size limit of the "full disk": SQLite's WAL index (the -shm file) needs 32 KB to open.
FULL_DISK_BYTES = 32 * 1024


class Server:
    """``backhome serve`` in its own process group; its log (stdout and stderr) read through a pipe,
    which no file size limit stops."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.base = f"http://{HOST}:{port}"
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self, *, file_size_limit: int | None = None) -> None:
        def limit() -> None:
            if file_size_limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

        self.lines = []
        self.process = subprocess.Popen(
            [str(BACKHOME), "serve", "--host", HOST, "--port", str(self.port), "--workers", "2"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            preexec_fn=limit,  # only setrlimit, in the child before exec
        )
        process = self.process
        assert process.stdout is not None
        stream = process.stdout

        def read() -> None:
            for line in stream:
                self.lines.append(line.rstrip("\n"))

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "backhome serve stopped:\n" + self.log()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise AssertionError("backhome serve did not answer /healthz:\n" + self.log())

    def pids(self) -> list[int]:
        assert self.process is not None
        return group_members(self.process.pid)

    def log(self) -> str:
        return "\n".join(self.lines)

    def boots(self) -> int:
        return sum("Booting worker" in line for line in self.lines)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, 15)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)


class Phone:
    """One browser: its own cookies, the CSRF token of each page, the Origin header of the site."""

    def __init__(self, base: str) -> None:
        self.base = base
        # No keep-alive: a graceful stop of gunicorn then has no idle connection to wait for.
        headers = {"Origin": base, "Connection": "close"}
        self.http = httpx.Client(base_url=base, timeout=20, headers=headers)

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def post_form(self, path: str, data: dict[str, str]) -> httpx.Response:
        page = self.http.get(path)
        found = TOKEN.search(page.text)
        assert found, (path, page.status_code)
        return self.http.post(path, data={"csrfmiddlewaretoken": found.group(1), **data})

    def post_json(self, path: str, body: dict[str, Any]) -> httpx.Response:
        token = self.http.cookies.get("csrftoken") or ""
        return self.http.post(path, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})

    def next_step(self) -> str:
        """The first unanswered screening step (where /screening/ sends the phone)."""
        location = self.http.get("/screening/").headers["location"]
        return str(location.strip("/").split("/")[-1])

    def answer_step(self, step_id: str, answers: dict[str, Any]) -> httpx.Response:
        return self.post_form(f"/screening/{step_id}/", step_data(STEPS[step_id], answers))


# --------------------------------------------------------------------------- the databases


def _with(url: str, *, user: str | None = None, password: str | None = None, name: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{quote(user)}:{quote(password or '')}@{host}"
    path = "/" + name if name is not None else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


@contextlib.contextmanager
def postgres_role_and_database(url: str) -> Iterator[tuple[str, Callable[[bool], None]]]:
    """A role and a database of its own for the server; yields its URL and a function that makes the
    role read-only or not (for the connections it opens from then on)."""
    import psycopg

    suffix = uuid.uuid4().hex[:10]
    role, name, password = f"backhome_ro_{suffix}", f"backhome_ro_{suffix}", secrets.token_hex(12)
    admin = _with(url, name="postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        connection.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')

    def read_only(on: bool) -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            if on:
                connection.execute(f'ALTER ROLE "{role}" SET default_transaction_read_only = on')
            else:
                connection.execute(f'ALTER ROLE "{role}" RESET default_transaction_read_only')

    try:
        yield _with(url, user=role, password=password, name=name), read_only
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'DROP ROLE IF EXISTS "{role}"')


def stored_log_ids(env: dict[str, str]) -> set[str]:
    """The ids of every stored session log, read straight from the server's database."""
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            rows = connection.execute("SELECT id FROM practice_exerciselog").fetchall()
        return {str(row[0]) for row in rows}
    database = Path(env["BACKHOME_DATA_DIR"]) / "backhome.sqlite3"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT id FROM practice_exerciselog").fetchall()
    return {str(uuid.UUID(str(row[0]))) for row in rows}


# --------------------------------------------------------------------------- the journey


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Server, Callable[[bool], None], str]]:
    """A server on a fresh database; a function that restarts it with the fault (True) or without it
    (False); the fault's cause as the log line says it."""
    env = server_env(tmp_path, None)
    env["BACKHOME_LOG_LEVEL"] = "INFO"
    port = free_port()
    if ON_POSTGRES:
        with postgres_role_and_database(os.environ["DATABASE_URL"]) as (url, make_read_only):
            server = Server({**env, "DATABASE_URL": url}, port)

            def read_only(on: bool) -> None:
                server.stop()
                make_read_only(on)
                server.start()

            try:
                yield server, read_only, "the database is read-only"
            finally:
                server.stop()
    else:
        server = Server(env, port)

        def full_disk(on: bool) -> None:
            server.stop()
            server.start(file_size_limit=FULL_DISK_BYTES if on else None)

        try:
            yield server, full_disk, "the disk is full (or refused the write)"
        finally:
            server.stop()


def test_under_the_real_server_failed_writes_get_503_and_a_log_line_and_no_process_restarts(
    setup: tuple[Server, Callable[[bool], None], str],
) -> None:
    server, restart_with_fault, cause = setup
    server.start()
    dana, walt = Phone(server.base), Phone(server.base)
    dana_answers, walt_answers = flat(DANA_WEB), flat(WALT_WEB)

    # Before the fault: Dana screens through the real forms and starts a session; Walt answers 2 steps.
    location = f"/screening/{dana.next_step()}/"
    while location.startswith("/screening/"):
        response = dana.answer_step(location.strip("/").split("/")[-1], dana_answers)
        assert response.status_code == 302, location
        location = response.headers["location"]
    assert location == "/plan/"
    assert dana.get("/plan/").status_code == 200
    dana.get("/session/")
    before = {"back": 4, "leg": 2, "zone": 2, "numbness": False, "red_flag": False}
    session_id = str(uuid.uuid4())
    started = dana.post_json("/api/v1/me/sessions", {"id": session_id, "before": before})
    assert started.status_code == 201, started.text
    programme = started.json()["programme"]
    for _ in range(2):
        assert walt.answer_step(walt.next_step(), walt_answers).status_code == 302

    acknowledged_logs: list[str] = []
    position = 0

    def log_body() -> dict[str, Any]:
        item = programme[position % len(programme)]
        after = {**before, "weakness": False}
        return {
            "id": str(uuid.uuid4()),
            "position": item["position"],
            "it_hurts": False,
            "sets_done": item["dose"]["sets"],
            "skipped": False,
            "after": after,
        }

    body = log_body()
    answer = dana.post_json(f"/api/v1/me/sessions/{session_id}/logs", body)
    assert answer.status_code == 201, answer.text
    acknowledged_logs.append(body["id"])
    position += 1

    restart_with_fault(True)
    assert dana.get("/plan/").status_code == 200, "reads answer on a full or read-only database"

    # Write until neither kind of write fits any more (at once on a read-only database); each write is
    # acknowledged or answered 503, never anything else.
    failed: dict[str, httpx.Response] = {}
    step = walt.next_step()
    body = log_body()
    for _ in range(60):
        if "screening" not in failed:
            response = walt.answer_step(step, walt_answers)
            if response.status_code == 503:
                failed["screening"] = response
            else:
                assert response.status_code == 302, response.text
                step = walt.next_step()
        if "log" not in failed:
            response = dana.post_json(f"/api/v1/me/sessions/{session_id}/logs", body)
            if response.status_code == 503:
                failed["log"] = response
            else:
                assert response.status_code == 201, response.text
                acknowledged_logs.append(body["id"])
                position += 1
                body = log_body()
        if len(failed) == 2:
            break
    assert set(failed) == {"screening", "log"}, "the writes never failed"
    assert (
        SAVE_WORDS in failed["screening"].text
        and "<h1>We could not save that</h1>" in failed["screening"].text
    )
    assert failed["log"].json() == {"error": {"code": "unavailable", "message": SAVE_WORDS, "fields": []}}
    assert failed["log"].headers["Retry-After"] == "120"

    # A few seconds of the same writes, sent again and again as a phone would: each is a 503, the master
    # and its workers stay the same processes, and no worker is booted again.
    pids, boots, faults = server.pids(), server.boots(), len(server.lines)
    assert len(pids) == 3, pids  # the master and its 2 workers
    assert boots == 2, server.log()
    answered: list[int] = []
    end = time.monotonic() + 2
    while time.monotonic() < end:
        answered.append(walt.answer_step(step, walt_answers).status_code)
        answered.append(dana.post_json(f"/api/v1/me/sessions/{session_id}/logs", body).status_code)
    assert set(answered) == {503}, answered
    assert dana.get("/plan/").status_code == 200, "reads still answer"
    health = httpx.get(server.base + "/healthz?database=1", timeout=5)
    assert health.status_code == 503, health.text
    assert health.json()["database"] == ("read-only" if ON_POSTGRES else "disk-full")
    time.sleep(0.5)  # the last log lines through the pipe
    assert server.pids() == pids, "no process died or was started again"
    assert server.boots() == boots

    # One log line for each failed write, naming the cause; no traceback.
    lines = [line for line in server.lines[faults:] if "database fault:" in line]
    screening_lines = [line for line in lines if f"POST /screening/{step}/ answered 503" in line]
    log_lines = [line for line in lines if f"POST /api/v1/me/sessions/{session_id}/logs answered 503" in line]
    assert len(screening_lines) + len(log_lines) == len(lines), lines
    assert len(screening_lines) == answered.count(503) // 2, lines
    assert len(log_lines) == answered.count(503) // 2, lines
    assert all(f"database fault: {cause};" in line for line in lines), lines[:3]
    assert "Traceback" not in server.log(), server.log()[-3000:]

    # The fault gone (a restart without it): every write acknowledged before is there, and the writes
    # refused go through when sent again.
    restart_with_fault(False)
    assert walt.next_step() == step, "Walt's acknowledged answers are there: he goes on where he stopped"
    assert dana.get("/plan/").status_code == 200
    assert walt.answer_step(step, walt_answers).status_code == 302
    assert dana.post_json(f"/api/v1/me/sessions/{session_id}/logs", body).status_code == 201
    server.stop()
    stored = stored_log_ids(server.env)
    assert set(acknowledged_logs) | {body["id"]} <= stored
    assert len(stored) == len(acknowledged_logs) + 1, "nothing refused was stored"


def test_serve_says_in_one_line_when_it_cannot_reach_the_database_and_exits_1(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there
    env = server_env(tmp_path, f"postgresql://backhome:s3cret-word@127.0.0.1:{closed}/backhome")
    done = subprocess.run(
        [str(BACKHOME), "serve", "--host", HOST, "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    said = done.stderr.strip().splitlines()
    assert len(said) == 1, done.stderr
    assert "Traceback" not in done.stderr and "s3cret" not in done.stdout + done.stderr
    assert f"127.0.0.1:{closed}" in said[0]
    assert "cannot reach the database" in said[0] and "DATABASE_URL" in said[0], said[0]
