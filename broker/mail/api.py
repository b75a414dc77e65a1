"""`GET /api/v1/outbox`: the admin's view of the e-mail waiting, sent and failed."""

from fastapi import APIRouter, Response

from broker.db import DbSession
from broker.identity.deps import ApiPrincipal
from broker.mail import service
from broker.mail.models import OutboxStatus
from broker.mail.schemas import OutboxEntryRead, OutboxRead

router = APIRouter(tags=["mail"])


@router.get("/outbox", summary="E-mail waiting to be sent, sent and given up (admin)")
def outbox(session: DbSession, actor: ApiPrincipal) -> OutboxRead:
    return read(service.overview(session, actor=actor))


@router.post("/outbox/{message_id}/send-again", status_code=204,
             summary="Put a failed message back in line (admin)")
def send_again(message_id: str, session: DbSession, actor: ApiPrincipal) -> Response:
    service.send_again(session, actor=actor, message_id=message_id)
    return Response(status_code=204)


def read(overview: service.Overview) -> OutboxRead:
    return OutboxRead(
        pending=overview.counts[OutboxStatus.PENDING], sent=overview.counts[OutboxStatus.SENT],
        failed=overview.counts[OutboxStatus.FAILED], oldest_pending=overview.oldest_pending,
        waiting=[OutboxEntryRead.model_validate(e, from_attributes=True)
                 for e in overview.waiting])
