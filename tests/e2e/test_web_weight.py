"""Every patient page is light: on a first visit (an empty cache), the bodies of all its responses (HTML,
CSS, JS, pictures, the icon) as sent over the network (gzipped where the server compresses) add up to
less than 150 KB, and nothing is asked of another host. The unpacked sizes are reported too.

The figures of each page are printed at the end of the run and written to
artifacts/page-weight.md (BENCHMARKS.md quotes them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from backhome.web.patient import questions
from tests.artifacts import ARTIFACTS as ARTIFACTS_ROOT
from tests.builders import intake_doc
from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import PHONE, Visit, sign_in_as_guest
from tests.integration.screening_helpers import CALM, DANA_WEB, WALT_WEB, flat

# The fixtures this module uses (tests/e2e/conftest.py belongs to the illustration tests).
allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIMIT = 150 * 1024
REPORT = ARTIFACTS_ROOT / "page-weight.md"
NOTHING_WRONG = intake_doc(startback=CALM)

#: page name -> (path, who is signed in: "open" = has answered everything but not asked for the result)
PAGES: dict[str, tuple[str, Any]] = {
    "home": ("/", None),
    # Every step the "open" person is asked; a follow-up asked only after a yes (B23's legs-change) is the
    # same step template with one question, and is not reachable for them.
    **{
        f"step {step.id}": (f"/screening/{step.id}/", "open")
        for step in questions.screening().steps
        if not step.only_if
    },
    "emergency": ("/emergency/", intake_doc(NOTHING_WRONG, symptoms={"saddle_numbness": True})),
    "urgent": ("/urgent/", intake_doc(NOTHING_WRONG, symptoms={"fever": True})),
    "soon": ("/soon/", intake_doc(NOTHING_WRONG, symptoms={"night_pain": True})),
    "plan (Dana)": ("/plan/", DANA_WEB),
    "plan (Walt)": ("/plan/", WALT_WEB),
    "gallery": ("/exercises/", None),
}

_figures: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="module", autouse=True)
def weight_report(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module: a table of the figures, on the terminal and in artifacts/page-weight.md."""
    yield
    if not _figures:
        return
    lines = [
        "| page | requests | HTML | CSS | JS | images | other | sent (total) | unpacked |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in _figures.items():
        lines.append(
            f"| {name} | {f['requests']} | {_kb(f['html'])} | {_kb(f['css'])} | {_kb(f['js'])} | "
            f"{_kb(f['image'])} | {_kb(f['other'])} | **{_kb(f['total'])}** | {_kb(f['unpacked'])} |"
        )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        "First-visit weight of each patient page: bodies of all responses as sent, by type, and their "
        f"sum unpacked (KB = 1024 bytes; limit {LIMIT // 1024} KB sent)\n\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(f"page weight on a first visit (limit {LIMIT // 1024} KB), also in {REPORT}:")
            for line in lines:
                reporter.write_line(line)


def _kb(size: int) -> str:
    return f"{size / 1024:.1f}"


def _kind(content_type: str) -> str:
    if "html" in content_type:
        return "html"
    if "css" in content_type:
        return "css"
    if "javascript" in content_type:
        return "js"
    if content_type.startswith("image/"):
        return "image"
    return "other"


@pytest.fixture
def fresh_phone(web_browser: Any, live_server: Any) -> Iterator[Visit]:
    """A phone with an empty cache."""
    context = web_browser.new_context(viewport=PHONE)
    yield Visit(context.new_page(), live_server.url)
    context.close()


def _sign_in(visit: Visit, who: Any) -> None:
    from backhome.web.patient import services
    from backhome.web.patient.models import Person

    if who is None:
        return
    person = Person.objects.create()
    services.screening_save_answers(
        person=person, step_id=questions.step_ids()[0], answers=flat(DANA_WEB if who == "open" else who)
    )
    person.refresh_from_db()
    if who != "open" and not person.locked:  # an emergency answer locks at once, with its decision
        services.screening_submit(person=person)
    sign_in_as_guest(visit, person)


@pytest.mark.parametrize("name", list(PAGES))
def test_each_patient_page_weighs_less_than_150_kb_on_a_first_visit(fresh_phone: Visit, name: str) -> None:
    visit = fresh_phone
    path, who = PAGES[name]
    _sign_in(visit, who)
    responses: list[Any] = []
    visit.page.on("response", lambda response: responses.append(response))
    visit.go(path)
    visit.page.wait_for_load_state("networkidle")
    assert urlsplit(visit.page.url).path == path, f"{name}: sent on to {visit.page.url}"

    figures = {"requests": 0, "html": 0, "css": 0, "js": 0, "image": 0, "other": 0, "total": 0, "unpacked": 0}
    for response in responses:
        redirect = 300 <= response.status < 400
        sent = 0 if redirect else response.request.sizes()["responseBodySize"]
        figures["requests"] += 1
        figures[_kind(response.headers.get("content-type", ""))] += sent
        figures["total"] += sent
        figures["unpacked"] += 0 if redirect else len(response.body())
    _figures[name] = figures

    assert visit.foreign_requests() == []
    assert figures["total"] < LIMIT, f"{name} weighs {_kb(figures['total'])} KB: {figures}"
