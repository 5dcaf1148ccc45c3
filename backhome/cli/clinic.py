"""``backhome clinic ...`` (clinics and their clinicians, for the site admin) and ``backhome seed-clinic``
(made-up patients at clinic scale). Thin: they call ``backhome.web.clinic``'s services and print."""

from __future__ import annotations

import argparse
import os

from backhome.cli import IO, Subcommands

SETTINGS = "backhome.web.config.settings"


def _public_url() -> str:
    return os.environ.get("BACKHOME_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def register(sub: Subcommands) -> None:
    help_ = "manage clinics and their clinicians (site admin)"
    clinic = sub.add_parser("clinic", help=help_, description=help_)
    commands = clinic.add_subparsers(dest="clinic_command", metavar="COMMAND")
    clinic.set_defaults(handler=lambda args, io: _help(clinic, io))

    create = commands.add_parser("create", help="make a clinic and print its number")
    create.add_argument("name", help="the clinic's name, as patients see it")
    create.add_argument("--phone", default="", help="its phone number (shown to its patients)")
    create.add_argument("--email", default="", help="its email address")
    create.add_argument("--url", default="", help="its web address (https://...)")
    create.set_defaults(handler=_create)

    add = commands.add_parser(
        "add-clinician", help="make someone a clinician of a clinic; prints a one-time link to set a password"
    )
    add.add_argument(
        "clinic_id", type=int, metavar="CLINIC_ID", help="the clinic's number (`backhome clinic list`)"
    )
    add.add_argument("email", metavar="EMAIL", help="the clinician's email address (their login)")
    add.add_argument("--admin", action="store_true", help="make them the clinic's admin")
    add.add_argument(
        "--base-url",
        default=_public_url(),
        help="the site's address, for the link (default BACKHOME_PUBLIC_URL or http://127.0.0.1:8000)",
    )
    add.set_defaults(handler=_add_clinician)

    deactivate = commands.add_parser("deactivate-clinician", help="switch a clinician's access off")
    deactivate.add_argument("clinic_id", type=int, metavar="CLINIC_ID", help="the clinic's number")
    deactivate.add_argument("email", metavar="EMAIL", help="the clinician's email address")
    deactivate.set_defaults(handler=_deactivate)

    listing = commands.add_parser("list", help="every clinic with its clinicians and number of patients")
    listing.set_defaults(handler=_list)

    seed_help = "make a clinic of made-up patients with a history of daily sessions (benchmarks, demos)"
    seed = sub.add_parser("seed-clinic", help=seed_help, description=seed_help)
    seed.add_argument("--patients", type=int, default=5000, help="how many patients (default 5000)")
    seed.add_argument("--days", type=int, default=365, help="days of history each (default 365)")
    seed.add_argument(
        "--clinic", default="Seed Clinic", help='the clinic\'s name (default "Seed Clinic"; made if missing)'
    )
    seed.add_argument(
        "--seed", type=int, default=20261123, help="random seed (default 20261123: the same data each time)"
    )
    seed.set_defaults(handler=_seed)


def _help(parser: argparse.ArgumentParser, io: IO) -> int:
    parser.print_help(io.stdout)
    return 0


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _create(args: argparse.Namespace, io: IO) -> int:
    _django()
    from backhome.web.clinic.errors import ClinicError
    from backhome.web.clinic.services import clinic_create

    try:
        clinic = clinic_create(name=args.name, phone=args.phone, email=args.email, url=args.url)
    except ClinicError as error:
        io.stderr.write(f"backhome clinic create: --{error.field}: {error.message}\n")
        return 2
    io.stdout.write(f"clinic {clinic.pk}: {clinic.name}\n")
    return 0


def _add_clinician(args: argparse.Namespace, io: IO) -> int:
    _django()
    from backhome.web.clinic.errors import ClinicError
    from backhome.web.clinic.models import Clinic, Role
    from backhome.web.clinic.services import clinician_add, password_set_path

    clinic = Clinic.objects.filter(pk=args.clinic_id).first()
    if clinic is None:
        io.stderr.write(f"backhome clinic add-clinician: there is no clinic {args.clinic_id}\n")
        return 2
    role = Role.ADMIN if args.admin else Role.CLINICIAN
    try:
        membership, created = clinician_add(clinic=clinic, email=args.email, role=role)
    except ClinicError as error:
        io.stderr.write(f"backhome clinic add-clinician: {error.message}\n")
        return 2
    username = membership.user.get_username()
    io.stdout.write(f"{username} is now {'the admin' if args.admin else 'a clinician'} of {clinic.name}.\n")
    if created or not membership.user.has_usable_password():
        link = args.base_url.rstrip("/") + password_set_path(membership.user)
        io.stdout.write(f"They set their password with this link (it works once, for one day):\n{link}\n")
    else:
        io.stdout.write("They already had an account: they log in with their own password.\n")
    return 0


def _deactivate(args: argparse.Namespace, io: IO) -> int:
    _django()
    from django.db import transaction

    from backhome.web.clinic.models import Membership

    with transaction.atomic():
        updated = Membership.objects.filter(
            clinic_id=args.clinic_id, user__username__iexact=args.email.strip(), active=True
        ).update(active=False)
    if not updated:
        io.stderr.write(
            f"backhome clinic deactivate-clinician: {args.email} is not an active clinician of clinic {args.clinic_id}\n"
        )
        return 2
    io.stdout.write(f"{args.email} can no longer open clinic {args.clinic_id}'s pages.\n")
    return 0


def _list(args: argparse.Namespace, io: IO) -> int:
    _django()
    from django.db.models import Count

    from backhome.web.clinic.models import Clinic, Membership

    clinics = Clinic.objects.annotate(patients=Count("enrolments", distinct=True)).order_by("pk")
    members: dict[int, list[str]] = {}
    for m in Membership.objects.select_related("user").order_by("user__username"):
        state = "" if m.active else ", off"
        members.setdefault(m.clinic_id, []).append(f"{m.user.get_username()} ({m.role}{state})")
    if not clinics:
        io.stdout.write("No clinics yet: backhome clinic create NAME\n")
    for clinic in clinics:
        io.stdout.write(
            f"{clinic.pk}  {clinic.name}  {clinic.patients} patient{'s' if clinic.patients != 1 else ''}\n"
        )
        for line in members.get(clinic.pk, []):
            io.stdout.write(f"     {line}\n")
    return 0


def _seed(args: argparse.Namespace, io: IO) -> int:
    if args.patients < 0 or args.days < 1:
        io.stderr.write("backhome seed-clinic: --patients must be 0 or more and --days 1 or more\n")
        return 2
    _django()
    from backhome.web.clinic.seed import seed_clinic

    def progress(done: int, total: int) -> None:
        io.stderr.write(f"\r{done:,} of {total:,} patients")
        io.stderr.flush()

    result = seed_clinic(
        patients=args.patients, days=args.days, clinic_name=args.clinic, seed=args.seed, progress=progress
    )
    io.stderr.write("\n")
    io.stdout.write(
        f"clinic {result.clinic.pk} ({result.clinic.name}): {result.patients:,} patients, "
        f"{result.sessions:,} sessions, {result.logs:,} exercise logs, {result.checkins:,} check-ins, "
        f"{result.dose_changes:,} dose changes, {result.alerts:,} alerts in {result.seconds:.1f} s\n"
        f"its admin: {result.admin_email} (set a password: backhome clinic add-clinician "
        f"{result.clinic.pk} {result.admin_email} --admin)\n"
    )
    return 0
