"""Mandate routes (contract 4.3)."""

from fastapi import APIRouter

from broker.db import DbSession
from broker.identity.deps import ApiPrincipal
from broker.mandates import service
from broker.mandates.schemas import MandateCreate, MandateEnd, MandateRead
from broker.mandates.service import MandateView

router = APIRouter(prefix="/mandates", tags=["mandates"])


def mandate_read(view: MandateView) -> MandateRead:
    m = view.mandate
    return MandateRead(id=m.id, subject_id=m.subject_id, household_id=m.household_id,
                       kind=m.kind, organisation_id=m.organisation_id, reference=view.reference,
                       valid_from=m.valid_from, valid_until=m.valid_until, ended_on=m.ended_on,
                       status=view.status, case_id=m.case_id, source=view.source,
                       registered_by=m.registered_by, created_at=m.created_at)


@router.post("", status_code=201, summary="Register a legal ground on a child (a report, an "
             "OTS or voogdij, an investigation): the household's team, or the organisation "
             "itself while involved with the family")
def register(body: MandateCreate, session: DbSession, actor: ApiPrincipal) -> MandateRead:
    return mandate_read(service.register(session, actor=actor, body=body))


@router.get("", summary="The caller's organisation's mandates; for the household's team, "
            "every mandate on a child (subject_id)")
def mandates(session: DbSession, actor: ApiPrincipal, subject_id: str | None = None
             ) -> list[MandateRead]:
    return [mandate_read(v) for v in service.mandates(session, actor=actor,
                                                      subject_id=subject_id)]


@router.get("/{mandate_id}", summary="A mandate, for its organisation and the household's "
            "team")
def get_mandate(mandate_id: str, session: DbSession, actor: ApiPrincipal) -> MandateRead:
    return mandate_read(service.get(session, actor=actor, mandate_id=mandate_id))


@router.post("/{mandate_id}/end", summary="End a mandate on a day (its organisation or the "
             "household's team)")
def end(mandate_id: str, body: MandateEnd, session: DbSession, actor: ApiPrincipal
        ) -> MandateRead:
    return mandate_read(service.end(session, actor=actor, mandate_id=mandate_id, on=body.on))
