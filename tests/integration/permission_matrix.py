"""The shape of the clinic's permission matrices (test_clinic_permissions.py, test_clinic_actions_permissions.py):
a row per URL pattern with the outcome each persona must get.

Outcomes: "login" (a redirect to the login page), "ok" (200), "redirect" (a 302 elsewhere), or a status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.integration.clinic_people import PERSONAS


@dataclass(frozen=True)
class Row:
    method: str
    path: Callable[[Any], str]  # (world) -> the URL to ask for
    expect: dict[str, str | int]
    data: Callable[[Any], dict[str, str]] | None = None


def clinician_page(cleo: str | int, yusuf: str | int, ada: str | int) -> dict[str, str | int]:
    """Anonymous visitors and patients (guests) go to the login page; Sam (no clinic) gets 403."""
    return {
        "anonymous": "login",
        "dana": "login",
        "walt": "login",
        "cleo": cleo,
        "yusuf": yusuf,
        "ada": ada,
        "sam": 403,
    }


def everyone(outcome: str | int) -> dict[str, str | int]:
    return dict.fromkeys(PERSONAS, outcome)


def outcome(response: Any) -> str | int:
    if response.status_code == 302:
        return "login" if response.url.startswith("/account/login/") else "redirect"
    if response.status_code == 200:
        return "ok"
    return int(response.status_code)
