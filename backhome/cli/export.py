"""``backhome export``: one person's record, as a FHIR R4 Bundle (``--fhir``) or as the plain JSON
export of their data page (``--json``, ``backhome.export/1``)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from backhome.cli import IO, Subcommands

SETTINGS = "backhome.web.config.settings"


def register(sub: Subcommands) -> None:
    help_ = "write one person's record as a FHIR R4 Bundle (--fhir) or as backhome's JSON export (--json)"
    parser = sub.add_parser("export", help=help_, description=help_)
    kind = parser.add_mutually_exclusive_group(required=True)
    kind.add_argument(
        "--fhir", action="store_true", help="a FHIR R4 Bundle (application/fhir+json, docs/fhir.md)"
    )
    kind.add_argument(
        "--json",
        action="store_true",
        help="everything stored about the person (backhome.export/1, as the data page)",
    )
    parser.add_argument("--person", type=int, required=True, help="the person's number in the database")
    parser.add_argument(
        "--output", "-o", default="-", help="file to write (default -: standard output, for a pipe)"
    )
    parser.set_defaults(handler=_export)


def _export(args: argparse.Namespace, io: IO) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    from backhome.web.patient.models import Person

    person = Person.objects.select_related("user").filter(pk=args.person).first()
    if person is None:
        io.stderr.write(f"backhome export: there is no person {args.person}\n")
        return 2
    if args.fhir:
        from backhome.web.fhir.bundle import person_bundle

        document = person_bundle(person)
        what = f"FHIR Bundle, {len(document['entry'])} resources"
    else:
        from backhome.web.accounts.selectors import export_document

        document = export_document(person=person, user=person.user)
        what = "backhome.export/1"
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output == "-":
        io.stdout.write(text)
        io.stdout.flush()
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        io.stderr.write(f"wrote {args.output} ({what})\n")
    return 0
