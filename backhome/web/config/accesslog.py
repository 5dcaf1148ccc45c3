"""gunicorn's access log without the secrets some addresses carry.

A few addresses are keys in themselves: whoever has one can use it without logging in (a calendar feed,
a reminder's stop link, a password reset link, a clinic's join link, a reminder address's confirmation
link). The access log keeps the request line, the path, the query and the referrer of every request (a
page opened from such a link sends it as its ``Referer`` when it loads its stylesheet), so each of them
is written with the secret part replaced by ``[secret]``.

``backhome serve`` names :class:`RedactingLogger` as gunicorn's ``logger_class``; it overrides
``atoms``, the documented hook that gives the access log format its values, and changes nothing else.
Django's own log lines name paths too ("Not Found: /reminders/feed/..."): :class:`SecretFilter`, a
logging filter on the settings' console handler, redacts them the same way.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

SECRET = "[secret]"

#: Each address with a secret: the secret is the named group ``secret`` (every match of it is replaced).
SECRET_PATHS = [
    re.compile(r"/reminders/feed/(?P<secret>[^/?#\s\"]+)\.ics"),
    re.compile(r"/reminders/stop/(?P<secret>[^/?#\s\"]+)"),
    re.compile(r"/reminders/confirm/(?P<secret>[^/?#\s\"]+)"),
    re.compile(r"/account/password-reset/(?P<secret>[^/?#\s\"]+/[^/?#\s\"]+)/"),
    re.compile(r"/clinic/join/(?!leave/)(?P<secret>[^/?#\s\"]+)"),
]


def redact(text: str) -> str:
    """``text`` with the secret of every secret address in it replaced by ``[secret]``."""
    for pattern in SECRET_PATHS:
        text = pattern.sub(lambda m: m.group(0).replace(m.group("secret"), SECRET), text)
    return text


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn ships no types: its Logger is Any
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


class SecretFilter(logging.Filter):
    """Redacts secret addresses in every record the handler writes (the message with its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
