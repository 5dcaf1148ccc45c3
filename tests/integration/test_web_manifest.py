"""backhome can be added to a phone's home screen: the web app manifest, its icons (drawn by our own
code), and the link to it from every patient page."""

from __future__ import annotations

import json
import struct

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from backhome.web.patient import icons
from tests.integration.people import client_for, person_with_plan

pytestmark = pytest.mark.django_db


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_is_served_with_its_own_content_type_to_anyone() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "backhome"
    assert manifest["start_url"] == "/plan/"
    assert manifest["display"] == "standalone"


def test_the_manifest_names_png_icons_of_192_and_512_pixels_and_a_maskable_one_that_exist() -> None:
    manifest = json.loads(Client().get("/manifest.webmanifest").content)
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in pngs} == {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in pngs)
    for icon in pngs:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with open(path, "rb") as file:
            size = int(icon["sizes"].split("x")[0])
            assert _png_size(file.read()) == (size, size)


def test_the_committed_icon_is_what_our_own_drawing_code_makes() -> None:
    path = finders.find("patient/icons/icon-192.png")
    assert path
    with open(path, "rb") as file:
        assert file.read() == icons.png(192), "run: python -m backhome.web.patient.icons"


def test_every_patient_page_links_the_manifest_and_follows_the_dark_setting() -> None:
    person, _ = person_with_plan()
    html = client_for(person).get("/plan/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="color-scheme" content="light dark">' in html
