"""``backhome handout``: print a person's programme to a PDF (the same handout as the web's)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from backhome.cli import IO, Subcommands

SETTINGS = "backhome.web.config.settings"


def register(sub: Subcommands) -> None:
    help_ = "write a person's printable handout (PDF: programme, pictures, steps, doses, safety rules)"
    parser = sub.add_parser("handout", help=help_, description=help_)
    parser.add_argument("--person", type=int, required=True, help="the person's number in the database")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size (default a4)")
    parser.add_argument(
        "--output", "-o", default="-", help="file to write (default -: standard output, for a pipe)"
    )
    parser.add_argument(
        "--plan-url",
        default=os.environ.get("BACKHOME_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + "/plan/",
        help="address the QR code opens (default: BACKHOME_PUBLIC_URL + /plan/)",
    )
    parser.set_defaults(handler=_handout)


def _handout(args: argparse.Namespace, io: IO) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    from backhome.web.handouts.render import NoProgramme, handout_pdf
    from backhome.web.patient.models import Person

    person = Person.objects.filter(pk=args.person).first()
    if person is None:
        io.stderr.write(f"backhome handout: there is no person {args.person}\n")
        return 2
    try:
        pdf = handout_pdf(person, plan_url=args.plan_url, paper=args.paper)
    except NoProgramme:
        io.stderr.write(f"backhome handout: person {args.person} has no programme to print\n")
        return 2
    if args.output == "-":
        stream = getattr(io.stdout, "buffer", None) or sys.stdout.buffer
        stream.write(pdf)
        stream.flush()
    else:
        Path(args.output).write_bytes(pdf)
        io.stderr.write(f"wrote {args.output} ({len(pdf):,} bytes, {args.paper})\n")
    return 0
