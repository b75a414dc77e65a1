"""Review of issue 23: the lease compares times from each process's own wall clock
(`broker.clock.now()` in lease.take), so two machines whose clocks differ by more than the
term both run the jobs: the one ahead takes a live holder's lease while that holder still
believes it holds it (for up to two thirds of the term, and for as long as a job it started
runs). The database's clock would be one clock for all."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from broker.clock import frozen_at, now
from broker.db import Database
from broker.jobs import Lease
from tests.databases import fresh_database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(fresh_database(tmp_path, "lease_clock"))
    yield database
    database.engine.dispose()


def test_a_process_whose_clock_is_ahead_does_not_take_a_live_holders_lease(
        database: Database) -> None:
    first, second = Lease(database, 15), Lease(database, 15)
    assert first.renew() and first.held  # just renewed: alive
    with frozen_at(now() + timedelta(seconds=16)):  # the second machine's clock is 16 s ahead
        taken = second.renew()
    assert not (taken and first.held), "both believe they hold the job lease"
