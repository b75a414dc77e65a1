"""The loop `serve` runs: sequence queued audit events, sign checkpoints now and then, and
every quarter of an hour send the meeting reminders that are due."""

import asyncio
import time

import structlog
from starlette.concurrency import run_in_threadpool

from broker.audit.proofs import make_checkpoint
from broker.audit.sequencer import sequence_pending
from broker.config import Settings
from broker.db import Database
from broker.meetings.service import send_reminders
from broker.meldcode.service import record_expiries

REMINDER_MINUTES = 15

log = structlog.get_logger("broker.audit")


def _tick(database: Database, *, checkpoint: bool) -> int:
    with database.sessionmaker.begin() as session:
        record_expiries(session)  # overrides that ran out are recorded once, then sequenced
        added = sequence_pending(session)
        if checkpoint:
            make_checkpoint(session)
    return added


def _remind(database: Database) -> None:
    with database.sessionmaker.begin() as session:
        send_reminders(session)


async def audit_loop(database: Database, settings: Settings) -> None:
    next_checkpoint = time.monotonic() + settings.audit_checkpoint_minutes * 60
    next_reminders = time.monotonic() + 60
    while True:
        await asyncio.sleep(settings.audit_sequence_seconds)
        due = time.monotonic() >= next_checkpoint
        try:
            await run_in_threadpool(_tick, database, checkpoint=due)
        except Exception as exc:  # keep going; the next tick retries, nothing is lost
            log.warning("audit_sequencing_failed", exc_type=type(exc).__name__)
            continue
        if due:
            next_checkpoint = time.monotonic() + settings.audit_checkpoint_minutes * 60
        if time.monotonic() >= next_reminders:
            next_reminders = time.monotonic() + REMINDER_MINUTES * 60
            try:
                await run_in_threadpool(_remind, database)
            except Exception as exc:  # SMTP down: the next round tries again
                log.warning("meeting_reminders_failed", exc_type=type(exc).__name__)
