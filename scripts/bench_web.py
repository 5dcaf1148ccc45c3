"""``make bench`` (web part): the server's latency and throughput under load, with wrk.

Starts ``backhome serve`` (gunicorn with its default workers and threads, or ``BACKHOME_WORKERS`` and
``BACKHOME_THREADS``) on a free loopback port with a
throw-away data folder, makes Dana (a guest with the extension plan) and then measures, one after the
other, each at 32 concurrent connections for 15 s after a 2 s warm-up:

(a) ``GET /healthz``: a trivial Django view, no database (the baseline);
(b) ``GET /plan/``: Dana's plan page, with her session cookie and ``Accept-Encoding: gzip`` as a browser;
(c) ``POST /api/v1/me/sessions/<id>/logs``: the first exercise of a guided session, a new log UUID per request
    (wrk's Lua script), with the CSRF header and cookie. Exercises are logged in order, so each request
    goes to a session of its own: one session is started through the API and cloned in the database
    (new UUIDs) as many times as the run needs. Skipped with a note only if the URL answers 404.

Reports p50/p99 latency and requests/s of each, and each one's throughput as a share of (a)'s, against
issue 3's old bar (p99 < 50 ms for (b) and (c), throughput >= 40 % of (a)). That bar is retired:
product.md now states speed as capacity under a realistic load, which ``make load`` measures.

wrk is Debian's package, installed with apt when missing. Only when it cannot be installed does the
script fall back to a small asyncio load generator of its own (and says so): on a 2-core machine that
generator takes far more CPU than wrk, so its figures are not comparable with wrk's.

Every request goes to 127.0.0.1 only; each run is bounded in time, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from backhome.cli.serve import DEFAULT_THREADS, default_workers

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
AFTER = {"back": 3, "leg": 2, "zone": 3, "numbness": False, "weakness": False, "red_flag": False}
BEFORE = {"back": 3, "leg": 2, "zone": 3, "numbness": False, "red_flag": False}
P99_TARGET_MS = 50.0
SHARE_TARGET = 0.40

LUA = r"""
-- backhome bench: GET with a cookie, or the session-log POST with a new UUID per request.
-- args: mode ("get" | "log"), cookie, csrf token, file of session ids, number of threads
local counter, threads = 0, {}
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local ids, pos, mode = {}, 0, "get"
local function uuid4()
  local t = {}
  for i = 1, 16 do t[i] = math.random(0, 255) end
  t[7] = bit.bor(bit.band(t[7], 0x0f), 0x40)
  t[9] = bit.bor(bit.band(t[9], 0x3f), 0x80)
  return string.format("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", unpack(t))
end

