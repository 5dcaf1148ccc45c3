"""``backhome reminders send [--now ISO]``: the reminder emails that are due, for cron. Thin: the same
as ``python manage.py send_reminders`` (``backhome.web.reminders.services.reminders_send``)."""

from __future__ import annotations

import argparse

from backhome.cli import IO, Subcommands
from backhome.cli.clinic import _django


def register(sub: Subcommands) -> None:
    help_ = "reminder emails (docs/reminders.md)"
    reminders = sub.add_parser("reminders", help=help_, description=help_)
    commands = reminders.add_subparsers(dest="reminders_command", metavar="COMMAND")
    reminders.set_defaults(handler=lambda args, io: _help(reminders, io))
    send = commands.add_parser(
        "send", help="send the reminder emails that are due now, within each person's budget (for cron)"
    )
    send.add_argument("--now", help="act as if it were this moment (ISO 8601, e.g. 2026-03-02T18:05+00:00)")
    send.set_defaults(handler=_send)


def _help(parser: argparse.ArgumentParser, io: IO) -> int:
    parser.print_help(io.stdout)
    return 0


def _send(args: argparse.Namespace, io: IO) -> int:
    _django()
    from django.core.management.base import CommandError

    from backhome.web.reminders.management.commands.send_reminders import parse_now
    from backhome.web.reminders.services import reminders_send

    try:
        now = parse_now(args.now)
    except CommandError as error:
        io.stderr.write(f"backhome: {error}\n")
        return 2
    report = reminders_send(now=now)
    io.stdout.write(report.words + "\n")
    return 1 if report.failed else 0
