"""Recording and sequencing: in the act's transaction, gap-free, pseudonymous, append-only."""

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from broker.audit.context import INFO_KEY
from broker.audit.models import AuditEvent, AuditPending
from broker.audit.proofs import make_checkpoint
from broker.audit.recording import Action, Record, record
from broker.audit.sequencer import sequence_pending
from broker.db import Database
from tests.audit.helpers import actor, disclose
from tests.databases import fresh_database


def events(session: Session) -> list[tuple[int, dict[str, object]]]:
    rows = session.execute(select(AuditEvent.seq, AuditEvent.leaf).order_by(AuditEvent.seq))
    return [(seq, json.loads(leaf)) for seq, leaf in rows]


class TestRecord:
    def test_an_event_holds_ids_pseudonyms_and_policy_terms(self, session: Session,
                                                           app: FastAPI) -> None:
        disclose(session, subject_id="member-noor", to=actor("org-1"))
        sequence_pending(session)
        (seq, leaf), = events(session)[-1:]
        event = leaf["event"]
        assert leaf["seq"] == seq
        assert event["action"] == "disclosure" and event["basis"] == "consent"
        assert event["subject"] == app.state.audit.pseudonym("member-noor")
        assert "member-noor" not in json.dumps(leaf)
        assert event["policy_version"] == app.state.policy.version
        assert event["processing_activity"] == "regie-jeugd"
        assert event["recipient_organisation_id"] == "org-1"

    def test_pseudonyms_are_keyed(self, app: FastAPI) -> None:
        import hashlib

        pseudonym = app.state.audit.pseudonym("member-noor")
        assert pseudonym != hashlib.sha256(b"member-noor").hexdigest()
        assert pseudonym == app.state.audit.pseudonym("member-noor")

    def test_unknown_category_is_a_programming_error(self, session: Session) -> None:
        with pytest.raises(ValueError):
            record(session, Record(Action.DISCLOSURE, actor(), categories=["hobbies"]))

    def test_rolled_back_act_leaves_no_event(self, session: Session) -> None:
        before = session.scalar(select(func.count()).select_from(AuditPending))
        savepoint = session.begin_nested()
        disclose(session, subject_id="m", to=actor())
        savepoint.rollback()
        assert session.scalar(select(func.count()).select_from(AuditPending)) == before


class TestSequencer:
    def test_sequence_numbers_are_gap_free_across_batches(self, session: Session) -> None:
        sequence_pending(session)
        before = session.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0
        for i in range(11):
            disclose(session, subject_id=f"m{i}", to=actor())
        assert sequence_pending(session, batch=3) == 11
        seqs = [seq for seq, _ in events(session)]
        assert seqs == list(range(1, before + 12))
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 0


@pytest.fixture
def committed(tmp_path: Path, app: FastAPI) -> Database:
    database = Database.from_url(fresh_database(tmp_path, "audit"))
    database.bind(INFO_KEY, app.state.audit)
    return database


class TestTransactions:
    def test_failed_transaction_leaves_no_event(self, committed: Database) -> None:
        with pytest.raises(RuntimeError), committed.sessionmaker.begin() as session:
            disclose(session, subject_id="m", to=actor())
            raise RuntimeError("the act failed after its record was written")
        with committed.sessionmaker.begin() as session:
            assert sequence_pending(session) == 0
            assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0

    def test_committed_act_has_its_event(self, committed: Database) -> None:
        with committed.sessionmaker.begin() as session:
            disclose(session, subject_id="m", to=actor())
        with committed.sessionmaker.begin() as session:
            assert sequence_pending(session) == 1

    @pytest.mark.parametrize("statement", [
        "UPDATE audit_events SET action = 'read'",
        "DELETE FROM audit_events",
        "UPDATE audit_nodes SET hash = hash",
        "DELETE FROM audit_checkpoints",
    ])
    def test_log_tables_refuse_update_and_delete(self, committed: Database,
                                                 statement: str) -> None:
        with committed.sessionmaker.begin() as session:
            disclose(session, subject_id="m", to=actor())
            make_checkpoint(session)
        with pytest.raises(DBAPIError, match="append-only"), \
                committed.sessionmaker.begin() as session:
            session.execute(text(statement))
