"""Simulated patients: each one a phone with its own cookies and connections (httpx, asyncio).

A patient screens with the real forms (CSRF token from each page), opens the plan, does a guided session
through the player's JSON endpoints with client UUIDs (start with the check before, a log with the check
after for each exercise, a re-check when the core asks for one, finish), opens the summary, and checks in.
Then a new patient takes its place until the run is over. Every 2xx answer to a write is recorded as
acknowledged, with its id, for the count in the database afterwards.

A flaky phone: a share of writes loses its answer (the request is abandoned a few milliseconds after it
was sent, so it may or may not have been stored) and is sent again with the same id until answered; a
share is sent a second time after its answer, which must come back 200 with the same result. When the
server is killed, every request cut off is sent again, the same, once it is back; writes are always
carried through to an answer, even after the run's end, so that every stored write was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from backhome.web.patient import questions
from tests.integration.screening_helpers import DANA_WEB, WALT_WEB, flat, step_data

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ID = re.compile(r'name="id" value="([0-9a-f-]{36})"')
PERSONAS = (("Dana", flat(DANA_WEB)), ("Walt", flat(WALT_WEB)))
STEPS = {step.id: step for step in questions.screening().steps}
JSON_WRITES = {"session start", "session log", "session recheck", "session finish"}


class Over(Exception):
    """The run is over: the patient stops before its next request."""


class GaveUp(Exception):
    """A request failed outside a kill and again when tried once more: this patient stops."""


@dataclass
class Sample:
    kind: str
    ms: float
    status: int


@dataclass
class Options:
    patients: int = 200
    duration: float = 60.0
    think: float = 2.0
    ramp: float = 10.0
    lost: float = 0.05
    repeat: float = 0.05
    kill_after: float | None = None
    drain: float = 60.0
    seed: int = 20261123


@dataclass
class Run:
    """What the patients share: the server's state, the figures, the journal of acknowledged writes."""

    base: str
    options: Options
    started: float = field(default_factory=time.monotonic)
    up: asyncio.Event = field(default_factory=asyncio.Event)
    generation: int = 0
    downtime: float = 0.0
    elapsed: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    interrupted: list[dict[str, Any]] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    lost: int = 0
    stored_before_answer: int = 0
    repeated: int = 0
    journeys: int = 0
    journeys_started: int = 0
    kill: dict[str, Any] = field(default_factory=dict)
    transport: httpx.AsyncHTTPTransport | None = None

    def pool(self) -> httpx.AsyncHTTPTransport:
        """The connections of every phone (one pool costs the load generator far less CPU than one per
        phone). Idle connections are dropped after 1 s, before gunicorn's keep-alive of 2 s closes them
        under a request being sent. A new pool after a restart: the old connections are dead."""
        if self.transport is None:
            self.transport = httpx.AsyncHTTPTransport(
                limits=httpx.Limits(
                    max_connections=None, max_keepalive_connections=None, keepalive_expiry=1.0
                )
            )
        return self.transport

    def now(self) -> float:
        return time.monotonic() - self.started

    def over(self) -> bool:
        """No new journey starts (the load window is over; the time the server was down is added)."""
        return self.now() - self.downtime >= self.options.duration

    def hard_over(self) -> bool:
        """The journeys under way are cut short too (only writes already sent are carried through)."""
        return self.now() - self.downtime >= self.options.duration + self.options.drain

    def ack(self, kind: str, ident: str, **extra: Any) -> None:
        self.acks.append(
            {"kind": kind, "id": ident, "t": round(self.now(), 3), "gen": self.generation, **extra}
        )

    def error(self, kind: str, status: int | None, detail: str) -> None:
        self.errors.append(
            {"kind": kind, "status": status, "detail": detail[:300], "t": round(self.now(), 3)}
        )


