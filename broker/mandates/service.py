"""Mandates: a legal ground of Veilig Thuis, a GI or the Raad on one child for a stated
period (a report or an investigation, an OTS or voogdij with the court's decision, an
investigation of the Raad). The household's team registers one it was told of; the
organisation itself registers its own once it is involved with the family; a report made
through the broker registers one for Veilig Thuis. Nobody grants itself a stranger's file.
The door permits `legal_duty` only within a mandate in force, for what the policy gives its
kind."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.clock import local_day, now
from broker.db import new_id
from broker.disclosure.capacity import age_on
from broker.disclosure.door import Item, disclose_each, unseal
from broker.disclosure.engine import MandateFact
from broker.disclosure.facts import (
    HouseholdFacts,
    load_household,
    load_households,
    lock_household_for_change,
)
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.mandates.models import Mandate
from broker.mandates.schemas import MandateCreate
from broker.policy.schema import MandateKind
from broker.vault.service import existing_data_key, writable_key

REPORT_KINDS = {MandateKind.VT_REPORT, MandateKind.VT_INVESTIGATION}  # no court reference
SEEING = "veiligheid"  # the category a mandate is read under: the child's safety


@dataclass(frozen=True)
class MandateView:
    mandate: Mandate
    status: str
    source: str
    reference: str | None


def _in_force(mandate: Mandate, today: date) -> str:
    fact = MandateFact(mandate.id, mandate.kind, mandate.organisation_id, mandate.valid_from,
                       mandate.valid_until, mandate.ended_on)
    return "active" if fact.in_force(today) else (
        "planned" if today < mandate.valid_from else "ended")


def _context(mandate_id: str) -> str:
    return f"mandate-reference:{mandate_id}"


def _facts(session: Session, actor: Principal, subject_id: str) -> HouseholdFacts:
    """The child's household, for a professional involved with it; 404 for anyone else, as
    for a person who does not exist."""
    facts = load_household(session, member_id=subject_id)
    if facts is None or subject_id not in facts.members or actor.professional_id is None \
            or not facts.involves(actor, now()):
        raise NotFound("No such person.")
    return facts


def register(session: Session, *, actor: Principal, body: MandateCreate) -> MandateView:
    """The household's team registers a ground it was told of (a court decision, a report
    Veilig Thuis received), or the organisation registers its own while involved with the
    family (403 `not_own_mandate` otherwise). The kind must be its party's (422
    `mandate_kind`), the subject a child, the period within the policy's term."""
    facts = _facts(session, actor, body.subject_id)
    if body.organisation_id != actor.organisation_id and not facts.in_team(actor):
        raise Forbidden("An organisation registers its own legal ground; the household's "
                        "team registers one it was told of.", code="not_own_mandate")
    policy = audit_context(session).policy
    party, rule = policy.mandates[body.kind.value]
    organisation = session.get(Organisation, body.organisation_id)
    if organisation is None or organisation.party != party:
        raise Invalid(f"A mandate of kind {body.kind.value} is held by a {party}.",
                      code="mandate_kind", party=party)
    born = facts.members[body.subject_id].birth_date
    adult = policy.consent.capacity.adult_from
    if age_on(born, body.valid_from) >= adult:
        raise Invalid("A mandate is about a child (under 18).", code="not_a_child")
    if body.kind not in REPORT_KINDS and body.reference is None:
        raise Invalid("Name the court decision or request (reference).",
                      code="reference_required")
    latest = body.valid_from + timedelta(days=rule.days) if rule.days \
        else born.replace(year=born.year + adult) if (born.month, born.day) != (2, 29) \
        else date(born.year + adult, 3, 1)
    valid_until = body.valid_until or latest
    if valid_until > latest:
        raise Invalid(f"A mandate of kind {body.kind.value} lasts until {latest} at most.",
                      code="mandate_too_long", latest=latest.isoformat())
    if valid_until <= local_day(now()):
        raise Invalid("This mandate has already ended.", code="mandate_period")
    mandate_id = new_id()  # the sealed reference is bound to it
    mandate = Mandate(
        id=mandate_id, household_id=facts.household_id, subject_id=body.subject_id,
        kind=body.kind.value, organisation_id=body.organisation_id,
        valid_from=body.valid_from, valid_until=valid_until, registered_by=actor.actor_id,
        reference=writable_key(session, facts.household_id).seal(
            _context(mandate_id), body.reference) if body.reference is not None else None)
    _registered(session, actor, mandate)
    return _views(session, actor, [mandate])[0]


