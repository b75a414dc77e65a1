"""`serve` keeps the log sequenced and checkpointed without anyone asking."""

import time
from collections.abc import Callable

from sqlalchemy import func, select

from broker.audit.models import AuditCheckpoint, AuditEvent
from tests.audit.helpers import actor, disclose
from tests.conftest import LiveServer


def test_the_server_sequences_and_checkpoints_in_the_background(
        live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory("background", audit_background=True,
                                 audit_sequence_seconds=0.05, audit_checkpoint_minutes=0.001)
    with server.session() as session, session.begin():
        for i in range(3):
            disclose(session, subject_id=f"m{i}", to=actor())
    deadline = time.monotonic() + 30
    while True:
        with server.session() as session:
            events = session.scalar(select(func.count()).select_from(AuditEvent))
            signed = session.scalar(select(func.max(AuditCheckpoint.tree_size)))
        if events == 3 and signed == 3:
            break
        assert time.monotonic() < deadline, f"events {events}, checkpoint {signed}"
        time.sleep(0.1)
