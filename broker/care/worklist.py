"""What the path of help asks of a regisseur now, for the start page: the partners' signals
still owed their feedback (terugkoppeling), per household (ids, counts and days only)."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.care.models import SignalFeedback
from broker.clock import local_day
from broker.observations.models import AmendmentKind, Concern, Observation, ObservationAmendment


@dataclass(frozen=True)
class FeedbackOwed:
    household_id: str
    count: int  # signals without feedback
    due: date  # the earliest day one of them is due


def feedback_owed(session: Session, household_ids: list[str], organisation_id: str
                  ) -> list[FeedbackOwed]:
    """Signals of other organisations than the regisseur's (an observation with a concern,
    not retracted) without feedback; each is due `feedback_days` after it came in. Earliest
    due first."""
    days = timedelta(days=audit_context(session).policy.safety.terms.feedback_days)
    retracted = select(ObservationAmendment.observation_id).where(
        ObservationAmendment.kind == AmendmentKind.RETRACTION)
    rows = session.execute(
        select(Observation.household_id, func.count(Observation.id),
               func.min(Observation.created_at))
        .where(Observation.household_id.in_(household_ids),
               Observation.concern != Concern.NONE,
               Observation.submitted_by_organisation_id != organisation_id,
               Observation.id.not_in(retracted),
               Observation.id.not_in(select(SignalFeedback.observation_id)))
        .group_by(Observation.household_id))
    owed = [FeedbackOwed(h, n, local_day(first) + days) for h, n, first in rows]
    return sorted(owed, key=lambda o: o.due)
