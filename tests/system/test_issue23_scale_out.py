"""Issue 23, acceptance 4: two `broker serve` processes on one database behind a real reverse
proxy (Debian's haproxy), a mixed load through it, and the process that runs the jobs killed
mid-run. Then: no lost or duplicated disclosure or submission, every invitation and reminder
made once and received (only a message in flight at the kill goes again, same Message-ID),
the audit log verifies, the token limit holds across both processes.

Each request carries a trace of its own (`traceparent`), which the audit log records: a
request answered 2xx must be in the log (not lost), and no trace may hold the same event twice
(not duplicated). A request cut off by the kill may or may not have committed; it counts
neither way."""

import email
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from bench.proxy import HAPROXY, haproxy
from bench.runner import wait_ready
from broker.audit.context import INFO_KEY, AuditContext
from broker.audit.models import AuditEvent, AuditPending
from broker.clock import LEGAL_ZONE, local_day, now
from broker.config import PROJECT_ROOT, Settings
from broker.consent.models import Consent, ConsentGrantor
from broker.db import Database
from broker.identity import service as identity
from broker.keys import KeyRing
from broker.mail.models import OutboxMessage, OutboxStatus
from broker.mail.service import CLAIM
from broker.meetings.models import Meeting
from broker.observations.models import Observation
from broker.observations.schemas import ObservationCreate
from broker.observations.service import submit_observation
from broker.policy import load_policy
from broker.system.models import JobLease
from tests.conftest import Mailbox, free_port, smtp_mailbox
from tests.databases import fresh_database
from tests.soak import SOAK, note

pytestmark = pytest.mark.skipif(
    not os.path.exists(HAPROXY) and not os.environ.get("CI"),
    reason="needs Debian's haproxy (apt-get install haproxy); CI installs it")

HOUSEHOLDS = 12
LOAD_SECONDS = 60 if SOAK else 8
CLIENTS = 6
LEASE_SECONDS = 3
TOKEN_LIMIT = 8  # token requests a minute per client address


@dataclass
class Deployment:
    url: str  # the proxy's
    database: Database
    env: dict[str, str]  # the processes' environment
    servers: dict[int, subprocess.Popen[bytes]]  # pid -> process
    mailbox: Mailbox
    households: list[str]
    children: list[str]
    school_id: str
    regisseur_id: str
    ports: list[int]  # each process's own
    tokens: dict[str, str] = field(default_factory=dict)


def _seed(database: Database, settings: Settings) -> tuple[dict[str, tuple[str, str]],
                                                           list[str], list[str], str, str]:
    from bench.families import mother_and_child

    policy = load_policy(PROJECT_ROOT / "policies")
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    credentials: dict[str, tuple[str, str]] = {}
    households, children = [], []
    with database.sessionmaker.begin() as session:
        orgs = {party: identity.create_organisation(session, name=f"{party} schaal",
                                                    party=party, policy=policy)
                for party in ("wijkteam", "school")}
        regisseur = identity.create_professional(
            session, organisation_id=orgs["wijkteam"].id, email="regisseur@wijkteam.example",
            name="Regisseur", roles=["regisseur"], password=None)
        identity.create_professional(  # the school's mentor, invited with the school
            session, organisation_id=orgs["school"].id, email="mentor@school.example",
            name="Mentor", roles=["partner"], password=None)
        client, secret = identity.create_client(session, organisation_id=orgs["wijkteam"].id,
                                                name="regie", professional_id=regisseur.id)
        credentials["regisseur"] = (client.client_id, secret or "")
        client, secret = identity.create_client(session, organisation_id=orgs["school"].id,
                                                name="leerlingvolgsysteem")
        credentials["school"] = (client.client_id, secret or "")
        actor = identity.professional_principal(session, orgs["wijkteam"], regisseur)
        for n in range(HOUSEHOLDS):
            household_id, child_id = mother_and_child(
                session, actor=actor, label=f"Gezin {n}",
                recipient={"organisation_id": orgs["school"].id})
            submit_observation(session, actor=actor, body=ObservationCreate(
                subject_id=child_id, category="onderwijs", concern="low",
                observed_on=local_day(now()), body="Verzuim."))  # every read discloses
            households.append(household_id)
            children.append(child_id)
    return credentials, households, children, orgs["school"].id, regisseur.id


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    with smtp_mailbox() as mailbox:
        yield from _deploy(tmp_path, mailbox)


