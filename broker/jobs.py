"""The background work `serve` runs, registered here at the top so that no domain (and not the
audit log) imports another to schedule it: each job is a function of a session, run in its
own transaction every so often, or (`per_item`) one that opens a transaction per item."""

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


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: Callable[[Settings], float]
    run: Callable[[Session], object] | None = None
    per_item: Callable[[Database, Settings], object] | None = None
    first_after_seconds: float = 0


JOBS = (
    Job("audit_sequencing", lambda s: s.audit_sequence_seconds, _sequence),
    Job("audit_checkpoint", lambda s: s.audit_checkpoint_minutes * 60, make_checkpoint),
    Job("meeting_reminders", lambda s: 15 * 60, send_reminders, first_after_seconds=60),
    Job("calendar_replies", lambda s: s.imap_poll_seconds, per_item=_calendar_replies),
)


def _run(database: Database, settings: Settings, job: Job) -> None:
    with operation():  # each run its own trace in the audit log
        if job.per_item is not None:
            job.per_item(database, settings)
            return
        assert job.run is not None
        with database.sessionmaker.begin() as session:
            job.run(session)


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
