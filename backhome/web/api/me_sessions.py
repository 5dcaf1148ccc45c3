"""``/api/v1/me/sessions...``: the writes of a guided session, for the session player and for scripts.

The session player (``/session/``) sends them with the browser session and the CSRF token in the
``X-CSRFToken`` header; a script sends them with a personal access token of scope ``write``
(``auth.needs``). Bodies are strict (``schemas``: no unknown field, no coerced type, values in range).
Each endpoint calls one service of ``practice`` and answers with what was stored; the services refuse
with the domain errors of ``backhome.web.errors``, which become the API's error envelope.

Ids come from the client, so any write can be sent again (a timeout, the player's offline outbox): the
same request again answers what was stored, with ``Idempotent-Replayed: true``, and stores nothing new.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from ninja import Router, Status
from ninja.decorators import decorate_view
from pydantic import BaseModel

from backhome.core.model import PainCheck
from backhome.web.api import auth
from backhome.web.api.errors import ErrorOut
from backhome.web.api.schemas import (
    CheckAfter,
    CheckBefore,
    LogIn,
    LogOut,
    RecheckIn,
    SessionIn,
    SessionOut,
    StrictInput,
)
from backhome.web.practice import selectors, services

router = Router(tags=["me"])


class FinishIn(BaseModel):
    """Finishing takes no values: no body, or an empty object."""

    model_config = StrictInput


#: What every endpoint here may answer besides its success (and 500, which any endpoint may answer).
FAILS: dict[int, type[ErrorOut]] = dict.fromkeys((400, 401, 403, 404, 409, 413, 415, 500), ErrorOut)
WRITE = {"x-scope": "write"}


def _replayed(response: HttpResponse, created: bool) -> None:
    """A retried write (same client id, same values) answers as the first time, and says so."""
    if not created:
        response["Idempotent-Replayed"] = "true"


def _check(body: CheckBefore) -> PainCheck:
    weakness = body.weakness if isinstance(body, CheckAfter) else False
    return PainCheck(body.back, body.leg, body.zone, body.numbness, weakness, body.red_flag)


# --------------------------------------------------------------------------- the endpoints


@router.post(
    "/me/sessions",
    url_name="me_session_start",
    response={201: SessionOut, **FAILS},
    summary="Start a session",
    auth=auth.needs("write"),
    openapi_extra=WRITE,
)
@decorate_view(never_cache)
def session_start(request: HttpRequest, response: HttpResponse, body: SessionIn) -> Status[Any]:
    """Start today's session with the pain check before it. The id is the client's: the same request
    again returns the stored session (201, with `Idempotent-Replayed: true`) and stores nothing new.
    Scope `write`."""
    session, created = services.session_start(person=auth.me(request), id=body.id, before=_check(body.before))
    _replayed(response, created)
    return Status(201, selectors.session_json(session))


@router.post(
    "/me/sessions/{session_id}/logs",
    url_name="me_session_log",
    response={201: LogOut, **FAILS},
    summary="Record one exercise of a session",
    auth=auth.needs("write"),
    openapi_extra=WRITE,
)
@decorate_view(never_cache)
def session_log(request: HttpRequest, response: HttpResponse, session_id: UUID, body: LogIn) -> Status[Any]:
    """The next exercise of the session: skipped, or its pain check after; the answer is the core's
    light, reasons and advice as stored. Retries with the same id return the stored log. Scope `write`."""
    entry, created = services.log_record(
        person=auth.me(request),
        session_id=session_id,
        id=body.id,
        position=body.position,
        sets_done=body.sets_done,
        skipped=body.skipped,
        it_hurts=body.it_hurts,
        after=_check(body.after) if body.after is not None else None,
    )
    _replayed(response, created)
    # A new log is the session's latest: as many exercises are recorded as its position says.
    return Status(201, selectors.log_json(entry, logged=entry.position if created else None))


@router.post(
    "/me/sessions/{session_id}/logs/{log_id}/recheck",
    url_name="me_session_recheck",
    response={200: LogOut, **FAILS},
    summary="Answer a pain re-check (PM-13)",
    auth=auth.needs("write"),
    openapi_extra=WRITE,
)
@decorate_view(never_cache)
def session_recheck(
    request: HttpRequest, response: HttpResponse, session_id: UUID, log_id: UUID, body: RecheckIn
) -> dict[str, Any]:
    """After the rest the core asked for: has back pain come back down? The same answer again returns
    the same; another answer is `already_answered`. Scope `write`."""
    entry, changed = services.log_recheck(
        person=auth.me(request), session_id=session_id, log_id=log_id, settled=body.settled
    )
    _replayed(response, changed)
    return selectors.log_json(entry)


@router.post(
    "/me/sessions/{session_id}/finish",
    url_name="me_session_finish",
    response={200: SessionOut, **FAILS},
    summary="Finish a session",
    auth=auth.needs("write"),
    openapi_extra=WRITE,
)
@decorate_view(never_cache)
def session_finish(
    request: HttpRequest, response: HttpResponse, session_id: UUID, body: FinishIn | None = None
) -> dict[str, Any]:
    """End the session normally (no body, or `{}`). Finishing again returns the same. Scope `write`."""
    session, changed = services.session_finish(person=auth.me(request), session_id=session_id)
    _replayed(response, changed)
    return selectors.session_json(session)
