"""Retention of observations (policies/retention.yaml, kind `observations`)."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from broker.audit.recording import Record, purges
from broker.care.models import SignalFeedback
from broker.observations.models import Observation, ObservationAmendment


def purge_observations(session: Session, members: set[str]) -> tuple[list[Record], int, str]:
    """The observations about these members (their files past the term) are removed with
    their amendments and the feedback on them, one purge recorded per person; the audit
    events that account for them stay (they hold ids, never content)."""
    rows = session.execute(select(Observation.id, Observation.subject_id)
                           .where(Observation.subject_id.in_(members))).all()
    ids = [row.id for row in rows]
    if ids:
        session.execute(delete(ObservationAmendment)
                        .where(ObservationAmendment.observation_id.in_(ids)))
        session.execute(delete(SignalFeedback).where(SignalFeedback.observation_id.in_(ids)))
        session.execute(delete(Observation).where(Observation.id.in_(ids)))
    return purges("observations", {row.subject_id for row in rows}), len(ids), \
        "observations and their corrections removed; their audit events stay"