class Patient:
    def __init__(self, run: Run, rng: random.Random) -> None:
        self.run = run
        self.rng = rng
        self.origin = run.base
        self.client = self._client()
        self.generation = run.generation

    def _client(self, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.run.pool(),
            base_url=self.run.base,
            timeout=httpx.Timeout(60.0),
            cookies=cookies,
            headers={"User-Agent": "backhome-load/1 (a simulated phone)", "Accept-Encoding": "gzip"},
        )

    async def close(self) -> None:
        """Nothing to close: the connections are the run's pool."""

    async def think(self, factor: float = 1.0) -> None:
        await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.run.options.think * factor)
        if self.run.hard_over():
            raise Over

    async def send(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...],
        json: Any = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        write: bool = False,
        may_lose: bool = False,
    ) -> tuple[httpx.Response, int]:
        """One request, sent again (the same) after a kill or a lost answer. Returns the response and
        how many times it was sent."""
        run = self.run
        lose = may_lose and self.rng.random() < run.options.lost
        attempts, failures = 0, 0
        if not write and run.hard_over():
            raise Over
        while True:
            await run.up.wait()
            if self.generation != run.generation:  # the server was restarted: a phone reconnects
                self.client = self._client(self.client.cookies)
                self.generation = run.generation
            generation = run.generation
            attempts += 1
            started = time.perf_counter()
            request = self.client.request(method, path, json=json, data=data, headers=headers)
            try:
                if lose:
                    lose = False
                    run.lost += 1
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(request, timeout=self.rng.uniform(0.001, 0.03))
                    continue  # the answer never reached the phone: send it again, the same
                response = await request
            except httpx.TransportError as error:
                if generation != run.generation or not run.up.is_set():
                    run.interrupted.append(
                        {"kind": kind, "t": round(run.now(), 3), "error": type(error).__name__}
                    )
                    continue
                failures += 1
                run.error(kind, None, f"{type(error).__name__}: {error}")
                if failures >= 3:
                    raise GaveUp from error
                await asyncio.sleep(0.5)
                continue
            ms = (time.perf_counter() - started) * 1000
            if attempts > 1 and write and response.status_code == 200 and kind in JSON_WRITES:
                run.stored_before_answer += 1  # sent again: the first had been stored, its answer lost
            run.samples.append(Sample(kind, ms, response.status_code))
            if response.status_code not in expect:
                run.error(kind, response.status_code, f"{method} {path}: {response.text}")
                raise GaveUp
            return response, attempts

    # ------------------------------------------------------------------ the journey

    async def journey(self, persona: dict[str, Any]) -> None:
        self.run.journeys_started += 1
        await self.send("page", "GET", "/", expect=(200,))
        await self.screen(persona)
        await self.think()
        await self.send("plan", "GET", "/plan/", expect=(200,))
        await self.think()
        await self.session(persona)
        await self.think()
        await self.checkin(persona)
        self.run.journeys += 1

    async def screen(self, answers: dict[str, Any]) -> None:
        response, _ = await self.send("page", "GET", "/screening/", expect=(302,))
        location = response.headers["location"]
        last = questions.step_ids()[-1]
        while location.startswith("/screening/"):
            step_id = location.strip("/").split("/")[1]
            page, _ = await self.send("screening page", "GET", location, expect=(200,))
            data = {"csrfmiddlewaretoken": _token(page.text), **step_data(STEPS[step_id], answers)}
            await self.think(0.5)
            response, sent = await self.send(
                "screening step",
                "POST",
                location,
                data=data,
                headers={"Origin": self.origin},
                expect=(302,),
                write=True,
            )
            location = response.headers["location"]
            if step_id == last and sent > 1 and location.startswith("/screening/"):
                # Sent again after its answer was cut off: the screening had been decided, so the site
                # starts a new one. The plan page tells whether the first was stored.
                plan, _ = await self.send("plan", "GET", "/plan/", expect=(200, 302), write=True)
                location = "/plan/" if plan.status_code == 200 else location
        if location != "/plan/":
            self.run.error("screening step", None, f"the screening ended at {location}, not /plan/")
            raise GaveUp
        self.run.ack("screening", self.client.cookies.get("sessionid") or "")

    async def write(self, kind: str, path: str, body: Any, token: str) -> dict[str, Any]:
        """A JSON write with a client UUID: 201 or 200, and sometimes sent again after its answer, which
        must then be the same (the API answers a repeat with the first status)."""
        headers = {"X-CSRFToken": token, "Origin": self.origin, "Accept": "application/json"}
        response, _ = await self.send(
            kind, "POST", path, json=body, headers=headers, expect=(200, 201), write=True, may_lose=True
        )
        answer: dict[str, Any] = response.json()
        if self.rng.random() < self.run.options.repeat:
            self.run.repeated += 1
            again, _ = await self.send(
                kind, "POST", path, json=body, headers=headers, expect=(200, 201), write=True
            )
            if again.json() != answer:
                self.run.error(kind, again.status_code, f"a repeat answered differently: {again.text}")
        return answer

    async def session(self, persona: dict[str, Any]) -> None:
        page, _ = await self.send("page", "GET", "/session/", expect=(200,))
        token = _token(page.text)
        before = {
            "back": persona["pain.back"],
            "leg": persona["pain.leg"],
            "zone": persona["distal_zone"],
            "numbness": False,
            "red_flag": False,
        }
        await self.think()
        session_id = str(uuid.uuid4())
        started = await self.write(
            "session start", "/api/v1/me/sessions", {"id": session_id, "before": before}, token
        )
        self.run.ack("session start", session_id)
        for item in started["programme"]:
            await self.think(2.0)  # doing the exercise
            log_id = str(uuid.uuid4())
            body: dict[str, Any] = {"id": log_id, "position": item["position"], "it_hurts": False}
            roll = self.rng.random()
            if roll < 0.05:
                body |= {"sets_done": 0, "skipped": True}
            else:
                worse = 2 if roll < 0.15 else 0  # back pain up by 2: the core asks for a re-check (PM-13)
                after = {**before, "back": min(10, before["back"] + worse), "weakness": False}
                body |= {"sets_done": item["dose"]["sets"], "skipped": False, "after": after}
            answer = await self.write("session log", f"/api/v1/me/sessions/{session_id}/logs", body, token)
            self.run.ack("session log", log_id, session=session_id, position=item["position"])
            if answer["needs_recheck"]:
                await self.think()  # the rest before the re-check
                await self.write(
                    "session recheck",
                    f"/api/v1/me/sessions/{session_id}/logs/{log_id}/recheck",
                    {"settled": True},
                    token,
                )
                self.run.ack("session recheck", log_id)
            if answer["session_status"] != "in_progress" or answer.get("end_session"):
                break
        else:
            await self.think()
            await self.write("session finish", f"/api/v1/me/sessions/{session_id}/finish", {}, token)
            self.run.ack("session finish", session_id)
        await self.send("page", "GET", f"/session/{session_id}/", expect=(200,))

    async def checkin(self, persona: dict[str, Any]) -> None:
        page, _ = await self.send("page", "GET", "/check-in/", expect=(200,))
        found = FORM_ID.search(page.text)
        if not found:
            self.run.error("check-in", page.status_code, "the check-in page has no form id")
            raise GaveUp
        checkin_id = found.group(1)
        data = {
            "csrfmiddlewaretoken": _token(page.text),
            "id": checkin_id,
            "back": str(persona["pain.back"]),
            "leg": str(persona["pain.leg"]),
            "zone": str(persona["distal_zone"]),
            "stiffness": self.rng.choice(["none", "under_30_min", "30_min_or_more"]),
        }
        await self.think()
        headers = {"Origin": self.origin}
        result = f"/check-in/{checkin_id}/"
        response, _ = await self.send(
            "check-in",
            "POST",
            "/check-in/",
            data=data,
            headers=headers,
            expect=(302,),
            write=True,
            may_lose=True,
        )
        if response.headers["location"] != result:
            self.run.error("check-in", 302, f"redirected to {response.headers['location']}, not {result}")
        self.run.ack("check-in", checkin_id)
        if self.rng.random() < self.run.options.repeat:
            self.run.repeated += 1
            again, _ = await self.send(
                "check-in", "POST", "/check-in/", data=data, headers=headers, expect=(302,), write=True
            )
            if again.headers["location"] != result:
                self.run.error("check-in", 302, f"a repeat went to {again.headers['location']}")
        await self.send("page", "GET", result, expect=(200,))


def _token(html: str) -> str:
    found = TOKEN.search(html)
    if not found:
        raise GaveUp("no CSRF token on the page")
    return found.group(1)


async def patient_loop(run: Run, index: int) -> None:
    """One simulated phone after another in this slot, until the run is over."""
    rng = random.Random(run.options.seed * 1000 + index)
    await asyncio.sleep(run.options.ramp * index / max(1, run.options.patients))
    number = 0
    while not run.over():
        patient = Patient(run, rng)
        _, answers = PERSONAS[(index + number) % 2]
        number += 1
        try:
            await patient.journey(answers)
        except (Over, GaveUp):
            pass
        finally:
            await patient.close()


async def renew_pool(run: Run) -> None:
    """After a restart: close the old pool (its connections went with the killed server)."""
    old, run.transport = run.transport, None
    if old is not None:
        await old.aclose()
