"""Drive the web screening with an intake document, one step at a time, as a browser would."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from backhome.web.patient import questions
from tests.builders import DANA, WALT, intake_doc

#: The nine risk topics answered "disagree" and "a little": a low-risk person.
CALM = {"agree": [False] * 8, "bothersome": "slightly"}
DANA_WEB = intake_doc(DANA, startback=CALM)
WALT_WEB = intake_doc(WALT, startback=CALM)


def flat(doc: dict[str, Any]) -> dict[str, Any]:
    """{"pain": {"back": 5}} -> {"pain.back": 5}; startback agree items by index."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "schema":
            continue
        if isinstance(value, dict):
            for sub, item in flat(value).items():
                out[f"{key}.{sub}"] = item
        elif isinstance(value, list):
            for index, item in enumerate(value):
                out[f"{key}.{index}"] = item
        else:
            out[key] = value
    return out


def posted(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        if kind == "agree":
            return "agree" if value else "disagree"
        return "yes" if value else "no"
    return str(value)


def step_data(step: questions.Step, answers: dict[str, Any]) -> dict[str, str]:
    return {q.name: posted(answers[q.field], q.kind) for q in step.questions if q.field in answers}


def step_url(step_id: str) -> str:
    return reverse("patient:screening_step", args=[step_id])


def walk(client: Client, doc: dict[str, Any], *, stop_after: str | None = None) -> Any:
    """Answer every step from ``doc`` until the site leaves the questions (or after ``stop_after``).
    Returns the last response (a redirect)."""
    answers = flat(doc)
    response = None
    for step in questions.screening().steps:
        response = client.post(step_url(step.id), step_data(step, answers))
        assert response.status_code == 302, (step.id, response.status_code)
        if not response.url.startswith("/screening/") or step.id == stop_after:
            return response
    return response
