"""Issue 10 item 4: `broker serve` is killed with SIGKILL at random moments while partner
systems read (each read a disclosure), restarted, and killed again. Afterwards every read the
client saw succeed has exactly one disclosure event, no event exists that the client did not
cause, and `broker audit verify` passes (on SQLite, and on PostgreSQL in CI)."""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from broker.audit.sequencer import sequence_pending
from broker.identity import service as identity
from tests.conftest import free_port
from tests.databases import backend, fresh_database
from tests.soak import note, scaled
from tests.system.world import World, build_world, grant, open_database


class Broker:
    """`broker serve` as its own process group, so SIGKILL takes its workers too."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.env, self.workers, self.port = env, workers, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "broker", "serve", "--port", str(self.port),
             "--workers", str(self.workers)], env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, "broker serve exited"
            assert time.monotonic() < deadline, "broker serve did not get ready"
            time.sleep(0.1)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)


def environment(url: str, key_dir: Path) -> dict[str, str]:
    return {**os.environ, "BROKER_DATABASE_URL": url, "BROKER_KEY_DIR": str(key_dir),
            "BROKER_LOG_LEVEL": "ERROR", "BROKER_AUDIT_SEQUENCE_SECONDS": "0.2"}


def prepare(url: str, key_dir: Path) -> tuple[World, str, str]:
    """The world, with the mother's consent for the school, and the school's system."""
    database = open_database(url, key_dir)
    world = build_world(database)
    with database.sessionmaker.begin() as session:
        grant(session, world.regisseur, subject=world.mother_id, grantor=world.mother_id,
              school=world.school)
        client, secret = identity.create_client(
            session, organisation_id=world.school.organisation_id, name="leerlingvolgsysteem")
        client_id = client.client_id
    with database.sessionmaker.begin() as session:
        sequence_pending(session)
    database.engine.dispose()
    assert secret is not None
    return world, client_id, secret


class Reader:
    """Partner-system threads reading the family's observations, each read with a trace id
    of its own; they note what the broker answered, or that it answered nothing."""

    def __init__(self, broker: Broker, household_id: str, token: str, wanted: int) -> None:
        self.broker, self.path = broker, f"/api/v1/households/{household_id}/observations"
        self.headers, self.wanted = {"Authorization": f"Bearer {token}"}, wanted
        self.answers: dict[str, int | None] = {}  # trace id -> status, None: no answer
        self.lock = threading.Lock()

    def succeeded(self) -> int:
        with self.lock:
            return sum(1 for status in self.answers.values() if status == 200)

    def run(self) -> None:
        with httpx.Client(timeout=10) as http:
            while self.succeeded() < self.wanted:
                trace = uuid.uuid4().hex
                headers = {**self.headers, "traceparent": f"00-{trace}-{uuid.uuid4().hex[:16]}-01"}
                try:
                    response = http.get(self.broker.url + self.path, headers=headers)
                    status: int | None = response.status_code
                    if status == 200:
                        assert len(response.json()["items"]) == 1, response.text
                except httpx.TransportError:
                    status = None
                with self.lock:
                    self.answers[trace] = status
                if status is None:
                    time.sleep(0.05)  # the broker is down; try again shortly


def disclosures_by_trace(url: str) -> Counter[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        leaves = connection.execute(text(
            "SELECT leaf FROM audit_events WHERE action = 'disclosure'")).scalars().all()
    engine.dispose()
    return Counter(json.loads(leaf)["event"]["trace_id"] for leaf in leaves)


def test_killed_brokers_lose_no_audit_event_and_invent_none(tmp_path: Path) -> None:
    url, key_dir = fresh_database(tmp_path, "crash"), tmp_path / "keys"
    world, client_id, secret = prepare(url, key_dir)
    before = disclosures_by_trace(url)  # made while arranging the world, without a trace
    env = environment(url, key_dir)
    broker = Broker(env, workers=2 if backend() == "postgresql" else 1)
    broker.start()
    token = httpx.post(f"{broker.url}/oauth/token", data={"grant_type": "client_credentials"},
                       auth=(client_id, secret)).json()["access_token"]
    reader = Reader(broker, world.household_id, token, wanted=scaled(1000, 5000))
    threads = [threading.Thread(target=reader.run) for _ in range(4)]
    for thread in threads:
        thread.start()
    rng, kills = random.Random(4), 0
    while reader.succeeded() < reader.wanted:
        time.sleep(rng.uniform(0.2, 1.2))
        broker.kill()
        kills += 1
        broker.start()
    for thread in threads:
        thread.join(timeout=120)
    broker.kill(signal.SIGTERM)

    verify = subprocess.run([sys.executable, "-m", "broker", "audit", "verify", "--deep"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    events = disclosures_by_trace(url) - before
    succeeded = {trace for trace, status in reader.answers.items() if status == 200}
    unanswered = {trace for trace, status in reader.answers.items() if status is None}
    assert kills >= 3 and len(succeeded) >= reader.wanted
    assert [t for t in succeeded if events[t] != 1] == [], "a seen disclosure has no one event"
    assert set(events) <= succeeded | unanswered, "an event for a read that failed or never was"
    assert max(events.values()) == 1, "a disclosure recorded twice"
    assert {s for s in reader.answers.values() if s not in (200, None)} == set()
    note("crash safety (SIGKILL)", kills=kills, reads_answered=len(succeeded),
         unanswered=len(unanswered), disclosure_events=sum(events.values()),
         of_which_committed_but_answer_lost=len(set(events) & unanswered), lost=0,
         invented=0, verify="ok")
