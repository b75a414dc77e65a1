"""Part 3 of the family page: destruction of one person's file on request (Jeugdwet art.
7.3.9). A youth asks for their own file from 12, the custodians for a child under 16
(`policies/retention.yaml`); the privacy officer decides within three months. Destroying
crypto-shreds what is that person's alone (their data key) and erases their name, BSN and
e-mail; the rest of the family's file stays readable and the audit log, which holds no
content, stays whole. A refusal names one of the two statutory grounds."""

from calendar import monthrange
from contextlib import suppress
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record, record_all
from broker.clock import local_day, now
from broker.disclosure.capacity import age_on
from broker.disclosure.facts import HouseholdFacts, load_household, lock_household_for_change
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.family.models import DestructionRequest, RequestStatus
from broker.households import service as households
from broker.households.models import Household, Member
from broker.identity.models import Role
from broker.identity.principal import Principal
from broker.observations.service import move_to_person_keys
from broker.plans import service as plans
from broker.vault.models import MemberKey
from broker.vault.service import Destroyed, data_key, destroy_data_key

ROLE = "household_member"


class NotEntitled(Invalid):
    code, title = "not_entitled_to_ask", "Not entitled to ask for this destruction"


def _check_entitled(session: Session, facts: HouseholdFacts, asker: str, subject: str) -> None:
    """A youth asks for their own file from `own_from`; a custodian for a child under
    `custodians_until`; an adult for themselves. Nobody else (422 `not_entitled_to_ask`)."""
    rules = audit_context(session).policy.retention.destruction
    today = local_day(now())
    person = facts.subjects[subject].person
    age = age_on(person.birth_date, today)
    if asker == subject and age < rules.own_from:
        raise NotEntitled(f"Voor een kind onder de {rules.own_from} vragen alleen de "
                          f"gezaghebbenden om vernietiging ({rules.source}).")
    if asker != subject and (asker not in person.custodians
                             or age >= rules.custodians_until):
        raise NotEntitled(f"Om vernietiging van dit dossier vraagt alleen de persoon zelf, of "
                          f"voor een kind onder de {rules.custodians_until} een gezaghebbende "
                          f"({rules.source}).")


def request_destruction(session: Session, *, member: Principal, subject_id: str | None = None
                        ) -> DestructionRequest:
    """A member asks on their page: for their own file, or a child's in their custody."""
    assert member.member_id is not None
    facts = load_household(session, member_id=member.member_id)
    subject = subject_id or member.member_id
    if facts is None or subject not in facts.members:
        raise NotFound("No such person.")
    return _ask(session, member, facts, member.member_id, subject)


def record_request(session: Session, *, actor: Principal, household_id: str, member_id: str,
                   subject_id: str) -> DestructionRequest:
    """The household's team records a request a family member made in person or by letter."""
    facts = households.team_facts(session, actor, household_id)
    if member_id not in facts.members or subject_id not in facts.members:
        raise NotFound("No such person.")
    return _ask(session, actor, facts, member_id, subject_id)


def _ask(session: Session, actor: Principal, facts: HouseholdFacts, asker: str,
         subject: str) -> DestructionRequest:
    _check_entitled(session, facts, asker, subject)
    if session.scalar(select(DestructionRequest.id).where(
            DestructionRequest.household_id == facts.household_id,
            DestructionRequest.subject_id == subject,
            DestructionRequest.status == RequestStatus.OPEN)):
        raise Conflict("Er is al om vernietiging van dit dossier gevraagd; binnen drie "
                       "maanden hoort u wat er besloten is.", code="request_open")
    asked = now()
    months = audit_context(session).policy.retention.destruction.decide_within_months
    request = DestructionRequest(household_id=facts.household_id, member_id=asker,
                                 subject_id=subject, requested_at=asked,
                                 due_on=_months_later(local_day(asked), months))
    session.add(request)
    session.flush()
    record(session, Record(Action.DESTRUCTION_REQUEST, actor,
                           role=ROLE if actor.member_id else None, subject_id=subject,
                           object_type="destruction_request", object_id=request.id))
    return request


