"""The consent registry: grant, withdraw, history, re-consent due, dry-run decisions."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record, record_all
from broker.clock import local_day, now
from broker.consent.models import Consent, ConsentGrantor, ConsentGuardian, ConsentWithdrawal
from broker.consent.schemas import ConsentCreate, DecisionCreate
from broker.disclosure.capacity import (
    Required,
    missing_grantors,
    required_for,
    required_grantors,
)
from broker.disclosure.door import Names, disclose
from broker.disclosure.engine import Decision, SubjectFacts
from broker.disclosure.facts import (
    HouseholdFacts,
    consents_with_history,
    household_facts,
    load_household,
    lock_household_for_change,
)
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.households import service as households
from broker.identity.models import Organisation, Role
from broker.identity.principal import Principal
from broker.policy import Policy
from broker.vault.service import Destroyed, data_key


class Status(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class CapacityError(Invalid):
    code, title = "capacity", "The wrong people grant this consent"


def status_of(consent: Consent, withdrawn_at: datetime | None, at: datetime) -> Status:
    if withdrawn_at is not None and withdrawn_at <= at:
        return Status.WITHDRAWN
    if at >= consent.valid_until:
        return Status.EXPIRED
    return Status.PENDING if at < consent.valid_from else Status.ACTIVE


def _check_terms(session: Session, body: ConsentCreate, policy: Policy) -> None:
    unknown = [c for c in body.categories if c not in policy.categories] + \
        [p for p in body.purposes if p not in policy.purposes] + \
        [r.party for r in body.recipients if r.party and r.party not in policy.parties]
    if unknown:
        raise Invalid(f"Unknown terms: {', '.join(unknown)}.", code="unknown_term")
    for recipient in body.recipients:
        if recipient.organisation_id and session.get(Organisation,
                                                     recipient.organisation_id) is None:
            raise Invalid("A recipient organisation does not exist.", code="unknown_recipient")
    rules = {rule.category: rule for rule in policy.consent.rules}
    method = body.evidence.method
    for category in body.categories:
        rule = rules.get(category)
        allowed = (rule.evidence_methods if rule and rule.evidence_methods
                   else policy.consent.special_category_evidence if policy.is_special(category)
                   else policy.consent.evidence_methods)
        if method not in allowed:
            raise Invalid(f"Consent for {category} needs explicit evidence "
                          f"({', '.join(allowed)}), not {method!r}.", code="evidence")


def _period(body: ConsentCreate, policy: Policy) -> tuple[datetime, datetime]:
    rules = {rule.category: rule for rule in policy.consent.rules}
    longest = min([policy.consent.max_period_days,
                   *(days for c in body.categories
                     if c in rules and (days := rules[c].max_period_days) is not None)])
    start = body.valid_from or now()
    until = body.valid_until or start + timedelta(days=longest)
    if start.tzinfo is None or until.tzinfo is None:
        raise Invalid("Times need an offset.", code="naive_time")
    if until <= start:
        raise Invalid("valid_until must be after valid_from.", code="invalid_period")
    if until - start > timedelta(days=longest):
        raise Invalid(f"A consent for these categories lasts at most {longest} days.",
                      code="period_too_long", max_days=longest)
    return start, until


def grant_consent(session: Session, *, actor: Principal, body: ConsentCreate,
                  meeting_id: str | None = None) -> Consent:
    """Record consent; refused (422 capacity) unless exactly the entitled people grant it."""
    if not actor.has_role(Role.REGISSEUR, Role.PARTNER):
        raise Forbidden("Only a regisseur or partner records consent.", code="wrong_role")
    household = households.visible_facts(session, actor, member_id=body.subject_id)
    facts = household.subjects[body.subject_id]
    policy = audit_context(session).policy
    _check_terms(session, body, policy)
    start, until = _period(body, policy)
    required = required_for(facts.person, local_day(now()), policy.consent.capacity,
                            body.categories)
    grantors = set(body.grantor_ids)
    missing = missing_grantors(required, frozenset(grantors))
    not_entitled = sorted(grantors - {r.member_id for r in required})
    if missing or not_entitled:
        raise CapacityError(
            "Consent must be granted by exactly the people entitled to it.",
            missing=[{"member_id": r.member_id, "role": r.role.value} for r in missing],
            not_entitled=not_entitled)
    guardians = grantors & facts.person.guardians
    if guardians - {actor.organisation_id} or (guardians and actor.professional_id is None):
        raise Forbidden("A GI grants as guardian by one of its own professionals.",
                        code="not_the_guardian")
    consent = Consent(household_id=household.household_id, subject_id=body.subject_id,
                      categories=sorted(set(body.categories)),
                      recipients=[r.model_dump(exclude_none=True) for r in body.recipients],
                      purposes=sorted(set(body.purposes)), evidence_method=body.evidence.method,
                      evidence_reference=body.evidence.reference, recorded_by=actor.actor_id,
                      recorded_by_organisation_id=actor.organisation_id, meeting_id=meeting_id,
                      valid_from=start, valid_until=until)
    session.add(consent)
    session.flush()
    session.add_all(ConsentGrantor(consent_id=consent.id, member_id=g)
                    for g in sorted(grantors - guardians))
    session.add_all(ConsentGuardian(consent_id=consent.id, organisation_id=g,
                                    professional_id=actor.professional_id or "")
                    for g in sorted(guardians))
    session.flush()
    record(session, Record(Action.CONSENT_GRANT, actor, subject_id=body.subject_id,
                           categories=consent.categories, purpose=consent.purposes[0],
                           consent_ids=[consent.id], object_type="consent",
                           object_id=consent.id))
    return consent


def _sealed_reason(session: Session, consent: Consent, reason: str) -> bytes | None:
    """The reason is free text about the family: sealed, or (its data erased) not kept."""
    try:
        return data_key(session, consent.household_id).seal(f"consent-withdrawal:{consent.id}",
                                                             reason)
    except Destroyed:
        return None


def withdraw_consent(session: Session, *, actor: Principal, consent_id: str, grantor_id: str,
                     reason: str | None) -> Consent:
    """Any one of the entitled grantors ends the consent, at once; history is kept."""
    consent = _for_change(session, consent_id)
    household = households.visible_facts(session, actor, household_id=consent.household_id)
    if not actor.has_role(Role.REGISSEUR, Role.PARTNER):
        raise Forbidden("Only a regisseur or partner records a withdrawal.", code="wrong_role")
    return _withdraw(session, actor, consent, household, grantor_id, reason)


def withdraw_own_consent(session: Session, *, member: Principal, consent_id: str) -> Consent:
    """A parent or youth withdraws, on the family page, a consent they are entitled to end."""
    consent = _for_change(session, consent_id)
    household = load_household(session, household_id=consent.household_id)
    if household is None or member.member_id not in household.members:
        raise NotFound("No such consent.")
    return _withdraw(session, member, consent, household, member.member_id, None)


def _for_change(session: Session, consent_id: str) -> Consent:
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise NotFound("No such consent.")
    lock_household_for_change(session, consent.household_id)
    return consent


def _withdraw(session: Session, actor: Principal, consent: Consent, household: HouseholdFacts,
              grantor_id: str, reason: str | None) -> Consent:
    facts = household.subjects[consent.subject_id]
    (fact,) = [c for c in facts.consents if c.id == consent.id]
    if fact.withdrawn_at is not None:
        raise Conflict("This consent was withdrawn already.", code="already_withdrawn")
    if grantor_id not in entitled_to_withdraw(session, facts, consent.id):
        raise Invalid("This person is not entitled to withdraw this consent.",
                      code="not_entitled")
    guardian = grantor_id in facts.person.guardians | set(fact.grantors) - set(household.members)
    if guardian and grantor_id != actor.organisation_id:
        raise Forbidden("A GI withdraws as guardian by one of its own professionals.",
                        code="not_the_guardian")
    sealed = _sealed_reason(session, consent, reason) if reason else None
    session.add(ConsentWithdrawal(consent_id=consent.id,
                                  member_id=None if guardian else grantor_id,
                                  organisation_id=grantor_id if guardian else None,
                                  reason=sealed, recorded_by=actor.actor_id or "self"))
    session.flush()
    record(session, Record(Action.CONSENT_WITHDRAW, actor, subject_id=consent.subject_id,
                           categories=consent.categories, consent_ids=[consent.id],
                           object_type="consent", object_id=consent.id))
    return consent


def entitled_to_withdraw(session: Session, facts: SubjectFacts, consent_id: str) -> set[str]:
    """Who may end a consent: whoever granted it, and whoever would have to sign it today."""
    (fact,) = [c for c in facts.consents if c.id == consent_id]
    policy = audit_context(session).policy
    return set(fact.grantors) | {r.member_id for r in required_for(
        facts.person, local_day(now()), policy.consent.capacity, sorted(fact.categories))
        if r.member_id}


@dataclass(frozen=True)
class ConsentView:
    consent: Consent
    grantors: list[str]
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    status: Status


def consents_of_subject(session: Session, *, actor: Principal, subject_id: str
                        ) -> list[ConsentView]:
    households.visible_facts(session, actor, member_id=subject_id)
    views = consent_views_of(session, [subject_id])
    _record_read(session, actor, subject_id, [v.consent.id for v in views])
    return views


def consent_views_of(session: Session, subject_ids: list[str]) -> list[ConsentView]:
    """Every consent about these people, unrecorded: a professional's read records it
    (`consents_of_subject`), and so does the family page its own view."""
    return _views(session, Consent.subject_id.in_(subject_ids))


def _record_read(session: Session, actor: Principal, subject_id: str, ids: list[str]) -> None:
    """Consent details are personal data: every read by someone involved is recorded."""
    record(session, _read(actor, subject_id, ids))


def _read(actor: Principal, subject_id: str, ids: list[str]) -> Record:
    return Record(Action.READ, actor, subject_id=subject_id, consent_ids=ids,
                  object_type="consent", purpose="hulpverlening")


def consent_view(session: Session, *, actor: Principal, consent_id: str) -> ConsentView:
    consent = session.get(Consent, consent_id)
    try:
        if consent is None:
            raise NotFound("No such household.")
        households.require_visible_household(session, actor, consent.household_id)
    except NotFound:  # the same answer whether it exists or is not the caller's to see
        raise NotFound("No such consent.") from None
    _record_read(session, actor, consent.subject_id, [consent.id])
    return _views(session, Consent.id == consent_id)[0]


def household_consents(session: Session, *, actor: Principal, household_id: str,
                       naming_caller: bool = False) -> list[ConsentView]:
    """The household's consents (or only those naming the caller's organisation or party),
    for those involved; each read recorded per person."""
    households.require_visible_household(session, actor, household_id)
    views = _views(session, Consent.household_id == household_id)
    if naming_caller:
        views = [v for v in views if any(r.get("organisation_id") == actor.organisation_id
                                          or r.get("party") == actor.party
                                          for r in v.consent.recipients)]
    by_subject: dict[str, list[str]] = {}
    for view in views:
        by_subject.setdefault(view.consent.subject_id, []).append(view.consent.id)
    record_all(session, [_read(actor, subject_id, ids) for subject_id, ids in by_subject.items()])
    return views


def fhir_consent(session: Session, *, actor: Principal, consent_id: str
                 ) -> tuple[list[ConsentView], dict[str, str]]:
    """One consent for FHIR, with the names of the organisations it names; the read recorded."""
    views = [consent_view(session, actor=actor, consent_id=consent_id)]
    return views, organisation_names(session, views)


def fhir_search(session: Session, *, actor: Principal, subject_id: str
                ) -> tuple[list[ConsentView], dict[str, str]]:
    """A FHIR search by patient: a person the caller may not see finds nothing, exactly as a
    person who does not exist (a search answers an empty Bundle, not 404)."""
    try:
        views = consents_of_subject(session, actor=actor, subject_id=subject_id)
    except NotFound:
        return [], {}
    return views, organisation_names(session, views)


def organisation_names(session: Session, views: list[ConsentView]) -> dict[str, str]:
    """The names of the organisations these consents name (as recipient or recorder)."""
    ids = {r["organisation_id"] for v in views for r in v.consent.recipients
           if r.get("organisation_id")} | {v.consent.recorded_by_organisation_id for v in views}
    if not ids:
        return {}
    return {org.id: org.name for org in session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)))}


def _views(session: Session, *criteria: object) -> list[ConsentView]:
    at = now()
    rows = consents_with_history(session, *criteria)
    withdrawals = {consent_id: member_id for consent_id, member_id in session.execute(
        select(ConsentWithdrawal.consent_id, ConsentWithdrawal.member_id)
        .where(ConsentWithdrawal.consent_id.in_([c.id for c, _, _ in rows])))}
    return [ConsentView(c, sorted(g), w, withdrawals.get(c.id) if w else None,
                        status_of(c, w, at))
            for c, g, w in sorted(rows, key=lambda row: row[0].created_at)]


@dataclass(frozen=True)
class ReconsentDue:
    consent: Consent
    missing: tuple[Required, ...]
    former: tuple[str, ...] = ()  # grantors who no longer decide (custody changed)


def reconsent_due(session: Session, household_id: str) -> list[ReconsentDue]:
    """Active consents that stopped counting because a child turned 12 or 16 (or custody
    changed, or a youth was judged unable to weigh their interests), or that were granted
    by someone who no longer decides (a parent whose custody ended): the regisseur must ask
    the right people again."""
    at = now()
    policy = audit_context(session).policy
    facts = household_facts(session, household_id)
    due = []
    for consent, grantors, withdrawn in consents_with_history(
            session, Consent.household_id == household_id):
        if status_of(consent, withdrawn, at) is not Status.ACTIVE:
            continue
        person = facts[consent.subject_id].person
        required = required_for(person, local_day(at), policy.consent.capacity,
                                consent.categories)
        missing = missing_grantors(required, frozenset(grantors))
        # Who signed as a custodian and holds custody no longer (not a youth turning 16,
        # whose parents keep custody but no longer sign).
        former = tuple(sorted(set(grantors) - {r.member_id for r in required} - {person.id}
                              - person.custodians - person.guardians))
        if missing or former:
            due.append(ReconsentDue(consent, missing, former))
    return due


def dry_run(session: Session, *, actor: Principal, body: DecisionCreate) -> Decision:
    """POST /decisions: what the door would answer, recorded as a decision (no disclosure),
    for those involved with the household; for anyone else the person does not exist (404).
    Reasons name only the people whose names the caller may see."""
    household = households.visible_facts(session, actor, member_id=body.subject_id)
    facts = household.subjects[body.subject_id]
    names = Names(session, actor=actor, household=household, purpose=body.purpose)
    recipient_org, party = body.recipient.organisation_id, body.recipient.party
    if recipient_org is not None:
        organisation = session.get(Organisation, recipient_org)
        if organisation is None:
            raise Invalid("The recipient organisation does not exist.",
                          code="unknown_recipient")
        party = organisation.party
    return disclose(session, actor=actor, facts=facts, category=body.category,
                    purpose=body.purpose, recipient=(recipient_org, party or ""), names=names,
                    submitted_by_organisation_id=body.holder_organisation_id, dry_run=True)


def required_signers(session: Session, *, actor: Principal, subject_id: str,
                     categories: list[str] | None = None) -> tuple[Required, ...]:
    """Who must sign a consent about this person (about these categories) today: the form
    shows it before saving."""
    facts = households.visible_facts(session, actor, member_id=subject_id).subjects[subject_id]
    capacity = audit_context(session).policy.consent.capacity
    if categories:
        return required_for(facts.person, local_day(now()), capacity, categories)
    return required_grantors(facts.person, local_day(now()), capacity)
