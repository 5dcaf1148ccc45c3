"""No lost update in the programme editor: every form carries the programme's version; a stale form
changes nothing and shows what changed since (Cleo in two tabs on Dana's programme)."""

from __future__ import annotations

import re

import pytest

from backhome.web.clinic.editor import services
from backhome.web.clinic.editor.changes import changes_unseen
from backhome.web.clinic.models import ProgrammeChange
from backhome.web.progress.selectors import current_programme
from tests.integration.clinic_people import Cast, cast

pytestmark = pytest.mark.django_db

WHY_30 = "You hold the stretch easily now: 30 seconds."
WHY_20 = "Let us try 20 seconds first."


@pytest.fixture
def people() -> Cast:
    return cast()


def url(people: Cast, action: str = "") -> str:
    return f"/clinic/patients/{people.dana.pk}/programme/" + (f"{action}/" if action else "")


def version_on(page: str) -> str:
    versions = set(re.findall(r'name="version" value="([^"]*)"', page))
    assert len(versions) == 1, versions
    return versions.pop()


def hold(people: Cast) -> int:
    programme = current_programme(people.dana)
    assert programme is not None
    return next(i.dose.hold_s for i in programme.items if i.exercise_id == "prone-press-up")


def dose(seconds: int, why: str, version: str) -> dict[str, str]:
    return {
        "exercise": "prone-press-up",
        "sets": "1",
        "reps": "10",
        "hold_s": str(seconds),
        "why": why,
        "version": version,
    }


def test_every_form_of_the_editor_carries_the_programmes_version(people: Cast) -> None:
    page = people.client("cleo").get(url(people)).content.decode()
    assert page.count('class="edit-form"') == page.count('name="version"') > 1
    assert version_on(page) == services.programme_version(people.dana)


def test_a_stale_tab_is_refused_with_what_changed_and_the_patient_is_told_only_the_first_change(
    people: Cast,
) -> None:
    tab_a = people.client("cleo")
    tab_b = people.client("cleo")
    opened = version_on(tab_a.get(url(people)).content.decode())
    assert version_on(tab_b.get(url(people)).content.decode()) == opened

    saved = tab_a.post(url(people, "dose"), dose(30, WHY_30, opened))
    assert saved.status_code == 302
    refused = tab_b.post(url(people, "dose"), dose(20, WHY_20, opened))

    assert refused.status_code == 412
    page = refused.content.decode()
    assert "Nothing was saved: the programme changed since you opened this page" in page
    assert "Prone press-up: now" in page and "hold each 30 seconds" in page and WHY_30 in page
    assert hold(people) == 30
    assert ProgrammeChange.objects.filter(person=people.dana).count() == 1
    told = changes_unseen(people.dana)
    assert [c.why for c in told] == [WHY_30]
    assert "hold each 30 seconds" in told[0].text


def test_a_form_with_the_current_version_is_saved(people: Cast) -> None:
    client = people.client("cleo")
    first = version_on(client.get(url(people)).content.decode())
    client.post(url(people, "dose"), dose(30, WHY_30, first))
    second = version_on(client.get(url(people)).content.decode())
    assert second != first
    assert client.post(url(people, "dose"), dose(20, WHY_20, second)).status_code == 302
    assert hold(people) == 20


def test_a_stale_remove_clearance_or_monitoring_change_writes_nothing(people: Cast) -> None:
    client = people.client("cleo")
    opened = version_on(client.get(url(people)).content.decode())
    client.post(url(people, "dose"), dose(30, WHY_30, opened))
    for action, data in (
        ("remove", {"exercise": "prone-press-up"}),
        ("monitoring", {"monitoring": "monitored"}),
        ("add", {"exercise": "prone-lying"}),
    ):
        response = client.post(url(people, action), {**data, "why": "A reason.", "version": opened})
        assert response.status_code == 412, action
    assert ProgrammeChange.objects.filter(person=people.dana).count() == 1


def test_a_version_that_is_not_one_is_refused(people: Cast) -> None:
    response = people.client("cleo").post(url(people, "dose"), dose(20, WHY_20, "yesterday"))
    assert response.status_code == 412
    assert "does not say which version" in response.content.decode()
    assert not ProgrammeChange.objects.filter(person=people.dana).exists()
