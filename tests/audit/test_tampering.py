"""Issue 10 item 6: random mutations of the stored log — bytes of events, rows deleted,
inserted, reordered or swapped, the log truncated (with the head rewound to match), lying
search columns, the head, signed checkpoints and tree nodes — are all detected by
verification. Each mutation is made by someone with full database access (triggers off) in a
transaction that is rolled back, so every mutation starts from the same intact log.

Out of reach by design, and so not generated: events appended after the last signed checkpoint
together with a recomputed head, and deleting every checkpoint; what protects against those
is checkpoints kept outside the database (`GET /api/v1/audit/checkpoint`)."""

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from broker.audit.context import INFO_KEY
from broker.audit.proofs import make_checkpoint
from broker.audit.verify import verify_log
from broker.db import Database
from tests.audit import rfc6962
from tests.audit.helpers import actor, disclose
from tests.databases import fresh_database
from tests.soak import note, scaled
from tests.system.world import open_database

EVENTS, CHECKPOINTS = 48, (16, 33, 48)  # the last checkpoint covers every event
PRINTABLE = "abcdefghijklmnopqrstuvwxyz0123456789{}\":,-_ "


@dataclass
class Log:
    database: Database
    verifier_key: str


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Log]:
    tmp: Path = tmp_path_factory.mktemp("tampering")
    database = open_database(fresh_database(tmp, "tampering"), tmp / "keys")
    made = 0
    for size in CHECKPOINTS:
        with database.sessionmaker.begin() as session:
            for i in range(made, size):
                disclose(session, subject_id=f"member-{i}", to=actor(f"org-{i % 3}"),
                         categories=("onderwijs", "gezondheid")[: 1 + i % 2])
            make_checkpoint(session)
        made = size
    with database.sessionmaker() as session:
        key = session.info[INFO_KEY].signer.verifier_key
    yield Log(database, key)
    database.engine.dispose()


