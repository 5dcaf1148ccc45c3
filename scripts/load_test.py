"""``make load``: simulated patients against ``backhome serve``, latency as the server measures it,
every acknowledged write counted, the server killed and restarted, and what one machine can serve.

Starts ``backhome serve`` (gunicorn, as in production) on a free loopback port with a fresh data folder
(SQLite) or a fresh database (PostgreSQL), and lets ``--patients`` simulated phones use it for
``--duration`` seconds (``scripts/loadlib/patients.py``: screening with the real forms, plan, a guided
session through the JSON endpoints with client UUIDs, summary, check-in; some writes lose their answer and
are sent again, some are sent twice). The phones run in ``--generators`` processes of their own, each
with its own event loop, so that the generator does not starve itself.

Latency is taken by the server: gunicorn's access log carries each request's time in microseconds
(``scripts/loadlib/serverlog.py``). The generator's own timings are reported too, labelled as such.

With ``--kill-after-logs N`` the server's whole process group (the gunicorn master and its workers) gets
SIGKILL once N session logs have been acknowledged since the start or the last restart, ``--kills``
times (3). While it is down, the database is checked (SQLite ``PRAGMA integrity_check``) and every write
acknowledged so far must be in it; then the server starts again on the same port and data, and the
phones whose requests were cut off send them again, the same. The time it was down is added to the run.

Afterwards the server is stopped and a separate process counts, in the database, every write a client
was told was stored (``scripts/loadlib/verify.py``). The server's CPU time (from /proc) divided by what
was done gives the CPU of a patient-day and the patients one 2-core machine serves in its busiest hour.

It passes (exit 0) when no request failed outside the kills, every kind of request took the server
p95 < 100 ms and p99 < 300 ms, the database passes its checks, every acknowledged write is stored, no
stored write is a duplicate or was never acknowledged, and every kill asked for happened. ``--json``
writes the whole report.

Every request goes to 127.0.0.1 only; the server is stopped and the data folder removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from backhome.web.patient import questions
from scripts.bench_web import machine
from scripts.loadlib import serverlog
from scripts.loadlib.cpu import GroupMeter, postgres_seconds
from scripts.loadlib.paths import PARTS, ROUTES
from scripts.loadlib.patients import Options, Shared, generator
from scripts.loadlib.server import Server, fresh_postgres_database, postgres_cluster, server_env

REPO = Path(__file__).resolve().parents[1]
WRITES = ("screening", "session start", "session log", "session recheck", "session finish", "check-in")

# The bar (product.md, "Capacity"): every kind of request, as the server measures it.
P95_MS, P99_MS = 100.0, 300.0

# The capacity model's assumptions (docs/operations.md, "Load and faults").
SCREENINGS_PER_DAY = 1 / 7  # the full screen is run again weekly (clinical-spec: at onboarding and weekly)
BUSIEST_HOUR_SHARE = 0.25  # a quarter of the day's sessions and check-ins fall in its busiest hour
CORES = 2
USABLE_CPU = 0.6  # of those cores, for the web server and its database, so that requests rarely queue


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def latency(samples: list[tuple[str, float]]) -> dict[str, dict[str, float]]:
    """p50/p95/p99/max per kind of request, in the order of ``ROUTES``."""
    by_kind: dict[str, list[float]] = {}
    for kind, ms in samples:
        by_kind.setdefault(kind, []).append(ms)
    out = {}
    for name in [*ROUTES, "other"]:
        times = by_kind.get(name)
        if times:
            out[name] = {
                "requests": len(times),
                "p50_ms": round(percentile(times, 0.50), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "p99_ms": round(percentile(times, 0.99), 1),
                "max_ms": round(max(times), 1),
                "total_ms": round(sum(times), 1),
            }
    return out


# --------------------------------------------------------------------------- the run


def read_acks(folder: Path) -> list[dict[str, Any]]:
    """The acknowledged writes the generators have journalled so far (a line being written is left)."""
    acks = []
    for journal in sorted(folder.glob("acks-*.jsonl")):
        for line in journal.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                acks.append(json.loads(line))
    return acks


def sqlite_integrity(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` on the database file as the killed server left it (WAL included)."""
    connection = sqlite3.connect(path, timeout=20)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")][:5]
    finally:
        connection.close()


