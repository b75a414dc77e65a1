"""Audit log: append rate, full verification against raw SHA-256, inclusion-proof time.

Synthetic events go through the real `record()` and sequencer into a fresh database: SQLite
in a temporary directory, or PostgreSQL with BENCH_DATABASE_URL, in a schema of its own; both
are removed afterwards. BENCH_AUDIT_EVENTS sets the log size (default 1,000,000). On
PostgreSQL the log is also copied into SQLite, and verification of the same events is
compared between the two (issue 23: PostgreSQL at least half the SQLite rate).
"""

import hashlib
import os
import random
import tempfile
import time
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert, select, text, update

from bench.load import _drop, _schema
from bench.runner import Result
from broker import migrate
from broker.audit import proofs
from broker.audit.context import INFO_KEY, AuditContext
from broker.audit.models import AuditCheckpoint, AuditEvent, AuditHead, AuditNode
from broker.audit.recording import Action, Record, record
from broker.audit.sequencer import HEAD_ID, sequence_pending
from broker.audit.verify import verify_log
from broker.config import PROJECT_ROOT, Settings
from broker.db import Database
from broker.identity.principal import Principal, PrincipalKind
from broker.keys import KeyRing
from broker.policy import load_policy

ACTOR = Principal(kind=PrincipalKind.CLIENT, organisation_id="org-bench", party="school",
                  roles=frozenset({"partner"}), client_id="cl_bench")
CATEGORIES = ["onderwijs", "gezondheid", "opvoeding", "huisvesting", "financien"]


def _event(i: int) -> Record:
    return Record(Action.DISCLOSURE, ACTOR, role="partner", subject_id=f"member-{i % 50_000}",
                  categories=[CATEGORIES[i % 5]], purpose="hulpverlening", effect="permit",
                  basis="consent", consent_ids=[f"consent-{i % 30_000}"],
                  recipient_organisation_id=f"org-{i % 40}", object_type="observation",
                  object_id=f"obs-{i}")


def _database(tmp: Path, url: str) -> tuple[Database, AuditContext]:
    migrate.upgrade(url)
    settings = Settings(database_url=url, key_dir=tmp / "keys")
    context = AuditContext.create(settings, load_policy(PROJECT_ROOT / "policies"),
                                  KeyRing(settings.key_dir))
    database = Database.from_url(url)
    database.bind(INFO_KEY, context)
    return database, context


def _append(database: Database, start: int, count: int, per_transaction: int) -> None:
    for first in range(start, start + count, per_transaction):
        with database.sessionmaker.begin() as session:
            for i in range(first, min(first + per_transaction, start + count)):
                record(session, _event(i))
    with database.sessionmaker.begin() as session:
        sequence_pending(session)


