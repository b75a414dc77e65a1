"""Mandates: an organisation registers its own legal ground on a child (Veilig Thuis a report
or an investigation, a GI an OTS or voogdij with the court's decision, the Raad an
investigation); a report made through the broker registers one for Veilig Thuis. The door
permits `legal_duty` only within a mandate in force, for what the policy gives its kind."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.clock import local_day, now
from broker.disclosure.capacity import age_on
from broker.disclosure.engine import MandateFact
from broker.disclosure.facts import load_household, lock_household_for_change
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.mandates.models import Mandate
from broker.mandates.schemas import MandateCreate
from broker.policy.schema import MandateKind

REPORT_KINDS = {MandateKind.VT_REPORT, MandateKind.VT_INVESTIGATION}  # no court reference


@dataclass(frozen=True)
class MandateView:
    mandate: Mandate
    status: str
    source: str


def _view(session: Session, mandate: Mandate) -> MandateView:
    fact = MandateFact(mandate.id, mandate.kind, mandate.organisation_id, mandate.valid_from,
                       mandate.valid_until, mandate.ended_on)
    today = local_day(now())
    status = "active" if fact.in_force(today) else (
        "planned" if today < mandate.valid_from else "ended")
    return MandateView(mandate, status,
                       audit_context(session).policy.mandates[mandate.kind][1].source)


def register(session: Session, *, actor: Principal, body: MandateCreate) -> MandateView:
    """An organisation registers its own ground (403 `not_own_mandate` for another's); the
    kind must be one its party holds (422 `mandate_kind`). A person the caller cannot name
    by id does not exist for it (404)."""
    if body.organisation_id != actor.organisation_id:
        raise Forbidden("An organisation registers its own legal ground.",
                        code="not_own_mandate")
    policy = audit_context(session).policy
    party, rule = policy.mandates[body.kind.value]
    organisation = session.get(Organisation, body.organisation_id)
    if organisation is None or organisation.party != party:
        raise Invalid(f"A mandate of kind {body.kind.value} is held by a {party}.",
                      code="mandate_kind", party=party)
    facts = load_household(session, member_id=body.subject_id)
    if facts is None or body.subject_id not in facts.members:
        raise NotFound("No such person.")
    if age_on(facts.members[body.subject_id].birth_date, body.valid_from) \
            >= policy.consent.capacity.adult_from:
        raise Invalid("A mandate is about a child (under 18).", code="not_a_child")
    if body.kind not in REPORT_KINDS and body.reference is None:
        raise Invalid("Name the court decision or request (reference).",
                      code="reference_required")
    valid_until = body.valid_until or (
        body.valid_from + timedelta(days=rule.days) if rule.days else None)
    mandate = Mandate(household_id=facts.household_id, subject_id=body.subject_id,
                      kind=body.kind.value, organisation_id=body.organisation_id,
                      reference=body.reference, valid_from=body.valid_from,
                      valid_until=valid_until, registered_by=actor.actor_id)
    return _registered(session, actor, mandate)


def _registered(session: Session, actor: Principal, mandate: Mandate) -> MandateView:
    session.add(mandate)
    session.flush()
    record(session, Record(Action.MANDATE_REGISTER, actor, subject_id=mandate.subject_id,
                           role=mandate.kind, object_type="mandate", object_id=mandate.id))
    return _view(session, mandate)


def report(session: Session, *, actor: Principal, household_id: str, child_id: str,
           case_id: str, veilig_thuis_id: str, not_informed: tuple[bytes, date] | None
           ) -> Mandate:
    """A report through the broker (meldcode step 5) gives Veilig Thuis its ground on the
    child from today for the policy's term; the sealed reason not to tell the family (and
    until when) travels with it."""
    rule = audit_context(session).policy.mandates[MandateKind.VT_REPORT.value][1]
    today = local_day(now())
    mandate = Mandate(household_id=household_id, subject_id=child_id,
                      kind=MandateKind.VT_REPORT.value, organisation_id=veilig_thuis_id,
                      valid_from=today,
                      valid_until=today + timedelta(days=rule.days) if rule.days else None,
                      case_id=case_id, registered_by=actor.actor_id,
                      not_informed_reason=not_informed[0] if not_informed else None,
                      not_informed_until=not_informed[1] if not_informed else None)
    _registered(session, actor, mandate)
    return mandate


def _own(session: Session, actor: Principal, mandate_id: str) -> Mandate:
    mandate = session.get(Mandate, mandate_id)
    if mandate is None or mandate.organisation_id != actor.organisation_id:
        raise NotFound("No such mandate.")
    return mandate


def get(session: Session, *, actor: Principal, mandate_id: str) -> MandateView:
    return _view(session, _own(session, actor, mandate_id))


def end(session: Session, *, actor: Principal, mandate_id: str, on: date) -> MandateView:
    """The organisation ends its own ground (a measure lifted, an investigation closed): from
    `on` the door no longer finds a basis in it."""
    found = session.get(Mandate, mandate_id)
    if found is not None:  # narrows access: no read may decide on what it saw before
        lock_household_for_change(session, found.household_id)
    mandate = _own(session, actor, mandate_id)
    if mandate.ended_on is not None:
        raise Conflict("This mandate was ended already.", code="mandate_ended")
    if on < mandate.valid_from:
        raise Invalid("A mandate ends on or after the day it began.", code="mandate_end_date")
    mandate.ended_on = on
    session.flush()
    record(session, Record(Action.MANDATE_END, actor, subject_id=mandate.subject_id,
                           role=mandate.kind, object_type="mandate", object_id=mandate.id))
    return _view(session, mandate)


def mandates(session: Session, *, actor: Principal, subject_id: str | None
             ) -> list[MandateView]:
    """The caller's organisation's mandates; with `subject_id`, for the household's team
    every mandate on that child (who holds a legal ground). Nothing about people the caller
    does not know."""
    query = select(Mandate).order_by(Mandate.valid_from, Mandate.id)
    if subject_id is not None:
        query = query.where(Mandate.subject_id == subject_id)
        facts = load_household(session, member_id=subject_id)
        if facts is None or not facts.in_team(actor):
            query = query.where(Mandate.organisation_id == actor.organisation_id)
    else:
        query = query.where(Mandate.organisation_id == actor.organisation_id)
    return [_view(session, m) for m in session.scalars(query)]
