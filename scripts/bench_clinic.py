"""``make bench`` (clinic part): the clinician pages at clinic scale, on SQLite or PostgreSQL.

Seeds a temporary SQLite database (or, with ``--database postgres``, a throw-away PostgreSQL cluster made
by ``scripts/pg_cluster.py``) with ``backhome seed-clinic``'s generator (5,000 patients with a year
of daily sessions by default; the seeding time is reported too), then, through Django's test client
logged in as the clinic's admin (so every request runs the whole middleware stack, the permission
check and the audit write):

- the patient list, 60 requests cycling through its sorts, filters and pages;
- a patient's page, 60 requests for patients picked at random (a fixed seed);
- the handout PDF, 10 renders of different patients with the PDF cache emptied first (what a first
  print costs), then 10 more of the same patients (a second print of an unchanged sheet);

and reports the median and the 95th percentile of each (wall time, and this process's CPU time, which a
busy machine does not inflate), the load average, and each page's number of queries. Targets
(product.md): p95 < 300 ms for the list and the page, < 500 ms for the handout.

    python -m scripts.bench_clinic [--patients 5000] [--days 365] [--requests 60] [--data-dir DIR]
                                   [--database sqlite|postgres]

``--data-dir`` keeps (or reuses, when it already holds a seeded database) the SQLite database in DIR. A
PostgreSQL cluster is always new and seeded afresh (about as long as SQLite's seeding), and deleted
at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

LIST_QUERIES = (
    "",
    "?sort=pain",
    "?sort=adherence",
    "?sort=activity&order=desc",
    "?sort=label&page=40",
    "?low_adherence=1",
    "?no_improvement=1&sort=pain",
    "?has_alerts=1",
    "?find=00042",
    "?sort=alerts&page=3",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


CPU: dict[str, list[float]] = {}


def timed(client: Any, path: str, kind: str = "") -> float:
    """Wall time of one request, in ms; its CPU time (this process) goes to ``CPU[kind]``."""
    cpu = time.process_time()
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    CPU.setdefault(kind, []).append((time.process_time() - cpu) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return elapsed * 1000


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.machine()} {cpu}, {os.cpu_count()} cores, CPython {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--data-dir", help="keep (or reuse) the SQLite database in this folder")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()

    data_dir = (
        Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="backhome-bench-clinic-"))
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["BACKHOME_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # a temporary database: never the one of the environment
    os.environ.setdefault("BACKHOME_SECRET_KEY", "bench-only-" + "k" * 50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backhome.web.config.settings"
    with contextlib.ExitStack() as stack:
        if args.database == "postgres":
            from scripts.pg_cluster import pg_cluster

            os.environ["DATABASE_URL"] = stack.enter_context(pg_cluster())
        try:
            return run(args, data_dir)
        finally:
            if not args.data_dir:
                shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, data_dir: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from backhome.web.clinic.models import Clinic, Enrolment, Membership
    from backhome.web.clinic.seed import seed_clinic
    from backhome.web.handouts.render import _PDF_CACHE

    call_command("migrate", verbosity=0, interactive=False)
    clinic = Clinic.objects.filter(name="Bench Clinic").first()
    seeded = clinic is not None and Enrolment.objects.filter(clinic=clinic).count() >= args.patients
    if not seeded:
        print(f"seeding {args.patients:,} patients × {args.days} days into {data_dir} ...", file=sys.stderr)
        result = seed_clinic(
            patients=args.patients,
            days=args.days,
            clinic_name="Bench Clinic",
            progress=lambda done, total: print(f"\r  {done:,} of {total:,}", end="", file=sys.stderr),
        )
        print(file=sys.stderr)
        clinic = result.clinic
        print(
            f"seed: {result.patients:,} patients, {result.sessions:,} sessions, {result.logs:,} exercise logs, "
            f"{result.checkins:,} check-ins, {result.dose_changes:,} dose changes, {result.alerts:,} alerts "
            f"in {result.seconds:.0f} s"
        )
    assert clinic is not None
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load in a live database: the planner's statistics, and
        # the visibility map without which an index-only scan still reads the table's rows.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE after seeding: {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), version()")
            size, version = cursor.fetchone()
        engine = "PostgreSQL " + str(version).split()[1]
        cursor_note = " (CPU: this process only; the PostgreSQL server's own work is not in it)"
    else:
        size = sum(p.stat().st_size for p in data_dir.glob("backhome.sqlite3*"))
        engine = f"SQLite {connection.Database.sqlite_version}"
        cursor_note = ""
    print(f"database: {engine}, {size / 2**20:,.0f} MiB")

    admin = Membership.objects.filter(clinic=clinic, role="admin").select_related("user").first()
    assert admin is not None
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin.user)
    people = list(Enrolment.objects.filter(clinic=clinic).values_list("person_id", flat=True))
    rng = random.Random(20261123)

    # warm up (imports, templates, the library, the database's page cache, WeasyPrint's fonts and pictures)
    for path in ("/clinic/", f"/clinic/patients/{people[0]}/", f"/clinic/patients/{people[0]}/handout.pdf"):
        timed(client, path)

    def queries(path: str) -> int:
        seen: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        return len(seen)

    list_queries = queries("/clinic/")
    page_queries = queries(f"/clinic/patients/{people[1]}/")

    CPU.clear()
    lists = [
        timed(client, "/clinic/" + LIST_QUERIES[i % len(LIST_QUERIES)], "list") for i in range(args.requests)
    ]
    pages = [timed(client, f"/clinic/patients/{rng.choice(people)}/", "page") for _ in range(args.requests)]
    printed = rng.sample(people[1:], 10)
    handouts = []
    kept: dict[str, bytes] = {}
    for person_id in printed:
        _PDF_CACHE.clear()  # a first print: no PDF kept from an earlier one (two patients may share one)
        handouts.append(timed(client, f"/clinic/patients/{person_id}/handout.pdf?paper=a4", "handout"))
        kept.update(_PDF_CACHE)
    _PDF_CACHE.update(kept)
    again = [
        timed(client, f"/clinic/patients/{person_id}/handout.pdf?paper=a4", "again") for person_id in printed
    ]

    def line(name: str, values: list[float], cpu: list[float], target: float) -> str:
        p95 = percentile(values, 0.95)
        verdict = "met" if p95 < target else "NOT met"
        return (
            f"{name:<13} n={len(values):<3} wall: median {statistics.median(values):6.1f} ms, "
            f"p95 {p95:6.1f} ms, max {max(values):6.1f} ms | CPU: median {statistics.median(cpu):6.1f} ms, "
            f"p95 {percentile(cpu, 0.95):6.1f} ms | target p95 < {target:.0f} ms: {verdict}"
        )

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{date.today().isoformat()}  {machine()}, {engine}; load average {load:.1f} at the end of the run")
    print(line("patient list", lists, CPU["list"], 300) + f" ({list_queries} queries)")
    print(line("patient page", pages, CPU["page"], 300) + f" ({page_queries} queries)")
    print(line("handout PDF", handouts, CPU["handout"], 500) + " (first print)")
    print(line("handout again", again, CPU["again"], 500) + " (the same sheet, kept)" + cursor_note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
