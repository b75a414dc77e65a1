"""Issue 10 item 9 and issue 23 acceptance 3: a mixed workload through a real reverse proxy
(haproxy) to one `broker serve` process and then to two on one PostgreSQL, load from wrk on
127.0.0.1 for a bounded time: reads of a family's observations (a partner system),
submissions (the regisseur), dry-run decisions and the privacy officer's audit search.
Reports throughput, p50/p99 and errors (0 expected); two processes against one is the
ratio. `BENCH_DATABASE_URL` names the PostgreSQL database (default the
local `test` database); the workload runs in a schema of its own, dropped afterwards."""

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.families import mother_and_child
from bench.proxy import HAPROXY, haproxy
from bench.runner import Result, free_port, wait_ready
from broker import migrate
from broker.audit.context import INFO_KEY, AuditContext
from broker.clock import local_day, now
from broker.config import PROJECT_ROOT, Settings
from broker.db import Database
from broker.identity import service as identity
from broker.keys import KeyRing
from broker.observations.schemas import ObservationCreate
from broker.observations.service import submit_observation
from broker.policy import load_policy

HOUSEHOLDS = 200
MIX = {"read": 40, "submit": 20, "decide": 30, "audit": 10}  # percent of requests
if os.environ.get("BENCH_LOAD_MIX"):  # e.g. read=100, to look at one kind of request
    MIX = {k: 0 for k in MIX} | {k: int(v) for k, v in (
        part.split("=") for part in os.environ["BENCH_LOAD_MIX"].split(","))}
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

LUA = """
local tokens = %(tokens)s
local households = %(households)s
local children = %(children)s
local counter = 0
request = function()
  counter = counter + 1
  local pick = math.random(100)
  local i = math.random(#households)
  if pick <= %(read)d then
    return wrk.format("GET", "/api/v1/households/" .. households[i] .. "/observations",
      {["Authorization"] = "Bearer " .. tokens.school})
  elseif pick <= %(submit)d then
    local body = '{"subject_id":"' .. children[i] .. '","category":"onderwijs",' ..
      '"concern":"low","observed_on":"%(today)s","body":"Meting ' .. counter .. '"}'
    return wrk.format("POST", "/api/v1/observations", {["Authorization"] = "Bearer " ..
      tokens.regisseur, ["Content-Type"] = "application/json"}, body)
  elseif pick <= %(decide)d then
    local body = '{"subject_id":"' .. children[i] .. '","category":"onderwijs",' ..
      '"recipient":{"party":"school"},"purpose":"hulpverlening"}'
    return wrk.format("POST", "/api/v1/decisions", {["Authorization"] = "Bearer " ..
      tokens.school, ["Content-Type"] = "application/json"}, body)
  else
    return wrk.format("GET", "/api/v1/audit/events?limit=20&action=disclosure",
      {["Authorization"] = "Bearer " .. tokens.officer})
  end
end
"""


@dataclass(frozen=True)
class Load:
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def _schema(url: str, workload: str = "load", name: str | None = None) -> tuple[str, str]:
    """A fresh schema in the PostgreSQL database (`name`, or a name of its own), and the URL
    that uses it."""
    schema = name or f"bench_{workload}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, _in_schema(url, schema)


