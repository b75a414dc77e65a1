"""Scale: the same questions asked of the municipality at 10k and at 100k households (10
consents and 100 audit events each: 1M consents and 10M events at 100k), on PostgreSQL, in
one run. Each 100k figure is compared with the 10k one: the cost should grow less than 2x for
10x data (ratio >= 0.5). Full verification reads every event, so it grows with the log; it is
reported as events per second, whose ratio says whether the cost per event stays flat.

`BENCH_SCALE_HOUSEHOLDS` sets the sizes (default "10000,100000"; the 100k municipality takes
about three quarters of an hour to write); `BENCH_DATABASE_URL` names the PostgreSQL database
(default the local `test` database; a schema of its own, dropped afterwards).
`BENCH_SCALE_KEEP=<dir>` keeps each size's municipality in a schema of its own instead (its
keys in `<dir>`), so a later run measures it again without writing it."""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select, text

from bench.load import _drop, _in_schema, _schema
from bench.runner import Result, free_port, wait_ready
from broker import demo, migrate
from broker.audit import proofs
from broker.audit.context import INFO_KEY, AuditContext
from broker.audit.queries import EventFilter, search_events
from broker.audit.verify import verify_log
from broker.config import PROJECT_ROOT, Settings
from broker.consent.schemas import DecisionCreate
from broker.consent.service import dry_run
from broker.db import Database
from broker.households.models import Household, Member, RegisseurAssignment
from broker.identity import service as identity
from broker.identity.deps import SESSION_COOKIE
from broker.keys import KeyRing
from broker.policy import load_policy

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SAMPLES = 300


@dataclass(frozen=True)
class Figures:
    households: int
    decision_p99_ms: float
    page_p99_ms: float
    search_p99_ms: float
    verify_seconds: float
    verify_events: int
    proof_p99_ms: float
    rss_mb: float  # peak, of the serving process


def _p99(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=100)[98] * 1000


def _time(operation: Callable[[int], object], samples: int = SAMPLES) -> float:
    timings = []
    for i in range(samples):
        started = time.perf_counter()
        operation(i)
        timings.append(time.perf_counter() - started)
    return _p99(timings)