function init(args)
  mode = args[1]
  if args[2] ~= "" then wrk.headers["Cookie"] = args[2] end
  wrk.headers["Accept-Encoding"] = "gzip"
  if mode == "log" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["X-CSRFToken"] = args[3]
    local threads, n = tonumber(args[5]), 0
    for line in io.lines(args[4]) do
      if n % threads == index then ids[#ids + 1] = line end
      n = n + 1
    end
    math.randomseed(os.time() * 1000 + index * 7919)
  end
end

function request()
  if mode ~= "log" then return wrk.format() end
  pos = pos + 1
  local sid = ids[((pos - 1) % #ids) + 1]
  local body = '{"id":"' .. uuid4() .. '","position":1,"sets_done":1,"skipped":false,"it_hurts":false,'
    .. '"after":{"back":3,"leg":2,"zone":3,"numbness":false,"weakness":false,"red_flag":false}}'
  return wrk.format("POST", "/api/v1/me/sessions/" .. sid .. "/logs", nil, body)
end

statuses = {}
function response(status, headers, body)
  if status >= 300 then statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  local all = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do all[code] = (all[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(all) do parts[#parts + 1] = string.format('"%s":%d', code, n) end
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"non_2xx":%d,"socket_errors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ",")))
end
"""


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    statuses: dict[str, int]
    #: CPU time the server's processes used per request during the measured run (ms); None off Linux.
    server_cpu_ms: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


# --------------------------------------------------------------------------- tools


def ensure_wrk() -> str | None:
    """The path of wrk, installing Debian's package when it is missing; None when it cannot be had."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("Installing Debian's wrk for the web benchmark...", flush=True)
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        done = subprocess.run(sudo + command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"  {' '.join(command)} failed: {done.stderr.strip()[-300:]}")
            return None
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        found = re.search(r"^Model name:\s*(.+)$", out, re.M)
        if found:
            model = found.group(1).strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return (
        f"{model}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


# --------------------------------------------------------------------------- the server and its data


class Server:
    """``backhome serve`` in its own process group, with a throw-away data folder."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.env = {
            **os.environ,
            "BACKHOME_DATA_DIR": str(workdir / "data"),
            "BACKHOME_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "BACKHOME_ALLOWED_HOSTS": f"{HOST},localhost",
            "DJANGO_SETTINGS_MODULE": "backhome.web.config.settings",
        }
        self.env.pop("BACKHOME_DEBUG", None)
        self.log = (workdir / "server.log").open("w")
        backhome = Path(sys.executable).with_name("backhome")
        command = [str(backhome), "serve", "--host", HOST, "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise SystemExit(f"backhome serve stopped (exit {self.process.returncode}); see its log")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise SystemExit("backhome serve did not answer /healthz in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def process_tree_cpu(pid: int) -> float | None:
    """Seconds of CPU (user and system) used so far by a process and its children and grandchildren
    (``backhome serve``, the gunicorn master, its workers), from /proc; None where there is no /proc."""
    if not Path("/proc").is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            total += (int(stats[current][11]) + int(stats[current][12])) / tick
        todo.extend(children.get(current, []))
    return total


def django_in(env: dict[str, str]) -> None:
    """Django in this process, on the server's database and secret key."""
    for key in (
        "BACKHOME_DATA_DIR",
        "BACKHOME_SECRET_KEY",
        "BACKHOME_ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
    ):
        os.environ[key] = env[key]
    import django

    django.setup()


def make_dana() -> str:
    """Dana with her plan, made through the services as the web makes her; returns her session key."""
    from tests.integration.people import DANA_WEB, browser_session, person_with_plan

    person, _ = person_with_plan(DANA_WEB)
    return browser_session(person)


def http(
    base: str, method: str, path: str, cookie: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any] | None, list[str]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Cookie", cookie)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            raw, status, cookies = answer.read(), answer.status, answer.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        raw, status, cookies = error.read(), error.code, error.headers.get_all("Set-Cookie") or []
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed if isinstance(parsed, dict) else None, cookies


def csrf_token(base: str, cookie: str) -> str:
    """The CSRF cookie a page of the site sets (the session player's, else the home page's form)."""
    for path in ("/session/", "/"):
        _, _, cookies = http(base, "GET", path, cookie)
        for header in cookies:
            found = re.match(r"csrftoken=([^;]+)", header)
            if found:
                return found.group(1)
    raise SystemExit("no page of the server set a csrftoken cookie")


def prepare_log_sessions(base: str, cookie: str, token: str, count: int) -> list[str] | None:
    """The ids of ``count`` guided sessions of Dana's, ready for their first log.
    None when the session-log API is not there (404)."""
    headers = {"X-CSRFToken": token, "Content-Type": "application/json"}
    first = str(uuid.uuid4())
    start = "/api/v1/me/sessions"
    status, body, _ = http(base, "POST", start, cookie, {"id": first, "before": BEFORE}, headers)
    if status == 404:
        return None
    if status not in (200, 201):
        raise SystemExit(f"POST {start} answered {status}: {body}")
    probe = {"id": str(uuid.uuid4()), "position": 1, "sets_done": 1, "skipped": False, "it_hurts": False}
    status, body, _ = http(base, "POST", f"{start}/{first}/logs", cookie, {**probe, "after": AFTER}, headers)
    if status == 404:
        return None
    if status not in (200, 201):
        raise SystemExit(f"POST {start}/<id>/logs answered {status}: {body}")

    from backhome.web.practice.models import ExerciseSession

    template = ExerciseSession.objects.get(pk=first)
    ids: list[str] = []
    batch: list[Any] = []
    for _ in range(count):
        clone = ExerciseSession(
            **{f.attname: getattr(template, f.attname) for f in ExerciseSession._meta.concrete_fields}
        )
        clone.id = uuid.uuid4()
        ids.append(str(clone.id))
        batch.append(clone)
        if len(batch) == 2000:
            ExerciseSession.objects.bulk_create(batch)
            batch = []
    ExerciseSession.objects.bulk_create(batch)
    from django.db import connections

    connections.close_all()
    return ids


# --------------------------------------------------------------------------- load


def run_wrk(
    wrk: str, script: Path, url: str, args: list[str], seconds: float, connections: int, threads: int
) -> dict[str, Any]:
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
        "--",
        *args,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    found = re.search(r"^BENCHJSON (.+)$", out, re.M)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{out}")
    parsed: dict[str, Any] = json.loads(found.group(1))
    return parsed


async def _python_load(
    port: int, method: str, headers: dict[str, str], bodies: Any, seconds: float, connections: int
) -> dict[str, Any]:
    """The fallback: ``connections`` keep-alive HTTP/1.1 connections, each sending its next request as
    soon as the last is answered, for ``seconds``."""
    latencies: list[float] = []
    counts = {"non_2xx": 0, "socket_errors": 0}
    statuses: dict[str, int] = {}
    end = time.monotonic() + seconds

    async def one() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        while time.monotonic() < end:
            target, body = bodies()
            head = [f"{method} {target} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: keep-alive"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            payload = body.encode() if body else b""
            if payload:
                head.append(f"Content-Length: {len(payload)}")
            start = time.perf_counter()
            try:
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
                await writer.drain()
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError):
                counts["socket_errors"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            latencies.append(time.perf_counter() - start)
            code = status_line.split()[1].decode()
            if not code.startswith("2"):
                counts["non_2xx"] += 1
                statuses[code] = statuses.get(code, 0) + 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(connections)))
    elapsed = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "p50_us": int(q[49] * 1e6),
        "p90_us": int(q[89] * 1e6),
        "p99_us": int(q[98] * 1e6),
        "max_us": int(latencies[-1] * 1e6) if latencies else 0,
        **counts,
        "statuses": statuses,
    }


def measure(
    name: str,
    *,
    wrk: str | None,
    script: Path,
    url: str,
    mode: str,
    cookie: str,
    token: str = "",
    sessions: list[str] | None = None,
    seconds: float,
    warmup: float,
    connections: int,
    threads: int,
    server_pid: int | None = None,
) -> Result:
    """A warm-up run, then the measured run. For the log POST each run gets session ids no earlier run
    has used (exercises are logged in order: a session's first exercise can be logged once)."""
    raw: dict[str, Any] = {}
    cursor = 0
    for duration in (warmup, seconds):
        ids_file = None
        if sessions is not None:
            ids_file = Path(tempfile.mkstemp(prefix="backhome-bench-sessions-", suffix=".txt")[1])
            ids_file.write_text("\n".join(sessions[cursor:]) + "\n")
        cpu_before = process_tree_cpu(server_pid) if server_pid is not None else None
        try:
            if wrk:
                args = [mode, cookie, token, str(ids_file or ""), str(threads)]
                raw = run_wrk(wrk, script, url, args, duration, connections, threads)
            else:
                raw = asyncio.run(_python_fallback(url, mode, cookie, token, ids_file, duration, connections))
        finally:
            if ids_file is not None:
                ids_file.unlink()
        # requests still in flight when a run stops may have been answered too: skip past them
        cursor += raw["requests"] + 2 * connections
        cpu_after = process_tree_cpu(server_pid) if server_pid is not None else None
    server_cpu = None
    if cpu_before is not None and cpu_after is not None and raw["requests"]:
        server_cpu = (cpu_after - cpu_before) * 1000 / raw["requests"]
    return Result(
        name,
        raw["requests"],
        raw["duration_us"] / 1e6,
        raw["p50_us"] / 1000,
        raw["p90_us"] / 1000,
        raw["p99_us"] / 1000,
        raw["max_us"] / 1000,
        raw["non_2xx"],
        raw["socket_errors"],
        raw.get("statuses", {}),
        server_cpu,
    )


_fallback_position = 0


async def _python_fallback(
    url: str, mode: str, cookie: str, token: str, ids_file: Path | None, seconds: float, connections: int
) -> dict[str, Any]:
    headers = {"Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    parts = urlsplit(url)
    port, target = parts.port or 80, parts.path or "/"
    if mode != "log":
        return await _python_load(port, "GET", headers, lambda: (target, ""), seconds, connections)
    assert ids_file is not None
    ids = ids_file.read_text().split()
    headers |= {"Content-Type": "application/json", "X-CSRFToken": token}

    def next_body() -> tuple[str, str]:
        global _fallback_position
        _fallback_position += 1
        sid = ids[(_fallback_position - 1) % len(ids)]
        body = {"id": str(uuid.uuid4()), "position": 1, "sets_done": 1, "skipped": False, "it_hurts": False}
        return f"/api/v1/me/sessions/{sid}/logs", json.dumps({**body, "after": AFTER})

    return await _python_load(port, "POST", headers, next_body, seconds, connections)


# --------------------------------------------------------------------------- CPU per request


def cpu_per_request(session_key: str, sessions: list[str] | None, count: int = 300) -> dict[str, float]:
    """Milliseconds of this process's CPU per request, through Django's test client on the same
    database (no HTTP server, no load generator): a figure the other programs on the machine barely
    change, and the ceiling of each endpoint's share of the trivial view's throughput."""
    from django.test import Client

    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")
    client.cookies["sessionid"] = session_key

    def timed(call: Any) -> float:
        call(0)
        start = time.process_time()
        for n in range(1, count + 1):
            call(n)
        return (time.process_time() - start) * 1000 / count

    costs = {
        "(a) GET /healthz": timed(lambda n: client.get("/healthz")),
        "(b) GET /plan/": timed(lambda n: client.get("/plan/")),
    }
    if sessions is not None and len(sessions) > count:
        mine = [sessions.pop() for _ in range(count + 1)]

        def log(n: int) -> None:
            body = {
                "id": str(uuid.uuid4()),
                "position": 1,
                "sets_done": 1,
                "skipped": False,
                "it_hurts": False,
            }
            answer = client.post(
                f"/api/v1/me/sessions/{mine[n]}/logs",
                {**body, "after": AFTER},
                content_type="application/json",
            )
            assert answer.status_code == 201, answer.content

        costs["(c) POST /api/v1/me/sessions/<id>/logs"] = timed(log)
    from django.db import connections

    connections.close_all()
    return costs


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each measured run (15)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up before each run (2)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (1: leaves the cores to the server)"
    )
    parser.add_argument("--sessions", type=int, default=40_000, help="guided sessions made for the log POST")
    parser.add_argument("--python-load", action="store_true", help="use the asyncio fallback, not wrk")
    parser.add_argument("--server-log", type=Path, help="keep the server's output (access log) in this file")
    options = parser.parse_args()

    options.load_before = os.getloadavg()[0]
    wrk = None if options.python_load else ensure_wrk()
    if wrk:
        tool = f"wrk {_wrk_version(wrk)}"
    elif options.python_load:
        tool = "the asyncio fallback (--python-load)"
    else:
        tool = "the asyncio fallback (wrk could not be installed)"
    workdir = Path(tempfile.mkdtemp(prefix="backhome-bench-web-"))
    server = Server(workdir)
    try:
        server.wait_ready()
        django_in(server.env)
        session_key = make_dana()
        cookie = "sessionid=" + session_key
        token = csrf_token(server.base, cookie)
        cookie_csrf = f"{cookie}; csrftoken={token}"
        sessions = prepare_log_sessions(server.base, cookie_csrf, token, options.sessions)
        cpu = cpu_per_request(session_key, sessions)
        script = workdir / "bench.lua"
        script.write_text(LUA)
        common = {
            "wrk": wrk,
            "script": script,
            "seconds": options.seconds,
            "warmup": options.warmup,
            "connections": options.connections,
            "threads": options.threads,
            "server_pid": server.process.pid,
        }
        results = [measure("(a) GET /healthz", url=server.base + "/healthz", mode="get", cookie="", **common)]
        results.append(
            measure("(b) GET /plan/", url=server.base + "/plan/", mode="get", cookie=cookie, **common)
        )
        if sessions is None:
            print("note: POST /api/v1/me/sessions/<id>/logs answers 404 here: (c) is skipped")
        else:
            results.append(
                measure(
                    "(c) POST /api/v1/me/sessions/<id>/logs",
                    url=server.base + "/",
                    mode="log",
                    cookie=cookie_csrf,
                    token=token,
                    sessions=sessions,
                    **common,
                )
            )
    finally:
        server.stop()
        if options.server_log:
            shutil.copy(workdir / "server.log", options.server_log)
        shutil.rmtree(workdir, ignore_errors=True)

    report(results, cpu, tool, options)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _wrk_version(wrk: str | None) -> str:
    if not wrk:
        return ""
    out = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"wrk (\S+)", out.stdout + out.stderr)
    return found.group(1) if found else "?"


def report(results: list[Result], cpu: dict[str, float], tool: str, options: argparse.Namespace) -> None:
    base = results[0].rps
    print(f"date: {date.today().isoformat()}")
    print(f"machine: {machine()}")
    before, after = options.load_before, os.getloadavg()[0]
    print(f"load average (1 min) of the machine: {before:.2f} before the run, {after:.2f} after it")
    print(
        f"load: {tool}, {options.connections} connections, {options.seconds:g} s per endpoint after "
        f"{options.warmup:g} s of warm-up; server: backhome serve (gunicorn, "
        f"{os.environ.get('BACKHOME_WORKERS', default_workers())} workers x "
        f"{os.environ.get('BACKHOME_THREADS', DEFAULT_THREADS)} threads)"
    )
    print(
        f"{'endpoint':<40} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'of (a)':>7} "
        f"{'CPU ms':>7}  errors"
    )
    ok = True
    for r in results:
        share = r.rps / base
        codes = ", ".join(f"{n} x {code}" for code, n in sorted(r.statuses.items()))
        errors = f"{r.non_2xx} non-2xx{f' ({codes})' if codes else ''}, {r.socket_errors} socket"
        print(
            f"{r.name:<40} {r.rps:>9,.0f} {r.p50_ms:>8.1f} {r.p90_ms:>8.1f} {r.p99_ms:>8.1f} {r.max_ms:>8.1f} "
            f"{share:>6.0%} {_ms(r.server_cpu_ms):>7}  {errors}"
        )
        if r is not results[0]:
            ok = ok and r.p99_ms < P99_TARGET_MS and share >= SHARE_TARGET
        ok = ok and r.non_2xx == 0 and r.socket_errors == 0
    print(
        f"targets (p99 < {P99_TARGET_MS:g} ms and >= {SHARE_TARGET:.0%} of (a) for (b) and (c); no error):",
        "met" if ok else "NOT met",
    )
    print(
        "CPU ms: the server processes' CPU time per request during the measured run (/proc: gunicorn, "
        "its workers, with HTTP)"
    )
    print("server CPU per request, in-process (Django test client, same database, 300 requests each):")
    trivial = cpu["(a) GET /healthz"]
    for name, ms in cpu.items():
        print(f"  {name:<40} {ms:>6.2f} ms   (a)'s cost / this: {trivial / ms:>5.0%}")


if __name__ == "__main__":
    main()
