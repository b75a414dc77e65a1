"""Retention of observations (policies/retention.yaml, kind `observations`)."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from broker.observations.models import Observation, ObservationAmendment


def purge_observations(session: Session, cutoff: datetime) -> tuple[int, int, str]:
    """Observations shared before `cutoff` are removed with their amendments; the audit
    events that account for them stay (they hold ids, never content)."""
    old = select(Observation.id).where(Observation.created_at < cutoff)
    ids = list(session.scalars(old))
    if ids:
        session.execute(delete(ObservationAmendment)
                        .where(ObservationAmendment.observation_id.in_(ids)))
        session.execute(delete(Observation).where(Observation.id.in_(ids)))
    return len(ids), 0, "observations and their corrections removed; their audit events stay"
