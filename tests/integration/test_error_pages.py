"""403, 404 and 500 pages in the site's own style, with its navigation; the 500 page renders without the
database (Django renders it with no request and no context)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_404_in_the_sites_style_with_its_navigation() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert 'class="top-nav"' in page and "My plan" in page and "patient/site.css" in page


def test_the_500_page_renders_without_the_database(monkeypatch: Any) -> None:
    def no_database(*args: object, **kwargs: object) -> None:
        raise AssertionError("the 500 page touched the database")

    for connection in connections.all():
        monkeypatch.setattr(connection, "cursor", no_database)
    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page and 'class="top-nav"' in page


def test_the_403_page_is_in_the_sites_style() -> None:
    page = render_to_string("403.html")
    assert "You cannot open this page" in page and 'class="top-nav"' in page
