"""``make load``: simulated patients against ``backhome serve``, then every acknowledged write counted.

Starts ``backhome serve`` (gunicorn, as in production) on a free loopback port with a fresh data folder
(SQLite) or a fresh database (PostgreSQL), and lets ``--patients`` simulated phones use it for
``--duration`` seconds (``scripts/loadlib/patients.py``: screening with the real forms, plan, a guided
session through the JSON endpoints with client UUIDs, summary, check-in; some writes lose their answer and
are sent again, some are sent twice). The server is then stopped and a separate process counts, in the
database, every write a client was told was stored (``scripts/loadlib/verify.py``).

With ``--kill-after N``, the server's whole process group (the gunicorn master and its workers) gets
SIGKILL N seconds into the load (or at the first acknowledged write, if none came by then); the database
is checked (SQLite ``PRAGMA integrity_check``) while the server is down, the server is started again on
the same port and data, and the phones whose requests were cut off send them again, the same, when it
answers. The run then lasts ``--duration`` seconds of serving
(the time the server was down is added).

It passes (exit 0) when no request failed outside the kill, the database passes its checks, every
acknowledged write is stored (those acknowledged before the kill included), and no stored write is a
duplicate or was never acknowledged. ``--json`` writes the whole report for tests.

Every request goes to 127.0.0.1 only; the server is stopped and the data folder removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from scripts.bench_web import machine
from scripts.loadlib.patients import Options, Run, patient_loop, renew_pool
from scripts.loadlib.server import Server, fresh_postgres_database, postgres_cluster, server_env

REPO = Path(__file__).resolve().parents[1]
KINDS = (
    "page",
    "screening page",
    "screening step",
    "plan",
    "session start",
    "session log",
    "session recheck",
    "session finish",
    "check-in",
)
WRITES = ("screening", "session start", "session log", "session recheck", "session finish", "check-in")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


# --------------------------------------------------------------------------- the run


async def _killer(run: Run, server: Server, after: float, database_file: Path | None) -> None:
    """SIGKILL the server ``after`` seconds in (later if no write has been acknowledged yet: the kill is
    meant to land among writes), check the database, start it again."""
    await asyncio.sleep(after)
    waited = 0.0
    while not run.acks and waited < 20:  # a slow machine may take longer to reach the first write
        await asyncio.sleep(0.1)
        waited += 0.1
    run.up.clear()
    run.generation += 1
    killed_at = run.now()
    pids = server.kill()
    report: dict[str, Any] = {"at_s": round(killed_at, 3), "killed_pids": pids}
    report["acknowledged_before"] = len(run.acks)
    if database_file is not None:
        report["integrity_while_down"] = await asyncio.to_thread(sqlite_integrity, database_file)
    server.start()
    while not await asyncio.to_thread(server.ready):
        await asyncio.sleep(0.2)
    back_at = run.now()
    await renew_pool(run)
    run.downtime += back_at - killed_at
    report["down_s"] = round(back_at - killed_at, 3)
    run.kill = report
    run.up.set()


def sqlite_integrity(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` on the database file as the killed server left it (WAL included)."""
    connection = sqlite3.connect(path, timeout=20)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")][:5]
    finally:
        connection.close()


async def _load(server: Server, options: Options, database_file: Path | None) -> Run:
    run = Run(base=server.base, options=options)
    run.up.set()
    tasks = [asyncio.create_task(patient_loop(run, i)) for i in range(options.patients)]
    if options.kill_after is not None:
        tasks.append(asyncio.create_task(_killer(run, server, options.kill_after, database_file)))
    await asyncio.gather(*tasks)
    run.elapsed = run.now()
    await renew_pool(run)
    return run


def verify(env: dict[str, str], acks: list[dict[str, Any]], workdir: Path) -> dict[str, Any]:
    journal = workdir / "acks.json"
    journal.write_text(json.dumps(acks))
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
            env = server_env(workdir, url)
            database_file = None if url else workdir / "data" / "backhome.sqlite3"
            server = Server(workdir, env)
            try:
                booted = time.monotonic()
                server.start()
                server.wait_ready()
                boot_s = time.monotonic() - booted
                run = asyncio.run(_load(server, options, database_file))
            finally:
                server.stop()
                if keep_log:
                    shutil.copy(server.log_path, keep_log)
            checked = verify(env, run.acks, workdir)
        return summarise(run, checked, options, kind, boot_s, load_before)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- the report


