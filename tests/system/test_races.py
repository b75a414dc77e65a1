"""Issue 10 item 5: a withdrawal (or a revocation) raced against reads in another process.
No read that commits after the withdrawal committed may have disclosed under the withdrawn
consent (or the revoked override). Commit moments are taken with the system-wide monotonic
clock: a read's just before its COMMIT is sent, a withdrawal's just after its COMMIT returned,
so `read > withdrawal` means the read certainly committed later."""

import multiprocessing
import random
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from broker.consent import service as consent
from broker.meldcode import service as meldcode
from broker.observations import service as observations
from tests.databases import backend, fresh_database
from tests.soak import note, scaled
from tests.system.world import World, build_world, grant, open_database, urgent_override

Read = tuple[float, list[str], list[str]]  # commit moment, consent ids, override ids used


def read_until(url: str, key_dir: Path, world: World, kind: str, reading: Event, stop: Event,
               out: "Queue[Any]") -> None:
    """The school (under consent) or Veilig Thuis (under an override) reads the family's
    observations, as often as it can, until told to stop (`reading` once it has begun)."""
    database = open_database(url, key_dir)
    commits: list[float] = []
    event.listen(database.engine, "commit", lambda _connection: commits.append(time.monotonic()))
    reads: list[Read] = []
    sqlite = database.engine.dialect.name == "sqlite"
    while not stop.is_set():
        started = time.monotonic()
        with database.sessionmaker.begin() as session:
            shown, _ = observations.household_observations(
                session, actor=world.school if kind == "consent" else world.veilig_thuis,
                household_id=world.household_id)
        reads.append((commits[-1], [c for s in shown for c in s.decision.consent_ids],
                      [o for s in shown for o in s.decision.override_ids]))
        reading.set()
        if sqlite:  # its busy handler is not fair: leave the other process as long a gap
            time.sleep(time.monotonic() - started)
    database.engine.dispose()
    out.put(reads)


@pytest.fixture
def raced(tmp_path: Path) -> tuple[str, Path, World]:
    url = fresh_database(tmp_path, "races")
    database = open_database(url, tmp_path / "keys")
    world = build_world(database)
    database.engine.dispose()
    return url, tmp_path / "keys", world


def race(url: str, key_dir: Path, world: World, rounds: int, kind: str
         ) -> tuple[list[Read], dict[str, float]]:
    """Grant (or urgently override), let reads see it, then withdraw (or revoke) while the
    reader keeps reading; return the reads and the moment each change had committed."""
    context = multiprocessing.get_context("spawn")
    reading, stop, out = context.Event(), context.Event(), context.Queue()
    reader = context.Process(target=read_until,
                             args=(url, key_dir, world, kind, reading, stop, out))
    reader.start()
    # A busy machine may start the reader later than the rounds take: race only once it reads.
    assert reading.wait(timeout=120), "the reader did not start"
    database = open_database(url, key_dir)
    ended: dict[str, float] = {}
    rng = random.Random(10)
    try:
        for _ in range(rounds):
            with database.sessionmaker.begin() as session:
                key = grant(session, world.regisseur, subject=world.mother_id,
                            grantor=world.mother_id, school=world.school) if kind == "consent" \
                    else urgent_override(session, world)
            time.sleep(rng.uniform(0, 0.02))
            with database.sessionmaker.begin() as session:
                if kind == "consent":
                    consent.withdraw_consent(session, actor=world.regisseur, consent_id=key,
                                             grantor_id=world.mother_id, reason=None)
                else:
                    meldcode.revoke_override(session, actor=world.regisseur, override_id=key,
                                             reason="Niet meer nodig.")
            ended[key] = time.monotonic()
    finally:
        stop.set()
        reads: list[Read] = out.get(timeout=120)
        reader.join(timeout=60)
        database.engine.dispose()
    return reads, ended


@pytest.mark.parametrize("kind", ["consent", "override"])
def test_no_read_committed_after_a_withdrawal_discloses_under_it(
        raced: tuple[str, Path, World], kind: str) -> None:
    url, key_dir, world = raced
    # SQLite runs one transaction at a time (BEGIN IMMEDIATE), so there it holds trivially.
    rounds = scaled(500, 5000) if backend() == "postgresql" else scaled(100, 1000)
    reads, ended = race(url, key_dir, world, rounds, kind)
    used = [(at, consents if kind == "consent" else overrides)
            for at, consents, overrides in reads]
    late = [(key, at - ended[key]) for at, keys in used for key in keys
            if key in ended and at > ended[key]]
    assert late == [], f"{len(late)} reads disclosed after the change had committed"
    permitted = sum(1 for _, keys in used if keys)
    assert permitted > 0, f"none of {len(reads)} reads saw a grant: nothing was raced"
    note(f"race: {'withdraw' if kind == 'consent' else 'revoke'} vs read", rounds=rounds,
         reads=len(reads), reads_disclosing=permitted, after_the_change=len(late))
