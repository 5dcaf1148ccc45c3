"""``python manage.py seed_clinic``: the same as ``backhome seed-clinic`` (see docs/clinic.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backhome.web.clinic.seed import seed_clinic


class Command(BaseCommand):
    help = "Make a clinic of made-up patients with a history of daily sessions (benchmarks, demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=5000)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--clinic", default="Seed Clinic")
        parser.add_argument("--seed", type=int, default=20261123)

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_clinic(
            patients=options["patients"],
            days=options["days"],
            clinic_name=options["clinic"],
            seed=options["seed"],
        )
        self.stdout.write(
            f"clinic {result.clinic.pk}: {result.patients} patients, {result.sessions} sessions, "
            f"{result.logs} logs, {result.checkins} check-ins in {result.seconds:.1f} s"
        )
