"""The printable handout: Dana's and Walt's programmes on paper (WeasyPrint), A4 and US Letter, from the
web and from `backhome handout`. The PDFs are turned into PNG pages (pdftoppm) under
artifacts/handouts/ for a person to look at."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import uuid
from collections import OrderedDict
from pathlib import Path

import pytest

from backhome.cli import IO, main
from backhome.web.handouts import render
from backhome.web.handouts.render import _pictures_only, handout_html, handout_pdf
from backhome.web.patient.models import Person
from backhome.web.progress.models import DoseChange
from tests.artifacts import ARTIFACTS as ARTIFACTS_ROOT
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

ARTIFACTS = ARTIFACTS_ROOT / "handouts"
PLAN_URL = "http://127.0.0.1:8000/plan/"


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{uuid.uuid4()}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _page_size(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "size.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return next(line for line in info.splitlines() if line.startswith("Page size:"))


def _save_pictures(pdf: bytes, name: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_danas_handout_has_her_exercises_doses_steps_and_the_stop_rule(tmp_path: Path) -> None:
    dana, _ = person_with_plan()
    pdf = handout_pdf(dana, plan_url=PLAN_URL)
    assert pdf.startswith(b"%PDF")
    text = " ".join(_text(pdf, tmp_path).split())
    for name in ("Sciatic nerve glide", "Prone press-up", "Cat-camel"):
        assert name in text
    assert "10 times, hold each 10 seconds" in text
    assert "Stop at once if your back pain gets worse, or if pain spreads further down your leg." in text
    assert "Single knee to chest" not in text  # held back for her: not on her sheet
    assert len(_save_pictures(pdf, "dana-a4")) >= 2


def test_walts_handout_is_flexion_and_never_shows_a_press_up(tmp_path: Path) -> None:
    walt, _ = person_with_plan(WALT_WEB)
    pdf = handout_pdf(walt, plan_url=PLAN_URL, paper="letter")
    text = " ".join(_text(pdf, tmp_path).split())
    assert "Single knee to chest" in text
    assert "Prone press-up" not in text
    _save_pictures(pdf, "walt-letter")


def test_the_paper_size_is_a4_or_us_letter(tmp_path: Path) -> None:
    dana, _ = person_with_plan()
    assert "(A4)" in _page_size(handout_pdf(dana, plan_url=PLAN_URL, paper="a4"), tmp_path)
    assert "612 x 792 pts" in _page_size(handout_pdf(dana, plan_url=PLAN_URL, paper="letter"), tmp_path)


def test_the_handout_shows_the_current_dose_not_the_starting_one(tmp_path: Path) -> None:
    dana, screening = person_with_plan()
    DoseChange.objects.create(
        person=dana,
        screening=screening,
        plan_exercise_id="prone-press-up",
        exercise_id="prone-press-up",
        sets=1,
        reps=10,
        hold_s=15,
        per_side=False,
        action="progress",
        rules=["DS-03"],
        reasons=[],
    )
    text = " ".join(_text(handout_pdf(dana, plan_url=PLAN_URL), tmp_path).split())
    assert "10 times, hold each 15 seconds" in text


def test_the_handout_carries_a_qr_code_of_the_plan_address_and_fetches_nothing() -> None:
    dana, _ = person_with_plan()
    html = handout_html(dana, plan_url="https://backhome.clinic.example/plan/")
    assert "https://backhome.clinic.example/plan/" in html
    assert "<svg" in html  # the QR code
    sources = re.findall(r'src="([^"]+)"', html)
    assert sources and all(re.fullmatch(r"backhome-picture:/[a-z-]+/[1-9]\.svg", s) for s in sources)
    assert "href=" not in html.replace('xmlns="', "")


def test_the_handout_refuses_to_fetch_anything_but_its_own_pictures() -> None:
    with pytest.raises(ValueError, match="does not fetch"):
        _pictures_only("https://example.com/tracker.png")
    with pytest.raises(ValueError, match="does not fetch"):
        _pictures_only("backhome-picture:/../../etc/passwd.svg")
    with pytest.raises(ValueError, match="does not fetch"):
        _pictures_only("backhome-picture:/cat-camel/9.svg")  # cat-camel has three positions
    picture = _pictures_only("backhome-picture:/cat-camel/3.svg")
    assert picture.headers["Content-Type"] == "image/svg+xml"


def test_a_person_downloads_their_own_handout_from_the_web() -> None:
    dana, _ = person_with_plan()
    response = client_for(dana).get("/handout/?paper=letter")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_an_unknown_paper_size_is_refused_with_a_clear_message() -> None:
    dana, _ = person_with_plan()
    response = client_for(dana).get("/handout/?paper=a3")
    assert response.status_code == 400
    assert b"paper=a4 or paper=letter" in response.content


def test_someone_with_no_programme_is_sent_to_the_start_not_given_a_pdf() -> None:
    response = client_for(Person.objects.create()).get("/handout/")
    assert response.status_code == 302


def test_backhome_handout_writes_the_pdf_for_a_person(tmp_path: Path) -> None:
    dana, _ = person_with_plan()
    out = tmp_path / "dana.pdf"
    err = io.StringIO()
    code = main(
        ["handout", "--person", str(dana.pk), "--paper", "letter", "-o", str(out)],
        IO(io.StringIO(), io.StringIO(), err),
    )
    assert code == 0, err.getvalue()
    assert out.read_bytes().startswith(b"%PDF")
    assert "letter" in err.getvalue()


def test_backhome_handout_names_a_missing_person_and_exits_2() -> None:
    err = io.StringIO()
    assert main(["handout", "--person", "999999"], IO(io.StringIO(), io.StringIO(), err)) == 2
    assert "there is no person 999999" in err.getvalue()


def test_a_clinic_patients_handout_names_their_clinic_and_its_phone(tmp_path: Path) -> None:
    from backhome.web.clinic.models import Clinic, Enrolment

    dana, _ = person_with_plan()
    riverside = Clinic.objects.create(name="Riverside Physio", phone="+44 20 7946 0001")
    Enrolment.objects.create(person=dana, clinic=riverside)
    text = " ".join(_text(handout_pdf(dana, plan_url=PLAN_URL), tmp_path).split())
    assert "Riverside Physio · phone +44 20 7946 0001" in text


def test_each_position_has_its_own_picture_and_its_caption_is_printed_as_text(tmp_path: Path) -> None:
    walt, _ = person_with_plan(WALT_WEB)
    html = handout_html(walt, plan_url=PLAN_URL)
    assert "backhome-picture:/single-knee-to-chest/1.svg" in html
    assert "backhome-picture:/single-knee-to-chest/2.svg" in html
    text = " ".join(_text(handout_pdf(walt, plan_url=PLAN_URL), tmp_path).split())
    assert "Lie on your back, knees bent, feet flat on the floor." in text  # the first position's caption


def test_printing_the_same_sheet_again_gives_the_same_pdf_without_laying_it_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dana, screening = person_with_plan()
    rendered: list[str] = []
    real = render._render

    def counting(html: str) -> object:
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(render, "_render", counting)
    monkeypatch.setattr(render, "_PDF_CACHE", OrderedDict())  # none kept from the other tests' sheets
    first = handout_pdf(dana, plan_url=PLAN_URL)
    layouts = len(rendered)  # one, or two when the sheet has more than a page (the tighter layout tried)
    assert handout_pdf(dana, plan_url=PLAN_URL) == first
    assert len(rendered) == layouts
    assert handout_pdf(dana, plan_url=PLAN_URL, paper="letter") != first  # another paper: another sheet
    assert len(rendered) > layouts
    DoseChange.objects.create(
        person=dana,
        screening=screening,
        plan_exercise_id="prone-press-up",
        exercise_id="prone-press-up",
        sets=1,
        reps=10,
        hold_s=15,
        per_side=False,
        action="progress",
        rules=["DS-03"],
        reasons=[],
    )
    before = len(rendered)
    changed = handout_pdf(dana, plan_url=PLAN_URL)
    assert len(rendered) > before
    assert "10 times, hold each 15 seconds" in " ".join(_text(changed, tmp_path).split())  # never a stale one


@pytest.mark.parametrize("exercise_id", ["sciatic-nerve-glide", "childs-pose-side-reach"])
def test_the_printed_pictures_draw_what_the_plan_page_draws(exercise_id: str, tmp_path: Path) -> None:
    """Each print panel, rasterised through WeasyPrint, matches the same panel of the plan page's
    picture but for anti-aliased edges (a lost or misplaced body part would differ by thousands)."""
    from PIL import Image, ImageChops
    from weasyprint import HTML

    from backhome.illustrate.svg import PANEL_W, PRINT_PANEL_H, exercise_panels_svg, exercise_print_panels

    def raster(svg: str, name: str) -> Image.Image:
        data = base64.b64encode(svg.encode()).decode()
        html = f'<style>@page{{size:120mm 80mm;margin:0}}</style><img src="data:image/svg+xml;base64,{data}" width="416">'
        HTML(string=html).write_pdf(tmp_path / f"{name}.pdf")
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "100",
                "-png",
                "-singlefile",
                str(tmp_path / f"{name}.pdf"),
                str(tmp_path / name),
            ],
            check=True,
        )
        return Image.open(tmp_path / f"{name}.png").convert("L")

    web = exercise_panels_svg(exercise_id, columns=1)
    view_box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', web)
    assert view_box is not None
    prints = exercise_print_panels(exercise_id)
    panel_h = (float(view_box.group(2)) - 8 * (len(prints) - 1)) / len(prints)
    for panel in prints:
        top = (panel.number - 1) * (panel_h + 8)
        crop = web.replace(view_box.group(0), f'viewBox="0 {top} {PANEL_W} {PRINT_PANEL_H}"', 1)
        crop = re.sub(
            r'width="[\d.]+" height="[\d.]+"', f'width="{PANEL_W}" height="{PRINT_PANEL_H}"', crop, count=1
        )
        difference = ImageChops.difference(
            raster(crop, f"web-{panel.number}"), raster(panel.svg, f"print-{panel.number}")
        )
        differing = sum(1 for value in difference.get_flattened_data() if value > 60)
        assert differing < 0.004 * difference.size[0] * difference.size[1], (panel.number, differing)