def verify(
    env: dict[str, str], acks: list[dict[str, Any]], seeded: list[dict[str, Any]], journal: Path
) -> dict[str, Any]:
    journal.write_text(json.dumps({"acks": acks, "seeded": [s["person"] for s in seeded]}))
    done = subprocess.run(
        [sys.executable, "-m", "scripts.loadlib.verify", str(journal)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the count in the database failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


class Load:
    """One run: the server, its CPU meter, the generator processes, and the clock that ends the run."""

    def __init__(self, options: Options, workdir: Path, env: dict[str, str], database_file: Path | None):
        self.options = options
        self.workdir = workdir
        self.env = env
        self.database_file = database_file
        self.server = Server(workdir, env)
        self.meter = GroupMeter()
        self.context = multiprocessing.get_context("spawn")
        self.shared = Shared(self.context, options.generators)
        self.kills: list[dict[str, Any]] = []
        self.downtime = 0.0
        self.boot_s = 0.0
        self.seeded: list[dict[str, Any]] = []

    def start_server(self) -> None:
        booted = time.monotonic()
        self.server.start()
        self.server.wait_ready()
        self.boot_s = time.monotonic() - booted
        assert self.server.process is not None
        self.meter.ready(self.server.process.pid)

    def logs(self) -> int:
        return sum(self.shared.logs)

    def kill_and_restart(self) -> None:
        """SIGKILL, the checks while the server is down, the restart."""
        number = len(self.kills) + 1
        down_at = time.monotonic()
        self.shared.up.value = 0
        self.shared.generation.value = number
        report: dict[str, Any] = {"at_s": round(time.time() - self.shared.started.value, 2)}
        report["session_logs_acknowledged"] = self.logs()
        self.meter.sample()  # what the killed processes used, up to the kill
        report["killed_pids"] = self.server.kill()
        acks = read_acks(self.workdir)
        report["acknowledged_before"] = len(acks)
        if self.database_file is not None:
            report["integrity_while_down"] = sqlite_integrity(self.database_file)
        found = verify(self.env, acks, self.seeded, self.workdir / f"acks-kill-{number}.json")
        report["integrity"] = found["integrity"]["ok"]
        report["missing_while_down"] = sum(w["missing"] for k, w in found["writes"].items() if k in WRITES)
        # Stored but not yet answered: the writes the kill cut off, answered after the restart.
        report["stored_unanswered_while_down"] = sum(
            w["extra"] for k, w in found["writes"].items() if k in WRITES
        )
        self.start_server()
        self.shared.up.value = 1
        report["down_s"] = round(time.monotonic() - down_at, 2)
        report["restart_s"] = round(self.boot_s, 2)
        self.downtime += time.monotonic() - down_at
        self.kills.append(report)

    def seed(self) -> list[dict[str, Any]]:
        """Returning patients (``scripts/loadlib/seed.py``): two for each simulated phone, unless every
        day is a new patient's."""
        count = 0 if self.options.new >= 1 else 2 * self.options.patients
        done = subprocess.run(
            [sys.executable, "-m", "scripts.loadlib.seed", str(count)],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the returning patients could not be made:\n{done.stderr[-3000:]}")
        self.seeded = json.loads(done.stdout)
        return self.seeded

    def drive(self, base: str) -> float:
        """The generators from start to end, with the kills; returns the seconds of serving."""
        o = self.options
        keys = [s["key"] for s in self.seed()]
        processes: list[BaseProcess] = [
            self.context.Process(
                target=generator,
                args=(base, o, self.shared, i, str(self.workdir), keys[i :: o.generators]),
                name=f"load-generator-{i}",
            )
            for i in range(o.generators)
        ]
        for process in processes:
            process.start()
        while sum(self.shared.ready) < o.generators:  # each has imported what it needs
            if any(p.exitcode not in (None, 0) for p in processes):
                raise RuntimeError("a generator process failed to start")
            time.sleep(0.05)
        started = time.monotonic()
        self.shared.started.value = time.time()
        self.shared.phase.value = Shared.LOAD
        self.meter.start()
        mark = 0  # session logs acknowledged at the last restart
        no_new_at = 0.0
        cap = 4 * o.duration  # a run that cannot reach its kills still ends
        while any(p.is_alive() for p in processes):
            now = time.monotonic()
            serving = now - started - self.downtime
            phase = self.shared.phase.value
            pending = o.kill_after_logs is not None and len(self.kills) < o.kills
            if phase == Shared.LOAD:
                if pending and self.logs() - mark >= (o.kill_after_logs or 0):
                    self.kill_and_restart()
                    mark = self.logs()
                elif serving >= o.duration and (not pending or serving >= cap):
                    self.shared.phase.value = Shared.NO_NEW_JOURNEYS
                    no_new_at = now
            elif phase == Shared.NO_NEW_JOURNEYS and now - no_new_at >= o.drain:
                self.shared.phase.value = Shared.OVER
            time.sleep(0.05)
        for process in processes:
            process.join()
            if process.exitcode != 0:
                raise RuntimeError(f"{process.name} ended with exit code {process.exitcode}")
        self.meter.sample()
        return time.monotonic() - started - self.downtime


def postmaster_of(url: str | None) -> int | None:
    """The process id of the PostgreSQL server of ``url`` when it runs on this machine."""
    if not url:
        return None
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT pg_backend_pid()").fetchone()
    backend = row[0] if row else None
    try:
        stat = Path(f"/proc/{backend}/stat").read_text()
    except OSError:
        return None  # another machine
    return int(stat.rsplit(")", 1)[1].split()[1])


@contextlib.contextmanager
def database(kind: str) -> Iterator[str | None]:
    if kind == "sqlite":
        yield None
        return
    with postgres_cluster() as cluster, fresh_postgres_database(cluster) as url:
        yield url


def run_load(options: Options, kind: str, keep_log: Path | None = None) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="backhome-load-"))
    load_before = os.getloadavg()[0]
    try:
        with database(kind) as url:
            env = server_env(workdir, url) | serverlog.gunicorn_env()
            database_file = None if url else workdir / "data" / "backhome.sqlite3"
            load = Load(options, workdir, env, database_file)
            postmaster = None
            try:
                load.start_server()
                first_boot = load.boot_s
                postmaster = postmaster_of(url)
                pg_before = postgres_seconds(postmaster)
                serving_s = load.drive(load.server.base)
                pg_after = postgres_seconds(postmaster)
            finally:
                load.meter.stop()
                load.server.stop()
                if keep_log:
                    shutil.copy(load.server.log_path, keep_log)
            figures = [json.loads(p.read_text()) for p in sorted(workdir.glob("generator-*.json"))]
            acks = read_acks(workdir)
            checked = verify(env, acks, load.seeded, workdir / "acks.json")
            timed = serverlog.read(load.server.log_path)
            cpu = {
                "server_s": round(load.meter.seconds(), 2),
                "database_s": None
                if pg_before is None or pg_after is None
                else round(pg_after - pg_before, 2),
                "generators_s": round(sum(f["cpu_s"] for f in figures), 2),
                "load_test_s": round(_own_cpu(), 2),
            }
        return summarise(load, figures, acks, checked, timed, cpu, serving_s, kind, first_boot, load_before)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- the report


def capacity(
    server: dict[str, Any], cpu: dict[str, Any], writes: dict[str, Any], serving_s: float
) -> dict[str, Any]:
    """CPU per patient-day and the patients of one machine's busiest hour.

    The server's CPU (gunicorn, and PostgreSQL when it is on this machine) is shared among the kinds of
    request by their share of the time the server spent on them, which gives the CPU of one request of
    each kind. A screening is its pages and steps; a session its page, start, summary and, per session
    as in the run, its logs, re-checks and finish; a check-in its page, form and result.
    """
    if any(kind not in server for kinds in PARTS.values() for kind in kinds):
        return {"cpu_ms_per": None, "patient_day_cpu_ms": None}
    total_cpu_ms = 1000 * (cpu["server_s"] + (cpu["database_s"] or 0.0))
    all_busy = sum(k["total_ms"] for k in server.values())
    cost = {name: total_cpu_ms * k["total_ms"] / all_busy / k["requests"] for name, k in server.items()}
    starts = writes["session start"]["acknowledged"] or server["session start"]["requests"]
    per_session = {
        name: (writes[name]["acknowledged"] or server[name]["requests"]) / starts
        for name in ("session log", "session recheck", "session finish")
    }
    steps = len(questions.step_ids())
    per_unit_ms = {
        "screening": cost["home"]
        + cost["screening start"]
        + steps * (cost["screening page"] + cost["screening step"]),
        "plan": cost["plan"],
        "session": cost["session page"]
        + cost["session start"]
        + cost["session summary"]
        + sum(cost[name] * n for name, n in per_session.items()),
        "check-in": cost["check-in page"] + cost["check-in"] + cost["check-in result"],
    }
    day = (
        SCREENINGS_PER_DAY * per_unit_ms["screening"]
        + per_unit_ms["plan"]
        + per_unit_ms["session"]
        + per_unit_ms["check-in"]
    )
    busiest_hour_cpu_s = CORES * 3600 * USABLE_CPU
    patients = busiest_hour_cpu_s / (day / 1000 * BUSIEST_HOUR_SHARE)
    return {
        "cpu_ms_per_request": {name: round(ms, 2) for name, ms in cost.items()},
        "per_session": {name: round(n, 2) for name, n in per_session.items()},
        "cpu_ms_per": {part: round(ms, 2) for part, ms in per_unit_ms.items()},
        "patient_day_cpu_ms": round(day, 2),
        "utilisation_measured": round(total_cpu_ms / 1000 / serving_s / CORES, 3),
        "patient_days_per_hour_measured": round(3600 * starts / serving_s),
        "assumptions": {
            "screenings_per_patient_day": round(SCREENINGS_PER_DAY, 3),
            "busiest_hour_share": BUSIEST_HOUR_SHARE,
            "cores": CORES,
            "usable_cpu": USABLE_CPU,
        },
        "patients_served": int(patients // 100 * 100),
    }


def summarise(
    load: Load,
    figures: list[dict[str, Any]],
    acks: list[dict[str, Any]],
    checked: dict[str, Any],
    timed: list[serverlog.Timed],
    cpu: dict[str, Any],
    serving_s: float,
    kind: str,
    boot_s: float,
    load_before: float,
) -> dict[str, Any]:
    options = load.options
    samples = [(s[0], s[1]) for f in figures for s in f["samples"]]
    errors = [e for f in figures for e in f["errors"]]
    server = latency([(t.kind, t.ms) for t in timed])
    server_errors = sum(1 for t in timed if t.status >= 500)
    writes = checked["writes"]
    before_kills = []
    for number in range(1, len(load.kills) + 1):
        before = {}
        for name in WRITES:
            acked = [a for a in acks if a["kind"] == name and a["gen"] < number]
            missing = set(writes[name]["missing_ids"]) if name != "screening" else set()
            before[name] = {
                "acknowledged": len(acked),
                "missing": sum(1 for a in acked if a["id"] in missing),
            }
        before_kills.append(before)
    problems = []
    if errors:
        problems.append(f"{len(errors)} request(s) failed")
    if server_errors:
        problems.append(f"the server answered {server_errors} request(s) with 5xx")
    slow = [
        f"{name}: server-side p95 {k['p95_ms']} ms, p99 {k['p99_ms']} ms"
        for name, k in server.items()
        if k["p95_ms"] >= P95_MS or k["p99_ms"] >= P99_MS
    ]
    if not checked["integrity"]["ok"]:
        problems.append(f"the database failed its integrity check: {checked['integrity']}")
    for number, kill in enumerate(load.kills, 1):
        if kill.get("integrity_while_down", ["ok"]) != ["ok"] or not kill["integrity"]:
            problems.append(f"the database failed its integrity check after kill {number}: {kill}")
        if kill["missing_while_down"]:
            problems.append(
                f"after kill {number}, {kill['missing_while_down']} acknowledged write(s) missing"
            )
    for name in WRITES:
        if writes[name]["missing"]:
            problems.append(f"{writes[name]['missing']} acknowledged {name} write(s) missing")
        if writes[name]["extra"]:
            problems.append(
                f"{writes[name]['extra']} stored {name} write(s) never acknowledged or duplicated"
            )
    if writes["session log"].get("stored_elsewhere"):
        problems.append("session logs stored under another session or position")
    if options.kill_after_logs is not None and len(load.kills) < options.kills:
        problems.append(f"the server was killed {len(load.kills)} time(s), not {options.kills}")
    requests = len(samples)
    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "database": kind,
        "options": asdict(options),
        "server_boot_s": round(boot_s, 2),
        "serving_s": round(serving_s, 2),
        "journeys": sum(f["journeys"] for f in figures),
        "journeys_started": sum(f["journeys_started"] for f in figures),
        "new_patients": sum(f["new_patients"] for f in figures),
        "returning_patients_made": len(load.seeded),
        "requests": requests,
        "throughput_rps": round(requests / serving_s, 1),
        "errors": len(errors),
        "error_examples": errors[:5],
        "server_5xx": server_errors,
        "interrupted_by_kill": sum(f["interrupted"] for f in figures),
        "lost_answers_resent": sum(f["lost"] for f in figures),
        "resent_found_stored": sum(f["stored_before_answer"] for f in figures),
        "repeats_after_answer": sum(f["repeated"] for f in figures),
        "server_kinds": server,
        "generator_kinds": latency(samples),
        "cpu": cpu,
        "capacity": capacity(server, cpu, writes, serving_s),
        "writes": writes,
        "people": writes["people"],
        "integrity": checked["integrity"],
        "kills": load.kills,
        "acknowledged_before_kill": before_kills,
        "problems": problems,
        "slow": slow,
        "ok": not problems and not slow,
    }


def _table(title: str, kinds: dict[str, Any]) -> None:
    print(title)
    print(f"  {'kind':<16} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, k in kinds.items():
        print(
            f"  {name:<16} {k['requests']:>9,} {k['p50_ms']:>8.1f} {k['p95_ms']:>8.1f} "
            f"{k['p99_ms']:>8.1f} {k['max_ms']:>8.1f}"
        )


def show(report: dict[str, Any]) -> None:
    o = report["options"]
    print(f"date: {report['date']}; machine: {report['machine']}")
    print(f"load average (1 min): {report['load_average'][0]} before, {report['load_average'][1]} after")
    print(
        f"{o['patients']} patients in {o['generators']} generator processes on {report['database']} for "
        f"{o['duration']:g} s (new patients {o['new']:.0%} of days, think {o['think']:g} s, exercise "
        f"{o['exercise']:g} s, ramp {o['ramp']:g} s, "
        f"lost answers {o['lost']:.0%}, repeats {o['repeat']:.0%}); server boot {report['server_boot_s']} s; "
        f"serving {report['serving_s']} s (the time the server was down left out); patient-days: "
        f"{report['journeys_started']} started ({report['new_patients']} new patients who screened, "
        f"the others returning), {report['journeys']} finished"
    )
    print(
        f"requests: {report['requests']:,}, errors: {report['errors']}, server 5xx: {report['server_5xx']}, "
        f"throughput: {report['throughput_rps']} req/s; lost answers sent again: "
        f"{report['lost_answers_resent']}, writes sent again and found already stored (200): "
        f"{report['resent_found_stored']}; repeats after an answer: {report['repeats_after_answer']}"
    )
    _table("latency measured by the server (gunicorn's access log, %(D)s):", report["server_kinds"])
    _table(
        "latency seen by the generator (includes the listen queue and the generator's own delays):",
        report["generator_kinds"],
    )
    print(f"  {'write':<16} {'acknowledged':>12} {'stored':>8} {'present':>8} {'missing':>8} {'extra':>6}")
    for name in WRITES:
        w = report["writes"][name]
        print(
            f"  {name:<16} {w['acknowledged']:>12,} {w['stored']:>8,} {w['present']:>8,} "
            f"{w['missing']:>8} {w['extra']:>6}"
        )
    print(f"database: {report['integrity']}")
    for number, k in enumerate(report["kills"], 1):
        print(
            f"kill {number}: SIGKILL at {k['at_s']} s, after {k['session_logs_acknowledged']} session logs "
            f"acknowledged in all, to {len(k['killed_pids'])} processes; while down: integrity "
            f"{k.get('integrity_while_down', k['integrity'])}, {k['acknowledged_before']} acknowledged "
            f"writes checked, {k['missing_while_down']} missing, {k['stored_unanswered_while_down']} stored "
            f"but not yet answered (cut off); back after {k['down_s']} s"
        )
    if report["kills"]:
        print(f"  requests cut off by the kills and sent again: {report['interrupted_by_kill']}")
    c, cap = report["cpu"], report["capacity"]
    database_cpu = "in the server (SQLite)" if c["database_s"] is None else f"{c['database_s']} s"
    print(
        f"CPU: server {c['server_s']} s, database {database_cpu}, generators {c['generators_s']} s "
        f"(from the start of the load), "
        f"load test {c['load_test_s']} s"
    )
    if cap.get("patient_day_cpu_ms") is not None:
        per = cap["cpu_ms_per"]
        a = cap["assumptions"]
        print(
            f"capacity: server CPU a screening {per['screening']} ms, a plan page {per['plan']} ms, a session "
            f"{per['session']} ms ({cap['per_session']['session log']} logs), a check-in "
            f"{per['check-in']} ms; a patient-day (1/7 screening, plan, session, check-in) "
            f"{cap['patient_day_cpu_ms']} ms"
        )
        print(
            f"  measured: {cap['patient_days_per_hour_measured']:,} patient-days an hour at "
            f"{cap['utilisation_measured']:.0%} of {a['cores']} cores; one {a['cores']}-core machine at "
            f"{a['usable_cpu']:.0%} CPU, with {a['busiest_hour_share']:.0%} of a day's sessions in its "
            f"busiest hour, serves about {cap['patients_served']:,} patients"
        )
    for example in report["error_examples"]:
        print(f"error: {example}")
    bar = f"every kind at server-side p95 < {P95_MS:g} ms and p99 < {P99_MS:g} ms"
    print(f"{bar}:", "yes" if not report["slow"] else "NO: " + "; ".join(report["slow"]))
    print("nothing lost, nothing duplicated, no error:", "yes" if not report["problems"] else "NO")
    print("result:", "PASS" if report["ok"] else "FAIL: " + "; ".join(report["problems"] + report["slow"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=500, help="simulated phones at once (500)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--generators", type=int, default=4, help="generator processes sharing the patients (4)"
    )
    parser.add_argument(
        "--kill-after-logs",
        type=int,
        help="SIGKILL the server once this many session logs were acknowledged since the last start",
    )
    parser.add_argument("--kills", type=int, default=3, help="how many times to kill it (3)")
    parser.add_argument("--think", type=float, default=3.0, help="mean think time before a tap, s (3.0)")
    parser.add_argument("--exercise", type=float, default=10.0, help="mean time of an exercise, s (10)")
    parser.add_argument(
        "--new",
        type=float,
        default=1 / 7,
        help="share of patient-days that are a new patient's, who screens first (1/7; the others "
        "are returning patients screened on an earlier day)",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=60.0,
        help="after --duration, seconds to finish the journeys under way (60)",
    )
    parser.add_argument(
        "--ramp", type=float, default=10.0, help="seconds over which the patients arrive (10)"
    )
    parser.add_argument(
        "--lost", type=float, default=0.05, help="share of writes whose answer is lost (0.05)"
    )
    parser.add_argument("--repeat", type=float, default=0.05, help="share of writes sent twice (0.05)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--json", type=Path, help="write the whole report to this file")
    parser.add_argument("--server-log", type=Path, help="keep the server's output in this file")
    args = parser.parse_args(argv)
    options = Options(
        patients=args.patients,
        duration=args.duration,
        think=args.think,
        exercise=args.exercise,
        new=args.new,
        ramp=args.ramp,
        lost=args.lost,
        repeat=args.repeat,
        kill_after_logs=args.kill_after_logs,
        kills=args.kills,
        drain=args.drain,
        generators=max(1, args.generators),
        seed=args.seed,
    )
    report = run_load(options, args.database, args.server_log)
    show(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
