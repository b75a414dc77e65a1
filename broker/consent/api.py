"""Consent and decision routes (contract v1)."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from broker.consent import service
from broker.consent.fhir import FHIR_JSON, capability_statement, search_bundle, to_fhir
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
from broker.errors import NotAcceptable
from broker.identity.deps import ApiPrincipal, AppSettings

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
    [view], names = service.fhir_consent(session, actor=actor, consent_id=consent_id)
    return to_fhir(view, names)


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


# Errors under /fhir are OperationOutcomes (broker.problems), with the problem's code.
fhir_router = APIRouter(prefix="/fhir", tags=["fhir"], responses={
    status: {"description": f"{status}: an OperationOutcome", "content": {
        FHIR_JSON: {"schema": {"type": "object", "required": ["resourceType", "issue"]}}}}
    for status in (401, 404, 406, 422)})
JSON_TYPES = {"application/fhir+json", "application/json", "json", "application/*", "*/*"}


async def fhir_json(request: Request) -> None:
    """Only JSON is served: `_format` (which wins) or Accept asking for anything else (XML,
    Turtle) is answered 406 with an OperationOutcome."""
    asked = request.query_params.get("_format") or request.headers.get("accept") or "*/*"
    if not any(media in JSON_TYPES and quality > 0 for media, quality in _accepted(asked)):
        raise NotAcceptable("Only application/fhir+json is served.")


def _accepted(header: str) -> list[tuple[str, float]]:
    """Media types with their quality (RFC 9110 12.5.1); an unreadable q counts as 0."""
    found = []
    for part in header.split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found.append((media, quality))
    return found


FhirJson = Annotated[None, Depends(fhir_json)]


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


@fhir_router.get("/metadata", response_class=FhirResponse,
                 summary="The CapabilityStatement: what this FHIR endpoint serves")
def metadata(_: FhirJson, settings: AppSettings) -> dict[str, Any]:
    return capability_statement(settings.base_url)


@fhir_router.get("/Consent/{consent_id}", response_class=FhirResponse,
                 summary="A consent as a FHIR R4 Consent (read)")
def read_consent(consent_id: str, _: FhirJson, session: DbSession, actor: ApiPrincipal
                 ) -> dict[str, Any]:
    [view], names = service.fhir_consent(session, actor=actor, consent_id=consent_id)
    return to_fhir(view, names)


@fhir_router.get("/Consent", response_class=FhirResponse,
                 summary="A person's consents as a FHIR searchset Bundle (search by patient)")
def search_consents(_: FhirJson, session: DbSession, actor: ApiPrincipal,
                    settings: AppSettings, patient: str = Query(min_length=1)
                    ) -> dict[str, Any]:
    views, names = service.fhir_search(session, actor=actor,
                                       subject_id=patient.removeprefix("Patient/"))
    # the self link names the parameters the search used, as FHIR asks (others are ignored)
    return search_bundle(views, names, base_url=settings.base_url,
                         self_link=f"{settings.base_url}/fhir/Consent?"
                                   f"{urlencode({'patient': patient})}")
