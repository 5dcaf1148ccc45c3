"""The server is killed with SIGKILL in the middle of a load and started again: nothing acknowledged is
lost and nothing is stored twice (issue 7, item 4).

A short run of ``scripts/load_test.py``: 20 simulated patients for 8 s (longer if no write was
acknowledged by then), SIGKILL to the gunicorn master and its workers, a restart on the same data, 4 s
more of load, then the journeys under way are finished.
On the run's database: SQLite, or PostgreSQL when the run gives a ``DATABASE_URL`` of a PostgreSQL cluster
(``make test-postgres``; the load gets a fresh database of its own in that cluster). About 25 s each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.loadlib.server import is_postgres

REPO = Path(__file__).resolve().parents[2]
DATABASES = ["postgres"] if is_postgres(os.environ.get("DATABASE_URL")) else ["sqlite"]
WRITES = ("screening", "session start", "session log", "session recheck", "session finish", "check-in")

pytestmark = pytest.mark.slow


def killed_mid_load(database: str, folder: Path) -> dict[str, Any]:
    out = folder / "report.json"
    command = [
        sys.executable, "-m", "scripts.load_test",
        "--database", database,
        "--patients", "20", "--duration", "12", "--kill-after", "8",
        "--think", "0.3", "--ramp", "3", "--drain", "5",
        "--lost", "0.1", "--repeat", "0.1",
        "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180, check=False)
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    report: dict[str, Any] = json.loads(out.read_text())
    report["printed"] = done.stdout
    report["exit"] = done.returncode
    return report


@pytest.fixture(scope="module", params=DATABASES)
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return killed_mid_load(request.param, tmp_path_factory.mktemp(f"sigkill-{request.param}"))


def test_the_kill_hits_the_gunicorn_master_and_every_worker_while_patients_are_writing(report: dict) -> None:
    kill = report["kill"]
    assert len(kill["killed_pids"]) >= 3, kill  # the master and its workers (2 a core)
    before = sum(b["acknowledged"] for b in report["acknowledged_before_kill"].values())
    total = sum(report["writes"][name]["acknowledged"] for name in WRITES)
    assert before > 0, report["printed"]
    assert total > before, "no write was acknowledged after the restart"


def test_no_request_fails_except_those_the_kill_cut_off_and_that_were_sent_again(report: dict) -> None:
    assert report["errors"] == 0, report["error_examples"]
    assert report["exit"] == 0, report["printed"]


def test_the_database_passes_its_integrity_check_after_the_kill(report: dict) -> None:
    assert report["integrity"]["ok"], report["integrity"]
    if report["database"] == "sqlite":
        assert report["kill"]["integrity_while_down"] == ["ok"]
    else:
        assert report["integrity"]["tables_read"] > 10


def test_every_write_acknowledged_before_the_kill_is_stored(report: dict) -> None:
    for name, before in report["acknowledged_before_kill"].items():
        assert before["missing"] == 0, (name, before)


def test_every_acknowledged_write_is_stored_exactly_once_and_nothing_else_is(report: dict) -> None:
    for name in WRITES:
        write = report["writes"][name]
        assert write["missing"] == 0, (name, write)
        assert write["extra"] == 0, (name, write)
        assert write["stored"] == write["acknowledged"], (name, write)
    assert report["writes"]["session log"]["stored_elsewhere"] == 0
    assert report["ok"], report["problems"]
