"""Acceptance 3: four writer processes at once give one gap-free, verifiable log."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from broker.audit.context import INFO_KEY, AuditContext
from broker.audit.models import AuditEvent
from broker.audit.sequencer import sequence_pending
from broker.audit.verify import verify_log
from broker.config import PROJECT_ROOT, Settings
from broker.db import Database
from broker.keys import KeyRing
from broker.policy import Policy
from tests.databases import fresh_database

WRITERS, EACH = 4, 60


def test_four_writer_processes_make_a_gap_free_verifiable_log(tmp_path: Path,
                                                              policy: Policy) -> None:
    url = fresh_database(tmp_path, "concurrent")
    keys = tmp_path / "keys"
    KeyRing(keys).load_all()
    writers = [subprocess.Popen([sys.executable, "-m", "tests.audit.writer", url, str(keys),
                                 f"w{n}", str(EACH)], cwd=PROJECT_ROOT,
                                env={**os.environ}, stderr=subprocess.PIPE, text=True)
               for n in range(WRITERS)]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    database = Database.from_url(url)
    settings = Settings(database_url=url, key_dir=keys)
    context = AuditContext.create(settings, policy, KeyRing(keys))
    database.bind(INFO_KEY, context)
    with database.sessionmaker.begin() as session:
        sequence_pending(session)
        seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        subjects = session.scalar(select(func.count(func.distinct(AuditEvent.subject))))
        result = verify_log(session.connection(), verifier_key=context.signer.verifier_key)
    database.engine.dispose()
    assert seqs == list(range(1, WRITERS * EACH + 1))
    assert subjects == WRITERS * EACH
    assert result.ok, result.problems
