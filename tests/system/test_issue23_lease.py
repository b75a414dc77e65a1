"""Issue 23: one job runner per deployment at a time, whatever the number of processes: the
holder of the lease `jobs` in the database. Another takes it over only once its term ran out
(the holder died) or it was let go (the holder stopped)."""

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from broker.audit.context import INFO_KEY, AuditContext
from broker.audit.models import AuditPending
from broker.clock import frozen_at, now
from broker.db import Database
from broker.jobs import JOBS, LEASE, Job, Lease, background_loop
from broker.keys import KeyRing
from broker.policy import Policy
from broker.system.models import JobLease
from tests.conftest import make_settings
from tests.databases import fresh_database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(fresh_database(tmp_path, "lease"))
    yield database
    database.engine.dispose()


def test_one_holder_at_a_time_and_a_dead_ones_lease_is_taken_over(database: Database) -> None:
    first, second = Lease(database, 1), Lease(database, 1)
    assert first.renew() and first.held
    assert not second.renew() and not second.held
    assert first.renew()  # renewing is the holder's right
    time.sleep(1.2)  # the first died: its term (on the database's clock) runs out
    assert second.renew() and second.held
    assert not first.renew() and not first.held


def test_a_process_whose_clock_is_ahead_does_not_take_a_live_holders_lease(
        database: Database) -> None:
    """The term is kept on the database's clock, not on the processes' own."""
    first, second = Lease(database, 15), Lease(database, 15)
    assert first.renew() and first.held
    with frozen_at(now() + timedelta(seconds=16)):  # the second machine is 16 s ahead
        assert not second.renew()
    assert first.held and first.renew()


def test_a_process_that_stops_lets_the_lease_go_at_once(database: Database) -> None:
    first, second = Lease(database, 15), Lease(database, 15)
    assert first.renew()
    first.release()
    assert not first.held
    assert second.renew()
    with database.sessionmaker() as session:
        held = session.get(JobLease, LEASE)
        assert held is not None and held.holder == second.holder


def test_two_loops_on_one_database_run_each_job_in_one_of_them(
        database: Database, tmp_path: Path) -> None:
    """Two processes' background loops (here two tasks), each job every 0.1 s: every run is
    the lease holder's."""
    settings = make_settings(tmp_path, database_url=str(database.engine.url),
                             job_lease_seconds=3)
    runs: list[str] = []

    def loop_of(name: str) -> Job:
        return Job("count", lambda s: 0.1, lambda d, s: runs.append(name))

    async def both() -> None:
        tasks = [asyncio.create_task(background_loop(database, settings, (loop_of(n),)))
                 for n in ("a", "b")]
        await asyncio.sleep(1.5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # in a thread of its own: a browser test earlier in this worker may leave a loop running
    runner = threading.Thread(target=asyncio.run, args=(both(),))
    runner.start()
    runner.join()
    assert len(runs) >= 3 and len(set(runs)) == 1  # one runner ran them all


def test_the_retention_periods_are_applied_by_a_job_of_the_lease_holder(
        database: Database, tmp_path: Path, policy: Policy) -> None:
    """Retention, like reminders, checkpoints and the outbox, is a job: applied every day by
    whichever process holds the lease, each run in the audit log (as `broker retention run`
    records it)."""
    settings = make_settings(tmp_path, database_url=str(database.engine.url))
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    [job] = [job for job in JOBS if job.name == "retention"]
    assert job.every_seconds(settings) == 24 * 3600
    job.run(database, settings)
    with database.sessionmaker() as session:
        assert session.scalars(select(AuditPending.action)).all() == ["retention.run"]
