"""The printable handout: a person's programme on paper (PDF, WeasyPrint), in A4 or US Letter.

Everything on it comes from elsewhere: the exercises' words from the library, the doses from the
person's current programme, the pictures from ``backhome.illustrate`` (static panels), the safety rules
from the plan page's wording, the clinic's contact from the settings. Nothing is decided here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from backhome.core.dose import describe_dose, mode_name
from backhome.core.library.load import default_library
from backhome.illustrate.svg import PrintPanel, exercise_print_panels
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import clinic
from backhome.web.progress.selectors import Programme, current_programme

if TYPE_CHECKING:  # WeasyPrint loads Pango, which only printing needs
    from weasyprint.urls import URLFetcherResponse

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
    #: The teaching positions: a picture each (``backhome-picture:/<exercise>/<number>.svg``) and its
    #: caption, which the page sets as text under it.
    panels: tuple[PrintPanel, ...] = ()


@lru_cache(maxsize=32)
def _panels(exercise_id: str) -> tuple[PrintPanel, ...]:
    """The print panels of an exercise (content, the same for everyone: made once per process)."""
    return exercise_print_panels(exercise_id)


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
                mode=mode_name(mode),
                dose=describe_dose(item.dose),
                summary=exercise.summary,
                start_position=exercise.start_position,
                steps=tuple(exercise.steps),
                may_feel=tuple(exercise.may_feel),
                must_not=tuple(exercise.must_not),
                exercise_id=item.exercise_id,
                panels=_panels(item.exercise_id),
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
    """The handout as PDF bytes. Fonts are the machine's own; no URL is fetched but the pictures'.

    The PDF is a function of its HTML, which holds everything printed (programme, doses, clinic, plan
    address, paper, date) and is cheap to make; the last few PDFs are kept, keyed by a hash of it, so
    printing the same sheet again costs no layout, and any change to what it says makes a new one."""
    html = handout_html(person, plan_url=plan_url, paper=paper, today=today)
    key = hashlib.sha256(html.encode()).hexdigest()
    with _PDF_LOCK:
        pdf = _PDF_CACHE.get(key)
        if pdf is not None:
            _PDF_CACHE.move_to_end(key)
            return pdf
    pdf = _render_pdf(html)
    with _PDF_LOCK:
        _PDF_CACHE[key] = pdf
        while len(_PDF_CACHE) > PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)
    return pdf


def _render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only printing needs

    pdf = HTML(string=html, url_fetcher=_pictures_only, base_url=PICTURES).write_pdf(cache=_PICTURE_CACHE)
    assert pdf is not None
    return bytes(pdf)


#: How many PDFs are kept (about 0.1 MB each), per process.
PDF_CACHE_SIZE = 32
_PDF_CACHE: OrderedDict[str, bytes] = OrderedDict()
_PDF_LOCK = threading.Lock()


#: The pictures are addressed as ``backhome-picture:/<exercise id>/<panel number>.svg`` and served from
#: memory.
PICTURES = "backhome-picture:/"
_PICTURE = re.compile(r"([a-z][a-z-]*)/([1-9][0-9]?)\.svg")
#: WeasyPrint's parsed pictures, kept between handouts: they are the same for everyone (content, not data),
#: and parsing them is a quarter of a handout's time.
_PICTURE_CACHE: dict[str, object] = {}


def _pictures_only(
    url: str, timeout: int = 10, ssl_context: object = None, **_: object
) -> URLFetcherResponse:
    """Serve the exercise pictures and refuse every other URL: the handout is self-contained, so any
    other fetch would be a bug (or a leak)."""
    match = _PICTURE.fullmatch(url[len(PICTURES) :]) if url.startswith(PICTURES) else None
    if match is not None and match.group(1) in default_library():
        panels = _panels(match.group(1))
        number = int(match.group(2))
        if number <= len(panels):
            from weasyprint.urls import URLFetcherResponse  # Pango loads only when printing

            return URLFetcherResponse(
                url, body=panels[number - 1].svg.encode(), headers={"Content-Type": "image/svg+xml"}
            )
    raise ValueError(f"the handout does not fetch {url!r}")
