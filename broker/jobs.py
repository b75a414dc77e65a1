"""The background work `serve` runs, registered here at the top so that no domain (and not the
audit log) imports another to schedule it: each job runs every so often, most of them as a
function of a session in one transaction (`in_transaction`), the mailbox one transaction per
message."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from broker.audit.proofs import make_checkpoint
from broker.audit.sequencer import sequence_pending
from broker.config import Settings
from broker.db import Database
from broker.identity.limits import forget_old_windows
from broker.meetings import mailbox
from broker.meetings.service import answer_from_calendar, send_reminders
from broker.meldcode.service import record_expiries
from broker.observability import operation

log = structlog.get_logger("broker.jobs")


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
    first_after_seconds: float = 0


JOBS = (
    Job("audit_sequencing", lambda s: s.audit_sequence_seconds, in_transaction(_sequence)),
    Job("audit_checkpoint", lambda s: s.audit_checkpoint_minutes * 60,
        in_transaction(make_checkpoint)),
    Job("meeting_reminders", lambda s: 15 * 60, in_transaction(send_reminders),
        first_after_seconds=60),
    Job("calendar_replies", lambda s: s.imap_poll_seconds, _calendar_replies),
    Job("rate_windows", lambda s: 60, in_transaction(forget_old_windows),
        first_after_seconds=60),
)


def _run(database: Database, settings: Settings, job: Job) -> None:
    with operation():  # each run its own trace in the audit log
        job.run(database, settings)


async def background_loop(database: Database, settings: Settings,
                          jobs: tuple[Job, ...] = JOBS) -> None:
    """Run each job when it is due; a failing job is logged and tried again next time,
    nothing is lost (its transaction rolled back)."""
    start = time.monotonic()
    due = {job.name: start + (job.first_after_seconds or job.every_seconds(settings))
           for job in jobs}
    tick = min(job.every_seconds(settings) for job in jobs)
    while True:
        await asyncio.sleep(tick)
        for job in jobs:
            if time.monotonic() < due[job.name]:
                continue
            due[job.name] = time.monotonic() + job.every_seconds(settings)
            try:
                await run_in_threadpool(_run, database, settings, job)
            except Exception as exc:  # keep going; the next round retries
                log.warning("job_failed", job=job.name, exc_type=type(exc).__name__)
