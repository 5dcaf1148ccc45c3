"""Odd query values on every page (issue 17 item 11): a page, a redirect or a clear 4xx, never a 5xx.

Every GET address of ``site_map.ROUTES`` (pages and downloads) gets every query parameter the site reads
(``QUERY_PARAMETERS``, plus the fields of every search or filter form the page renders) with odd values:
unicode digits (``²``, a full-width ``３``, an Arabic-Indic ``٣``), huge and negative numbers, dates out
of reach (``0001-01-01``, ``9999-12-31``, 30 February), a NUL byte, markup, 5,000 characters; first each
odd value in every parameter at once, then hypothesis's own choices a few at a time.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.site_map import ROUTES, forms_of, world

pytestmark = pytest.mark.django_db

#: Every query parameter a view of the site reads (``request.GET``, the clinic list's and the alerts'
#: filters, the patient page's ``until``, the editor's ``saved``...).
QUERY_PARAMETERS = (
    "until",
    "saved",
    "done",
    "status",
    "state",
    "paper",
    "database",
    "calendar",
    "left",
    "joined",
    "next",
    "clinician",
    "patient",
    "page",
    "find",
    "sort",
    "order",
    "has_alerts",
    "low_adherence",
    "no_improvement",
)

ODD = (
    "",
    "0",
    "-1",
    "²",
    "３",
    "٣",
    "1e309",
    "9" * 40,
    "-" + "9" * 40,
    "0001-01-01",
    "0001-01-28",
    "9999-12-31",
    "2026-02-30",
    "1.5",
    "NaN",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\u202eevil",
    "\u200b",
    "🙂",
    "x" * 5000,
    "//evil.example/",
    "https://evil.example/",
)

values = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
)

GETS = sorted(name for name, route in ROUTES.items() if route.page or route.file)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.API_TRIAGE_RATE = "100000/min"
    caches["shared"].clear()


@pytest.mark.parametrize("name", GETS)
def test_odd_query_values_on_every_page_are_never_a_5xx(name: str) -> None:
    w = world()
    route = ROUTES[name]
    client = w.client(route.persona)
    path = route.path(w)
    base, _, fixed = path.partition("?")
    first = client.get(path)
    assert first.status_code < 500, (name, first.status_code)
    names = set(QUERY_PARAMETERS)
    if first.status_code == 200 and first.get("Content-Type", "").startswith("text/html"):
        for form in forms_of(first.content.decode()):
            if form.method == "get":
                names |= set(form.fields)
    parameters = sorted(names)

    def ask(query: dict[str, str]) -> None:
        response = client.get(
            base + ("?" + fixed if fixed else ""), query if not fixed else {**_fixed(fixed), **query}
        )
        assert response.status_code < 500, (name, query, response.status_code)

    for odd in ODD:
        ask(dict.fromkeys(parameters, odd))

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.dictionaries(st.sampled_from(parameters), values, min_size=1, max_size=3))
    def probe(query: dict[str, str]) -> None:
        ask(query)

    probe()


def _fixed(query: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in query.split("&"))
