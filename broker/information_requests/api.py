"""Information request routes (contract 4.3)."""

from fastapi import APIRouter

from broker.db import DbSession
from broker.identity.deps import ApiPrincipal
from broker.information_requests import service
from broker.information_requests.schemas import (
    InformationAnswer,
    InformationRequestCreate,
    InformationRequestRead,
)

router = APIRouter(prefix="/information-requests", tags=["information requests"])


def request_read(view: service.RequestView) -> InformationRequestRead:
    r = view.request
    return InformationRequestRead(
        id=r.id, status=r.status, subject_id=r.subject_id, subject_name=view.subject_name,
        categories=r.categories, purpose=r.purpose,
        holder_organisation_id=r.holder_organisation_id,
        requester_organisation_id=r.requester_organisation_id, reason=view.reason,
        answer_reason=view.answer_reason, override_id=r.override_id,
        created_at=r.created_at, answered_at=r.answered_at)


@router.post("", status_code=201, summary="Ask the organisation that holds information about "
             "a person to share it (regisseur, or an organisation with a mandate)")
def ask(body: InformationRequestCreate, session: DbSession, actor: ApiPrincipal
        ) -> InformationRequestRead:
    return request_read(service.ask(session, actor=actor, body=body))


@router.get("", summary="The requests the caller's organisation made or was asked")
def requests(session: DbSession, actor: ApiPrincipal) -> list[InformationRequestRead]:
    return [request_read(v) for v in service.requests(session, actor=actor)]


@router.post("/{request_id}/answer", summary="The holder answers: consent asked, an override "
             "of its own, or refused with a reason")
def answer(request_id: str, body: InformationAnswer, session: DbSession,
           actor: ApiPrincipal) -> InformationRequestRead:
    return request_read(service.answer(session, actor=actor, request_id=request_id,
                                       body=body))
