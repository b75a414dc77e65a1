"""The loop `serve` runs: sequence queued audit events, sign checkpoints now and then."""

import asyncio
import time

import structlog
from starlette.concurrency import run_in_threadpool

from broker.audit.proofs import make_checkpoint
from broker.audit.sequencer import sequence_pending
from broker.config import Settings
from broker.db import Database
from broker.meldcode.service import record_expiries

log = structlog.get_logger("broker.audit")


def _tick(database: Database, *, checkpoint: bool) -> int:
    with database.sessionmaker.begin() as session:
        record_expiries(session)  # overrides that ran out are recorded once, then sequenced
        added = sequence_pending(session)
        if checkpoint:
            make_checkpoint(session)
    return added


async def audit_loop(database: Database, settings: Settings) -> None:
    next_checkpoint = time.monotonic() + settings.audit_checkpoint_minutes * 60
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
