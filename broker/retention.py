"""`broker retention run`: apply `policies/retention.yaml` to what the broker holds.

The audit log is append-only and kept at least as long as the records it accounts for; it is
never pruned here. Later domains register their own purge for their record kind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from broker.audit.models import AuditEvent
from broker.audit.queries import iso
from broker.audit.recording import Action, Record, record
from broker.clock import now
from broker.identity.models import AuthorizationCode, UsedAssertion, WebSession
from broker.observations.retention import purge_observations
from broker.policy import Policy
from broker.policy.schema import RecordKind


@dataclass(frozen=True)
class RetentionLine:
    kind: str
    period_years: int
    cutoff: str
    removed: int
    kept_past_period: int
    note: str


def _sessions(session: Session, cutoff: datetime) -> tuple[int, int, str]:
    moment = now()
    old = select(func.count()).select_from(WebSession).where(WebSession.created_at < cutoff)
    removed = session.scalar(old) or 0
    session.execute(delete(WebSession).where(WebSession.created_at < cutoff))
    session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at < moment))
    session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < moment))
    return removed, 0, "login sessions removed; expired codes and assertions cleared"


def _audit(session: Session, cutoff: datetime) -> tuple[int, int, str]:
    past = session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.recorded_at < iso(cutoff))) or 0
    return 0, past, "append-only: never pruned; export events past the period to the archive"


PURGES: dict[RecordKind, Callable[[Session, datetime], tuple[int, int, str]]] = {
    RecordKind.SESSIONS: _sessions,
    RecordKind.AUDIT: _audit,
    RecordKind.OBSERVATIONS: purge_observations,
}


def run_retention(session: Session, *, policy: Policy) -> list[RetentionLine]:
    lines = []
    for period in policy.retention.periods:
        cutoff = now() - timedelta(days=365 * period.years + period.years // 4)
        for kind in period.applies_to:
            purge = PURGES.get(kind)
            if purge is None:
                lines.append(RetentionLine(kind.value, period.years, iso(cutoff), 0, 0,
                                           "nothing of this kind is stored yet"))
                continue
            removed, kept, note = purge(session, cutoff)
            lines.append(RetentionLine(kind.value, period.years, iso(cutoff), removed, kept,
                                       note))
    record(session, Record(Action.RETENTION_RUN, None))
    return lines