def _registered(session: Session, actor: Principal, mandate: Mandate) -> None:
    session.add(mandate)
    session.flush()
    record(session, Record(Action.MANDATE_REGISTER, actor, subject_id=mandate.subject_id,
                           role=mandate.kind, object_type="mandate", object_id=mandate.id))


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


def _known(session: Session, actor: Principal, mandate_id: str) -> Mandate:
    """A mandate, for its organisation and the household's team; 404 for anyone else."""
    mandate = session.get(Mandate, mandate_id)
    if mandate is None:
        raise NotFound("No such mandate.")
    if mandate.organisation_id != actor.organisation_id:
        facts = load_household(session, household_id=mandate.household_id)
        if facts is None or not facts.in_team(actor):
            raise NotFound("No such mandate.")
    return mandate


def get(session: Session, *, actor: Principal, mandate_id: str) -> MandateView:
    found = _views(session, actor, [_known(session, actor, mandate_id)])
    if not found:
        raise NotFound("No such mandate.")
    return found[0]


def end(session: Session, *, actor: Principal, mandate_id: str, on: date) -> MandateView:
    """Its organisation or the household's team ends a ground (a measure lifted, an
    investigation closed): from `on` the door no longer finds a basis in it."""
    found = session.get(Mandate, mandate_id)
    if found is not None:  # narrows access: no read may decide on what it saw before
        lock_household_for_change(session, found.household_id)
    mandate = _known(session, actor, mandate_id)
    if mandate.ended_on is not None:
        raise Conflict("This mandate was ended already.", code="mandate_ended")
    if on < mandate.valid_from:
        raise Invalid("A mandate ends on or after the day it began.", code="mandate_end_date")
    mandate.ended_on = on
    session.flush()
    record(session, Record(Action.MANDATE_END, actor, subject_id=mandate.subject_id,
                           role=mandate.kind, object_type="mandate", object_id=mandate.id))
    return get(session, actor=actor, mandate_id=mandate_id)


def mandates(session: Session, *, actor: Principal, subject_id: str | None
             ) -> list[MandateView]:
    """The caller's organisation's mandates; with `subject_id`, for the household's team
    every mandate on that child (who holds a legal ground). Nothing about people the caller
    does not know."""
    query = select(Mandate).order_by(Mandate.valid_from, Mandate.id)
    own = Mandate.organisation_id == actor.organisation_id
    if subject_id is not None:
        facts = load_household(session, member_id=subject_id)
        team = facts is not None and facts.in_team(actor)
        query = query.where(Mandate.subject_id == subject_id, *(() if team else (own,)))
    else:
        query = query.where(own)
    return _views(session, actor, list(session.scalars(query)))


def _views(session: Session, actor: Principal, found: Sequence[Mandate]) -> list[MandateView]:
    """Each mandate as the caller may see it: read under the child's safety through the door
    (its organisation reads its own; the team what its file holds), recorded; the court's
    reference opened under that decision."""
    households = load_households(session, [m.household_id for m in found])
    shown, items = [], []
    for mandate in found:
        facts = households.get(mandate.household_id)
        if facts is None:
            continue
        holder = actor.organisation_id if mandate.organisation_id == actor.organisation_id \
            else facts.regisseur_organisation_id
        shown.append(mandate)
        items.append(Item(facts.subjects[mandate.subject_id], SEEING, holder, "mandate",
                          mandate.id))
    decisions = disclose_each(session, actor=actor, items=items, purpose="hulpverlening") \
        if items else []
    policy, today = audit_context(session).policy, local_day(now())
    return [MandateView(m, _in_force(m, today), policy.mandates[m.kind][1].source,
                        unseal(d, existing_data_key(session, m.household_id), _context(m.id),
                               m.reference) if m.reference else None)
            for m, d in zip(shown, decisions, strict=True) if d.permitted]
