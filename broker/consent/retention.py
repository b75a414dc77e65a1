"""Retention of consents (policies/retention.yaml, kind `consents`)."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from broker.audit.recording import Record, purges
from broker.consent.models import Consent, ConsentGrantor, ConsentGuardian, ConsentWithdrawal


def purge_consents(session: Session, members: set[str]) -> tuple[list[Record], int, str]:
    """The consents about these members, with their grantors and withdrawals."""
    rows = session.execute(select(Consent.id, Consent.subject_id)
                           .where(Consent.subject_id.in_(members))).all()
    ids = [row.id for row in rows]
    if ids:
        for table in (ConsentGrantor, ConsentGuardian, ConsentWithdrawal):
            session.execute(delete(table).where(table.consent_id.in_(ids)))
        session.execute(delete(Consent).where(Consent.id.in_(ids)))
    return purges("consents", {row.subject_id for row in rows}), len(ids), \
        "consents with their grantors and withdrawals removed"
