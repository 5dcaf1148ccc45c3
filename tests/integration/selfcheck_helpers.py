"""Drive the directional self-check through its pages, as a browser would (issue 3 item 6)."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client
from django.urls import reverse

from backhome.core.model import Direction
from backhome.web.selfcheck import selectors
from backhome.web.selfcheck.models import DirectionalTest

#: Dana's values before a test: back 5, leg 4, pain into the thigh (zone 3), no numbness.
DANA_BEFORE = {"back": 5, "leg": 4, "zone": 3, "numbness": False}


def posted(values: dict[str, Any]) -> dict[str, str]:
    """A measurement as the form posts it."""
    data = {
        "pain__back": str(values["back"]),
        "pain__leg": str(values["leg"]),
        "distal_zone": str(values["zone"]),
    }
    if "numbness" in values:
        data["numbness"] = "yes" if values["numbness"] else "no"
    return data


def start(client: Client, direction: str = "extension", before: dict[str, Any] = DANA_BEFORE) -> Any:
    return client.post(
        reverse("selfcheck:start", args=[direction]), {"test_id": str(uuid.uuid4()), **posted(before)}
    )


def url_of(test: DirectionalTest, name: str = "test") -> str:
    return reverse(f"selfcheck:{name}", args=[test.pk])


def through_the_movements(client: Client, test: DirectionalTest) -> None:
    """Press Next on every movement step."""
    for step in selectors.steps(Direction(test.direction)):
        if step.kind == "move":
            response = client.post(url_of(test, "next"), {"from_step": str(step.index)})
            assert response.status_code == 302, response.content


def measure(client: Client, test: DirectionalTest, stage: str, values: dict[str, Any]) -> Any:
    return client.post(url_of(test, "measure"), {"stage": stage, **posted(values)})


def whole_test(
    client: Client,
    direction: str,
    before: dict[str, Any],
    after: dict[str, Any],
    recheck: dict[str, Any],
) -> DirectionalTest:
    """Start, every movement, and the two measurements; returns the stored test."""
    response = start(client, direction, before)
    assert response.status_code == 302, response.content
    test = DirectionalTest.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    through_the_movements(client, test)
    assert measure(client, test, "after", after).status_code == 302
    test.refresh_from_db()
    if test.in_progress:
        assert measure(client, test, "recheck", recheck).status_code == 302
        test.refresh_from_db()
    return test