def _deploy(tmp_path: Path, mailbox: Mailbox) -> Iterator[Deployment]:
    url = fresh_database(tmp_path, "scale")
    proxy_port = free_port()
    base = f"http://127.0.0.1:{proxy_port}"
    env = {**os.environ, "BROKER_DATABASE_URL": url, "BROKER_KEY_DIR": str(tmp_path / "keys"),
           "BROKER_BASE_URL": base, "BROKER_LOG_LEVEL": "WARNING",
           "BROKER_SMTP_HOST": mailbox.host, "BROKER_SMTP_PORT": str(mailbox.port),
           "BROKER_JOB_LEASE_SECONDS": str(LEASE_SECONDS), "BROKER_OUTBOX_POLL_SECONDS": "0.3",
           "BROKER_REMINDER_POLL_SECONDS": "1", "BROKER_AUDIT_SEQUENCE_SECONDS": "0.3",
           "BROKER_TRUSTED_PROXIES": "127.0.0.1",
           "BROKER_TOKEN_REQUESTS_PER_MINUTE": str(TOKEN_LIMIT),
           "BROKER_ACCESS_TOKEN_TTL_SECONDS": "3600"}
    settings = Settings(database_url=url, key_dir=tmp_path / "keys", base_url=base)
    database = Database.from_url(url)
    seeded = _seed(database, settings)
    servers: dict[int, subprocess.Popen[bytes]] = {}
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        stack.callback(database.engine.dispose)
        stack.callback(_stop, servers)
        for port in ports:  # one after the other: the first makes the keys
            process = subprocess.Popen(
                [sys.executable, "-m", "broker", "serve", "--port", str(port)], env=env,
                cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            servers[process.pid] = process
            wait_ready(port, process=process)
        stack.enter_context(haproxy(proxy_port, ports))
        credentials, households, children, school_id, regisseur_id = seeded
        deployed = Deployment(base, database, env, servers, mailbox, households, children,
                              school_id, regisseur_id, ports)
        deployed.tokens = {name: httpx.post(f"{base}/oauth/token", auth=pair, data={
            "grant_type": "client_credentials"}).json()["access_token"]
            for name, pair in credentials.items()}
        yield deployed


def _stop(servers: dict[int, subprocess.Popen[bytes]]) -> None:
    for process in servers.values():
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


@dataclass
class Outcome:
    answered: Counter[str] = field(default_factory=Counter)  # kind -> 2xx
    cut_off: Counter[str] = field(default_factory=Counter)  # kind -> 5xx or no answer
    traces: dict[str, str] = field(default_factory=dict)  # 2xx trace id -> kind
    submitted: list[str] = field(default_factory=list)  # ids of observations answered 201
    scheduled: list[str] = field(default_factory=list)  # meeting references answered 200
    refused: list[int] = field(default_factory=list)  # 4xx: a bug here
    lock: threading.Lock = field(default_factory=threading.Lock)


def _slots() -> list[dict[str, str]]:
    day = local_day(now()) + timedelta(days=14)
    return [{"start": datetime.combine(day + timedelta(days=n), clock(9, 30),
                                       tzinfo=LEGAL_ZONE).isoformat()} for n in range(2)]


def _meeting(client: httpx.Client, deployed: Deployment, household_id: str,
             headers: dict[str, str]) -> httpx.Response:
    return client.post("/api/v1/meetings", headers=headers, json={
        "household_id": household_id, "title": "Netwerkbijeenkomst", "duration_minutes": 60,
        "location": "Wijkcentrum", "slots": _slots(),
        "invitees": [{"professional_id": deployed.regisseur_id, "required": True},
                     {"organisation_id": deployed.school_id, "required": True}]})


def _worker(deployed: Deployment, outcome: Outcome, until: float, seed: int) -> None:
    school = {"Authorization": f"Bearer {deployed.tokens['school']}"}
    regisseur = {"Authorization": f"Bearer {deployed.tokens['regisseur']}"}
    n = seed
    with httpx.Client(base_url=deployed.url, timeout=20) as client:
        while time.monotonic() < until:
            n += 1
            i = n % HOUSEHOLDS
            trace = secrets.token_hex(16)
            headers = {"traceparent": f"00-{trace}-{secrets.token_hex(8)}-01"}
            kind = ("read", "submit", "decide", "read", "meeting")[n % 5] if n % 23 else "meeting"
            try:
                if kind == "read":
                    response = client.get(f"/api/v1/households/{deployed.households[i]}"
                                          "/observations", headers=headers | school)
                elif kind == "submit":
                    response = client.post("/api/v1/observations", headers=headers | regisseur,
                                           json={"subject_id": deployed.children[i],
                                                 "category": "onderwijs", "concern": "low",
                                                 "observed_on": str(local_day(now())),
                                                 "body": f"Meting {n}"})
                elif kind == "decide":
                    response = client.post("/api/v1/decisions", headers=headers | school, json={
                        "subject_id": deployed.children[i], "category": "onderwijs",
                        "recipient": {"party": "school"}, "purpose": "hulpverlening"})
                else:
                    response = _meeting(client, deployed, deployed.households[i],
                                        headers | regisseur)
                    if response.status_code == 201:
                        meeting = response.json()
                        with outcome.lock:
                            outcome.answered["meeting"] += 1
                            outcome.traces[trace] = "meeting"
                        trace = secrets.token_hex(16)
                        kind = "schedule"
                        response = client.post(
                            f"/api/v1/meetings/{meeting['id']}/schedule",
                            headers=regisseur | {
                                "traceparent": f"00-{trace}-{secrets.token_hex(8)}-01"},
                            json={"slot_id": meeting["slots"][0]["id"]})
                        if response.status_code == 200:
                            with outcome.lock:
                                outcome.scheduled.append(meeting["reference"])
            except httpx.TransportError:
                with outcome.lock:
                    outcome.cut_off[kind] += 1
                continue
            with outcome.lock:
                if response.status_code < 300:
                    outcome.answered[kind] += 1
                    outcome.traces[trace] = kind
                    if kind == "submit":
                        outcome.submitted.append(response.json()["id"])
                elif response.status_code >= 500:
                    outcome.cut_off[kind] += 1
                else:
                    outcome.refused.append(response.status_code)


def _holder_pid(deployed: Deployment) -> int:
    with deployed.database.sessionmaker() as session:
        lease = session.get(JobLease, "jobs")
        assert lease is not None, "no process took the job lease"
        return int(lease.holder.split(":")[1])


def _wait_until(condition: Callable[[], bool], seconds: float,
                what: str | Callable[[], object]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"not within {seconds:.0f} s: {what() if callable(what) else what}")


def _polling_meetings(deployed: Deployment) -> list[str]:
    """Meetings whose poll opened two days ago and nobody answered: each invitee is due one
    reminder, which whichever process runs the jobs must send exactly once."""
    headers = {"Authorization": f"Bearer {deployed.tokens['regisseur']}"}
    references = []
    with httpx.Client(base_url=deployed.url, timeout=20) as client:
        for household_id in deployed.households[:3]:
            response = _meeting(client, deployed, household_id, headers)
            assert response.status_code == 201, response.text
            references.append(response.json()["reference"])
    with deployed.database.sessionmaker.begin() as session:
        session.execute(update(Meeting).where(Meeting.reference.in_(references))
                        .values(created_at=now() - timedelta(days=2)))
    return references


def test_two_processes_behind_haproxy_one_killed_nothing_lost_or_done_twice(
        deployment: Deployment) -> None:
    deployed = deployment
    mailbox = deployed.mailbox
    polling = _polling_meetings(deployed)
    outcome = Outcome()
    until = time.monotonic() + LOAD_SECONDS
    threads = [threading.Thread(target=_worker, args=(deployed, outcome, until, k * 1000))
               for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS / 3)
    victim = _holder_pid(deployed)  # the process running the jobs dies mid-run
    deployed.servers[victim].send_signal(signal.SIGKILL)
    deployed.servers[victim].wait(timeout=10)
    for thread in threads:
        thread.join()
    survivor = next(pid for pid in deployed.servers if pid != victim)
    assert deployed.servers[survivor].poll() is None

    # the survivor takes the lease over and finishes the jobs: sequencing, mail, reminders
    _wait_until(lambda: _holder_pid(deployed) == survivor, LEASE_SECONDS * 5,
                "the other process took the job lease over")

    def unsettled() -> list[str]:
        with deployed.database.sessionmaker() as session:
            return [what for what, left in (
                ("audit events to sequence", select(AuditPending.id)),
                ("mail to send", select(OutboxMessage.id).where(
                    OutboxMessage.status != OutboxStatus.SENT)),
                ("reminders to send", select(Meeting.id).where(
                    Meeting.reference.in_(polling), Meeting.poll_reminded_at.is_(None))))
                if session.scalar(left.limit(1))]
    # a message the killed runner had claimed waits until its claim runs out
    _wait_until(lambda: not unsettled(), 60 + CLAIM.total_seconds(), unsettled)

    assert outcome.refused == [], "a request was refused that should not have been"
    assert outcome.answered["read"] and outcome.answered["submit"] and outcome.scheduled

    with deployed.database.sessionmaker() as session:
        leaves = [json.loads(leaf)["event"] for leaf in session.scalars(select(AuditEvent.leaf))]
        stored = set(session.scalars(select(Observation.id)))
    # not lost: every request answered 2xx is in the audit log
    logged = {leaf.get("trace_id") for leaf in leaves}
    lost = [trace for trace in outcome.traces if trace not in logged]
    assert lost == [], Counter(outcome.traces[t] for t in lost)
    assert set(outcome.submitted) <= stored
    # not duplicated: no request's event twice (a retry elsewhere would repeat all but time)
    same = Counter(json.dumps({k: v for k, v in leaf.items()
                               if k not in ("recorded_at", "started_at", "span_id")},
                              sort_keys=True) for leaf in leaves if leaf.get("trace_id"))
    twice = [event for event, count in same.items() if count > 1]
    Path("/tmp/twice.json").write_text("\n".join(twice[:3]))
    assert twice == [], len(twice)

    # every invitation and reminder made once and received. SMTP has no two-phase commit:
    # the one message the killed runner may have handed to the server but not yet marked
    # goes again, with the same Message-ID (how mail systems know it); nothing else twice
    received = [email.message_from_bytes(raw) for raw in mailbox.received]
    per_message = Counter(str(m["Message-ID"]) for m in received)
    resent = [mid for mid, count in per_message.items() if count > 1]
    assert len(resent) <= 1 and all(per_message[mid] == 2 for mid in resent), per_message
    made: dict[tuple[str, str], set[str]] = {}
    for m in received:
        made.setdefault((str(m["Subject"]).split()[-1], str(m["To"])), set()).add(
            str(m["Message-ID"]))
    for reference in [*outcome.scheduled, *polling]:
        for to in ("regisseur@wijkteam.example", "mentor@school.example"):
            assert len(made.get((reference, to), ())) == 1, (reference, to)

    # the audit log verifies
    verified = subprocess.run([sys.executable, "-m", "broker", "audit", "verify", "--json"],
                              env=deployed.env, cwd=PROJECT_ROOT, capture_output=True,
                              text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["ok"] is True

    note("scale-out", processes=2, proxy="haproxy", killed="the job runner",
         answered=sum(outcome.answered.values()), cut_off=sum(outcome.cut_off.values()),
         events=len(leaves), mails=len(per_message), lost=len(lost), duplicated=len(twice),
         resent_in_flight=len(resent))


def test_the_token_limit_holds_across_both_processes_behind_the_proxy(
        deployment: Deployment) -> None:
    """The proxy hands requests to both processes in turn; the limit is one count in the
    database per client address (as the trusted proxy reports it), not one per process."""
    deployed = deployment
    already = len(deployed.tokens)  # the deployment asked for its callers' tokens
    with httpx.Client(base_url=deployed.url, timeout=20) as client:
        statuses = [client.post("/oauth/token", auth=("onbekend", "fout"), data={
            "grant_type": "client_credentials"}).status_code
            for _ in range(TOKEN_LIMIT - already + 1)]
    assert statuses[:-1] == [401] * (TOKEN_LIMIT - already) and statuses[-1] == 429, statuses


def test_a_withdrawal_in_one_process_is_seen_by_the_next_decision_in_the_other(
        deployment: Deployment) -> None:
    """Issue 23: each process keeps the households' facts it loaded, under the household's
    revision; a withdrawal through one process changes the revision in its own transaction,
    so the very next decision in the other (which has the household's facts kept) loads them
    anew: the school, no longer named in a consent, is not involved any more."""
    deployed = deployment
    school = {"Authorization": f"Bearer {deployed.tokens['school']}"}
    regisseur = {"Authorization": f"Bearer {deployed.tokens['regisseur']}"}
    child = deployed.children[0]
    question = {"subject_id": child, "category": "onderwijs", "purpose": "hulpverlening",
                "recipient": {"organisation_id": deployed.school_id}}
    first, second = (f"http://127.0.0.1:{port}" for port in deployed.ports)

    def decision(base: str) -> str:
        """The school's answer: permitted, or (no consent naming it left) not involved, so
        told nothing, not even that the child exists."""
        response = httpx.post(f"{base}/api/v1/decisions", headers=school, json=question)
        if response.status_code == 404:
            return "not involved"
        assert response.status_code == 200, response.text
        return str(response.json()["effect"])

    for _ in range(2):  # the second answer comes from the facts each process kept
        assert [decision(first), decision(second)] == ["permit", "permit"]
    with deployed.database.sessionmaker() as session:
        consent = session.scalars(select(Consent).where(Consent.subject_id == child)).one()
        grantor = session.scalars(select(ConsentGrantor.member_id).where(
            ConsentGrantor.consent_id == consent.id)).first()
    response = httpx.post(f"{first}/api/v1/consents/{consent.id}/withdraw", headers=regisseur,
                          json={"grantor_id": grantor})
    assert response.status_code == 200, response.text
    assert [decision(second), decision(first)] == ["not involved", "not involved"]
