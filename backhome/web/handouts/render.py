"""The printable handout: a person's programme on paper (PDF, WeasyPrint), in A4 or US Letter.

Everything on it comes from elsewhere: the exercises' words from the library, the doses from the
person's current programme, the pictures from ``backhome.illustrate`` (static panels), the safety rules
from the plan page's wording, the clinic's contact from the settings. Nothing is decided here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from backhome.core.library.load import default_library
from backhome.core.words import MODE_NAMES, describe_dose
from backhome.illustrate.svg import exercise_panels_svg
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import clinic
from backhome.web.progress.selectors import Programme, current_programme

Paper = Literal["a4", "letter"]
PAPERS: dict[str, str] = {"a4": "A4", "letter": "letter"}


class NoProgramme(LookupError):
    """The person has no programme to print (no result yet, locked, or a result that gives none)."""


@dataclass(frozen=True)
class HandoutExercise:
    number: int
    name: str
    mode: str
    dose: str
    summary: str
    start_position: str
    steps: tuple[str, ...]
    may_feel: tuple[str, ...]
    must_not: tuple[str, ...]
    exercise_id: str
    #: "tall" for pictures of two rows of panels (they get more height on paper), else "wide".
    shape: str = "wide"


@lru_cache(maxsize=32)
def _panels(exercise_id: str) -> str:
    return exercise_panels_svg(exercise_id)


def _shape(svg: str) -> str:
    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if match is None:
        return "wide"
    width, height = float(match.group(1)), float(match.group(2))
    return "tall" if height / width > 0.6 else "wide"


def qr_svg(url: str) -> SafeString:
    """A QR code of ``url`` as inline SVG (segno; no network, no image library)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=3, dark="#10222E", light="#FFFFFF", border=2, omitsize=False)
    return mark_safe(svg)  # generated from the URL by segno, which escapes nothing it does not make


def handout_context(
    programme: Programme, *, plan_url: str, paper: Paper, today: dt.date, contact: dict[str, str]
) -> dict[str, object]:
    library = default_library()
    exercises = []
    for number, item in enumerate(programme.active, 1):
        exercise = library[item.exercise_id]
        mode = item.dose.mode
        exercises.append(
            HandoutExercise(
                number=number,
                name=exercise.name,
                mode=MODE_NAMES.get(mode, "") if mode else "",
                dose=describe_dose(item.dose),
                summary=exercise.summary,
                start_position=exercise.start_position,
                steps=tuple(exercise.steps),
                may_feel=tuple(exercise.may_feel),
                must_not=tuple(exercise.must_not),
                exercise_id=item.exercise_id,
                shape=_shape(_panels(item.exercise_id)),
            )
        )
    return {
        "exercises": exercises,
        "clinic": contact,
        "plan_url": plan_url,
        "qr": qr_svg(plan_url),
        "paper": PAPERS[paper],
        "today": today,
    }


def handout_html(person: Person, *, plan_url: str, paper: Paper = "a4", today: dt.date | None = None) -> str:
    programme = current_programme(person)
    if programme is None or not programme.active:
        raise NoProgramme("this person has no programme to print")
    context = handout_context(
        programme,
        plan_url=plan_url,
        paper=paper,
        today=today or timezone.localdate(),
        contact=clinic(person),
    )
    return render_to_string("handouts/handout.html", context)


def handout_pdf(person: Person, *, plan_url: str, paper: Paper = "a4", today: dt.date | None = None) -> bytes:
    """The handout as PDF bytes. Fonts are the machine's own; no URL is fetched but the pictures'."""
    from weasyprint import HTML  # imported here: it loads Pango, which only printing needs

    html = handout_html(person, plan_url=plan_url, paper=paper, today=today)
    pdf = HTML(string=html, url_fetcher=_pictures_only, base_url=PICTURES).write_pdf(cache=_PICTURE_CACHE)
    assert pdf is not None
    return bytes(pdf)


#: The pictures are addressed as ``backhome-picture:/<exercise id>.svg`` and served from memory.
PICTURES = "backhome-picture:/"
#: WeasyPrint's parsed pictures, kept between handouts: they are the same for everyone (content, not data),
#: and parsing them is a quarter of a handout's time.
_PICTURE_CACHE: dict[str, object] = {}


def _pictures_only(url: str, timeout: int = 10, ssl_context: object = None, **_: object) -> Any:
    """Serve the exercise pictures and refuse every other URL: the handout is self-contained, so any
    other fetch would be a bug (or a leak)."""
    if url.startswith(PICTURES) and url.endswith(".svg"):
        exercise_id = url[len(PICTURES) : -len(".svg")]
        if exercise_id in default_library():
            from weasyprint.urls import URLFetcherResponse  # Pango loads only when printing

            return URLFetcherResponse(
                url, body=_panels(exercise_id).encode(), headers={"Content-Type": "image/svg+xml"}
            )
    raise ValueError(f"the handout does not fetch {url!r}")
