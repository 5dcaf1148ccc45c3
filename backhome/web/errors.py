"""The domain errors that services raise: what went wrong, in words a person can read, never an HTTP status.

Every service of every app raises one of these (or a subclass named for its case); views and the API turn
them into an answer in one place (``backhome.web.api.errors`` for JSON, the views' own messages for
pages). The kind decides the status there, so the same fault gets the same status everywhere.

``code`` is a stable machine-readable word (``id_reused``, ``sessions_used_up``, ...); ``fields`` names
the wrong fields of an invalid input with a message for each.
"""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """A refusal of a service: a stable code, a message for a person and, for bad input, its fields."""

    default_code = "error"

    def __init__(
        self, message: str, *, code: str | None = None, fields: Iterable[tuple[str, str]] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields: tuple[tuple[str, str], ...] = tuple(fields)


class Invalid(DomainError):
    """The input is wrong: ``fields`` says which field and why."""

    default_code = "invalid"


class NotFound(DomainError):
    """No such object for this person (also what another person's object looks like)."""

    default_code = "not_found"


class NotAllowed(DomainError):
    """The person is known but may not do this."""

    default_code = "forbidden"


class Conflict(DomainError):
    """The request is well formed but the state does not allow it (an id reused, a session ended...)."""

    default_code = "conflict"


class TooLarge(DomainError):
    """The input is larger than the service accepts."""

    default_code = "too_large"


class StaleVersion(DomainError):
    """The object changed since the caller read it (a stale form or ``If-Match``)."""

    default_code = "stale"


class VersionRequired(DomainError):
    """A write that must say which version it changes did not say it."""

    default_code = "version_required"


class RateLimited(DomainError):
    """Too many attempts; try again later."""

    default_code = "rate_limited"


class Unavailable(DomainError):
    """The service cannot answer now (the database is read-only or full, for example); nothing changed."""

    default_code = "unavailable"


#: The status of each kind of domain error: the one place a service's refusal becomes a status.
STATUS: dict[type[DomainError], int] = {
    Invalid: 400,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    StaleVersion: 412,
    TooLarge: 413,
    VersionRequired: 428,
    RateLimited: 429,
    Unavailable: 503,
}


def status_of(error: DomainError) -> int:
    """The status of a domain error: its kind's (a subclass, e.g. ``AlreadyCheckedIn(Conflict)``, has
    its kind's). A kind not in :data:`STATUS` is a mistake of ours: 500."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500
