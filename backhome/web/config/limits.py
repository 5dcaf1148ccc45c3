"""Requests too big to read: a clear 413 instead of Django's bare 400 (docs/security.md).

``BodyLimitMiddleware`` runs before any other code reads a body, for every address and every type of
body: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (64 KB) is refused with 413 by its declared
``Content-Length``, without reading it; a body of unknown length (``Transfer-Encoding: chunked``) is read
at most one byte past the limit to know. Django's own limit does not cover a multipart body's files, so
without it a 30 MB multipart post was read and parsed. A JSON body nested deeper than
``MAX_JSON_DEPTH`` is refused (400) before a parser recurses into it (Python's ``json`` fails at about a
thousand levels with ``RecursionError``, a 500).

A form post may carry at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (64 KB: the largest real form is a
few hundred bytes) and ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields. Django refuses a bigger one the moment
anything reads the body (the CSRF check, before any view), raising ``RequestDataTooBig`` or
``TooManyFieldsSent``, which end in ``handler400``: this view. It answers 413 for a body too large and
400 for too many fields, as the error envelope for the JSON addresses and as a small page otherwise.
Nothing was read, so nothing was changed.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views import defaults

from backhome.core.contract import MAX_DEPTH
from backhome.web.api.errors import envelope
from backhome.web.config.dberrors import wants_json

TOO_LARGE = "What was sent is too large: at most 64 KB. Nothing was saved."
TOO_MANY = "What was sent has too many fields. Nothing was saved."
TOO_DEEP = (
    f"What was sent is nested too deeply: at most {MAX_DEPTH} levels of objects and lists. Nothing was saved."
)

#: The deepest a JSON body may nest objects and lists: the intake parser's limit in the core, for all.
MAX_JSON_DEPTH = MAX_DEPTH
#: Bodies sent as forms (never parsed as JSON, and free to hold brackets in their values).
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _page(title: str, message: str) -> str:
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            '<head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)} · backhome</title>",
            f'<link rel="stylesheet" href="{html.escape(static("patient/site.css"))}"></head>',
            "<body>",
            '<header class="top"><a class="brand" href="/">backhome</a></header>',
            '<main id="main" class="page">',
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="problem">{html.escape(message)}</p>',
            '<p>Go back, check what you typed and send it again. <a href="/">Home</a></p>',
            "</main></body></html>",
        ]
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: 413 for a body over the limit, 400 for too many fields, else Django's own."""
    if isinstance(exception, RequestDataTooBig):
        status, code, title, message = 413, "too_large", "Too much was sent", TOO_LARGE
    elif isinstance(exception, TooManyFieldsSent):
        status, code, title, message = 400, "invalid", "Too many fields were sent", TOO_MANY
    else:
        return defaults.bad_request(request, exception)
    if wants_json(request):
        return envelope(status, code, message)
    return HttpResponse(_page(title, message), status=status, content_type="text/html; charset=utf-8")


def _too_large(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        return envelope(413, "too_large", TOO_LARGE)
    return HttpResponse(
        _page("Too much was sent", TOO_LARGE), status=413, content_type="text/html; charset=utf-8"
    )


def _declared_length(request: HttpRequest) -> int | None:
    """The body's ``Content-Length``, or None when it gives none (or not a number)."""
    value = request.META.get("CONTENT_LENGTH") or ""
    return int(value) if value.isascii() and value.isdigit() else None


def _unknown_length_over(request: HttpRequest, limit: int) -> bool:
    """A body sent without a length (chunked): read at most ``limit + 1`` bytes of it to know whether it
    is over ``limit``. Django reads no body without a ``Content-Length``, so what is read here is lost to
    no one."""
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return False
    stream = request.META.get("wsgi.input")
    if stream is None:
        return False
    seen = 0
    while seen <= limit:
        chunk = stream.read(min(8192, limit + 1 - seen))
        if not chunk:
            return False
        seen += len(chunk)
    return True


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether a JSON text opens more than ``limit`` objects or lists inside each other (brackets inside
    strings do not count). A linear scan, without parsing."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class BodyLimitMiddleware:
    """Every body, whatever its type, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (413 before anything
    reads it), and a JSON body at most ``MAX_JSON_DEPTH`` deep (400): before any view, the CSRF check and
    the session player's and the API's parsers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = _declared_length(request)
        if length is None:
            if _unknown_length_over(request, limit):
                return _too_large(request)
        elif length > limit:
            return _too_large(request)
        elif (
            length
            and (request.content_type or "") not in FORM_TYPES
            and nested_deeper_than(request.body, MAX_JSON_DEPTH)
        ):
            if wants_json(request):
                return envelope(400, "invalid", TOO_DEEP, [("body", TOO_DEEP)])
            return HttpResponse(
                _page("What was sent cannot be read", TOO_DEEP),
                status=400,
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)
