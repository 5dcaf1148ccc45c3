"""A clinic's handout: the patient's name, the clinician's name and the clinic's logo (uploaded, re-encoded,
never SVG), text sizes a person reads, no nearly empty last page, a QR code that pairs a fresh phone with
the patient once, and several patients' handouts in one PDF. The PDFs are turned into PNG pages under
artifacts/handouts/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from PIL import Image

from backhome.web.clinic.clinic_settings import LOGO_BOX
from backhome.web.clinic.models import AuditEvent, Clinic
from backhome.web.handouts.models import PhonePairing
from backhome.web.handouts.pairing import SALT
from backhome.web.handouts.render import handout_html
from backhome.web.patient.services import SESSION_KEY
from tests.integration.clinic_builders import patient_like
from tests.integration.clinic_people import Cast, cast
from tests.integration.test_handouts import ARTIFACTS, _save_pictures, _text

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> Cast:
    return cast()


def picture(fmt: str, size: tuple[int, int] = (1200, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 140)).save(out, format=fmt)
    return out.getvalue()


def upload_logo(people: Cast, data: bytes, name: str) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    logo = SimpleUploadedFile(name, data)
    response = people.client("ada").post(
        "/clinic/settings/", {"alert_email": "", "identifier_system": "", "logo": logo}
    )
    return response.status_code


def test_a_png_or_jpeg_logo_is_re_encoded_and_shrunk_and_an_svg_is_refused(people: Cast) -> None:
    assert upload_logo(people, picture("JPEG"), "logo.jpg") == 302
    stored = bytes(Clinic.objects.get(pk=people.riverside.pk).logo or b"")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.width <= LOGO_BOX[0] and image.height <= LOGO_BOX[1]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload_logo(people, svg, "logo.svg") == 400
    assert bytes(Clinic.objects.get(pk=people.riverside.pk).logo or b"") == stored
    assert upload_logo(people, b"\x89PNG\r\n\x1a\nnot really", "logo.png") == 400


def test_cleos_handout_of_dana_names_her_cleo_and_shows_the_logo(people: Cast, tmp_path: Path) -> None:
    assert upload_logo(people, picture("PNG"), "logo.png") == 302
    response = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/handout.pdf")
    assert response.status_code == 200
    pdf = response.content
    text = " ".join(_text(pdf, tmp_path).split())
    assert "For Dana" in text and "Your physical therapist: cleo@riverside.example" in text
    assert "Scan with your phone to open your own programme" in text
    images = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert len(images.strip().splitlines()) > 2  # the logo is an image (the pictures are vectors)
    pages = _save_pictures(pdf, "clinic-dana-a4")
    assert pages


def test_the_handouts_text_is_at_least_12_pt_and_its_captions_at_least_10_pt(people: Cast) -> None:
    html = handout_html(people.dana, plan_url="http://testserver/handout/pair/x/")
    style = html[html.index("<style>") : html.index("</style>")]
    assert re.search(r"html \{[^}]*font-size: 12pt", style)
    sizes = [float(n) for n in re.findall(r"font-size: ([0-9.]+)pt", style)]
    assert sizes and min(sizes) >= 10


def _darkest(row: Image.Image) -> int:
    low, _ = row.getextrema()
    assert isinstance(low, int)
    return low


def test_the_last_page_is_never_nearly_empty(people: Cast, tmp_path: Path) -> None:
    pdf = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/handout.pdf").content
    pages = _save_pictures(pdf, "clinic-dana-last-page")
    with Image.open(pages[-1]) as last:
        grey = last.convert("L")
        # The rows that carry anything darker than the paper, above the footer's band.
        body = grey.crop((0, 0, grey.width, int(grey.height * 0.92)))
        inked = [y for y in range(body.height) if _darkest(body.crop((0, y, body.width, y + 1))) < 200]
    used = (max(inked) - min(inked)) / body.height if inked else 0
    assert len(pages) == 1 or used > 0.2, f"the last of {len(pages)} pages is {used:.0%} used"


def test_the_qr_code_pairs_a_fresh_phone_with_dana_once(people: Cast) -> None:
    response = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/handout.pdf")
    assert response.status_code == 200
    pairing = PhonePairing.objects.get(person=people.dana)
    assert pairing.used_at is None and pairing.expires_at <= timezone.now() + dt.timedelta(days=3)
    token = signing.dumps(pairing.nonce, salt=SALT, compress=False)
    link = f"/handout/pair/{token}/"
    phone = Client()
    ask = phone.get(link)
    assert ask.status_code == 200 and "Open my programme" in ask.content.decode()
    assert phone.get(link).status_code == 200  # looking (a preview) does not use it up
    opened = phone.post(link)
    assert opened.status_code == 302 and opened["Location"] == "/plan/"
    assert phone.session[SESSION_KEY] == people.dana.pk
    assert PhonePairing.objects.get(pk=pairing.pk).used_at is not None
    again = Client().post(link)
    assert again.status_code == 410 and SESSION_KEY not in Client().session


def test_a_forged_or_expired_pairing_link_opens_nothing(people: Cast) -> None:
    people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/handout.pdf")
    pairing = PhonePairing.objects.get(person=people.dana)
    forged = signing.dumps(pairing.nonce, salt="another", compress=False)
    assert Client().post(f"/handout/pair/{forged}/").status_code == 404
    PhonePairing.objects.filter(pk=pairing.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    token = signing.dumps(pairing.nonce, salt=SALT, compress=False)
    phone = Client()
    assert phone.post(f"/handout/pair/{token}/").status_code == 404
    assert SESSION_KEY not in phone.session


def test_cleo_prints_three_patients_handouts_in_one_pdf(people: Cast, tmp_path: Path) -> None:
    ann = patient_like(people.dana, people.riverside, "Ann Example")
    bo = patient_like(people.dana, people.riverside, "Bo Example")
    response = people.client("cleo").post(
        "/clinic/handouts.pdf", {"patient": [people.dana.pk, ann.pk, bo.pk], "paper": "a4"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(_text(response.content, tmp_path).split())
    assert text.index("For Dana") < text.index("For Ann Example") < text.index("For Bo Example")
    assert PhonePairing.objects.filter(person__in=[people.dana, ann, bo]).count() == 3
    assert AuditEvent.objects.filter(user_id=people.cleo.pk, action="export").count() == 3
    _save_pictures(response.content, "clinic-three")
    assert (ARTIFACTS / "clinic-three.pdf").exists()


def test_yusuf_cannot_print_danas_handout_among_his_own(people: Cast) -> None:
    response = people.client("yusuf").post(
        "/clinic/handouts.pdf", {"patient": [people.walt.pk, people.dana.pk]}
    )
    assert response.status_code == 404


def test_a_nearly_empty_last_page_is_laid_out_again_tighter_and_a_full_one_is_not(
    people: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import OrderedDict

    from backhome.web.handouts import render

    layouts: list[bool] = []
    real = render._render

    def counting(html: str) -> object:
        layouts.append('class="compact"' in html)
        return real(html)

    monkeypatch.setattr(render, "_render", counting)
    monkeypatch.setattr(render, "_PDF_CACHE", OrderedDict())
    render.handout_pdf(people.dana, plan_url="http://testserver/a/")
    assert layouts == [False]  # Dana's last page is well filled: laid out once
    monkeypatch.setattr(render, "NEARLY_EMPTY", 1.0)  # every last page counts as nearly empty now
    render.handout_pdf(people.dana, plan_url="http://testserver/b/")
    assert layouts == [False, False, True]
