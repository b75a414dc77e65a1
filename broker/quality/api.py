"""Inspection-readiness routes (contract v1)."""

from fastapi import APIRouter

from broker.db import DbSession
from broker.identity.deps import ApiPrincipal
from broker.quality import service
from broker.quality.schemas import AtRisk, IndicatorRead, ReadinessRead, SummaryRead

router = APIRouter(prefix="/quality", tags=["quality"])


@router.get("/households/{household_id}", summary="Inspection-readiness of one household "
            "(its regisseur, team leads)")
def household(household_id: str, session: DbSession, actor: ApiPrincipal) -> ReadinessRead:
    return readiness_read(service.household_readiness(session, actor=actor,
                                                      household_id=household_id))


@router.get("/summary", summary="Counts per indicator and the households at risk (team leads)")
def summary(session: DbSession, actor: ApiPrincipal) -> SummaryRead:
    result = service.summary(session, actor=actor)
    return SummaryRead(households=result.households, indicators=result.counts,
                       at_risk=[AtRisk(household_id=r.household_id, flags=r.flags)
                                for r in result.at_risk])


def readiness_read(readiness: service.Readiness) -> ReadinessRead:
    return ReadinessRead(household_id=readiness.household_id, flags=readiness.flags,
                         indicators=[IndicatorRead(id=i.id, status=i.status, reason=i.reason)
                                     for i in readiness.indicators])
