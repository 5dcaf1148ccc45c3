"""The server is killed with SIGKILL in the middle of a load, twice, and started again each time:
nothing acknowledged is lost and nothing is stored twice (issue 7 item 4, issue 14 item 7).

A short run of ``scripts/load_test.py``: 20 simulated patients in two generator processes; SIGKILL to
the gunicorn master and its workers once 8 session logs were acknowledged, the checks while it is down,
a restart on the same data, and again after 8 more logs; the journeys under way are then finished.
``make load`` does the same with 500 patients and 300 logs before each of three kills.
On the run's database: SQLite, or PostgreSQL when the run gives a ``DATABASE_URL`` of a PostgreSQL cluster
(``make test-postgres``; the load gets a fresh database of its own in that cluster). About 35 s each.
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
        "--patients", "20", "--generators", "2", "--duration", "10",
        "--kill-after-logs", "8", "--kills", "2",
        "--think", "0.3", "--exercise", "0.6", "--ramp", "3", "--drain", "5",
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


def test_each_kill_hits_the_gunicorn_master_and_every_worker_after_session_logs_were_acknowledged(
    report: dict,
) -> None:
    kills = report["kills"]
    assert len(kills) == 2, report["printed"]
    assert [k["session_logs_acknowledged"] >= 8 * n for n, k in enumerate(kills, 1)] == [True, True]
    for kill in kills:
        assert len(kill["killed_pids"]) >= 3, kill  # the master and its workers (2 a core)
    before_last = sum(b["acknowledged"] for b in report["acknowledged_before_kill"][-1].values())
    total = sum(report["writes"][name]["acknowledged"] for name in WRITES)
    assert total > before_last, "no write was acknowledged after the last restart"


def test_no_request_fails_except_those_the_kills_cut_off_and_that_were_sent_again(report: dict) -> None:
    assert report["errors"] == 0, report["error_examples"]
    assert report["server_5xx"] == 0, report["printed"]


def test_while_the_server_is_down_the_database_is_whole_and_holds_every_acknowledged_write(
    report: dict,
) -> None:
    for kill in report["kills"]:
        assert kill["integrity"], kill
        assert kill["acknowledged_before"] > 0, kill
        assert kill["missing_while_down"] == 0, kill
        if report["database"] == "sqlite":
            assert kill["integrity_while_down"] == ["ok"], kill


def test_the_database_passes_its_integrity_check_at_the_end(report: dict) -> None:
    assert report["integrity"]["ok"], report["integrity"]
    if report["database"] != "sqlite":
        assert report["integrity"]["tables_read"] > 10


def test_every_write_acknowledged_before_each_kill_is_stored(report: dict) -> None:
    for before in report["acknowledged_before_kill"]:
        for name, kind in before.items():
            assert kind["missing"] == 0, (name, kind)


def test_every_acknowledged_write_is_stored_exactly_once_and_nothing_else_is(report: dict) -> None:
    for name in WRITES:
        write = report["writes"][name]
        assert write["missing"] == 0, (name, write)
        assert write["extra"] == 0, (name, write)
        assert write["stored"] == write["acknowledged"], (name, write)
    assert report["writes"]["session log"]["stored_elsewhere"] == 0
    assert report["problems"] == [], report["problems"]


def test_the_server_timed_every_kind_of_request_of_the_journey(report: dict) -> None:
    # The latency bar itself is make load's: 20 patients on a shared machine make too few requests.
    timed = report["server_kinds"]
    for kind in ("screening step", "plan", "session start", "session log", "session finish", "check-in"):
        assert timed[kind]["requests"] > 0, kind
        assert 0 < timed[kind]["p50_ms"] < 10_000, (kind, timed[kind])
    assert "other" not in timed, timed["other"]


def test_the_capacity_is_worked_out_from_the_server_cpu(report: dict) -> None:
    assert report["cpu"]["server_s"] > 0
    assert report["capacity"]["patient_day_cpu_ms"] > 0
    assert report["capacity"]["patients_served"] > 0
