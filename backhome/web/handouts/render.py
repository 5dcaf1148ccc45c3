"""The printable handout: a person's programme on paper (PDF, WeasyPrint), in A4 or US Letter.

Everything on it comes from elsewhere: the exercises' words from the library, the doses from the
person's current programme, the pictures from ``backhome.illustrate`` (static panels), the safety rules
from the plan page's wording, the clinic's contact from the settings. Nothing is decided here.

A clinic's handout also names the patient (the clinic's label) and the clinician who printed it, shows the
clinic's logo (a PNG the clinic settings re-encoded), and its QR code pairs a phone with the patient
(``pairing.py``). Body text is 12 pt and captions 10 pt; a sheet whose last page a slightly tighter
layout would spare is printed in that layout (``_render_pdf``). ``handouts_pdf`` prints several
patients' handouts in one PDF.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    from weasyprint.document import Document
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
def _panels(exercise_id: str, mode: str | None = None) -> tuple[PrintPanel, ...]:
    """The print panels of an exercise in a mode (content, the same for everyone: made once per process)."""
    return exercise_print_panels(exercise_id, mode=mode)


def qr_svg(url: str) -> SafeString:
    """A QR code of ``url`` as inline SVG (segno; no network, no image library)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=3, dark="#10222E", light="#FFFFFF", border=2, omitsize=False)
    return mark_safe(svg)  # generated from the URL by segno, which escapes nothing it does not make


@dataclass(frozen=True)
class Letterhead:
    """Who a clinic's handout is for and from: the patient's name as the clinic knows them, the
    clinician's name and the clinic's logo (PNG bytes); all empty for a person's own handout."""

    patient_name: str = ""
    clinician_name: str = ""
    logo: bytes | None = field(default=None, repr=False)

    @property
    def logo_url(self) -> str:
        if not self.logo:
            return ""
        return "data:image/png;base64," + base64.b64encode(bytes(self.logo)).decode()


def handout_context(
    programme: Programme,
    *,
    plan_url: str,
    paper: Paper,
    today: dt.date,
    contact: dict[str, str],
    letterhead: Letterhead | None = None,
    compact: bool = False,
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
                steps=exercise.steps_for(mode),
                may_feel=tuple(exercise.may_feel),
                must_not=tuple(exercise.must_not),
                exercise_id=item.exercise_id,
                panels=_panels(item.exercise_id, mode),
            )
        )
    return {
        "exercises": exercises,
        "clinic": contact,
        "plan_url": plan_url,
        "qr": qr_svg(plan_url),
        "paper": PAPERS[paper],
        "today": today,
        "letterhead": letterhead or Letterhead(),
        "compact": compact,
    }


def handout_html(
    person: Person,
    *,
    plan_url: str,
    paper: Paper = "a4",
    today: dt.date | None = None,
    letterhead: Letterhead | None = None,
    compact: bool = False,
) -> str:
    programme = current_programme(person)
    if programme is None or not programme.active:
        raise NoProgramme("this person has no programme to print")
    context = handout_context(
        programme,
        plan_url=plan_url,
        paper=paper,
        today=today or timezone.localdate(),
        contact=clinic(person),
        letterhead=letterhead,
        compact=compact,
    )
    return render_to_string("handouts/handout.html", context)


def handout_pdf(
    person: Person,
    *,
    plan_url: str,
    paper: Paper = "a4",
    today: dt.date | None = None,
    letterhead: Letterhead | None = None,
) -> bytes:
    """The handout as PDF bytes. Fonts are the machine's own; no URL is fetched but the pictures'.

    The PDF is a function of its HTML, which holds everything printed (programme, doses, clinic, plan
    address, paper, date) and is cheap to make; the last few PDFs are kept, keyed by a hash of it, so
    printing the same sheet again costs no layout, and any change to what it says makes a new one."""
    html = handout_html(person, plan_url=plan_url, paper=paper, today=today, letterhead=letterhead)
    key = hashlib.sha256(html.encode()).hexdigest()
    with _PDF_LOCK:
        pdf = _PDF_CACHE.get(key)
        if pdf is not None:
            _PDF_CACHE.move_to_end(key)
            return pdf
    compact = handout_html(
        person, plan_url=plan_url, paper=paper, today=today, letterhead=letterhead, compact=True
    )
    pdf = _write(_best_document(html, compact))
    with _PDF_LOCK:
        _PDF_CACHE[key] = pdf
        while len(_PDF_CACHE) > PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)
    return pdf


@dataclass(frozen=True)
class Sheet:
    """One patient's handout in a PDF of several: the person and their letterhead and QR address."""

    person: Person
    plan_url: str
    letterhead: Letterhead


def handouts_pdf(sheets: Sequence[Sheet], *, paper: Paper = "a4", today: dt.date | None = None) -> bytes:
    """Several patients' handouts in one PDF, each starting on a new page with its own page numbers.
    ``NoProgramme`` if any of them has no programme to print (nothing is printed then)."""
    documents = []
    for sheet in sheets:
        full = handout_html(
            sheet.person, plan_url=sheet.plan_url, paper=paper, today=today, letterhead=sheet.letterhead
        )
        compact = handout_html(
            sheet.person,
            plan_url=sheet.plan_url,
            paper=paper,
            today=today,
            letterhead=sheet.letterhead,
            compact=True,
        )
        documents.append(_best_document(full, compact))
    if not documents:
        raise NoProgramme("no handout to print")
    pages = [page for document in documents for page in document.pages]
    return _write(documents[0].copy(pages))


def _render(html: str) -> Document:
    from weasyprint import HTML  # imported here: it loads Pango, which only printing needs

    return HTML(string=html, url_fetcher=_pictures_only, base_url=PICTURES).render(cache=_PICTURE_CACHE)


#: A last page whose content ends above this share of the page's height is "nearly empty".
NEARLY_EMPTY = 0.3


def _nearly_empty_last_page(document: Document) -> bool:
    """Whether the sheet's content ends high on its last page: the ``#sheet-end`` marker after the last
    block is an anchor, and WeasyPrint reports each page's anchors with their positions."""
    if len(document.pages) <= 1:
        return False
    last = document.pages[-1]
    end = last.anchors.get("sheet-end")
    return end is not None and end[1] < NEARLY_EMPTY * last.height


def _best_document(html: str, compact_html: str) -> Document:
    """The sheet laid out as written, unless its last page is nearly empty and the tighter layout needs
    fewer pages: then the tighter one is printed. Most sheets are laid out once."""
    document = _render(html)
    if not _nearly_empty_last_page(document):
        return document
    tighter = _render(compact_html)
    return tighter if len(tighter.pages) < len(document.pages) else document


def _write(document: Document) -> bytes:
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _render_pdf(html: str) -> bytes:
    return _write(_render(html))


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
LOGO_PREFIX = "data:image/png;base64,"


def _pictures_only(
    url: str, timeout: int = 10, ssl_context: object = None, **_: object
) -> URLFetcherResponse:
    """Serve the exercise pictures and the clinic's logo (a data URL of the PNG the clinic settings
    made) and refuse every other URL: the handout is self-contained, so any other fetch would be a bug
    (or a leak)."""
    if url.startswith(LOGO_PREFIX):
        from weasyprint.urls import URLFetcherResponse  # Pango loads only when printing

        body = base64.b64decode(url[len(LOGO_PREFIX) :], validate=True)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/png"})
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
