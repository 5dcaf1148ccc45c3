"""Issue 6's "done when", for real: a third-party script with a token, talking HTTP to `backhome serve`
(gunicorn, two worker processes), reads Dana's plan and posts a session and an exercise log exactly once,
however often it retries: five times in a row and eight times at once from threads. The public triage's
limit per address holds across the workers."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.integration.screening_helpers import DANA_WEB
from tests.integration.test_serve import free_port

REPO = Path(__file__).resolve().parents[2]

PREPARE = """
import django, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from tests.integration.people import person_with_plan
from tests.integration.api_helpers import account_for, token_for
person, _ = person_with_plan()
user = account_for(person, f"dana-{person.pk}@example.org")
print(json.dumps({"person": person.pk, "token": token_for(user, "read", "write")}))
"""
COUNT = """
import django, json, sys
django.setup()
from backhome.web.practice.models import ExerciseLog, ExerciseSession
person = int(sys.argv[1])
print(json.dumps({"sessions": ExerciseSession.objects.filter(person_id=person).count(),
                  "logs": ExerciseLog.objects.filter(session__person_id=person).count()}))
"""


def django_python(code: str, env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def request(
    base: str, token: str, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, Any], Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.mark.slow
def test_a_script_with_a_token_posts_a_session_exactly_once_against_the_real_server(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "BACKHOME_DATA_DIR": str(tmp_path / "data"),
        "BACKHOME_WORKERS": "2",
        "BACKHOME_API_TRIAGE_RATE": "6/min",
        "DJANGO_SETTINGS_MODULE": "backhome.web.config.settings",
        "PYTHONPATH": str(REPO),
    }
    made = django_python(PREPARE, env)
    token, person = made["token"], str(made["person"])
    server = subprocess.Popen(
        [sys.executable, "-m", "backhome", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, plan = request(base, token, "GET", "/me/plan")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert status == 200 and plan["exercises"], plan

        session = {
            "id": str(uuid.uuid4()),
            "before": {"back": 3, "leg": 2, "zone": 3, "numbness": False, "red_flag": False},
        }
        with ThreadPoolExecutor(max_workers=8) as pool:
            at_once = list(
                pool.map(lambda _: request(base, token, "POST", "/me/sessions", session), range(8))
            )
        in_a_row = [request(base, token, "POST", "/me/sessions", session) for _ in range(5)]
        answers = at_once + in_a_row
        assert {status for status, _, _ in answers} == {201}, [a[2] for a in answers if a[0] != 201]
        assert len({json.dumps(body, sort_keys=True) for _, _, body in answers}) == 1
        assert sum(1 for _, headers, _ in answers if headers.get("Idempotent-Replayed") != "true") == 1

        log = {
            "id": str(uuid.uuid4()),
            "position": 1,
            "sets_done": 1,
            "skipped": False,
            "it_hurts": False,
            "after": {**session["before"], "weakness": False},
        }
        url = f"/me/sessions/{session['id']}/logs"
        with ThreadPoolExecutor(max_workers=8) as pool:
            logs = list(pool.map(lambda _: request(base, token, "POST", url, log), range(8)))
        assert {status for status, _, _ in logs} == {201}, [a[2] for a in logs]

        # Four keep-alive connections at once, taken by either worker: the triage counts of this address
        # are shared by the workers (a file cache): 6 a minute in all, not 6 each.
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(4)]
        for connection in connections:
            connection.connect()
        statuses = []
        for number in range(7):
            connection = connections[number % 4]
            connection.request(
                "POST", "/api/v1/triage", json.dumps(DANA_WEB), {"Content-Type": "application/json"}
            )
            answer = connection.getresponse()
            answer.read()
            statuses.append(answer.status)
        for connection in connections:
            connection.close()
        assert statuses == [200] * 6 + [429], statuses
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert django_python(COUNT, env, person) == {"sessions": 1, "logs": 1}
