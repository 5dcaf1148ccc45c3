"""``/api/v1/``: the API's endpoints (each answering errors in the envelope), and a 404 in the envelope
for any other address under it."""

from django.urls import URLPattern, URLResolver, re_path

from backhome.web.api import errors
from backhome.web.api.api import api


def _enveloped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    out: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = errors.enveloped(pattern.callback)
        out.append(pattern)
    return out


_patterns, _app_name, _namespace = api.urls
app_name = "api"
urlpatterns = [
    *_enveloped(list(_patterns)),
    re_path(r"^(?P<rest>.*)$", errors.not_found, name="not_found"),
]
