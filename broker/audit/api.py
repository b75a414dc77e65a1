"""The privacy officer's audit API (contract v1); every call is itself recorded."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from broker.audit import queries, service
from broker.audit.deps import PrivacyOfficer
from broker.audit.proofs import Checkpoint, InclusionProof
from broker.audit.schemas import (
    ConsistencyProofRead,
    EventPageRead,
    ProcessingActivityRead,
    SubjectReportRead,
    VerificationRead,
)
from broker.db import DbSession
from broker.identity.deps import AppSettings

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/events", summary="Search the audit log, newest first, with cursor pagination")
def search_events(session: DbSession, actor: PrivacyOfficer,
                  subject_id: str | None = None, actor_id: str | None = None,
                  organisation_id: str | None = None, action: str | None = None,
                  basis: str | None = None, since: datetime | None = None,
                  until: datetime | None = None, cursor: str | None = Query(None,
                                                                           pattern=r"^\d+$"),
                  limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 50
                  ) -> EventPageRead:
    where = queries.EventFilter(subject_id, actor_id, organisation_id, action, basis, since,
                                until)
    page = queries.search_events(session, actor=actor, where=where, cursor=cursor, limit=limit)
    return EventPageRead(items=page.items, next_cursor=page.next_cursor)


@router.get("/events/{seq}", summary="One audit event")
def get_event(seq: int, session: DbSession, actor: PrivacyOfficer) -> dict[str, object]:
    return queries.get_event(session, actor=actor, seq=seq)


@router.get("/subjects/{subject_id}/report",
            summary="AVG art. 15: what was shared about this person, with whom, when and why")
def subject_report(subject_id: str, session: DbSession, actor: PrivacyOfficer
                   ) -> SubjectReportRead:
    lines = queries.subject_report(session, actor=actor, subject_id=subject_id)
    return SubjectReportRead(subject_id=subject_id, lines=lines)


@router.get("/checkpoint", summary="A signed checkpoint (C2SP signed note) of the log")
def checkpoint(session: DbSession, actor: PrivacyOfficer) -> Checkpoint:
    return service.checkpoint(session, actor=actor)


@router.get("/proof/{seq}", summary="Inclusion proof of an event (RFC 6962)")
def inclusion_proof(seq: int, session: DbSession, actor: PrivacyOfficer,
                    tree_size: Annotated[int | None, Query(ge=1)] = None) -> InclusionProof:
    return service.inclusion_proof(session, actor=actor, seq=seq, tree_size=tree_size)


@router.get("/consistency", summary="Consistency proof between two tree sizes (RFC 6962)")
def consistency_proof(first: Annotated[int, Query(ge=1)], second: Annotated[int, Query(ge=1)],
                      session: DbSession, actor: PrivacyOfficer) -> ConsistencyProofRead:
    proof = service.consistency_proof(session, actor=actor, first=first, second=second)
    return ConsistencyProofRead(first=first, second=second, proof=proof)


@router.get("/verify", summary="Recompute the whole log and report every problem")
def verify(session: DbSession, actor: PrivacyOfficer) -> VerificationRead:
    result = service.verify(session, actor=actor)
    return VerificationRead(ok=result.ok, tree_size=result.tree_size,
                            root_hash=result.root_hash, events=result.events,
                            first_bad_seq=result.first_bad_seq,
                            problems=result.problems)


# The register of processing activities (AVG art. 30), public like a municipality's own: the
# Logboek Dataverwerkingen names each activity by its URI here.
register_router = APIRouter(prefix="/processing-activities", tags=["audit"])


@register_router.get("", summary="The register of processing activities (AVG art. 30)")
def processing_activities(request: Request, settings: AppSettings
                          ) -> list[ProcessingActivityRead]:
    return service.register(request.app.state.policy, settings.base_url)


@register_router.get("/{activity_id}", summary="One processing activity of the register")
def processing_activity(activity_id: str, request: Request, settings: AppSettings
                        ) -> ProcessingActivityRead:
    return service.register_entry(request.app.state.policy, settings.base_url, activity_id)
