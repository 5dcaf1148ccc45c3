"""Requests too big to read: a clear 413 instead of Django's bare 400 (docs/security.md).

A form post may carry at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (64 KB: the largest real form is a
few hundred bytes) and ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields. Django refuses a bigger one the moment
anything reads the body (the CSRF check, before any view), raising ``RequestDataTooBig`` or
``TooManyFieldsSent``, which end in ``handler400``: this view. It answers 413 for a body too large and
400 for too many fields, as the error envelope for the JSON addresses and as a small page otherwise.
Nothing was read, so nothing was changed.
"""

from __future__ import annotations

import html

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views import defaults

from backhome.web.api.errors import envelope
from backhome.web.config.dberrors import wants_json

TOO_LARGE = "What was sent is too large: at most 64 KB. Nothing was saved."
TOO_MANY = "What was sent has too many fields. Nothing was saved."


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
