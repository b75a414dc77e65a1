"""Acceptance 1: every kind of tampering makes `broker audit verify` exit 1 naming the first
bad sequence; an untouched log exits 0 (on SQLite, and on PostgreSQL in CI)."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from broker.audit.context import INFO_KEY, AuditContext
from broker.audit.proofs import make_checkpoint
from broker.config import Settings
from broker.db import Database
from broker.keys import KeyRing
from broker.policy import Policy
from tests.audit.helpers import actor, disclose, triggers_off
from tests.databases import fresh_database


@dataclass
class Log:
    database: Database
    env: dict[str, str]

    def tamper(self, *statements: str, **params: object) -> None:
        with self.database.sessionmaker.begin() as session, triggers_off(session):
            for statement in statements:
                session.execute(text(statement), params)

    def verify(self, *options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "broker", "audit", "verify", *options],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, **self.env})


@pytest.fixture
def log(tmp_path: Path, policy: Policy) -> Log:
    """20 events with signed checkpoints at 10 and 20."""
    url = fresh_database(tmp_path, "tamper")
    env = {"BROKER_DATABASE_URL": url, "BROKER_KEY_DIR": str(tmp_path / "keys")}
    settings = Settings(database_url=url, key_dir=tmp_path / "keys")
    database = Database.from_url(url)
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    for batch in range(2):
        with database.sessionmaker.begin() as session:
            fill(session, batch)
            make_checkpoint(session)
    return Log(database, env)


def fill(session: Session, batch: int) -> None:
    for i in range(10):
        disclose(session, subject_id=f"member-{batch}-{i}", to=actor(f"org-{i % 3}"))


def assert_first_bad(result: subprocess.CompletedProcess[str], seq: int) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"first bad sequence: {seq}\n" in result.stdout, result.stdout


def test_untouched_log_verifies(log: Log) -> None:
    result = log.verify()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audit log ok: 20 events" in result.stdout


def test_changed_byte(log: Log) -> None:
    log.tamper("UPDATE audit_events SET leaf = replace(leaf, '\"onderwijs\"', '\"onderwijz\"') "
               "WHERE seq = 7")
    assert_first_bad(log.verify(), 7)


def test_deleted_event(log: Log) -> None:
    log.tamper("DELETE FROM audit_events WHERE seq = 12")
    assert_first_bad(log.verify(), 12)


def test_inserted_event(log: Log) -> None:
    """Room is made by renumbering the later events, and a forged event put at 7."""
    log.tamper("UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 7",
               "UPDATE audit_events SET seq = -seq WHERE seq < 0",
               "INSERT INTO audit_events (seq, leaf, recorded_at, action) "
               "SELECT 7, leaf, recorded_at, action FROM audit_events WHERE seq = 3")
    assert_first_bad(log.verify(), 7)


def test_appended_event(log: Log) -> None:
    log.tamper("INSERT INTO audit_events (seq, leaf, recorded_at, action) "
               "SELECT 21, leaf, recorded_at, action FROM audit_events WHERE seq = 20")
    assert_first_bad(log.verify(), 21)


def test_swapped_events(log: Log) -> None:
    log.tamper("UPDATE audit_events SET seq = -5 WHERE seq = 5",
               "UPDATE audit_events SET seq = 5 WHERE seq = 9",
               "UPDATE audit_events SET seq = 9 WHERE seq = -5")
    assert_first_bad(log.verify(), 5)


def test_truncated_tail(log: Log) -> None:
    log.tamper("DELETE FROM audit_events WHERE seq > 15")
    assert_first_bad(log.verify(), 16)


def test_changed_search_column(log: Log) -> None:
    """A search column that lies would hide an event from a search: caught too."""
    log.tamper("UPDATE audit_events SET recipient_organisation_id = 'elsewhere' WHERE seq = 4")
    assert_first_bad(log.verify(), 4)


def test_emptied_search_column(log: Log) -> None:
    """NULL where the leaf names a subject hides the event from a search for that subject."""
    log.tamper("UPDATE audit_events SET subject = NULL WHERE seq = 6")
    result = log.verify()
    assert_first_bad(result, 6)
    assert "search_columns: the search columns of event 6 differ" in result.stdout


def test_only_the_first_lying_event_is_named(log: Log) -> None:
    log.tamper("UPDATE audit_events SET basis = 'wettelijke_plicht' WHERE seq IN (13, 17)",
               "UPDATE audit_events SET recorded_at = '2000-01-01T00:00:00.000000Z' "
               "WHERE seq = 19")
    result = log.verify()
    assert_first_bad(result, 13)
    assert result.stdout.count("search_columns") == 1, result.stdout


def test_leaf_that_is_not_json(log: Log) -> None:
    log.tamper("UPDATE audit_events SET leaf = substr(leaf, 1, 40) WHERE seq = 8")
    result = log.verify()
    assert_first_bad(result, 8)
    assert "malformed: event 8 is not JSON" in result.stdout, result.stdout


def test_leaf_field_that_is_not_a_string(log: Log) -> None:
    """A number where the leaf had the basis as a string is no longer what the column says
    (the column holds text only), even though its text would be the same."""
    log.tamper("UPDATE audit_events SET basis = '7', leaf = replace(leaf, :was, :now) "
               "WHERE seq = 9", was='"basis":"consent"', now='"basis":7')
    result = log.verify()
    assert_first_bad(result, 9)
    assert "search_columns: the search columns of event 9 differ" in result.stdout


def test_rewritten_tree_is_caught_by_the_signed_checkpoint(log: Log) -> None:
    """Change an event and recompute its stored leaf hash: the signed root still differs."""
    import hashlib

    with log.database.sessionmaker.begin() as session, triggers_off(session):
        session.execute(text("UPDATE audit_events SET leaf = replace(leaf, 'onderwijs', "
                             "'gezondheid') WHERE seq = 3"))
        leaf = session.execute(text("SELECT leaf FROM audit_events WHERE seq = 3")).scalar_one()
        digest = hashlib.sha256(b"\x00" + leaf.encode()).digest()
        session.execute(text("UPDATE audit_nodes SET hash = :h WHERE level = 0 AND idx = 2"),
                        {"h": digest})
    result = log.verify()
    assert result.returncode == 1
    assert "node_changed" in result.stdout or "checkpoint_mismatch" in result.stdout


def test_deep_verification_finds_a_changed_tree_node(log: Log) -> None:
    """Tree nodes are derived (what proofs are made of): the plain check rebuilds the tree
    from the events and passes; `--deep` compares every stored node too."""
    log.tamper("UPDATE audit_nodes SET hash = :h WHERE level = 2 AND idx = 1", h=bytes(32))
    assert log.verify().returncode == 0
    result = log.verify("--deep")
    assert result.returncode == 1 and "tree node 2/1" in result.stdout, result.stdout
