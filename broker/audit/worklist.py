"""Disclosures out of the ordinary, for the privacy officer's start page: refusals by the
door and disclosures under an override, counted from the log and its queue."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from broker.audit.models import AuditEvent, AuditPending
from broker.audit.queries import iso
from broker.audit.recording import Action


def unusual_since(session: Session, since: datetime) -> dict[str, int]:
    """How many refusals and disclosures under an override were recorded since `since`."""
    counts = {"refusal": 0, "override": 0}
    for table in (AuditEvent, AuditPending):
        for action, _basis, n in session.execute(
                select(table.action, table.basis, func.count())
                .where(table.recorded_at >= iso(since), or_(
                    table.action == Action.REFUSAL.value,
                    table.action.in_([Action.DISCLOSURE.value, Action.READ.value])
                    & (table.basis == "override")))
                .group_by(table.action, table.basis)):
            counts["refusal" if action == Action.REFUSAL.value else "override"] += n
    return counts
