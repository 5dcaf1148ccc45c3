"""Simulated patients: each one a phone with its own cookies (httpx, asyncio), driven by generator
processes of their own (``generator``), each with its own event loop and a share of the phones.

A phone's run is one patient-day. A returning patient (screened on an earlier day, ``seed.py``) opens
the plan with that day's cookie; a new one first screens with the real forms (CSRF token from each
page). Then the patient does a guided session through the player's JSON endpoints with client UUIDs
(start with the check before, a log with the check after for each exercise, a re-check when the core
asks for one, finish), opens the summary, and checks in. Then another patient takes the phone until
the run is over. Every 2xx answer to a write is recorded as acknowledged, with its id, in the
generator's journal file, for the checks while the server is down and the count at the end. Every
URL comes from ``paths.py``.

A flaky phone: a share of writes loses its answer (the request is abandoned a few milliseconds after it
was sent, so it may or may not have been stored) and is sent again with the same id until answered; a
share is sent a second time after its answer, which must come back 200 with the same result. When the
server is killed, every request cut off is sent again, the same, once it is back; writes are always
carried through to an answer, even after the run's end, so that every stored write was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import resource
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TextIO

import httpx

from backhome.web.patient import questions
from scripts.loadlib.paths import kind_of, path
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
class Options:
    patients: int = 500
    duration: float = 60.0
    think: float = 3.0
    exercise: float = 10.0
    new: float = 1 / 7
    ramp: float = 10.0
    lost: float = 0.05
    repeat: float = 0.05
    kill_after_logs: int | None = None
    kills: int = 3
    drain: float = 60.0
    generators: int = 4
    seed: int = 20261123


class Shared:
    """What the load test and its generator processes share (``multiprocessing`` values in shared
    memory, no locks: each value has one writer). The load test writes the server's state and the
    run's phase; each generator writes its own count of acknowledged session logs."""

    WAITING, LOAD, NO_NEW_JOURNEYS, OVER = -1, 0, 1, 2

    def __init__(self, context: BaseContext, generators: int) -> None:
        self.started = context.RawValue("d", time.time())
        self.up = context.RawValue("i", 1)
        self.generation = context.RawValue("i", 0)
        self.phase = context.RawValue("i", self.WAITING)
        self.ready = context.RawArray("i", generators)
        self.logs = context.RawArray("i", generators)
        #: Behind a proxy (scripts/cluster.py): until this moment, a node has just died under requests.
        self.cut_until = context.RawValue("d", 0.0)


