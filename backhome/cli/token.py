"""``backhome token create|list|revoke``: personal access tokens of an account, for the site admin or
the account's owner on the server. Thin: ``backhome.web.api``'s services make and revoke them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from backhome.cli import IO, Subcommands
from backhome.cli.clinic import _django

if TYPE_CHECKING:  # Django is set up only when a command runs
    from django.contrib.auth.models import User

SCOPES = ("read", "write", "clinic:read", "clinic:write")


def register(sub: Subcommands) -> None:
    help_ = "personal access tokens for the JSON API (docs/api.md)"
    token = sub.add_parser("token", help=help_, description=help_)
    commands = token.add_subparsers(dest="token_command", metavar="COMMAND")
    token.set_defaults(handler=lambda args, io: _help(token, io))

    create = commands.add_parser("create", help="make a token for an account and print it (only this once)")
    create.add_argument("email", metavar="EMAIL", help="the account's email address")
    create.add_argument("--name", required=True, help="what the token is for, e.g. 'export script'")
    create.add_argument(
        "--scope", action="append", choices=SCOPES, required=True, help="what it may do, repeatable"
    )
    create.add_argument(
        "--expires-days",
        default="90",
        choices=("30", "90", "365", "never"),
        help="how long it lasts (default 90)",
    )
    create.set_defaults(handler=_create)

    listing = commands.add_parser("list", help="an account's tokens (never their secrets)")
    listing.add_argument("email", metavar="EMAIL", help="the account's email address")
    listing.set_defaults(handler=_list)

    revoke = commands.add_parser("revoke", help="revoke a token by the prefix `token list` shows")
    revoke.add_argument("email", metavar="EMAIL", help="the account's email address")
    revoke.add_argument("prefix", metavar="PREFIX", help="the token's prefix (bh_<prefix>)")
    revoke.set_defaults(handler=_revoke)


def _help(parser: argparse.ArgumentParser, io: IO) -> int:
    parser.print_help(io.stdout)
    return 0


def _user(email: str, io: IO) -> User | None:
    from django.contrib.auth import get_user_model

    user = get_user_model()._default_manager.filter(username__iexact=email.strip()).first()
    if user is None:
        io.stderr.write(f"backhome: no account with the address {email}\n")
    return user


def _create(args: argparse.Namespace, io: IO) -> int:
    _django()
    from backhome.web.api import services
    from backhome.web.clinic.permissions import clinician_membership

    user = _user(args.email, io)
    if user is None:
        return 2
    try:
        _, secret = services.token_create(
            user=user,
            name=args.name,
            scopes=args.scope,
            expires_in_days=None if args.expires_days == "never" else int(args.expires_days),
            clinician=clinician_membership(user) is not None,
        )
    except services.TokenError as problem:
        io.stderr.write(f"backhome: {problem.field}: {problem.message}\n")
        return 2
    io.stdout.write(secret + "\n")
    return 0


def _list(args: argparse.Namespace, io: IO) -> int:
    _django()
    from backhome.web.api import selectors

    user = _user(args.email, io)
    if user is None:
        return 2
    for row in selectors.tokens_of(user):
        used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never used"
        io.stdout.write(
            f"bh_{row.prefix}  {selectors.token_state(row):8} {','.join(row.scopes):30} {used:17} {row.name}\n"
        )
    return 0


def _revoke(args: argparse.Namespace, io: IO) -> int:
    _django()
    from backhome.web.api import services
    from backhome.web.api.models import AccessToken

    user = _user(args.email, io)
    if user is None:
        return 2
    prefix = args.prefix.removeprefix("bh_")
    row = AccessToken.objects.filter(user=user, prefix=prefix).first()
    if row is None or services.token_revoke(user=user, token_id=row.pk) is None:
        io.stderr.write(f"backhome: {args.email} has no token bh_{prefix}\n")
        return 2
    io.stdout.write(f"revoked bh_{prefix} ({row.name})\n")
    return 0