def _in_schema(url: str, schema: str) -> str:
    """The URL of the database whose connections work in `schema`."""
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def _drop(url: str, schema: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _seed(settings: Settings) -> tuple[dict[str, tuple[str, str]], list[str], list[str]]:
    """Families with a consent for the school and an observation each; the callers."""
    policy = load_policy(PROJECT_ROOT / "policies")
    database = Database.from_url(settings.database_url)
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    households, children, credentials = [], [], {}
    with database.sessionmaker.begin() as session:
        orgs = {party: identity.create_organisation(session, name=f"{party} load", party=party,
                                                    policy=policy)
                for party in ("wijkteam", "school", "gemeente")}
        people = {}
        for name, party, roles in (("regisseur", "wijkteam", ["regisseur"]),
                                   ("officer", "gemeente", ["privacy_officer"])):
            people[name] = identity.create_professional(
                session, organisation_id=orgs[party].id, email=f"{name}@load.example",
                name=name, roles=roles, password=None)
            client, secret = identity.create_client(session, organisation_id=orgs[party].id,
                                                    name=name, professional_id=people[name].id)
            credentials[name] = (client.client_id, secret or "")
        client, secret = identity.create_client(session, organisation_id=orgs["school"].id,
                                                name="leerlingvolgsysteem")
        credentials["school"] = (client.client_id, secret or "")
        actor = identity.professional_principal(session, orgs["wijkteam"],
                                                people["regisseur"])
        for n in range(HOUSEHOLDS):
            household_id, child_id = mother_and_child(
                session, actor=actor, label=f"Gezin {n}",
                recipient={"organisation_id": orgs["school"].id})
            submit_observation(session, actor=actor, body=ObservationCreate(
                subject_id=child_id, category="onderwijs", concern="low",
                observed_on=local_day(now()), body="Verzuim."))
            households.append(household_id)
            children.append(child_id)
    database.engine.dispose()
    return credentials, households, children


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, script: Path | None, seconds: int, connections: int = 16) -> Load:
    """16 connections: more than the two workers' 20 database sessions would only queue.
    A request slower than 10 s counts as an error (a socket timeout)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {p: _ms(v, u) for p, v, u in re.findall(
        r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    requests = re.search(r"(\d+) requests in", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in sockets.groups()) if sockets else 0)
    return Load(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
                latency["50"], latency["99"], errors, int(requests.group(1)) if requests else 0)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "broker", "serve", "--port", str(port)],
                              env=env, cwd=PROJECT_ROOT)
    wait_ready(port)
    return server


def _cpu_seconds(servers: list[subprocess.Popen[bytes]]) -> Counter[str]:
    """CPU time (user + system) used so far by the broker processes, PostgreSQL and haproxy,
    from /proc: where a 2-core machine's time goes under the load."""
    tick, used = os.sysconf("SC_CLK_TCK"), Counter[str]()
    brokers = {server.pid for server in servers}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name, numbers = fields[0].split("(", 1)[1], fields[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        who = "broker" if int(stat.parent.name) in brokers else name
        if who in ("broker", "postgres", "haproxy"):
            used[who] += (int(numbers[11]) + int(numbers[12])) / tick
    return used


def _through(url: str, credentials: dict[str, tuple[str, str]], households: list[str],
             children: list[str], folder: Path, seconds: int,
             servers: list[subprocess.Popen[bytes]]) -> tuple[Load, Counter[str]]:
    tokens = {name: httpx.post(f"{url}/oauth/token", auth=pair,
                               data={"grant_type": "client_credentials"}).json()[
        "access_token"] for name, pair in credentials.items()}
    script = folder / "mixed.lua"
    bounds = {"read": MIX["read"], "submit": MIX["read"] + MIX["submit"],
              "decide": MIX["read"] + MIX["submit"] + MIX["decide"]}
    script.write_text(LUA % {
        "tokens": "{" + ",".join(f"{k} = {json.dumps(v)}" for k, v in tokens.items()) + "}",
        "households": "{" + ",".join(json.dumps(h) for h in households) + "}",
        "children": "{" + ",".join(json.dumps(c) for c in children) + "}",
        "today": local_day(now()).isoformat(), **bounds})
    before, children = _cpu_seconds(servers), resource.getrusage(resource.RUSAGE_CHILDREN)
    load = wrk(url, script, seconds)
    after, reaped = _cpu_seconds(servers), resource.getrusage(resource.RUSAGE_CHILDREN)
    after.subtract(before)
    # wrk has ended by now: its time is that of the children reaped meanwhile (only wrk).
    after["wrk"] = reaped.ru_utime + reaped.ru_stime - children.ru_utime - children.ru_stime
    return load, after


def run(seconds: float) -> list[Result]:
    """The mixed load through haproxy to one `broker serve` process, then to two on the same
    database (issue 23, acceptance 3): the second's throughput as a ratio of the first's."""
    if shutil.which("wrk") is None or not os.path.exists(HAPROXY):
        print("load skipped: needs wrk and haproxy (apt-get install wrk haproxy)")
        return []
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        schema, url = _schema(base)
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL
        print(f"load skipped: PostgreSQL at {make_url(base).host} not reachable ({exc})")
        return []
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    proxy_port, ports = free_port(), [free_port(), free_port()]
    env = {**os.environ, "BROKER_DATABASE_URL": url, "BROKER_KEY_DIR": str(tmp / "keys"),
           "BROKER_BASE_URL": f"http://127.0.0.1:{proxy_port}", "BROKER_LOG_LEVEL": "WARNING",
           "BROKER_ACCESS_TOKEN_TTL_SECONDS": "3600", "BROKER_TRUSTED_PROXIES": "127.0.0.1"}
    servers: list[subprocess.Popen[bytes]] = []
    duration = max(5, int(seconds * 5))
    try:
        migrate.upgrade(url)
        settings = Settings(database_url=url, key_dir=tmp / "keys", base_url=env[
            "BROKER_BASE_URL"])
        credentials, households, children = _seed(settings)
        servers.append(_serve(env, ports[0]))
        with haproxy(proxy_port, ports[:1]) as proxied:
            one, one_cpu = _through(proxied, credentials, households, children, tmp,
                                    duration, servers)
            bare = wrk(f"{proxied}/healthz", None, max(3, duration // 3))
        servers.append(_serve(env, ports[1]))
        with haproxy(proxy_port, ports) as proxied:
            two, two_cpu = _through(proxied, credentials, households, children, tmp,
                                    duration, servers)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        _drop(base, schema)
    shares = ", ".join(f"{share}% {name}" for name, share in MIX.items())
    cores = os.cpu_count() or 1
    for label, load, cpu in (("1 process", one, one_cpu), ("2 processes", two, two_cpu)):
        print(f"load through haproxy, {label}: {load.requests} requests in {duration}s "
              f"({shares}), {load.per_second:.0f}/s, p50 {load.p50_ms:.1f} ms, p99 "
              f"{load.p99_ms:.1f} ms, errors {load.errors}; cores busy (of {cores}): "
              + ", ".join(f"{who} {cpu[who] / duration:.2f}"
                          for who in ("broker", "postgres", "wrk", "haproxy")))
    print(f"/healthz through haproxy, 1 process: {bare.per_second:.0f}/s, p99 "
          f"{bare.p99_ms:.2f} ms")
    return [Result("load", f"mixed ({shares}) through haproxy, 2 processes, PostgreSQL; p50 "
                   f"{two.p50_ms:.1f} ms, p99 {two.p99_ms:.1f} ms, errors {two.errors}",
                   two.per_second, f"same, 1 process (p99 {one.p99_ms:.1f} ms)",
                   one.per_second, ">= 1.6x, p99 < 250 ms, errors 0")]