@dataclass
class Run:
    """One generator process's share of the patients: the server's state as this process last saw it,
    the figures, the journal of acknowledged writes (a file the load test reads)."""

    base: str
    options: Options
    shared: Shared
    index: int
    journal: TextIO
    returning: list[str] = field(default_factory=list)  # session keys of people screened earlier
    up: asyncio.Event = field(default_factory=asyncio.Event)
    generation: int = 0
    samples: list[tuple[str, float, int]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    interrupted: int = 0
    lost: int = 0
    stored_before_answer: int = 0
    repeated: int = 0
    journeys: int = 0
    journeys_started: int = 0
    new_patients: int = 0
    transport: httpx.AsyncHTTPTransport | None = None

    def pool(self) -> httpx.AsyncHTTPTransport:
        """The connections of this process's phones (one pool costs the generator far less CPU than one
        per phone). Idle connections are dropped after 1 s, before gunicorn's keep-alive of 2 s closes
        them under a request being sent. A new pool after a restart: the old connections are dead."""
        if self.transport is None:
            self.transport = httpx.AsyncHTTPTransport(
                limits=httpx.Limits(
                    max_connections=None, max_keepalive_connections=None, keepalive_expiry=1.0
                )
            )
        return self.transport

    def now(self) -> float:
        return time.time() - float(self.shared.started.value)

    def over(self) -> bool:
        """No new journey starts (the load test's clock, which leaves out the time the server was down)."""
        return bool(self.shared.phase.value >= Shared.NO_NEW_JOURNEYS)

    def hard_over(self) -> bool:
        """The journeys under way are cut short too (only writes already sent are carried through)."""
        return bool(self.shared.phase.value >= Shared.OVER)

    def server_gone(self, generation: int) -> bool:
        """Whether the server was killed since a request was sent in ``generation`` (or, behind a proxy,
        one of its nodes died a moment ago)."""
        return (
            generation != self.shared.generation.value
            or not self.shared.up.value
            or time.time() < self.shared.cut_until.value
        )

    def ack(self, kind: str, ident: str, **extra: Any) -> None:
        record = {"kind": kind, "id": ident, "t": round(self.now(), 3), "gen": self.generation, **extra}
        self.journal.write(json.dumps(record) + "\n")
        self.journal.flush()  # the load test reads the journal while the server is down after a kill
        if kind == "session log":
            self.shared.logs[self.index] += 1

    def error(self, kind: str, status: int | None, detail: str) -> None:
        self.errors.append(
            {"kind": kind, "status": status, "detail": detail[:300], "t": round(self.now(), 3)}
        )

    async def follow_server(self) -> None:
        """Mirror the load test's view of the server: hold the phones while it is down, and give them
        new connections when it is back."""
        while True:
            if not self.shared.up.value:
                self.up.clear()
            elif not self.up.is_set():
                if self.shared.generation.value != self.generation:
                    await renew_pool(self)
                    self.generation = self.shared.generation.value
                self.up.set()
            await asyncio.sleep(0.02)


class Patient:
    def __init__(self, run: Run, rng: random.Random) -> None:
        self.run = run
        self.rng = rng
        self.origin = run.base
        self.address = f"10.{run.index % 256}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        self.client = self._client()
        self.generation = run.generation

    def _client(self, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.run.pool(),
            base_url=self.run.base,
            timeout=httpx.Timeout(60.0),
            cookies=cookies,
            headers={
                "User-Agent": "backhome-load/1 (a simulated phone)",
                "Accept-Encoding": "gzip",
                # Each phone its own address, as a proxy the server trusts would forward it (the
                # server reads it only with BACKHOME_TRUSTED_PROXIES, e.g. behind scripts/cluster.py).
                "X-Forwarded-For": self.address,
            },
        )

    async def think(self, factor: float = 1.0) -> None:
        await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.run.options.think * factor)
        if self.run.hard_over():
            raise Over

    async def exercise(self) -> None:
        """The time an exercise takes on the phone: no request is made meanwhile."""
        await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.run.options.exercise)
        if self.run.hard_over():
            raise Over

    async def send(
        self,
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
        kind = kind_of(method, path)
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
                if run.server_gone(generation):
                    run.interrupted += 1
                    run.up.clear()  # wait for the restart (follow_server) before sending it again
                    continue
                failures += 1
                run.error(kind, None, f"{method} {path}: {type(error).__name__}: {error}")
                if failures >= 3:
                    raise GaveUp from error
                await asyncio.sleep(0.5)
                continue
            if response.status_code in (502, 503, 504) and run.server_gone(generation):
                run.interrupted += 1  # a proxy's answer for a node that died under the request
                run.up.clear()
                continue
            ms = (time.perf_counter() - started) * 1000
            if attempts > 1 and write and response.status_code == 200 and kind in JSON_WRITES:
                run.stored_before_answer += 1  # sent again: the first had been stored, its answer lost
            run.samples.append((kind, ms, response.status_code))
            if response.status_code not in expect:
                run.error(kind, response.status_code, f"{method} {path}: {response.text}")
                raise GaveUp
            return response, attempts

    # ------------------------------------------------------------------ the journey

    async def journey(self, persona: dict[str, Any]) -> None:
        """A patient's day: a new patient screens first (``new`` of the days, or when no returning
        patient is left); a returning one opens the plan with the cookie of an earlier day."""
        run = self.run
        run.journeys_started += 1
        if run.returning and self.rng.random() >= run.options.new:
            self.client.cookies.set("sessionid", run.returning.pop())
        else:
            run.new_patients += 1
            await self.send("GET", path("home"), expect=(200,))
            await self.screen(persona)
            await self.think()
        await self.send("GET", path("plan"), expect=(200,))
        await self.think()
        await self.session(persona)
        await self.think()
        await self.checkin(persona)
        self.run.journeys += 1

    async def screen(self, answers: dict[str, Any]) -> None:
        response, _ = await self.send("GET", path("screening start"), expect=(302,))
        location = response.headers["location"]
        last = questions.step_ids()[-1]
        while kind_of("GET", location) == "screening page":
            step_id = location.strip("/").split("/")[-1]
            page, _ = await self.send("GET", location, expect=(200,))
            data = {"csrfmiddlewaretoken": _token(page.text), **step_data(STEPS[step_id], answers)}
            await self.think(0.5)
            response, sent = await self.send(
                "POST", location, data=data, headers={"Origin": self.origin}, expect=(302,), write=True
            )
            location = response.headers["location"]
            if step_id == last and sent > 1 and location != path("plan"):
                # Sent again after its answer was cut off: the screening had been decided, so the site
                # starts a new one. The plan page tells whether the first was stored.
                plan, _ = await self.send("GET", path("plan"), expect=(200, 302), write=True)
                location = path("plan") if plan.status_code == 200 else location
        if location != path("plan"):
            self.run.error("screening step", None, f"the screening ended at {location}, not the plan")
            raise GaveUp
        self.run.ack("screening", self.client.cookies.get("sessionid") or "")

    async def write(self, url: str, body: Any, token: str) -> dict[str, Any]:
        """A JSON write with a client UUID: 201 or 200, and sometimes sent again after its answer, which
        must then be the same (the API answers a repeat with the first status)."""
        headers = {"X-CSRFToken": token, "Origin": self.origin, "Accept": "application/json"}
        response, _ = await self.send(
            "POST", url, json=body, headers=headers, expect=(200, 201), write=True, may_lose=True
        )
        answer: dict[str, Any] = response.json()
        if self.rng.random() < self.run.options.repeat:
            self.run.repeated += 1
            again, _ = await self.send("POST", url, json=body, headers=headers, expect=(200, 201), write=True)
            if again.json() != answer:
                kind = kind_of("POST", url)
                self.run.error(kind, again.status_code, f"a repeat answered differently: {again.text}")
        return answer

    async def session(self, persona: dict[str, Any]) -> None:
        page, _ = await self.send("GET", path("session page"), expect=(200,))
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
        started = await self.write(path("session start"), {"id": session_id, "before": before}, token)
        self.run.ack("session start", session_id)
        for item in started["programme"]:
            await self.exercise()
            log_id = str(uuid.uuid4())
            body: dict[str, Any] = {"id": log_id, "position": item["position"], "it_hurts": False}
            roll = self.rng.random()
            if roll < 0.05:
                body |= {"sets_done": 0, "skipped": True}
            else:
                worse = 2 if roll < 0.15 else 0  # back pain up by 2: the core asks for a re-check (PM-13)
                after = {**before, "back": min(10, before["back"] + worse), "weakness": False}
                body |= {"sets_done": item["dose"]["sets"], "skipped": False, "after": after}
            answer = await self.write(path("session log", session=session_id), body, token)
            self.run.ack("session log", log_id, session=session_id, position=item["position"])
            if answer["needs_recheck"]:
                await self.think()  # the rest before the re-check
                recheck = path("session recheck", session=session_id, log=log_id)
                await self.write(recheck, {"settled": True}, token)
                self.run.ack("session recheck", log_id)
            if answer["session_status"] != "in_progress" or answer.get("end_session"):
                break
        else:
            await self.think()
            await self.write(path("session finish", session=session_id), {}, token)
            self.run.ack("session finish", session_id)
        await self.send("GET", path("session summary", session=session_id), expect=(200,))

    async def checkin(self, persona: dict[str, Any]) -> None:
        page, _ = await self.send("GET", path("check-in page"), expect=(200,))
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
        url = path("check-in")
        result = path("check-in result", checkin=checkin_id)
        response, _ = await self.send(
            "POST", url, data=data, headers=headers, expect=(302,), write=True, may_lose=True
        )
        if response.headers["location"] != result:
            self.run.error("check-in", 302, f"redirected to {response.headers['location']}, not {result}")
        self.run.ack("check-in", checkin_id)
        if self.rng.random() < self.run.options.repeat:
            self.run.repeated += 1
            again, _ = await self.send("POST", url, data=data, headers=headers, expect=(302,), write=True)
            if again.headers["location"] != result:
                self.run.error("check-in", 302, f"a repeat went to {again.headers['location']}")
        await self.send("GET", result, expect=(200,))


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
        _, answers = PERSONAS[(index + number) % 2]  # a returning patient is Dana or Walt too (seed.py)
        number += 1
        with contextlib.suppress(Over, GaveUp):  # the run ended, or a failure already counted
            await patient.journey(answers)


async def renew_pool(run: Run) -> None:
    """After a restart: close the old pool (its connections went with the killed server)."""
    old, run.transport = run.transport, None
    if old is not None:
        await old.aclose()


async def _drive(run: Run) -> None:
    run.up.set()
    follower = asyncio.create_task(run.follow_server())
    slots = range(run.index, run.options.patients, run.options.generators)
    await asyncio.gather(*(patient_loop(run, i) for i in slots))
    follower.cancel()
    await renew_pool(run)


def generator(
    base: str, options: Options, shared: Shared, index: int, folder: str, returning: list[str]
) -> None:
    """One generator process: its share of the patients (every ``generators``-th), in its own event
    loop. Acknowledged writes go to ``acks-INDEX.jsonl`` as they come, the figures to
    ``generator-INDEX.json`` at the end."""
    out = Path(folder)
    shared.ready[index] = 1
    while shared.phase.value == Shared.WAITING:  # every generator starts at once
        time.sleep(0.01)
    ready = resource.getrusage(resource.RUSAGE_SELF)  # imports done: the load's own CPU from here
    with (out / f"acks-{index}.jsonl").open("w", encoding="utf-8") as journal:
        run = Run(
            base=base,
            options=options,
            shared=shared,
            index=index,
            journal=journal,
            returning=returning,
        )
        asyncio.run(_drive(run))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures = {
        "samples": run.samples,
        "errors": run.errors,
        "interrupted": run.interrupted,
        "lost": run.lost,
        "stored_before_answer": run.stored_before_answer,
        "repeated": run.repeated,
        "journeys": run.journeys,
        "journeys_started": run.journeys_started,
        "new_patients": run.new_patients,
        "cpu_s": usage.ru_utime + usage.ru_stime - ready.ru_utime - ready.ru_stime,
    }
    (out / f"generator-{index}.json").write_text(json.dumps(figures))
