"""Observation routes (contract v1)."""

from fastapi import APIRouter

from broker.consent.schemas import MissingRead
from broker.db import DbSession
from broker.identity.deps import ApiPrincipal
from broker.observations import service
from broker.observations.deps import Submitter
from broker.observations.models import AmendmentKind, Concern, Contribution
from broker.observations.schemas import (
    AmendmentCreate,
    AmendmentRead,
    ObservationCreate,
    ObservationList,
    ObservationRead,
    PreviewRead,
    RecipientPreview,
    SubmittedRead,
    item_read,
    stub_read,
)

router = APIRouter(tags=["observations"])


@router.post("/observations", status_code=201, summary="Share an observation (403 no_consent "
             "when the network may not have it; nothing is stored then)")
def submit(body: ObservationCreate, session: DbSession, actor: Submitter) -> SubmittedRead:
    submitted = service.submit_observation(session, actor=actor, body=body)
    observation, decision = submitted.observation, submitted.decision
    return SubmittedRead(
        id=observation.id,
        household_id=observation.household_id if submitted.involved else None,
        subject_id=observation.subject_id, category=observation.category,
        concern=Concern(observation.concern), observed_on=observation.observed_on,
        basis=decision.basis.value if decision.basis else "",
        consent_ids=list(decision.consent_ids), override_ids=list(decision.override_ids),
        meeting_id=observation.meeting_id,
        contribution=Contribution(observation.contribution) if observation.contribution
        else None)


@router.post("/observations/preview", summary="Who would see this observation, and why; "
             "nothing is stored")
def preview(body: ObservationCreate, session: DbSession, actor: Submitter) -> PreviewRead:
    result = service.preview_observation(session, actor=actor, body=body)
    return preview_read(result)


@router.get("/observations/{observation_id}", summary="Your organisation's own observation "
            "and the decision about it (404 for any other)")
def own(observation_id: str, session: DbSession, actor: Submitter) -> ObservationRead:
    return item_read(service.own_observation(session, actor=actor,
                                             observation_id=observation_id))


@router.post("/observations/{observation_id}/amendments", status_code=201,
             summary="Correct or retract your organisation's observation")
def amend(observation_id: str, body: AmendmentCreate, session: DbSession, actor: Submitter
          ) -> AmendmentRead:
    amendment = service.amend_observation(session, actor=actor, observation_id=observation_id,
                                          body=body)
    return AmendmentRead(id=amendment.id, kind=AmendmentKind(amendment.kind), body=body.body,
                         created_at=amendment.created_at.isoformat())


@router.get("/households/{household_id}/observations", summary="What the caller may see, and "
            "stubs with a reason for the rest")
def household_observations(household_id: str, session: DbSession, actor: ApiPrincipal
                           ) -> ObservationList:
    shown, withheld = service.household_observations(session, actor=actor,
                                                     household_id=household_id)
    return ObservationList(items=[item_read(s) for s in shown],
                           withheld=[stub_read(w) for w in withheld])


def preview_read(result: service.Preview) -> PreviewRead:
    gate = result.decision
    return PreviewRead(
        accepted=gate.permitted, meldcode=result.meldcode, reasons=list(gate.reasons),
        missing=[MissingRead(member_id=m.member_id, role=m.role.value) for m in gate.missing],
        recipients=[RecipientPreview(
            organisation_id=r.organisation.id, organisation_name=r.organisation.name,
            party=r.organisation.party, effect=r.decision.effect.value,
            basis=r.decision.basis.value if r.decision.basis else None,
            reasons=list(r.decision.reasons)) for r in result.recipients])