def summarise(
    run: Run, checked: dict[str, Any], options: Options, kind: str, boot_s: float, load_before: float
) -> dict[str, Any]:
    elapsed = run.elapsed
    kinds: dict[str, Any] = {}
    for name in KINDS:
        ms = [s.ms for s in run.samples if s.kind == name]
        if ms:
            kinds[name] = {
                "requests": len(ms),
                "p50_ms": round(percentile(ms, 0.50), 1),
                "p95_ms": round(percentile(ms, 0.95), 1),
                "p99_ms": round(percentile(ms, 0.99), 1),
                "max_ms": round(max(ms), 1),
            }
    writes = checked["writes"]
    kill_t = run.kill.get("at_s")
    before_kill: dict[str, Any] = {}
    if kill_t is not None:
        for name in WRITES:
            acked = [a for a in run.acks if a["kind"] == name and a["gen"] == 0]
            missing = set(writes[name]["missing_ids"]) if name != "screening" else set()
            before_kill[name] = {
                "acknowledged": len(acked),
                "missing": sum(1 for a in acked if a["id"] in missing),
            }
    problems = []
    if run.errors:
        problems.append(f"{len(run.errors)} request(s) failed")
    if not checked["integrity"]["ok"]:
        problems.append(f"the database failed its integrity check: {checked['integrity']}")
    if run.kill and run.kill.get("integrity_while_down", ["ok"]) != ["ok"]:
        problems.append(f"the database failed its integrity check after the kill: {run.kill}")
    for name in WRITES:
        if writes[name]["missing"]:
            problems.append(f"{writes[name]['missing']} acknowledged {name} write(s) missing")
        if writes[name]["extra"]:
            problems.append(
                f"{writes[name]['extra']} stored {name} write(s) never acknowledged or duplicated"
            )
    if writes["session log"].get("stored_elsewhere"):
        problems.append("session logs stored under another session or position")
    if options.kill_after is not None and not run.kill:
        problems.append("the server was never killed (the run ended first)")
    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "database": kind,
        "options": vars(options),
        "server_boot_s": round(boot_s, 2),
        "elapsed_s": round(elapsed, 2),
        "journeys": run.journeys,
        "journeys_started": run.journeys_started,
        "requests": len(run.samples),
        "throughput_rps": round(len(run.samples) / elapsed, 1),
        "errors": len(run.errors),
        "error_examples": run.errors[:5],
        "interrupted_by_kill": len(run.interrupted),
        "lost_answers_resent": run.lost,
        "resent_found_stored": run.stored_before_answer,
        "repeats_after_answer": run.repeated,
        "kinds": kinds,
        "writes": writes,
        "people": writes["people"],
        "integrity": checked["integrity"],
        "kill": run.kill,
        "acknowledged_before_kill": before_kill,
        "problems": problems,
        "ok": not problems,
    }


def show(report: dict[str, Any]) -> None:
    o = report["options"]
    print(f"date: {report['date']}; machine: {report['machine']}")
    print(f"load average (1 min): {report['load_average'][0]} before, {report['load_average'][1]} after")
    print(
        f"{o['patients']} patients for {o['duration']:g} s on {report['database']} (think {o['think']:g} s, "
        f"ramp {o['ramp']:g} s, lost answers {o['lost']:.0%}, repeats {o['repeat']:.0%}); server boot "
        f"{report['server_boot_s']} s; run {report['elapsed_s']} s (new journeys for {o['duration']:g} s, "
        f"then up to {o['drain']:g} s to finish those under way); journeys: {report['journeys_started']} "
        f"started, {report['journeys']} finished"
    )
    print(
        f"requests: {report['requests']:,}, errors: {report['errors']}, throughput: "
        f"{report['throughput_rps']} req/s; lost answers sent again: {report['lost_answers_resent']}, "
        f"writes sent again and found already stored (200): {report['resent_found_stored']}; repeats after an answer: "
        f"{report['repeats_after_answer']}"
    )
    print(f"{'kind':<16} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, k in report["kinds"].items():
        print(
            f"{name:<16} {k['requests']:>9,} {k['p50_ms']:>8.1f} {k['p95_ms']:>8.1f} {k['p99_ms']:>8.1f} "
            f"{k['max_ms']:>8.1f}"
        )
    print(f"{'write':<16} {'acknowledged':>12} {'stored':>8} {'present':>8} {'missing':>8} {'extra':>6}")
    for name in WRITES:
        w = report["writes"][name]
        print(
            f"{name:<16} {w['acknowledged']:>12,} {w['stored']:>8,} {w['present']:>8,} {w['missing']:>8} "
            f"{w['extra']:>6}"
        )
    print(f"database: {report['integrity']}")
    if report["kill"]:
        k = report["kill"]
        print(
            f"kill: SIGKILL at {k['at_s']} s to {len(k['killed_pids'])} processes {k['killed_pids']}; "
            f"integrity while down: {k.get('integrity_while_down', 'n/a')}; back after {k['down_s']} s; "
            f"{report['interrupted_by_kill']} requests cut off and sent again"
        )
        for name, b in report["acknowledged_before_kill"].items():
            print(f"  acknowledged before the kill: {name}: {b['acknowledged']}, missing {b['missing']}")
    for example in report["error_examples"]:
        print(f"error: {example}")
    print("result:", "PASS" if report["ok"] else "FAIL: " + "; ".join(report["problems"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=200, help="simulated phones at once (200)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--kill-after", type=float, help="SIGKILL the server this many seconds in, then restart"
    )
    parser.add_argument("--think", type=float, default=2.0, help="mean think time before a write, s (2.0)")
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
        ramp=args.ramp,
        lost=args.lost,
        repeat=args.repeat,
        kill_after=args.kill_after,
        drain=args.drain,
        seed=args.seed,
    )
    report = run_load(options, args.database, args.server_log)
    show(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
