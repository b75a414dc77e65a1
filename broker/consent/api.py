"""Consent and decision routes (contract v1)."""

from typing import Any

from fastapi import APIRouter, Query

from broker.consent import service
from broker.consent.fhir import to_fhir
from broker.consent.schemas import (
    ConsentCreate,
    ConsentList,
    ConsentRead,
    ConsentWithdraw,
    DecisionCreate,
    DecisionRead,
    MissingRead,
    consent_read,
)
from broker.db import DbSession, Tx
from broker.identity.deps import ApiPrincipal

router = APIRouter(tags=["consent"])


@router.post("/consents", status_code=201, summary="Record consent (422 capacity if the wrong "
             "people grant it)")
def grant(body: ConsentCreate, session: DbSession, actor: ApiPrincipal) -> ConsentRead:
    consent = service.grant_consent(session, actor=actor, body=body)
    return consent_read(service.consent_view(session, actor=actor, consent_id=consent.id))


@router.post("/consents/{consent_id}/withdraw", summary="Withdraw consent; effective at once")
def withdraw(consent_id: str, body: ConsentWithdraw, session: DbSession,
             actor: ApiPrincipal) -> ConsentRead:
    service.withdraw_consent(session, actor=actor, consent_id=consent_id,
                             grantor_id=body.grantor_id, reason=body.reason)
    return consent_read(service.consent_view(session, actor=actor, consent_id=consent_id))


@router.get("/consents", summary="A person's consents with full history")
def list_consents(session: DbSession, actor: ApiPrincipal,
                  subject_id: str = Query(min_length=1)) -> ConsentList:
    views = service.consents_of_subject(session, actor=actor, subject_id=subject_id)
    return ConsentList(items=[consent_read(v) for v in views])


@router.get("/consents/{consent_id}/fhir", summary="The consent as a FHIR R4 Consent resource")
def fhir(consent_id: str, session: DbSession, actor: ApiPrincipal) -> dict[str, Any]:
    return to_fhir(service.consent_view(session, actor=actor, consent_id=consent_id))


@router.post("/decisions", summary="Dry run: may this recipient see this category of this "
             "person's data for this purpose?")
async def decisions(body: DecisionCreate, tx: Tx, actor: ApiPrincipal) -> DecisionRead:
    decision = await tx.run(service.dry_run, actor=actor, body=body)
    return DecisionRead(
        effect=decision.effect.value, basis=decision.basis.value if decision.basis else None,
        consent_ids=list(decision.consent_ids), override_ids=list(decision.override_ids),
        mandate_ids=list(decision.mandate_ids),
        missing=[MissingRead(member_id=m.member_id, role=m.role.value)
                 for m in decision.missing],
        reasons=list(decision.reasons), policy_version=decision.policy_version)