@contextmanager
def tampering(database: Database) -> Iterator[Connection]:
    """A transaction with the append-only triggers out of the way, rolled back afterwards."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for (name,) in connection.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'")).all():
                connection.execute(text(f'DROP TRIGGER "{name}"'))
        try:
            yield connection
        finally:
            transaction.rollback()


def events(connection: Connection) -> list[tuple[int, str]]:
    return [(seq, leaf) for seq, leaf in connection.execute(
        text("SELECT seq, leaf FROM audit_events ORDER BY seq"))]


def set_leaf(connection: Connection, seq: int, leaf: str) -> None:
    connection.execute(text("UPDATE audit_events SET leaf = :leaf WHERE seq = :seq"),
                       {"leaf": leaf, "seq": seq})


def renumber_from(connection: Connection, first: int, shift: int) -> None:
    """Move events `first`.. by `shift` places (in two steps, so no key collides)."""
    connection.execute(text("UPDATE audit_events SET seq = -(seq + :shift) WHERE seq >= :first"),
                       {"shift": shift, "first": first})
    connection.execute(text("UPDATE audit_events SET seq = -seq WHERE seq < 0"))


def change_byte(c: Connection, rng: random.Random) -> str:
    seq, leaf = rng.choice(events(c))
    at = rng.randrange(len(leaf))
    new = rng.choice([ch for ch in PRINTABLE if ch != leaf[at]])
    set_leaf(c, seq, leaf[:at] + new + leaf[at + 1:])
    return f"byte {at} of event {seq}"


def delete_row(c: Connection, rng: random.Random) -> str:
    seq, _ = rng.choice(events(c))
    c.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": seq})
    if rng.random() < 0.5:  # and close the gap, as a careful tamperer would
        renumber_from(c, seq + 1, -1)
        return f"deleted event {seq}, later ones renumbered"
    return f"deleted event {seq}"


def insert_row(c: Connection, rng: random.Random) -> str:
    rows = events(c)
    _, leaf = rng.choice(rows)
    at = rng.randint(1, len(rows) + 1)
    renumber_from(c, at, 1)
    c.execute(text("INSERT INTO audit_events (seq, leaf, recorded_at, action) "
                   "VALUES (:seq, :leaf, '2026-01-01T00:00:00.000000Z', 'disclosure')"),
              {"seq": at, "leaf": leaf})
    return f"a copy inserted as event {at}"


def swap_rows(c: Connection, rng: random.Random) -> str:
    rows = events(c)
    (a, leaf_a), (b, leaf_b) = rng.sample(rows, 2)
    set_leaf(c, a, leaf_b)
    set_leaf(c, b, leaf_a)
    return f"events {a} and {b} swapped"


def reorder(c: Connection, rng: random.Random) -> str:
    rows = events(c)
    start = rng.randrange(len(rows) - 2)
    length = rng.randint(3, min(8, len(rows) - start))
    window = rows[start:start + length]
    for (seq, _), (_, leaf) in zip(window, window[1:] + window[:1], strict=True):
        set_leaf(c, seq, leaf)
    return f"events {window[0][0]} to {window[-1][0]} rotated"


def truncate(c: Connection, rng: random.Random) -> str:
    keep = rng.randrange(EVENTS)
    c.execute(text("DELETE FROM audit_events WHERE seq > :keep"), {"keep": keep})
    if rng.random() < 0.5:  # and rewind the head to the true root of what is left
        leaves = [leaf.encode() for _, leaf in events(c)]
        c.execute(text("UPDATE audit_head SET tree_size = :size, root_hash = :root"),
                  {"size": keep, "root": rfc6962.mth(leaves)})
        return f"truncated to {keep} events, head rewound"
    return f"truncated to {keep} events"


def search_column(c: Connection, rng: random.Random) -> str:
    seq, _ = rng.choice(events(c))
    column = rng.choice(["subject", "actor_organisation_id", "action", "basis"])
    c.execute(text(f"UPDATE audit_events SET {column} = 'x' WHERE seq = :seq"), {"seq": seq})
    return f"search column {column} of event {seq}"


def head(c: Connection, rng: random.Random) -> str:
    if rng.random() < 0.1:
        c.execute(text("DELETE FROM audit_head"))
        return "head deleted"
    if rng.random() < 0.5:
        c.execute(text("UPDATE audit_head SET tree_size = tree_size + :d"),
                  {"d": rng.choice([-3, -1, 1, 2])})
        return "head size"
    c.execute(text("UPDATE audit_head SET root_hash = :root"),
              {"root": bytes(rng.randrange(256) for _ in range(32))})
    return "head root"


def checkpoint(c: Connection, rng: random.Random) -> str:
    size, note = rng.choice(list(c.execute(text(
        "SELECT tree_size, note FROM audit_checkpoints")).all()))
    at = rng.randrange(len(note))
    changed = note[:at] + rng.choice([ch for ch in PRINTABLE if ch != note[at]]) + note[at + 1:]
    c.execute(text("UPDATE audit_checkpoints SET note = :note WHERE tree_size = :size"),
              {"note": changed, "size": size})
    return f"byte {at} of the checkpoint of size {size}"


def node(c: Connection, rng: random.Random) -> str:
    level, idx = rng.choice(list(c.execute(text("SELECT level, idx FROM audit_nodes")).all()))
    if rng.random() < 0.5:
        c.execute(text("DELETE FROM audit_nodes WHERE level = :l AND idx = :i"),
                  {"l": level, "i": idx})
        return f"tree node {level}/{idx} deleted"
    c.execute(text("UPDATE audit_nodes SET hash = :h WHERE level = :l AND idx = :i"),
              {"h": bytes(rng.randrange(256) for _ in range(32)), "l": level, "i": idx})
    return f"tree node {level}/{idx} changed"


MUTATIONS: list[Callable[[Connection, random.Random], str]] = [
    change_byte, change_byte, change_byte, delete_row, insert_row, swap_rows, reorder, truncate,
    search_column, head, checkpoint, node]


def test_the_intact_log_verifies(log: Log) -> None:
    with tampering(log.database) as connection:
        result = verify_log(connection, verifier_key=log.verifier_key, deep=True)
    assert result.ok and result.events == EVENTS, result.problems


def test_every_random_mutation_is_detected(log: Log) -> None:
    rng = random.Random(6)
    missed, kinds = [], Counter[str]()
    count = scaled(1000, 10000)
    for n in range(count):
        mutation = rng.choice(MUTATIONS)
        kinds[mutation.__name__] += 1
        with tampering(log.database) as connection:
            what = mutation(connection, rng)
            # Tree nodes are what proofs are made of; `audit verify --deep` checks them.
            result = verify_log(connection, verifier_key=log.verifier_key,
                                deep=mutation is node)
        if result.ok:
            missed.append(f"#{n}: {what}")
    assert missed == [], f"{len(missed)} of {count} unnoticed: " + "; ".join(missed)
    with tampering(log.database) as connection:  # every mutation was rolled back
        assert verify_log(connection, verifier_key=log.verifier_key).ok
    note("tampering", mutations=count, detected=count - len(missed),
         kinds=" ".join(f"{k}:{v}" for k, v in sorted(kinds.items())))
