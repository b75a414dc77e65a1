"""Requests for information: the requester (the household's regisseur team, or an
organisation holding a mandate on the child, such as Veilig Thuis) asks the holder; the
holder answers. Naming the person to the holder is a disclosure of their basic data, decided
and recorded by the door; so is every view of a request, on either side."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.clock import local_day, now
from broker.db import new_id
from broker.disclosure.door import Item, Names, disclose, disclose_each, unseal
from broker.disclosure.engine import BASIC_DATA, Decision, SubjectFacts
from broker.disclosure.facts import HouseholdFacts, load_household, load_households
from broker.disclosure.overrides import OverrideStatus
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.information_requests.models import InformationRequest, RequestStatus
from broker.information_requests.schemas import (
    Answer,
    InformationAnswer,
    InformationRequestCreate,
)
from broker.meldcode import service as meldcode
from broker.meldcode.models import Override
from broker.observations.models import Observation
from broker.vault.service import existing_data_key, writable_key


class NotNameable(Invalid):
    """The refusal to name the person to the holder is recorded; nothing else is kept."""

    code, commits = "holder_not_permitted", True


@dataclass(frozen=True)
class RequestView:
    request: InformationRequest
    subject_name: str | None
    reason: str | None
    answer_reason: str | None


def _knows(session: Session, organisation_id: str, subject_id: str) -> bool:
    """Does the organisation hold information of its own about the person (it submitted an
    observation)? Then naming the person to it tells it nothing new."""
    return bool(session.scalar(select(exists().where(
        Observation.subject_id == subject_id,
        Observation.submitted_by_organisation_id == organisation_id))))


def _naming(session: Session, organisation_id: str, subject: SubjectFacts, request_id: str,
            is_holder: bool) -> Item:
    holder = organisation_id if is_holder and _knows(
        session, organisation_id, subject.person.id) else None
    return Item(subject, BASIC_DATA, holder, "information_request", request_id)


def ask(session: Session, *, actor: Principal, body: InformationRequestCreate
        ) -> RequestView:
    """The household's regisseur team, or an organisation with a mandate on the child in
    force, asks a holder organisation. 404 for a person the caller is not involved with;
    422 `holder_not_permitted` when the person may not be named to the holder (ask the
    family's consent for their basic data first)."""
    facts = load_household(session, member_id=body.subject_id)
    at = now()
    if facts is None or not facts.involves(actor, at):
        raise NotFound("No such person.")
    subject = facts.subjects[body.subject_id]
    mandated = any(m.organisation_id == actor.organisation_id and m.in_force(local_day(at))
                   for m in subject.mandates)
    if actor.professional_id is None or not (facts.in_team(actor) or mandated):
        raise Forbidden("The regisseur (or an organisation with a legal ground on the child) "
                        "asks a holder for information.", code="not_a_requester")
    policy = audit_context(session).policy
    unknown = [c for c in body.categories if c not in policy.categories]
    if unknown:
        raise Invalid("Unknown category.", code="unknown_category", categories=unknown)
    if body.purpose not in policy.purposes:
        raise Invalid("Unknown purpose.", code="unknown_purpose")
    holder = session.get(Organisation, body.holder_organisation_id)
    if holder is None or holder.id == actor.organisation_id:
        raise Invalid("Ask another, existing organisation.", code="unknown_organisation")
    request_id = new_id()
    naming = _naming(session, holder.id, subject, request_id, True)
    decision = disclose(session, actor=actor, facts=subject, category=BASIC_DATA,
                        purpose=body.purpose, recipient=(holder.id, holder.party),
                        submitted_by_organisation_id=naming.submitted_by_organisation_id,
                        object_type="information_request", object_id=request_id,
                        names=Names(session, actor=actor, household=facts,
                                    purpose=body.purpose))
    if not decision.permitted:
        raise NotNameable("This person may not be named to that organisation yet: ask the "
                          "family's consent to share their basic data with it first. "
                          + "; ".join(decision.reasons), reasons=list(decision.reasons))
    request = InformationRequest(
        id=request_id, household_id=facts.household_id, subject_id=body.subject_id,
        categories=sorted(set(body.categories)), purpose=body.purpose,
        holder_organisation_id=holder.id, requester_organisation_id=actor.organisation_id,
        requested_by=actor.professional_id, reason=writable_key(
            session, facts.household_id).seal(f"information-request:{request_id}",
                                              body.reason))
    session.add(request)
    record(session, Record(Action.INFORMATION_REQUEST, actor, subject_id=body.subject_id,
                           categories=request.categories, purpose=body.purpose,
                           recipient_organisation_id=holder.id,
                           object_type="information_request", object_id=request.id))
    session.flush()
    return _views(session, actor, [request])[0]


def answer(session: Session, *, actor: Principal, request_id: str, body: InformationAnswer
           ) -> RequestView:
    """The holder's professional answers: it asks the family's consent, shares by an
    override of its own (naming it), or refuses with a reason. Answered once (409)."""
    request = session.get(InformationRequest, request_id)
    facts = load_household(session, household_id=request.household_id) if request else None
    if request is None or facts is None or actor.professional_id is None \
            or not _holds(request, facts, actor):
        raise NotFound("No such request.")
    if request.status != RequestStatus.OPEN:
        raise Conflict("This request was answered already.", code="request_answered",
                       status_now=request.status)
    if body.answer is Answer.REFUSED and body.reason is None:
        raise Invalid("Say why you refuse (reason).", code="reason_required")
    if body.answer is Answer.OVERRIDE:
        override = _covering(session, actor, request, body.override_id)
        if override is None:
            raise Invalid("Name your organisation's override in force about this person, "
                          "of these categories, to the requester (override_id).",
                          code="override_mismatch")
        request.override_id = override.id
    elif body.override_id is not None:
        raise Invalid("Only an answer by override names one.", code="override_mismatch")
    request.status = body.answer.value
    request.answered_by, request.answered_at = actor.professional_id, now()
    if body.reason is not None:
        request.answer_reason = writable_key(session, request.household_id).seal(
            f"information-answer:{request.id}", body.reason)
    session.flush()
    record(session, Record(Action.INFORMATION_ANSWER, actor, subject_id=request.subject_id,
                           categories=request.categories, purpose=request.purpose,
                           role=request.status, recipient_organisation_id=request
                           .requester_organisation_id, object_type="information_request",
                           object_id=request.id))
    return _views(session, actor, [request])[0]


def _holds(request: InformationRequest, facts: HouseholdFacts, actor: Principal) -> bool:
    """Is the caller the holder asked? In the regisseur's organisation only the household's
    team is; elsewhere the organisation's professionals and systems."""
    return request.holder_organisation_id == actor.organisation_id \
        and facts.reaches_own(actor)


def _covering(session: Session, actor: Principal, request: InformationRequest,
              override_id: str | None) -> Override | None:
    """The caller's organisation's override in force (approved, or urgent and within its
    review) about the request's person, of its categories, to the requester; else None."""
    if override_id is None:
        return None
    try:
        view = meldcode.override_view(session, actor=actor, override_id=override_id)
    except NotFound:
        return None
    override = view.override
    if view.status is not OverrideStatus.ACTIVE \
            or override.household_id != request.household_id \
            or request.subject_id not in override.subject_ids \
            or not set(request.categories) <= set(override.categories) \
            or request.requester_organisation_id not in override.recipient_ids:
        return None
    return override


def requests(session: Session, *, actor: Principal) -> list[RequestView]:
    """The requests the caller's organisation made (in the regisseur's organisation: those
    about the households of the caller's team) or was asked, newest first."""
    found = list(session.scalars(select(InformationRequest).where(or_(
        InformationRequest.requester_organisation_id == actor.organisation_id,
        InformationRequest.holder_organisation_id == actor.organisation_id))
        .order_by(InformationRequest.created_at.desc(), InformationRequest.id)))
    return _views(session, actor, found)


def open_requests_about(session: Session, *, actor: Principal, household_id: str
                        ) -> list[RequestView]:
    """The open requests about one household that the caller's organisation made or was
    asked, each as `requests` shows it (through the door, recorded)."""
    found = list(session.scalars(select(InformationRequest).where(
        InformationRequest.household_id == household_id,
        InformationRequest.status == RequestStatus.OPEN.value, or_(
            InformationRequest.requester_organisation_id == actor.organisation_id,
            InformationRequest.holder_organisation_id == actor.organisation_id))
        .order_by(InformationRequest.created_at.desc(), InformationRequest.id)))
    return _views(session, actor, found)


def _views(session: Session, actor: Principal, found: Sequence[InformationRequest]
           ) -> list[RequestView]:
    """Each request as the caller may see it: the person's name and the texts only under a
    decision, under the request's purpose, that permits the person's basic data to the
    caller's organisation (recorded)."""
    households = load_households(session, [r.household_id for r in found])
    shown: list[tuple[InformationRequest, HouseholdFacts, Item]] = []
    for request in found:
        facts = households.get(request.household_id)
        if facts is None:
            continue
        is_holder = _holds(request, facts, actor)
        if not is_holder and not (request.requester_organisation_id == actor.organisation_id
                                  and facts.reaches_own(actor)):
            continue
        shown.append((request, facts, _naming(session, actor.organisation_id,
                                              facts.subjects[request.subject_id], request.id,
                                              is_holder)))
    decided: dict[str, Decision] = {}
    for purpose in sorted({request.purpose for request, _, _ in shown}):
        mine = [(request, item) for request, _, item in shown if request.purpose == purpose]
        decisions = disclose_each(session, actor=actor, purpose=purpose,
                                  items=[item for _, item in mine])
        decided |= {request.id: d for (request, _), d in zip(mine, decisions, strict=True)}
    views = []
    for request, facts, _ in shown:
        decision = decided[request.id]
        if not decision.permitted:
            views.append(RequestView(request, None, None, None))
            continue
        key = existing_data_key(session, facts.household_id)
        views.append(RequestView(
            request, facts.short_names()[request.subject_id],
            unseal(decision, key, f"information-request:{request.id}", request.reason),
            unseal(decision, key, f"information-answer:{request.id}", request.answer_reason)
            if request.answer_reason else None))
    return views
