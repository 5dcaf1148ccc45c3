"""The emergency page in Spanish on a phone (390×844): Spanish runs about 20 % longer than English, and
nothing may overflow or be cut. The screenshot goes to artifacts/screenshots/emergency-es-390.png."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e import web_fixtures
from tests.e2e.web_fixtures import PHONE, REPO, Visit, sign_in_as_guest
from tests.integration.screening_helpers import DANA_WEB, flat

allow_async_unsafe = web_fixtures.allow_async_unsafe
web_browser = web_fixtures.web_browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def spanish_phone(web_browser: Any, live_server: Any) -> Iterator[Visit]:
    """A phone whose browser asks for Spanish (Accept-Language: es-ES), with the catalogs compiled."""
    from django.core.cache import caches
    from django.utils import translation

    for po in (REPO / "backhome" / "locale").glob("*/LC_MESSAGES/django.po"):
        subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    translation.trans_real._translations = {}
    translation.trans_real._default = None
    caches["shared"].clear()
    context = web_browser.new_context(viewport=PHONE, locale="es-ES")
    yield Visit(context.new_page(), live_server.url)
    context.close()


def test_the_emergency_page_in_spanish_fits_a_phone_with_nothing_cut(spanish_phone: Visit) -> None:
    from backhome.web.patient import questions, services
    from backhome.web.patient.models import Person

    person = Person.objects.create()
    answers = flat({**DANA_WEB, "symptoms": {**DANA_WEB["symptoms"], "saddle_numbness": True}})
    services.screening_save_answers(person=person, step_id=questions.step_ids()[0], answers=answers)
    visit = spanish_phone
    sign_in_as_guest(visit, person)
    visit.go("/emergency/")
    page = visit.page
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator("h1").inner_text() == "Busque ayuda urgente ahora"
    assert "Un adormecimiento u hormigueo nuevo entre las piernas" in page.locator(".reasons").inner_text()
    assert "Su programa de ejercicios está bloqueado" in page.locator(".card.locked").inner_text()
    # No sideways scrolling, and every text, link and control lies wholly inside the screen's width
    # (the skip link is off the screen on purpose until it has the focus).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    outside = page.evaluate(
        """(width) => [...document.querySelectorAll('h1, h2, p, li, a:not(.skip), button, select, label')]
            .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.left < 0 || r.right > width); })
            .map((el) => el.outerHTML.slice(0, 80))""",
        PHONE["width"],
    )
    assert outside == []
    # The language control is there, with Spanish chosen.
    assert page.locator("#language-choice").input_value() == "es"
    visit.shot("emergency-es")
    assert visit.foreign_requests() == []
    assert visit.console_errors == []
