"""``make cluster-test``: two backhome servers behind HAProxy on PostgreSQL and Redis, proven by faults.

Starts, on loopback only (127.0.0.1, free ports), in a temporary folder:

- PostgreSQL: the throw-away cluster of ``scripts/pg_cluster.py`` (durable: fsync on);
- Redis: Debian's ``redis-server`` with a configuration written here (loopback, no persistence);
- two ``backhome serve`` nodes ("a" and "b"), each with its own data folder, sharing the database, Redis
  (``BACKHOME_CACHE_URL``) and one secret key; node a migrates first, then b starts;
- HAProxy from Debian in front: round robin, health check ``GET /healthz``, a request that could not
  reach a node is sent to the other one, and a GET that got no answer is tried again elsewhere (never a
  POST once sent: the client sends it again, with the same id).

Then, in one run:

1. the load test through HAProxy (``--patients`` simulated phones for ``--duration`` seconds, from
   ``scripts/loadlib``); mid-load node a's whole process group gets SIGKILL (once at least 300 session
   logs have been acknowledged) and is started again ``--restart-after`` seconds later, and Redis is
   stopped and started again (empty: it keeps nothing on disk); afterwards every acknowledged write is
   counted in the database;
2. reminders: people due a reminder email now are added, and ``backhome reminders send`` runs on both
   nodes at the same instant (both processes are started, then released together), sending to a local
   SMTP sink (aiosmtpd);
3. the public triage's rate limit: more requests than the limit, from one address, sent to node a and
   node b in turn.

It prints PASS (exit 0) only if no request failed (the requests in flight when the node died are sent
again, the same, and counted), no acknowledged write is lost or duplicated, every patient's journey goes
on after the kill, the Redis restart costs no failed request, each due reminder is sent exactly once,
and the triage limit holds across both nodes. Latency is reported as the servers measured it (gunicorn's
access log, ``%(D)s``) per kind of request. Everything is stopped and the folder removed at the end.

    python -m scripts.cluster [--patients 500] [--duration 60] [--json report.json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
#: The triage limit the nodes are given (requests a minute from one address).
TRIAGE_PER_MINUTE = 30
#: People due a reminder email when ``reminders send`` runs on both nodes.
REMINDER_PEOPLE = 40


# --------------------------------------------------------------------------- the parts


def ensure_tools() -> None:
    """Debian's haproxy and redis-server (and PostgreSQL, through scripts/pg_cluster.py) when missing."""
    subprocess.run(
        ["bash", str(REPO / "scripts" / "ensure-cluster-tools.sh")], check=True, stdout=subprocess.DEVNULL
    )


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float = 20) -> None:
    """SIGTERM to the process group we started, SIGKILL if it does not end in time."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Redis:
    """Debian's redis-server on a free loopback port, nothing kept on disk; stop and start again."""

    def __init__(self, folder: Path) -> None:
        from scripts.loadlib.server import free_port

        folder.mkdir(parents=True)
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.config = folder / "redis.conf"
        self.config.write_text(
            textwrap.dedent(
                f"""\
                bind {HOST}
                port {self.port}
                protected-mode yes
                daemonize no
                save ""
                appendonly no
                dir {folder}
                logfile {folder / "redis.log"}
                maxmemory 256mb
                maxmemory-policy allkeys-lru
                """
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", str(self.config)], start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer PING in 20 s")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        stop_process(self.process)


class HAProxy:
    """HAProxy in front of the nodes, its configuration written here and checked with ``haproxy -c``."""

    def __init__(self, folder: Path, nodes: dict[str, int]) -> None:
        from scripts.loadlib.server import free_port

        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.config = folder / "haproxy.cfg"
        servers = "\n".join(f"    server {name} {HOST}:{port} check" for name, port in nodes.items())
        self.config.write_text(
            textwrap.dedent(
                """\
                global
                    maxconn 4096
                    log stdout format raw local0 info

                defaults
                    mode http
                    log global
                    option httplog
                    option dontlog-normal
                    timeout connect 2s
                    timeout client 90s
                    timeout server 90s
                    timeout queue 30s
                    timeout http-keep-alive 10s
                    # A request that could not reach a node goes to the other one (nothing was sent).
                    retries 3
                    option redispatch 1
                    retry-on conn-failure empty-response response-timeout
                    # One connection to a node for each request: none is left idle for a node to close
                    # under the next request, and the nodes' workers share the connections evenly.
                    option http-server-close
                    option forwardfor

                frontend web
                    bind {host}:{port}
                    default_backend nodes

                backend nodes
                    balance roundrobin
                    # Once sent, only a GET (nothing changes) is tried again on another node; a POST
                    # whose node died is answered 502 and the client sends it again with the same id.
                    http-request disable-l7-retry unless METH_GET
                    option httpchk
                    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host {host}
                    http-check expect status 200
                    # A node busy with the load may take a while to answer its check: only a node that
                    # cannot be reached, or fails three checks in a row, is taken out.
                    timeout check 3s
                    default-server inter 1s fastinter 500ms downinter 500ms fall 3 rise 2
                {servers}
                """
            ).format(host=HOST, port=self.port, servers=servers)
        )
        subprocess.run(["haproxy", "-c", "-q", "-f", str(self.config)], check=True)
        self.log_path = folder / "haproxy.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                ["haproxy", "-db", "-f", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 20) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"HAProxy did not answer /healthz in time; see {self.log_path}")

    def stop(self) -> None:
        stop_process(self.process)


@dataclass
class SmtpSink:
    """A local SMTP server that keeps the recipients and subject of each email it receives."""

    received: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for address in envelope.rcpt_tos:
            self.received.append((address, str(message["Subject"])))
        return "250 OK"


# --------------------------------------------------------------------------- server-side latency

ACCESS = re.compile(r"^backhome-access (GET|POST|HEAD) (\S+) (\d{3}) (\d+)$")
#: gunicorn's access log line for each request: method, path, status and microseconds (``%(D)s``).
ACCESS_FORMAT = "backhome-access %(m)s %(U)s %(s)s %(D)s"
UUID = "[0-9a-f-]{36}"
KINDS_BY_PATH = (
    ("POST", re.compile(r"^/screening/[^/]+/$"), "screening step"),
    ("GET", re.compile(r"^/screening/[^/]+/$"), "screening page"),
    ("GET", re.compile(r"^/plan/$"), "plan"),
    ("POST", re.compile(r"^/session/start/$"), "session start"),
    ("POST", re.compile(rf"^/session/{UUID}/log/{UUID}/recheck/$"), "session recheck"),
    ("POST", re.compile(rf"^/session/{UUID}/log/$"), "session log"),
    ("POST", re.compile(rf"^/session/{UUID}/finish/$"), "session finish"),
    ("POST", re.compile(r"^/check-in/$"), "check-in"),
    ("POST", re.compile(r"^/api/v1/triage$"), "triage"),
    ("GET", re.compile(r"^/healthz$"), "health check"),
)


def kind_of(method: str, path: str) -> str:
    for want, pattern, kind in KINDS_BY_PATH:
        if method == want and pattern.match(path):
            return kind
    return "page"


def server_side_latency(logs: list[Path]) -> dict[str, Any]:
    """p50/p95/p99 per kind of request, as the nodes measured them (health checks left out)."""
    from scripts.load_test import percentile

    times: dict[str, list[float]] = {}
    statuses: Counter[str] = Counter()
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            found = ACCESS.match(line.strip())
            if not found:
                continue
            method, url, status, micro = found.groups()
            kind = kind_of(method, url)
            if kind == "health check":
                continue
            times.setdefault(kind, []).append(int(micro) / 1000)
            statuses[status[0] + "xx"] += 1
    kinds = {
        kind: {
            "requests": len(ms),
            "p50_ms": round(percentile(ms, 0.50), 1),
            "p95_ms": round(percentile(ms, 0.95), 1),
            "p99_ms": round(percentile(ms, 0.99), 1),
            "max_ms": round(max(ms), 1),
        }
        for kind, ms in sorted(times.items())
    }
    return {"kinds": kinds, "statuses": dict(statuses)}


# --------------------------------------------------------------------------- the load (scripts/loadlib)


@dataclass
class Faults:
    """When and what: the node to kill and restart, and Redis to restart, with what happened."""

    node: Any
    redis: Redis
    kill_after_logs: int
    kill_not_before: float
    restart_after: float
    redis_at: float
    report: dict[str, Any] = field(default_factory=dict)
    #: Until this moment of the run, a 502/503/504 from HAProxy is a request cut off by the kill.
    cut_off_until: float = -1.0
    #: The requests cut off by the kill and sent again: when (s into the run), what, why.
    resent: list[dict[str, Any]] = field(default_factory=list)

    def cut_off(self, now: float, request: Any, why: str) -> None:
        self.resent.append(
            {"t": round(now, 3), "request": f"{request.method} {request.url.path}", "why": why}
        )


def proxy_transport(run: Any, faults: Faults) -> Any:
    """The load generator's connection pool, through HAProxy. In the seconds after the kill, a request
    that the dying node had taken (HAProxy answers 502 to a POST it may not send again, or the connection
    drops) is sent again, the same, as a phone does when its request is cut off; each one is counted and
    timed. At any other moment a 502 or a dropped connection is a failure like any other."""
    import httpx

    class ThroughProxy(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            while True:
                try:
                    response = await super().handle_async_request(request)
                    # Read here, so that a body the dying node cut short is sent again too.
                    await response.aread()
                except httpx.TransportError as error:
                    if run.now() >= faults.cut_off_until:
                        raise
                    faults.cut_off(run.now(), request, type(error).__name__)
                    await asyncio.sleep(0.2)
                    continue
                if response.status_code in (502, 503, 504) and run.now() < faults.cut_off_until:
                    await response.aclose()
                    faults.cut_off(run.now(), request, str(response.status_code))
                    await asyncio.sleep(0.2)
                    continue
                return response

    return ThroughProxy(
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=None, keepalive_expiry=1.0)
    )


async def _faults(run: Any, faults: Faults) -> None:
    from scripts.loadlib.server import group_members

    node = faults.node
    while run.now() < faults.kill_not_before or (
        sum(1 for a in run.acks if a["kind"] == "session log") < faults.kill_after_logs
        and run.now() < run.options.duration - 10
    ):
        await asyncio.sleep(0.1)
    logs_before = sum(1 for a in run.acks if a["kind"] == "session log")
    pgid = node.process.pid
    pids = group_members(pgid)
    os.killpg(pgid, signal.SIGKILL)
    killed_at = run.now()
    faults.cut_off_until = killed_at + 10.0
    await asyncio.to_thread(node.process.wait)
    faults.report["kill"] = {
        "node": "a",
        "at_s": round(killed_at, 3),
        "killed_pids": pids,
        "down_s": None,
        "session_logs_acknowledged_before": logs_before,
    }
    await asyncio.sleep(faults.restart_after)
    node.start()
    while not await asyncio.to_thread(node.ready):
        await asyncio.sleep(0.2)
    faults.report["kill"]["down_s"] = round(run.now() - killed_at, 3)
    faults.report["kill"]["restarted"] = True

    while run.now() < faults.redis_at:
        await asyncio.sleep(0.1)
    redis = faults.redis
    errors_before = len(run.errors)
    stopped_at = run.now()
    await asyncio.to_thread(redis.stop)
    await asyncio.sleep(1.0)  # a second without Redis: every node goes on with the database alone
    await asyncio.to_thread(redis.start)
    faults.report["redis_restart"] = {
        "at_s": round(stopped_at, 3),
        "down_s": round(run.now() - stopped_at, 3),
        "requests_failed_meanwhile": None,
        "errors_before": errors_before,
    }


async def _drive(base: str, options: Any, faults: Faults) -> Any:
    from scripts.loadlib.patients import Run, patient_loop, renew_pool

    run = Run(base=base, options=options)
    run.transport = proxy_transport(run, faults)
    run.up.set()
    tasks = [asyncio.create_task(patient_loop(run, i)) for i in range(options.patients)]
    tasks.append(asyncio.create_task(_faults(run, faults)))
    await asyncio.gather(*tasks)
    run.elapsed = run.now()
    await renew_pool(run)
    redis = faults.report.get("redis_restart")
    if redis is not None:
        window = (redis["at_s"], redis["at_s"] + redis["down_s"] + 5.0)
        redis["requests_failed_meanwhile"] = sum(1 for e in run.errors if window[0] <= e["t"] <= window[1])
    return run


def load_through_proxy(
    base: str, env: dict[str, str], workdir: Path, patients: int, duration: float, faults: Faults
) -> dict[str, Any]:
    """The one place this script uses the load generator: the run through HAProxy with the faults, then
    every acknowledged write counted in the database. Returns the load test's own report."""
    from scripts.load_test import WRITES, summarise, verify
    from scripts.loadlib.patients import Options

    options = Options(patients=patients, duration=duration, drain=60.0)
    load_before = os.getloadavg()[0]
    run = asyncio.run(_drive(base, options, faults))
    if "kill" in faults.report:
        faults.report["kill"]["resent"] = len(faults.resent)
        faults.report["kill"]["resent_last_s_after"] = (
            round(max(r["t"] for r in faults.resent) - faults.report["kill"]["at_s"], 3)
            if faults.resent
            else None
        )
        faults.report["kill"]["resent_examples"] = faults.resent[:5]
    checked = verify(env, run.acks, workdir)
    report: dict[str, Any] = summarise(run, checked, options, "postgres", 0.0, load_before)
    kill = faults.report.get("kill")
    if kill:  # the writes acknowledged before the node died, and whether each is stored
        writes = checked["writes"]
        kill["acknowledged_before"] = {
            name: {
                "acknowledged": sum(1 for a in run.acks if a["kind"] == name and a["t"] < kill["at_s"]),
                "missing": sum(
                    1
                    for a in run.acks
                    if a["kind"] == name
                    and a["t"] < kill["at_s"]
                    and a["id"] in set(writes[name]["missing_ids"])
                ),
            }
            for name in WRITES
            if name != "screening"
        }
    report["interrupted_examples"] = run.interrupted[:5]
    return report


# --------------------------------------------------------------------------- reminders and the limit

#: The moment the reminders are sent "at" (``--now``), and the session time the people chose.
REMINDER_DAY_TIME = dt.time(12, 0)
REMINDER_CHOSEN_TIME = dt.time(11, 50)


def seed_reminders(count: int) -> None:
    """(In a process with a node's environment.) ``count`` people with a plan who asked for an email at
    11:50 UTC every day."""
    import django

    django.setup()
    from tests.integration.people import DANA_WEB, WALT_WEB, person_with_plan
    from tests.integration.reminder_helpers import choose

    for number in range(count):
        person, _ = person_with_plan(WALT_WEB if number % 2 else DANA_WEB)
        choose(
            person,
            session_time=REMINDER_CHOSEN_TIME,
            time_zone="UTC",
            email_on=True,
            email=f"reminder-{number}@cluster.example",
            email_sessions=True,
            email_checkins=False,
        )


def send_at_instant(at: float, now: str) -> None:
    """(In a process with a node's environment.) Wait until the wall-clock moment ``at``, then run
    ``backhome reminders send --now NOW`` as cron would."""
    from backhome.cli import main

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backhome.web.config.settings")
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()  # connected before the instant, as a server's cron job would be
    time.sleep(max(0.0, at - time.time()))
    sys.exit(main(["reminders", "send", "--now", now]))


def reminders_on_both_nodes(envs: dict[str, dict[str, str]], sink: SmtpSink) -> dict[str, Any]:
    helper = [sys.executable, "-m", "scripts.cluster"]
    seeded = subprocess.run(
        [*helper, "_seed", str(REMINDER_PEOPLE)], env=envs["a"], cwd=REPO, capture_output=True, text=True
    )
    if seeded.returncode != 0:
        raise RuntimeError(f"adding the reminder people failed:\n{seeded.stderr[-3000:]}")
    now = dt.datetime.combine(dt.date.today(), REMINDER_DAY_TIME, tzinfo=dt.UTC).isoformat()
    at = time.time() + 8.0  # both processes are up and connected by then
    started = [
        subprocess.Popen(
            [*helper, "_send", repr(at), now],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for env in envs.values()
    ]
    outputs = []
    for process in started:
        out, err = process.communicate(timeout=120)
        outputs.append({"exit": process.returncode, "said": out.strip(), "stderr": err.strip()[-500:]})
    time.sleep(0.5)  # the sink's last message
    by_address = Counter(address for address, _ in sink.received)
    expected = {f"reminder-{n}@cluster.example" for n in range(REMINDER_PEOPLE)}
    return {
        "due": REMINDER_PEOPLE,
        "nodes": outputs,
        "received": len(sink.received),
        "people_reached": len(set(by_address) & expected),
        "sent_twice": sum(1 for n in by_address.values() if n > 1),
        "unexpected": sorted(set(by_address) - expected)[:5],
        "ok": (
            all(o["exit"] == 0 for o in outputs)
            and set(by_address) == expected
            and all(n == 1 for n in by_address.values())
        ),
    }


def triage_limit(nodes: dict[str, str]) -> dict[str, Any]:
    """``TRIAGE_PER_MINUTE + 10`` triage requests from one address, to node a and node b in turn: the
    limit is counted once for both, so exactly the excess is refused (429)."""
    import httpx

    from tests.integration.screening_helpers import DANA_WEB

    counts: Counter[str] = Counter()
    bases = list(nodes.values())
    total = TRIAGE_PER_MINUTE + 10
    with httpx.Client(timeout=30) as client:
        for number in range(total):
            base = bases[number % len(bases)]
            answer = client.post(base + "/api/v1/triage", json=DANA_WEB)
            counts[str(answer.status_code)] += 1
    return {
        "limit_per_minute": TRIAGE_PER_MINUTE,
        "sent": total,
        "answers": dict(counts),
        "ok": counts == Counter({"200": TRIAGE_PER_MINUTE, "429": total - TRIAGE_PER_MINUTE}),
    }


# --------------------------------------------------------------------------- the run


def run_cluster(patients: int, duration: float, restart_after: float, keep: bool = False) -> dict[str, Any]:
    from aiosmtpd.controller import Controller

    from scripts.loadlib.server import Server, free_port, postgres_cluster

    ensure_tools()
    workdir = Path(tempfile.mkdtemp(prefix="backhome-cluster-"))
    started = time.monotonic()
    redis = haproxy = None
    nodes: dict[str, Any] = {}
    sink = SmtpSink()
    smtp = Controller(sink, hostname=HOST, port=free_port())
    smtp.start()
    try:
        with postgres_cluster() as database_url:
            redis = Redis(workdir / "redis")
            redis.start()
            common = {
                **os.environ,
                "DATABASE_URL": database_url,
                "BACKHOME_CACHE_URL": redis.url,
                "BACKHOME_SECRET_KEY": "cluster-" + secrets.token_urlsafe(40),
                "BACKHOME_ALLOWED_HOSTS": f"{HOST},localhost",
                "BACKHOME_API_TRIAGE_RATE": f"{TRIAGE_PER_MINUTE}/min",
                "BACKHOME_EMAIL_BACKEND": "smtp",
                "BACKHOME_EMAIL_HOST": HOST,
                "BACKHOME_EMAIL_PORT": str(smtp.port),
                "BACKHOME_EMAIL_USE_TLS": "off",
                "BACKHOME_WORKERS": os.environ.get("BACKHOME_WORKERS", "2"),
                "DJANGO_SETTINGS_MODULE": "backhome.web.config.settings",
                "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'",
                "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            }
            common.pop("BACKHOME_DEBUG", None)
            envs: dict[str, dict[str, str]] = {}
            for name in ("a", "b"):
                folder = workdir / f"node-{name}"
                folder.mkdir()
                envs[name] = {**common, "BACKHOME_DATA_DIR": str(folder / "data")}
                nodes[name] = Server(folder, envs[name])
            booted = time.monotonic()
            for name in ("a", "b"):  # one after the other: the first one's migrations run alone
                nodes[name].start()
                nodes[name].wait_ready()
            boot_s = time.monotonic() - booted
            haproxy = HAProxy(workdir, {name: node.port for name, node in nodes.items()})
            haproxy.start()
            haproxy.wait_ready()
            faults = Faults(
                node=nodes["a"],
                redis=redis,
                kill_after_logs=300,
                kill_not_before=duration * 0.3,
                restart_after=restart_after,
                redis_at=duration * 0.7,
            )
            load = load_through_proxy(haproxy.base, envs["a"], workdir, patients, duration, faults)
            reminders = reminders_on_both_nodes(envs, sink)
            limit = triage_limit({name: node.base for name, node in nodes.items()})
            for node in nodes.values():
                node.stop()
            latency = server_side_latency([node.log_path for node in nodes.values()])
    finally:
        smtp.stop()
        if haproxy is not None:
            haproxy.stop()
        for node in nodes.values():
            node.stop()
        if redis is not None:
            redis.stop()
        if keep:
            print(f"kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return judge(load, faults.report, reminders, limit, latency, boot_s, time.monotonic() - started)


def judge(
    load: dict[str, Any],
    faults: dict[str, Any],
    reminders: dict[str, Any],
    limit: dict[str, Any],
    latency: dict[str, Any],
    boot_s: float,
    total_s: float,
) -> dict[str, Any]:
    problems = list(load["problems"])
    if "kill" not in faults:
        problems.append("node a was never killed (the run ended first)")
    if "redis_restart" not in faults:
        problems.append("Redis was never restarted (the run ended first)")
    elif faults["redis_restart"]["requests_failed_meanwhile"]:
        problems.append(
            f"{faults['redis_restart']['requests_failed_meanwhile']} request(s) failed around the Redis restart"
        )
    if load["journeys"] == 0:
        problems.append("no journey finished")
    if not reminders["ok"]:
        problems.append(
            f"reminders: {reminders['received']} emails for {reminders['due']} due, {reminders['sent_twice']} sent twice, "
            f"{reminders['due'] - reminders['people_reached']} never sent"
        )
    if not limit["ok"]:
        problems.append(
            f"the triage limit of {limit['limit_per_minute']}/min across both nodes answered {limit['answers']}"
        )
    if total_s > 300:
        problems.append(f"the run took {total_s:.0f} s (more than 5 minutes)")
    return {
        "load": load,
        "faults": faults,
        "reminders": reminders,
        "triage_limit": limit,
        "server_latency": latency,
        "boot_s": round(boot_s, 1),
        "total_s": round(total_s, 1),
        "problems": problems,
        "ok": not problems,
    }


def show(report: dict[str, Any]) -> None:
    from scripts.load_test import WRITES

    load = report["load"]
    o = load["options"]
    print(f"date: {load['date']}; machine: {load['machine']}; load average {load['load_average']}")
    print(
        f"two nodes (booted in {report['boot_s']} s) behind HAProxy, PostgreSQL and Redis; {o['patients']} patients "
        f"for {o['duration']:g} s; run {load['elapsed_s']} s; journeys {load['journeys_started']} started, "
        f"{load['journeys']} finished; requests {load['requests']:,} ({load['throughput_rps']} req/s), "
        f"errors {load['errors']}"
    )
    print("latency measured by the servers (gunicorn %(D)s), both nodes:")
    print(f"  {'kind':<16} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, k in report["server_latency"]["kinds"].items():
        print(
            f"  {name:<16} {k['requests']:>9,} {k['p50_ms']:>8.1f} {k['p95_ms']:>8.1f} {k['p99_ms']:>8.1f} {k['max_ms']:>8.1f}"
        )
    print(f"  answers by status: {report['server_latency']['statuses']}")
    print(f"  {'write':<16} {'acknowledged':>12} {'stored':>8} {'present':>8} {'missing':>8} {'extra':>6}")
    for name in WRITES:
        w = load["writes"][name]
        print(
            f"  {name:<16} {w['acknowledged']:>12,} {w['stored']:>8,} {w['present']:>8,} {w['missing']:>8} {w['extra']:>6}"
        )
    kill = report["faults"].get("kill")
    if kill:
        print(
            f"kill: SIGKILL to node a ({len(kill['killed_pids'])} processes) at {kill['at_s']} s, after "
            f"{kill['session_logs_acknowledged_before']} session logs acknowledged; restarted, back in HAProxy "
            f"after {kill['down_s']} s; requests cut off and sent again: {kill['resent']} (the last "
            f"{kill['resent_last_s_after']} s after the kill)"
        )
        for name, b in kill.get("acknowledged_before", {}).items():
            print(f"  acknowledged before the kill: {name}: {b['acknowledged']}, missing {b['missing']}")
    redis = report["faults"].get("redis_restart")
    if redis:
        print(
            f"Redis: stopped at {redis['at_s']} s and started again (empty) {redis['down_s']} s later; requests "
            f"failed meanwhile: {redis['requests_failed_meanwhile']}"
        )
    r = report["reminders"]
    print(
        f"reminders send on both nodes at one instant: {r['due']} due, {r['received']} emails received, "
        f"{r['people_reached']} people reached, {r['sent_twice']} sent twice; the nodes said: "
        + "; ".join(n["said"] or n["stderr"] for n in r["nodes"])
    )
    t = report["triage_limit"]
    print(
        f"triage limit {t['limit_per_minute']}/min, {t['sent']} requests to node a and b in turn: {t['answers']}"
    )
    for example in load["error_examples"]:
        print(f"error: {example}")
    print(f"total {report['total_s']} s")
    print("result:", "PASS" if report["ok"] else "FAIL: " + "; ".join(report["problems"]))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_seed"]:
        seed_reminders(int(argv[1]))
        return 0
    if argv[:1] == ["_send"]:
        send_at_instant(float(argv[1]), argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=500, help="simulated phones at once (500)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument(
        "--restart-after",
        type=float,
        default=5.0,
        help="seconds after the kill before node a starts again (5)",
    )
    parser.add_argument("--json", type=Path, help="write the whole report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the folder (the logs) and say where")
    args = parser.parse_args(argv)
    report = run_cluster(args.patients, args.duration, args.restart_after, args.keep)
    show(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