def _months_later(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (30 November for 31 August)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def subject_of(request: DestructionRequest) -> str:
    return request.subject_id or request.member_id


def open_requests(session: Session, *, actor: Principal) -> list[DestructionRequest]:
    """The privacy officer's list; the read is recorded (who asked is personal data)."""
    _privacy_officer(actor)
    requests = list(session.scalars(select(DestructionRequest).order_by(
        DestructionRequest.status != RequestStatus.OPEN, DestructionRequest.due_on)))
    record_all(session, [Record(Action.READ, actor, subject_id=subject_of(r),
                                object_type="destruction_request", object_id=r.id)
                         for r in requests])
    return requests


def _privacy_officer(actor: Principal) -> None:
    if not actor.has_role(Role.PRIVACY_OFFICER):
        raise Forbidden("Requests for destruction are decided by the privacy officer.",
                        code="wrong_role")


def decide(session: Session, *, actor: Principal, request_id: str, destroy: bool,
           reason: str | None, ground: str | None = None) -> DestructionRequest:
    """Destroy: that person's data key is destroyed (what is theirs alone is unreadable for
    good) and their name, BSN and e-mail erased. Refuse: on one of the statutory grounds
    (422 `refusal_ground`), with an explanation the family reads (422 `reason_required`)."""
    _privacy_officer(actor)
    request = session.get(DestructionRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound("No such request.")
    if request.status != RequestStatus.OPEN:
        raise Conflict("This request was decided already.", code="decided")
    rules = audit_context(session).policy.retention.destruction
    if not destroy and ground not in rules.refusal_grounds:
        raise Invalid("A refusal names its statutory ground: "
                      f"{', '.join(rules.refusal_grounds)} ({rules.source} lid 3).",
                      code="refusal_ground", grounds=list(rules.refusal_grounds))
    if not destroy and not reason:
        raise Invalid("A refusal needs an explanation for the family.", code="reason_required")
    lock_household_for_change(session, request.household_id)
    if destroy:
        erase_person(session, actor, request.household_id, subject_of(request))
        request.status = RequestStatus.DESTROYED
    else:
        assert reason is not None
        try:
            request.reason = data_key(session, request.household_id).seal(
                f"destruction:{request.id}", reason)
        except Destroyed:
            raise Conflict("This family's data was erased already.", code="decided") from None
        request.status, request.ground = RequestStatus.REFUSED, ground
    request.decided_by, request.decided_at = actor.actor_id, now()
    session.flush()
    record(session, Record(Action.DESTRUCTION_DECISION, actor, subject_id=subject_of(request),
                           object_type="destruction_request", object_id=request.id))
    return request


def erase_person(session: Session, actor: Principal | None, household_id: str,
                 member_id: str) -> None:
    """Crypto-shred what is one person's alone (first moving what an older version sealed
    under the household's key to theirs), erase their name, BSN and e-mail (the birth date
    stays: without a name it identifies nobody, and the age rules keep working), and the
    parts of the plans about nobody else (`plans.forget`). Once every member's file is
    destroyed, the household's shared texts and label go too."""
    move_to_person_keys(session, household_id, member_id)
    with suppress(Conflict):  # destroyed before: the name still goes
        destroy_data_key(session, actor=actor, household_id=household_id, member_id=member_id)
    member = session.get(Member, member_id)
    assert member is not None
    member.given_name, member.family_name, member.bsn, member.email = "—", "—", None, None
    members = set(session.scalars(select(Member.id).where(Member.household_id == household_id)))
    destroyed = set(session.scalars(select(MemberKey.member_id).where(
        MemberKey.household_id == household_id, MemberKey.wrapped.is_(None))))
    plans.forget(session, household_id, destroyed)
    if members <= destroyed:
        with suppress(Conflict):
            destroy_data_key(session, actor=actor, household_id=household_id)
        household = session.get(Household, household_id)
        assert household is not None
        household.label = "Vernietigd dossier"


def request_is_due(request: DestructionRequest, today: date) -> bool:
    return request.status == RequestStatus.OPEN and today > request.due_on
