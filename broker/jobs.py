"""The background work `serve` runs, registered here at the top so that no domain (and not the
audit log) imports another to schedule it: each job runs every so often, most of them as a
function of a session in one transaction (`in_transaction`), the mailbox and the outbox one
transaction per message.

However many processes serve, one runs the jobs at a time: the holder of the lease `jobs`
in the database (`broker.system.lease`), renewed every third of its term by a task of its own,
so a long job does not lose it. When the holder dies, another process takes the lease over
once its term has run out; a process that stops lets it go at once."""

import asyncio
import math
import os
import secrets
import socket
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

import structlog
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from broker.audit.context import audit_context
from broker.audit.proofs import make_checkpoint
from broker.audit.sequencer import sequence_pending
from broker.config import Settings
from broker.db import Database
from broker.identity.limits import forget_old_windows
from broker.mail import service as mail
from broker.meetings import mailbox
from broker.meetings.service import answer_from_calendar, send_reminders
from broker.meldcode.service import record_expiries
from broker.observability import operation
from broker.retention import run_retention
from broker.system import lease

log = structlog.get_logger("broker.jobs")
LEASE = "jobs"


def _sequence(session: Session) -> None:
    # Overrides that ran out are recorded once, then sequenced with everything queued.
    record_expiries(session)
    sequence_pending(session)


def _calendar_replies(database: Database, settings: Settings) -> None:
    """Calendar answers from the broker's mailbox, each in a transaction of its own."""
    def apply(raw: bytes) -> str:
        with database.sessionmaker.begin() as session:
            return answer_from_calendar(session, raw)
    mailbox.read_unread(settings, apply)


def _retention(session: Session) -> None:
    """What passed its retention term goes (as `broker retention run` does)."""
    run_retention(session, policy=audit_context(session).policy)


def _outbox(database: Database, settings: Settings) -> None:
    mail.deliver(database.sessionmaker.begin, settings)


def in_transaction(work: Callable[[Session], object]
                   ) -> Callable[[Database, Settings], object]:
    """A job that is a function of a session, run in one transaction."""
    def run(database: Database, settings: Settings) -> object:
        with database.sessionmaker.begin() as session:
            return work(session)
    return run


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: Callable[[Settings], float]
    run: Callable[[Database, Settings], object]
    first_after_seconds: float = 0  # the first run after this or every_seconds, the sooner


JOBS = (
    Job("audit_sequencing", lambda s: s.audit_sequence_seconds, in_transaction(_sequence)),
    Job("outbox", lambda s: s.outbox_poll_seconds, _outbox),
    Job("audit_checkpoint", lambda s: s.audit_checkpoint_minutes * 60,
        in_transaction(make_checkpoint)),
    Job("meeting_reminders", lambda s: s.reminder_poll_seconds, in_transaction(send_reminders),
        first_after_seconds=60),
    Job("calendar_replies", lambda s: s.imap_poll_seconds, _calendar_replies),
    Job("rate_windows", lambda s: 60, in_transaction(forget_old_windows),
        first_after_seconds=60),
    Job("outbox_forget", lambda s: 3600, in_transaction(mail.forget_old),
        first_after_seconds=60),
    Job("retention", lambda s: s.retention_hours * 3600, in_transaction(_retention),
        first_after_seconds=3600),
)


class Lease:
    """This process's hold on the lease `jobs`, as far as it knows: held until a moment on
    its own monotonic clock, a third of the term before the database's end of it."""

    def __init__(self, database: Database, seconds: float) -> None:
        self.database, self.seconds = database, seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._held_until = 0.0

    @property
    def held(self) -> bool:
        return time.monotonic() < self._held_until

    def renew(self) -> bool:
        asked = time.monotonic()
        with self.database.sessionmaker.begin() as session:
            taken = lease.take(session, LEASE, self.holder, self.seconds)
        was = self.held
        self._held_until = asked + self.seconds * 2 / 3 if taken else 0.0
        if taken != was:
            log.info("job_lease_taken" if taken else "job_lease_lost", holder=self.holder)
        return taken

    def release(self) -> None:
        if self._held_until:
            self._held_until = 0.0
            with self.database.sessionmaker.begin() as session:
                lease.give_up(session, LEASE, self.holder)

    async def keep(self) -> None:
        """Renew every third of the term, whatever the jobs are doing."""
        while True:
            try:
                await run_in_threadpool(self.renew)
            except Exception as exc:  # the database is away: we hold nothing until it is back
                self._held_until = 0.0
                log.warning("job_lease_failed", exc_type=type(exc).__name__)
            await asyncio.sleep(self.seconds / 3)


def _run(database: Database, settings: Settings, job: Job) -> None:
    with operation():  # each run its own trace in the audit log
        job.run(database, settings)


async def background_loop(database: Database, settings: Settings,
                          jobs: tuple[Job, ...] = JOBS) -> None:
    """Run each job when it is due, while this process holds the lease; a failing job is
    logged and tried again next time, nothing is lost (its transaction rolled back)."""
    held = Lease(database, settings.job_lease_seconds)
    keeper = asyncio.create_task(held.keep())
    start = time.monotonic()
    due = {job.name: start + min(job.first_after_seconds or math.inf,
                                 job.every_seconds(settings)) for job in jobs}
    tick = min(job.every_seconds(settings) for job in jobs)
    try:
        while True:
            await asyncio.sleep(tick)
            for job in jobs:
                if time.monotonic() < due[job.name] or not held.held:
                    continue
                due[job.name] = time.monotonic() + job.every_seconds(settings)
                try:
                    await run_in_threadpool(_run, database, settings, job)
                except Exception as exc:  # keep going; the next round retries
                    log.warning("job_failed", job=job.name, exc_type=type(exc).__name__)
    finally:
        keeper.cancel()
        with suppress(Exception):  # else its term runs out
            await run_in_threadpool(held.release)