def _sqlite_copy(database: Database, path: Path) -> Database:
    """The log of `database`, row for row, in a new SQLite file."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    copy = Database.from_url(url)
    with database.engine.connect() as source, copy.engine.begin() as target:
        for model in (AuditEvent, AuditNode, AuditCheckpoint):
            table = cast(Table, model.__table__)
            rows = source.execute(select(table), execution_options={"yield_per": 20_000})
            for part in rows.partitions():
                target.execute(insert(table), [dict(row._mapping) for row in part])
        size, root = source.execute(select(AuditHead.tree_size, AuditHead.root_hash)).one()
        target.execute(update(AuditHead).where(AuditHead.id == HEAD_ID)
                       .values(tree_size=size, root_hash=root))
    return copy


def _verify_rate(database: Database, verifier_key: str, *, search_columns: bool
                 ) -> tuple[int, float]:
    """Events verified, and events per second."""
    with database.engine.connect() as connection:
        started = time.perf_counter()
        outcome = verify_log(connection, verifier_key=verifier_key,
                             search_columns=search_columns)
        rate = outcome.events / (time.perf_counter() - started)
    assert outcome.ok, outcome.problems
    return outcome.events, rate


def _raw_insert_rate(database: Database, count: int) -> float:
    """Baseline: the same number of bare one-row INSERTs of the same size, same batching."""
    payload = "x" * 700
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, body TEXT)"))
    started = time.perf_counter()
    for first in range(0, count, 10):
        with database.engine.begin() as connection:
            for i in range(first, first + 10):
                connection.execute(text("INSERT INTO bench_raw (id, body) VALUES (:i, :b)"),
                                   {"i": i, "b": payload})
    return count / (time.perf_counter() - started)


def run(seconds: float) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as name:
        tmp = Path(name)
        base = os.environ.get("BENCH_DATABASE_URL")
        if not base or not base.startswith("postgresql"):
            return _measure(seconds, tmp, base or f"sqlite:///{tmp / 'audit.db'}")
        schema, url = _schema(base, "audit")
        try:
            return _measure(seconds, tmp, url)
        finally:
            _drop(base, schema)


def _measure(seconds: float, tmp: Path, url: str) -> list[Result]:
    total = int(os.environ.get("BENCH_AUDIT_EVENTS", "1000000"))
    database, context = _database(tmp, url)
    key = context.signer.verifier_key
    results = []

    sample = min(20_000, total)
    started = time.perf_counter()
    _append(database, 0, sample, per_transaction=10)
    append_rate = sample / (time.perf_counter() - started)
    results.append(Result("audit", "append (record + sequence), 10 per txn", append_rate,
                          "bare INSERT, 10 per txn", _raw_insert_rate(database, sample),
                          "(context)"))

    _append(database, sample, total - sample, per_transaction=10_000)
    with database.sessionmaker.begin() as session:
        proofs.make_checkpoint(session)

    with database.engine.connect() as connection:
        leaves = [leaf.encode() for (leaf,) in
                  connection.exec_driver_sql("SELECT leaf FROM audit_events ORDER BY seq")]
    sha256 = hashlib.sha256
    started = time.perf_counter()  # the fastest plain-Python loop over bytes already in memory
    digests = [sha256(b"\x00" + leaf).digest() for leaf in leaves]
    raw_rate = len(leaves) / (time.perf_counter() - started)
    del leaves, digests

    for columns in (False, True):
        events, rate = _verify_rate(database, key, search_columns=columns)
        label = "verify incl. search columns" if columns else "verify (leaves, tree, checkpoints)"
        results.append(Result("audit", f"{label}, {events:,} events", rate,
                              "raw SHA-256 of the same leaves", raw_rate,
                              ">= 0.30" if not columns else "(context)"))
    if database.engine.dialect.name == "postgresql":
        results.append(_against_sqlite(database, key, tmp / "copy.db"))

    rng = random.Random(7)
    with database.sessionmaker() as session:
        size = proofs.tree_size(session)
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            proofs.inclusion_proof(session, seq=rng.randint(1, size), size=size)
            count += 1
        proof_rate = count / (time.perf_counter() - started)
    results.append(Result("audit", f"inclusion proof at {size:,} (ms each: "
                                   f"{1000 / proof_rate:.3f})", proof_rate,
                          "1 ms per proof", 1000.0, ">= 1.0"))
    database.engine.dispose()
    return results


def _against_sqlite(database: Database, key: str, path: Path) -> Result:
    """Full verification incl. search columns of the same events on PostgreSQL and on SQLite,
    taking turns (best of three each), so both see the same load on a shared machine."""
    copy = _sqlite_copy(database, path)
    rates: dict[str, list[float]] = {"postgresql": [], "sqlite": []}
    for _ in range(3):
        for name, where in (("postgresql", database), ("sqlite", copy)):
            events, rate = _verify_rate(where, key, search_columns=True)
            rates[name].append(rate)
    copy.engine.dispose()
    return Result("audit", f"verify incl. search columns, PostgreSQL, {events:,} events",
                  max(rates["postgresql"]), "the same on SQLite, same events",
                  max(rates["sqlite"]), ">= 0.5")
