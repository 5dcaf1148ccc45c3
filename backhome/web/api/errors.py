"""One JSON error envelope for every refusal, whoever answers it (the API, the pages' JSON, a database
fault, a body too large):

``{"error": {"code": "...", "message": "...", "fields": [{"field": "...", "message": "..."}]}}``

:func:`envelope` is the only function that builds it. A service's refusal is a domain error
(``backhome.web.errors``); `backhome.web.errors.STATUS` gives each kind its status, once, and :func:`status_of` is what
the pages use too, so the same fault gets the same status everywhere.

ninja's own answers (its 422 for a bad body, its plain-text 405, Django's 404 and 500 pages) are all
turned into this shape here: exception handlers for what a view raises, and ``enveloped`` around every
URL for what happens before a view runs (method, size and type of the body). A bad body is 400
``invalid`` like any other wrong input: the API never answers 422.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from pydantic import BaseModel

from backhome.web.errors import DomainError, status_of

logger = logging.getLogger(__name__)

#: The largest request body the API reads (bigger ones get 413 before anything is read).
MAX_BODY = 64 * 1024
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: How long a client should wait before sending again what was refused with 503.
RETRY_AFTER_S = 120


#: The stable code of each status when nothing more precise is known (the refusals that are not domain
#: errors: ninja's, Django's, the web server's).
CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "stale",
    413: "too_large",
    415: "unsupported_media_type",
    428: "version_required",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class FieldOut(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[FieldOut]


class ErrorOut(BaseModel):
    """Every error the API answers with."""

    error: ErrorBody


def envelope(
    status: int,
    code: str,
    message: str,
    fields: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """The answer to every refusal: ``status`` and the envelope, never kept by a cache. A 503 says when
    to try again (``Retry-After``)."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "fields": [{"field": f, "message": m} for f, m in fields],
        }
    }
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_S)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: DomainError) -> JsonResponse:
    """A domain error as the envelope, with its kind's status."""
    return envelope(status_of(error), error.code, error.message, error.fields)


# --------------------------------------------------------------------------- validation messages

_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not allowed.",
    "int_type": "Give a whole number.",
    "int_parsing": "Give a whole number.",
    "int_from_float": "Give a whole number.",
    "bool_type": "Give true or false.",
    "bool_parsing": "Give true or false.",
    "string_type": "Give text.",
    "model_type": "Give an object.",
    "model_attributes_type": "Give an object.",
    "dict_type": "Give an object.",
    "list_type": "Give a list.",
    "uuid_type": "Give a UUID.",
    "uuid_parsing": "Give a UUID (version 4), like 0b3f5c1e-6d2a-4f8e-9c41-2a7d5e9b8f10.",
    "uuid_version": "Give a version 4 UUID.",
    "date_type": "Give a date as YYYY-MM-DD.",
    "date_parsing": "Give a date as YYYY-MM-DD.",
    "date_from_datetime_parsing": "Give a date as YYYY-MM-DD.",
    "json_invalid": "The body is not valid JSON.",
    "literal_error": "Give one of the values listed in the API reference.",
    "enum": "Give one of the values listed in the API reference.",
}


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        return f"Give a value of at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"Give a value of at most {ctx.get('le', ctx.get('lt'))}."
    if kind in ("string_too_long", "too_long"):
        return f"This is too long: at most {ctx.get('max_length')}."
    if kind in ("string_too_short", "too_short"):
        return f"This is too short: at least {ctx.get('min_length')}."
    return _MESSAGES.get(kind, str(error.get("msg", "This value is not valid.")))


def _field(loc: Iterable[Any]) -> str:
    """A field's dotted path as the client wrote it: without ninja's ``body``/``payload``/``path``."""
    parts = [str(p) for p in loc]
    while parts and parts[0] in ("body", "payload", "query", "path", "data"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_fields(errors: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for error in errors:
        seen.setdefault(_field(error.get("loc", ())), _message(error))
    return list(seen.items())


# --------------------------------------------------------------------------- exception handlers


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = list(exc.errors)
    if any(e.get("type") == "json_invalid" for e in errors):
        return envelope(400, "invalid", "The body is not valid JSON.", [("body", "Send one JSON object.")])
    in_path = [e for e in errors if (e.get("loc") or ("",))[0] == "path"]
    if in_path and len(in_path) == len(errors):
        # An id in the address that is not an id names nothing: not found, as on the pages.
        return envelope(404, "not_found", "There is nothing at this address.")
    return envelope(400, "invalid", "Some values are missing or wrong.", validation_fields(errors))


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A service's refusal: its kind's status (:data:`STATUS`), its code, message and fields."""
    return error_response(exc)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, Throttled):
        return envelope(
            429, "rate_limited", "Too many requests from this address: wait a little and try again."
        )
    if isinstance(exc, AuthenticationError):
        return envelope(
            401,
            "unauthenticated",
            "Sign in, or send a personal access token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="backhome"'},
        )
    if isinstance(exc, AuthorizationError):
        return envelope(403, "forbidden", str(exc) if str(exc) != "Forbidden" else "You may not do this.")
    return envelope(status, CODES.get(status, "error"), str(exc.message))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return envelope(404, "not_found", "There is nothing at this address.")


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return envelope(413, "too_large", f"The body is too large: at most {MAX_BODY // 1024} KB.")


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, DatabaseError):
        # A read-only, full or unreachable database is answered by DatabaseFaultMiddleware, as on every
        # page (503, one log line); any other database error reaches handler500.
        raise exc
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return envelope(500, "server_error", "Something went wrong on our side. Nothing was changed; try again.")


def install_handlers(api: NinjaAPI) -> None:
    """Every refusal a view raises, in the envelope: a service's (``DomainError``, by :data:`STATUS`),
    ninja's and Django's; anything else is a logged 500."""
    api.exception_handler(DomainError)(_domain_error)
    api.exception_handler(ValidationError)(_validation)
    api.exception_handler(HttpError)(_http_error)
    api.exception_handler(Http404)(_not_found)
    api.exception_handler(RequestDataTooBig)(_too_big)
    api.exception_handler(Exception)(_server_error)


# --------------------------------------------------------------------------- before a view runs


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def enveloped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse, in the envelope, what ninja would answer in plain text or read too much of: a body over
    ``MAX_BODY`` (413), a body that is not JSON (415), and a method the address does not take (405).

    Every answer of the API is sent with ``Cache-Control: no-store`` (and ``private``): most carry a
    person's data (their plan, their history, a clinic's patients, even the public triage's decision on
    someone's answers), and no shared or browser cache should keep them. This is the one place every
    API address goes through, so a new endpoint cannot forget it."""

    @functools.wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in WRITE_METHODS:
            length = _declared_length(request)
            if length > MAX_BODY:
                return envelope(413, "too_large", f"The body is too large: at most {MAX_BODY // 1024} KB.")
            if length and request.content_type != "application/json":
                return envelope(
                    415,
                    "unsupported_media_type",
                    "Send the body as JSON, with the header Content-Type: application/json.",
                )
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allow = response.get("Allow", "")
            message = f"This address takes {allow or 'other methods'}."
            return envelope(405, "method_not_allowed", message, headers={"Allow": allow} if allow else None)
        add_never_cache_headers(response)
        return response

    return inner


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any address under /api/v1/ that is not an endpoint."""
    return envelope(404, "not_found", "There is no such endpoint. See /api/v1/openapi.json.")
