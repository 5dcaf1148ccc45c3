"""The JSON boundary of the session player: strict bodies, one error envelope, CSRF in a header.

Every body is checked before anything is read from the database: JSON only (``Content-Type:
application/json``), at most 64 KB, no unknown field, no coerced type (``"3"`` is not ``3``, ``1`` is
not ``true``), values in range. A bad body gets status 400 and
``{"error": {"code": "invalid", "message": "...", "fields": [{"field": "after.back", "message": "..."}]}}``;
other refusals use the same envelope with their own status and code (docs/web-session.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Annotated, Any, TypeVar
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date
from pydantic import UUID4, BaseModel, ConfigDict, Field, ValidationError

MAX_BODY = 64 * 1024

Nprs = Annotated[int, Field(ge=0, le=10)]
Zone = Annotated[int, Field(ge=0, le=5)]
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class ApiError(Exception):
    """A refusal with its HTTP status, a stable code, a message and (for status 400) the fields."""

    def __init__(self, status: int, code: str, message: str, fields: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = tuple(fields)


def invalid(message: str, fields: Iterable[tuple[str, str]] = ()) -> ApiError:
    return ApiError(400, "invalid", message, fields)


def too_large() -> ApiError:
    return ApiError(413, "too_large", f"The body is too large: at most {MAX_BODY // 1024} KB.")


def error_response(error: ApiError) -> JsonResponse:
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "fields": [{"field": f, "message": m} for f, m in error.fields],
        }
    }
    return JsonResponse(body, status=error.status)


# --------------------------------------------------------------------------- bodies


class BeforeCheck(BaseModel):
    """The pain check before a session (PM-01) and "any new warning sign" (PM-14)."""

    model_config = _STRICT
    back: Nprs
    leg: Nprs
    zone: Zone
    numbness: bool
    red_flag: bool


class AfterCheck(BeforeCheck):
    """The pain check after an exercise: the same, and leg weakness (PM-11)."""

    weakness: bool


class StartBody(BaseModel):
    model_config = _STRICT
    id: UUID4
    before: BeforeCheck


class LogBody(BaseModel):
    model_config = _STRICT
    id: UUID4
    position: Annotated[int, Field(ge=1, le=50)]
    sets_done: Annotated[int, Field(ge=0, le=50)]
    skipped: bool
    it_hurts: bool
    after: AfterCheck | None = None


class RecheckBody(BaseModel):
    model_config = _STRICT
    settled: bool


class FinishBody(BaseModel):
    model_config = _STRICT


Body = TypeVar("Body", bound=BaseModel)

_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not allowed.",
    "int_type": "Give a whole number.",
    "bool_type": "Give true or false.",
    "model_type": "Give an object.",
    "dict_type": "Give an object.",
    "uuid_type": "Give a UUID.",
    "uuid_parsing": "Give a UUID (version 4), like 0b3f5c1e-6d2a-4f8e-9c41-2a7d5e9b8f10.",
    "uuid_version": "Give a version 4 UUID.",
}


#: The range of each number, for the message of a value outside it.
_RANGES = {"back": (0, 10), "leg": (0, 10), "zone": (0, 5), "position": (1, 50), "sets_done": (0, 50)}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind in ("greater_than_equal", "less_than_equal") and error["loc"]:
        low, high = _RANGES.get(str(error["loc"][-1]), (None, None))
        if low is not None:
            return f"Give a whole number from {low} to {high}."
    return _MESSAGES.get(kind, error["msg"])


def _field(loc: tuple[Any, ...]) -> str:
    # pydantic names the branch of a union ("after.AfterCheck.back" never happens for an Optional, but
    # be safe): keep the path a person wrote.
    return ".".join(str(part) for part in loc if str(part) != "AfterCheck")


def parse(request: HttpRequest, model: type[Body]) -> Body:
    """The request's body as ``model``, or an :class:`ApiError` (400) that names every wrong field.

    The finish endpoint takes no values: an empty body (of any type) is the same as ``{}``.
    """
    if model is FinishBody and request.headers.get("Content-Length", "0") in ("", "0"):
        return model.model_validate({})
    if request.content_type != "application/json":
        raise invalid("Send the body as JSON, with the header Content-Type: application/json.")
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise too_large()
    raw = request.body
    if len(raw) > MAX_BODY:
        raise too_large()
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        if any(p["type"] == "json_invalid" for p in problems):
            raise invalid("The body is not valid JSON.") from None
        fields = [(_field(tuple(p["loc"])), _message(p)) for p in problems]
        fields = [(f or "body", m) for f, m in fields]
        raise invalid("Some values are missing or wrong.", fields) from None


def log_fields(body: LogBody) -> None:
    """The rules between a log's fields: a skipped exercise has no pain check, any other has one."""
    if body.skipped and body.after is not None:
        raise invalid(
            "Some values are missing or wrong.", [("after", "A skipped exercise has no pain check.")]
        )
    if body.skipped and body.it_hurts:
        raise invalid(
            "Some values are missing or wrong.",
            [("it_hurts", "An exercise that hurt is not skipped: send its pain check instead.")],
        )
    if not body.skipped and body.after is None:
        raise invalid("Some values are missing or wrong.", [("after", "This field is required.")])


def path_uuid(value: str) -> UUID:
    """An id from the URL; one that is not a UUID names nothing, so it is not found."""
    try:
        return UUID(value)
    except ValueError:
        raise ApiError(404, "not_found", "There is no such session.") from None


# --------------------------------------------------------------------------- CSRF with the envelope


class _JsonCsrf(CsrfViewMiddleware):
    """Django's CSRF check (token in the ``X-CSRFToken`` header), refusing with the JSON envelope."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return error_response(
            ApiError(403, "forbidden", "The request could not be checked: reload the page and try again.")
        )


#: Use under ``csrf_exempt`` (which only stops the middleware's HTML refusal): the same check runs here.
json_csrf_protect: Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]] = (
    decorator_from_middleware(_JsonCsrf)
)


# --------------------------------------------------------------------------- never kept by a cache

#: What ``never_cache`` gives an answer that has no cache headers yet (as every JSON answer here).
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``never_cache`` for the JSON endpoints, with the same two headers written at once: Django's parses
    and merges ``Cache-Control`` on every answer, 4 % of a session log's CPU (py-spy)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Expires"] = http_date()
        response.headers["Cache-Control"] = NO_STORE
        return response

    return wrapped
