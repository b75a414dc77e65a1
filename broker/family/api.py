"""Family transparency routes (contract v1: GET /me/disclosures) and their extensions."""

from fastapi import APIRouter
from fastapi.responses import Response

from broker.audit.deps import PrivacyOfficer
from broker.clock import local_day, now
from broker.db import DbSession
from broker.family import destruction, service, withholdings
from broker.family.deps import FamilyMember
from broker.family.models import DestructionRequest, Withholding
from broker.family.schemas import (
    DestructionAsk,
    DestructionDecision,
    DestructionRead,
    DestructionRecord,
    DisclosureRead,
    LinkCreate,
    LinkRead,
    MyDisclosures,
    Person,
    PrivateCreate,
    WithholdingCreate,
    WithholdingRead,
    WithholdingRenew,
)
from broker.households.deps import Regisseur
from broker.identity.deps import ApiPrincipal

router = APIRouter(tags=["family"])


@router.post("/households/{household_id}/members/{member_id}/link", status_code=201,
             summary="A personal link to the family page for a parent or youth (12+); "
             "e-mailed when the member has an address")
def create_link(household_id: str, member_id: str, body: LinkCreate, session: DbSession,
                actor: Regisseur) -> LinkRead:
    made = service.create_link(session, actor=actor, household_id=household_id,
                               member_id=member_id, send=body.send)
    return LinkRead(url=made.url, expires_at=made.link.expires_at, sent_to=made.sent_to)


@router.get("/me/disclosures", summary="Family transparency: what was shared about me and "
            "my children, with whom, when and why (family session cookie)")
def my_disclosures(session: DbSession, member: FamilyMember) -> MyDisclosures:
    people, lines = service.disclosures(session, member=member)
    names = service.given_names(session, people)
    return MyDisclosures(
        people=[Person(id=p, given_name=names[p], is_me=p == member.member_id)
                for p in people],
        disclosures=[DisclosureRead(
            at=line.recorded_at, about=line.subject_id, action=line.action,
            organisation_id=line.organisation_id, organisation_name=line.organisation_name,
            categories=line.categories, purpose=line.purpose, basis=line.basis,
            lawful_basis=line.lawful_basis) for line in lines])


@router.post("/me/consents/{consent_id}/withdraw", status_code=204,
             summary="Withdraw a consent I am entitled to end")
def withdraw(consent_id: str, session: DbSession, member: FamilyMember) -> Response:
    service.withdraw(session, member=member, consent_id=consent_id)
    return Response(status_code=204)


@router.post("/me/destruction-request", status_code=201,
             summary="Ask for my file, or a child's in my custody, to be destroyed (Jeugdwet "
             "art. 7.3.9)")
def request_destruction(session: DbSession, member: FamilyMember,
                        body: DestructionAsk | None = None) -> DestructionRead:
    return destruction_read(destruction.request_destruction(
        session, member=member, subject_id=body.subject_id if body else None))


@router.post("/households/{household_id}/destruction-requests", status_code=201,
             summary="Record a request for destruction a family member made in person or by "
             "letter (the household's team)")
def record_destruction_request(household_id: str, body: DestructionRecord, session: DbSession,
                               actor: ApiPrincipal) -> DestructionRead:
    return destruction_read(destruction.record_request(
        session, actor=actor, household_id=household_id, member_id=body.member_id,
        subject_id=body.subject_id or body.member_id))


@router.get("/destruction-requests", summary="Requests for destruction, open ones first "
            "by due date (privacy officer)")
def destruction_requests(session: DbSession, actor: PrivacyOfficer) -> list[DestructionRead]:
    return [destruction_read(r) for r in destruction.open_requests(session, actor=actor)]


@router.post("/destruction-requests/{request_id}/decision",
             summary="Destroy (crypto-shredding and erasure of names) or refuse with a reason")
def decide(request_id: str, body: DestructionDecision, session: DbSession,
           actor: PrivacyOfficer) -> DestructionRead:
    return destruction_read(destruction.decide(session, actor=actor, request_id=request_id,
                                               destroy=body.destroy, reason=body.reason,
                                               ground=body.ground))


def destruction_read(request: DestructionRequest) -> DestructionRead:
    return DestructionRead(id=request.id, household_id=request.household_id,
                           member_id=request.member_id,
                           subject_id=destruction.subject_of(request),
                           requested_at=request.requested_at, due_on=request.due_on,
                           status=request.status, ground=request.ground,
                           overdue=destruction.request_is_due(request, local_day(now())))


# --- Items kept from one member (WGBO 7:457; a youth's own wish) ---------------------------

@router.post("/households/{household_id}/withholdings", status_code=201,
             summary="Keep a named item from a named parent: giving it would conflict with "
             "good care of the child (the household's team; reason and review day)")
def withhold(household_id: str, body: WithholdingCreate, session: DbSession,
             actor: ApiPrincipal) -> WithholdingRead:
    return withholding_read(withholdings.withhold(session, actor=actor,
                                                  household_id=household_id, body=body))


@router.get("/households/{household_id}/withholdings",
            summary="The items kept from members of the household (its team)")
def household_withholdings(household_id: str, session: DbSession, actor: ApiPrincipal
                           ) -> list[WithholdingRead]:
    return [withholding_read(w) for w in withholdings.of_household(
        session, actor=actor, household_id=household_id)]


@router.get("/withholdings", summary="Every item kept from a family member (privacy officer)")
def all_withholdings(session: DbSession, actor: PrivacyOfficer) -> list[WithholdingRead]:
    return [withholding_read(w) for w in withholdings.all_withholdings(session, actor=actor)]


@router.post("/withholdings/{withholding_id}/renew",
             summary="A new review day, before the old one has passed")
def renew_withholding(withholding_id: str, body: WithholdingRenew, session: DbSession,
                      actor: ApiPrincipal) -> WithholdingRead:
    return withholding_read(withholdings.renew(session, actor=actor,
                                               withholding_id=withholding_id, body=body))


@router.post("/withholdings/{withholding_id}/end", summary="Show the item to the member again")
def end_withholding(withholding_id: str, session: DbSession, actor: ApiPrincipal
                    ) -> WithholdingRead:
    return withholding_read(withholdings.end(session, actor=actor,
                                             withholding_id=withholding_id))


@router.post("/me/private", status_code=201,
             summary="A youth of 12 to 15 keeps one of their own items from their parents")
def keep_private(body: PrivateCreate, session: DbSession, member: FamilyMember
                 ) -> list[WithholdingRead]:
    return [withholding_read(w) for w in service.keep_private(session, member=member,
                                                              body=body)]


@router.post("/me/private/share", status_code=204,
             summary="Show an item the youth kept private to their parents again")
def share_again(body: PrivateCreate, session: DbSession, member: FamilyMember) -> Response:
    withholdings.share_again(session, member=member, object_type=body.object_type,
                             object_id=body.object_id)
    return Response(status_code=204)


def withholding_read(withholding: Withholding) -> WithholdingRead:
    return WithholdingRead(
        id=withholding.id, household_id=withholding.household_id,
        member_id=withholding.member_id, object_type=withholding.object_type,
        object_id=withholding.object_id, kind=withholding.kind,
        review_on=withholding.review_on, created_at=withholding.created_at,
        ended_at=withholding.ended_at,
        in_force=withholdings.in_force(withholding, local_day(now())))