def _measure(database: Database, settings: Settings, context: AuditContext,
             households: int) -> Figures:
    rng = random.Random(households)
    with database.sessionmaker() as session:
        cast = demo.load_cast(session)
        children = list(session.scalars(select(Member.id).where(Member.role == "child")
                                        .order_by(Member.id).limit(20_000)))
        people = list(session.scalars(select(Member.id).order_by(Member.id).limit(20_000)))
        regisseur = cast.people[f"regisseur@{demo.DOMAIN}"][0]
        own = list(session.scalars(select(Household.id).join(
            RegisseurAssignment, RegisseurAssignment.household_id == Household.id).where(
            RegisseurAssignment.professional_id == regisseur.id).limit(20_000)))
    school = cast.act("partner")
    fg = cast.act("fg")

    def decision(i: int) -> None:
        with database.sessionmaker() as session:  # rolled back: the log does not grow
            dry_run(session, actor=school, body=DecisionCreate.model_validate({
                "subject_id": rng.choice(children), "category": "onderwijs",
                "purpose": "hulpverlening",
                "recipient": {"organisation_id": school.organisation_id}}))

    def search(i: int) -> None:
        with database.sessionmaker() as session:
            search_events(session, actor=fg, where=EventFilter(subject_id=rng.choice(people)))

    with database.sessionmaker.begin() as session:
        raw, _ = identity.open_web_session(session, professional=regisseur,
                                           ttl=timedelta(hours=2))
    with _served(settings) as (client, process):
        client.cookies.set(SESSION_COOKIE, raw)

        def page(i: int) -> None:
            response = client.get(f"/huishoudens/{rng.choice(own)}")
            assert response.status_code == 200, response.status_code

        for warm in (decision, search, page):
            _time(warm, 20)
        decision_p99, search_p99 = _time(decision), _time(search)
        page_p99 = _time(page, SAMPLES // 3)
        rss_mb = _peak_rss_mb(process.pid)

    with database.sessionmaker.begin() as session:
        proofs.make_checkpoint(session)
    with database.engine.connect() as connection:
        started = time.perf_counter()
        outcome = verify_log(connection, verifier_key=context.signer.verifier_key)
        verify_seconds = time.perf_counter() - started
    assert outcome.ok, outcome.problems
    with database.sessionmaker() as session:
        size = proofs.tree_size(session)
        proof_p99 = _time(lambda i: proofs.inclusion_proof(
            session, seq=rng.randint(1, size), size=size))
    return Figures(households, decision_p99, page_p99, search_p99, verify_seconds,
                   outcome.events, proof_p99, rss_mb)


@contextmanager
def _served(settings: Settings) -> Iterator[tuple[httpx.Client, subprocess.Popen[bytes]]]:
    """`broker serve` on the municipality's database, as deployed: one process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "broker", "serve", "--port", str(port)], cwd=PROJECT_ROOT,
        env={**os.environ, "BROKER_DATABASE_URL": settings.database_url,
             "BROKER_KEY_DIR": str(settings.key_dir), "BROKER_LOG_LEVEL": "WARNING",
             "BROKER_BASE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, process=process)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines()
              if line.startswith("VmHWM:"))
    return kb / 1024


def run(seconds: float) -> list[Result]:
    sizes = sorted(int(s) for s in os.environ.get(
        "BENCH_SCALE_HOUSEHOLDS", "10000,100000").split(","))
    base_url = os.environ.get("BENCH_DATABASE_URL") or PG_URL
    keep = os.environ.get("BENCH_SCALE_KEEP")
    if keep:  # a municipality of each size, kept between runs: written once, measured often
        return _results([_municipality(base_url, size, Path(keep) / str(size))
                         for size in sizes])
    schema, url = _schema(base_url)
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        migrate.upgrade(url)
        database, settings, context = _open(url, tmp)
        demo.fill(database.sessionmaker.begin, context.policy, households_count=demo.LIVING)
        figures, made = [], demo.LIVING
        for size in sizes:
            _grow(database, made, size)
            made = size
            figures.append(_measure(database, settings, context, size))
        database.engine.dispose()
    finally:
        _drop(base_url, schema)
    return _results(figures)


def _open(url: str, directory: Path) -> tuple[Database, Settings, AuditContext]:
    settings = Settings(database_url=url, key_dir=directory / "keys",
                        mail_dir=directory / "mail", audit_background=False,
                        log_level="WARNING")
    context = AuditContext.create(settings, load_policy(PROJECT_ROOT / "policies"),
                                  KeyRing(settings.key_dir))
    database = Database.from_url(url)
    database.bind(INFO_KEY, context)
    return database, settings, context


def _grow(database: Database, made: int, size: int) -> None:
    started = time.perf_counter()
    demo.fill_synthetic(database.sessionmaker.begin, households_count=size - made, seed=size)
    _settle(database)
    print(f"scale: {size:,} households written in {time.perf_counter() - started:.0f}s",
          flush=True)


def _settle(database: Database) -> None:
    """VACUUM ANALYZE, as autovacuum would soon after a bulk load (it is off on the test
    cluster): statistics for the planner, and dead rows gone from the indexes. The audit
    queue's file is also given back (VACUUM FULL of an empty table): the bulk load pushed ten
    million events through it within the hour, which a live broker, draining it every second
    for years while autovacuum reuses its space, never does; left at 11 GB, the planner
    scanned it whole for every search's catch-up."""
    with database.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        tables = connection.execute(text(  # this municipality's, not the whole database's
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
        connection.execute(text(f"VACUUM ANALYZE {', '.join(tables)}"))
        connection.execute(text("VACUUM FULL ANALYZE audit_pending"))


def _municipality(base_url: str, size: int, directory: Path) -> Figures:
    """`BENCH_SCALE_KEEP=<dir>`: the municipality of `size` households in a schema of its own
    (`bench_scale_<size>`, its keys in `<dir>`), written on the first run and migrated and
    measured on the next ones."""
    schema, written = f"bench_scale_{size}", directory / "written"
    if not written.exists():  # begun afresh, whatever an interrupted run left
        _drop(base_url, schema)
        _schema(base_url, name=schema)
    url = _in_schema(base_url, schema)
    migrate.upgrade(url)
    database, settings, context = _open(url, directory)
    if not written.exists():
        demo.fill(database.sessionmaker.begin, context.policy, households_count=demo.LIVING)
        _grow(database, demo.LIVING, size)
        written.touch()
    else:
        _settle(database)  # what the last run left
    try:
        return _measure(database, settings, context, size)
    finally:
        database.engine.dispose()


def _results(figures: list[Figures]) -> list[Result]:
    small, results = figures[0], []
    for big in figures[1:]:
        at = f"{big.households:,} vs {small.households:,} households"
        for measure, field in (("decision p99", "decision_p99_ms"),
                               ("household page p99", "page_p99_ms"),
                               ("audit search (a person) p99", "search_p99_ms"),
                               ("inclusion proof p99", "proof_p99_ms")):
            mine, base = getattr(big, field), getattr(small, field)
            results.append(Result("scale", f"{measure} at {at} ({mine:.1f} ms vs "
                                           f"{base:.1f} ms)", 1000 / mine,
                                  f"the same at {small.households:,}", 1000 / base,
                                  ">= 0.5 (< 2x cost)"))
        results.append(Result(
            "scale", f"serving process peak RSS at {big.households:,} ({big.rss_mb:.0f} MB "
                     f"vs {small.rss_mb:.0f} MB)", 1024 / big.rss_mb, "1 GB",
            1024 / 1024, ">= 1 (under 1 GB)"))
        results.append(Result(
            "scale", f"full verify, {big.verify_events:,} events in {big.verify_seconds:.0f}s "
                     f"(vs {small.verify_events:,} in {small.verify_seconds:.1f}s)",
            big.verify_events / big.verify_seconds, f"events/s at {small.households:,}",
            small.verify_events / small.verify_seconds, ">= 0.5 per event (linear by nature)"))
    return results
