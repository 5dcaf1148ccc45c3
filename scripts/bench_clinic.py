"""``make bench`` (clinic part): the clinician pages at clinic scale, on SQLite.

Seeds a temporary SQLite database with ``backhome seed-clinic``'s generator (5,000 patients with a year
of daily sessions by default; the seeding time is reported too), then, through Django's test client
logged in as the clinic's admin (so every request runs the whole middleware stack, the permission
check and the audit write):

- the patient list, 60 requests cycling through its sorts, filters and pages;
- a patient's page, 60 requests for patients picked at random (a fixed seed);
- the handout PDF, 10 renders;

and reports the median and the 95th percentile of each (wall time, and this process's CPU time, which a
busy machine does not inflate), the load average, and each page's number of queries. Targets
(product.md): p95 < 300 ms for the list and the page, < 500 ms for the handout. PostgreSQL is measured
when issue 7 brings it.

    python -m scripts.bench_clinic [--patients 5000] [--days 365] [--requests 60] [--data-dir DIR]

``--data-dir`` keeps (or reuses, when it already holds a seeded database) the database in DIR.
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--data-dir", help="keep (or reuse) the database in this folder")
    args = parser.parse_args()

    data_dir = (
        Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="backhome-bench-clinic-"))
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["BACKHOME_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # always the temporary SQLite database
    os.environ.setdefault("BACKHOME_SECRET_KEY", "bench-only-" + "k" * 50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backhome.web.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from backhome.web.clinic.models import Clinic, Enrolment, Membership
    from backhome.web.clinic.seed import seed_clinic

    try:
        call_command("migrate", verbosity=0, interactive=False)
        clinic = Clinic.objects.filter(name="Bench Clinic").first()
        seeded = clinic is not None and Enrolment.objects.filter(clinic=clinic).count() >= args.patients
        if not seeded:
            print(
                f"seeding {args.patients:,} patients × {args.days} days into {data_dir} ...", file=sys.stderr
            )
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
        size = sum(p.stat().st_size for p in data_dir.glob("backhome.sqlite3*"))
        print(f"database: {size / 2**20:,.0f} MiB")

        admin = Membership.objects.filter(clinic=clinic, role="admin").select_related("user").first()
        assert admin is not None
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin.user)
        people = list(Enrolment.objects.filter(clinic=clinic).values_list("person_id", flat=True))
        rng = random.Random(20261123)

        # warm up (imports, templates, the library, SQLite's page cache)
        for path in ("/clinic/", f"/clinic/patients/{people[0]}/"):
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
            timed(client, "/clinic/" + LIST_QUERIES[i % len(LIST_QUERIES)], "list")
            for i in range(args.requests)
        ]
        pages = [
            timed(client, f"/clinic/patients/{rng.choice(people)}/", "page") for _ in range(args.requests)
        ]
        handouts = [
            timed(client, f"/clinic/patients/{rng.choice(people)}/handout.pdf?paper=a4", "handout")
            for _ in range(10)
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
        print(
            f"{date.today().isoformat()}  {machine()}, SQLite; load average {load:.1f} at the end of the run"
        )
        print(line("patient list", lists, CPU["list"], 300) + f" ({list_queries} queries)")
        print(line("patient page", pages, CPU["page"], 300) + f" ({page_queries} queries)")
        print(line("handout PDF", handouts, CPU["handout"], 500))
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
