"""Part 2 of the family page: items kept from one member. The household's team may refuse a
parent a named item when giving it would conflict with good care of the child (WGBO 7:457,
Jeugdwet 7.3.10), with a reason and a review day; a youth of 12 to 15 may keep their own
items from their parents. Each is recorded; the privacy officer sees them all."""

import re
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record, record_all
from broker.clock import local_day, now
from broker.disclosure.capacity import age_on
from broker.disclosure.facts import HouseholdFacts
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.family.models import Withholding, WithholdingKind
from broker.family.schemas import PrivateCreate, WithholdingCreate, WithholdingRenew
from broker.households import service as households
from broker.identity.principal import Principal
from broker.observations.models import Observation
from broker.plans.models import Plan, PlanAction
from broker.vault.service import writable_key

ITEM_TYPES = ("plan_goal", "plan_action", "observation")
GOAL_PRIORITY = re.compile(r"[1-9]|1[0-9]|20")  # as the plan names it: '<plan id>:<1..20>'


def in_force(withholding: Withholding, today: date) -> bool:
    """Until ended; the team's until its review day, unless renewed before it."""
    return withholding.ended_at is None and (
        withholding.review_on is None or today < withholding.review_on)


def withheld_from(session: Session, member_id: str) -> set[tuple[str, str]]:
    """The items (type, id) kept from this member today."""
    today = local_day(now())
    return {(w.object_type, w.object_id) for w in session.scalars(
        select(Withholding).where(Withholding.member_id == member_id,
                                  Withholding.ended_at.is_(None),
                                  or_(Withholding.review_on.is_(None),
                                      Withholding.review_on > today)))}


def _who(actor: Principal) -> str:
    """Who made or ended a withholding: the professional, or the youth ('member:<id>')."""
    return actor.actor_id or f"member:{actor.member_id}"


def _item_in_household(session: Session, household_id: str, object_type: str,
                       object_id: str) -> bool:
    if object_type == "plan_goal":
        plan_id, _, priority = object_id.partition(":")
        plan = session.get(Plan, plan_id)
        return plan is not None and plan.household_id == household_id \
            and GOAL_PRIORITY.fullmatch(priority) is not None
    if object_type == "plan_action":
        action = session.get(PlanAction, object_id)
        plan = session.get(Plan, action.plan_id) if action else None
        return plan is not None and plan.household_id == household_id
    observation = session.get(Observation, object_id) if object_type == "observation" else None
    return observation is not None and observation.household_id == household_id


def withhold(session: Session, *, actor: Principal, household_id: str,
             body: WithholdingCreate) -> Withholding:
    """The team keeps a named item from a named parent, with a reason the family page does
    not show and a review day at most the policy's term ahead."""
    facts = households.team_facts(session, actor, household_id)
    member = facts.members.get(body.member_id)
    if member is None or member.role == "child":
        raise Invalid("Items are kept from a parent or another adult of the household.",
                      code="withhold_member")
    _check_item(session, household_id, body.object_type, body.object_id)
    _check_review(session, body.review_on)
    withholding = Withholding(household_id=household_id, member_id=body.member_id,
                              object_type=body.object_type, object_id=body.object_id,
                              kind=WithholdingKind.CARE, review_on=body.review_on,
                              created_by=_who(actor))
    session.add(withholding)
    session.flush()
    withholding.reason = writable_key(session, household_id).seal(
        f"withholding:{withholding.id}", body.reason)
    record(session, Record(Action.WITHHOLD, actor, subject_id=body.member_id,
                           object_type="withholding", object_id=withholding.id))
    return withholding


def _check_item(session: Session, household_id: str, object_type: str, object_id: str) -> None:
    if not _item_in_household(session, household_id, object_type, object_id):
        raise Invalid("Name a plan goal ('<plan id>:<priority>'), a plan action or an "
                      "observation of this household.", code="withhold_item")


def _check_review(session: Session, review_on: date) -> None:
    term = audit_context(session).policy.consent.family_page.withhold_review_max_days
    today = local_day(now())
    if not today < review_on <= today + timedelta(days=term):
        raise Invalid(f"A review day is after today and at most {term} days ahead.",
                      code="review_on")


def renew(session: Session, *, actor: Principal, withholding_id: str, body: WithholdingRenew
          ) -> Withholding:
    """A new review day, set before the old one passed (409 `withholding_lapsed` after)."""
    withholding = _own(session, actor, withholding_id)
    if not in_force(withholding, local_day(now())):
        raise Conflict("This item is no longer kept from the parent; keep it again with a new "
                       "reason.", code="withholding_lapsed")
    _check_review(session, body.review_on)
    withholding.review_on = body.review_on
    session.flush()
    record(session, Record(Action.WITHHOLD, actor, subject_id=withholding.member_id,
                           object_type="withholding", object_id=withholding.id))
    return withholding


def end(session: Session, *, actor: Principal, withholding_id: str) -> Withholding:
    """The team shows the item again."""
    withholding = _own(session, actor, withholding_id)
    return _end(session, actor, withholding)


def _own(session: Session, actor: Principal, withholding_id: str) -> Withholding:
    """The team's own withholding; a youth's wish is theirs alone to end (403
    `youth_withholding`)."""
    withholding = session.get(Withholding, withholding_id, with_for_update=True)
    if withholding is None:
        raise NotFound("No such withholding.")
    households.team_facts(session, actor, withholding.household_id)
    if withholding.kind != WithholdingKind.CARE:
        raise Forbidden("The youth asked to keep this from their parents; only they show it "
                        "again.", code="youth_withholding")
    return withholding


def _end(session: Session, actor: Principal, withholding: Withholding) -> Withholding:
    if withholding.ended_at is None:
        withholding.ended_at, withholding.ended_by = now(), _who(actor)
        session.flush()
        record(session, Record(Action.WITHHOLD_END, actor, subject_id=withholding.member_id,
                               object_type="withholding", object_id=withholding.id))
    return withholding


def of_household(session: Session, *, actor: Principal, household_id: str
                 ) -> list[Withholding]:
    """The household's withholdings, for its team; the read is recorded."""
    households.team_facts(session, actor, household_id)
    return _read(session, actor, Withholding.household_id == household_id)


def all_withholdings(session: Session, *, actor: Principal) -> list[Withholding]:
    """Every withholding, for the privacy officer's supervision; the read is recorded."""
    return _read(session, actor)


def _read(session: Session, actor: Principal, *criteria: object) -> list[Withholding]:
    found = list(session.scalars(select(Withholding).where(*criteria)  # type: ignore[arg-type]
                                 .order_by(Withholding.created_at)))
    record_all(session, [Record(Action.READ, actor, subject_id=w.member_id,
                                object_type="withholding", object_id=w.id) for w in found])
    return found


# --- A youth keeps their own items from their parents ---------------------------------------

def keep_private(session: Session, *, member: Principal, facts: HouseholdFacts,
                 body: PrivateCreate, about_me: set[tuple[str, str]]) -> list[Withholding]:
    """A youth of 12 to 15 keeps one of their own items from every custodian: it must be
    about them alone (`about_me`); 403 `not_a_youth` for anyone else."""
    assert member.member_id is not None
    rules = audit_context(session).policy.consent.family_page
    person = facts.subjects[member.member_id].person
    age = age_on(person.birth_date, local_day(now()))
    if not rules.keep_private_from <= age < rules.custodians_see_until or not person.custodians:
        raise Forbidden("Only a youth whose parents see their file can keep items from them.",
                        code="not_a_youth")
    if (body.object_type, body.object_id) not in about_me:
        raise NotFound("No such item.")
    existing = {w.member_id for w in session.scalars(select(Withholding).where(
        Withholding.object_type == body.object_type, Withholding.object_id == body.object_id,
        Withholding.kind == WithholdingKind.YOUTH, Withholding.ended_at.is_(None)))}
    made = [Withholding(household_id=facts.household_id, member_id=custodian,
                        object_type=body.object_type, object_id=body.object_id,
                        kind=WithholdingKind.YOUTH, created_by=_who(member))
            for custodian in sorted(person.custodians - existing)]
    session.add_all(made)
    session.flush()
    record_all(session, [Record(Action.WITHHOLD, member, role="household_member",
                                subject_id=member.member_id, object_type="withholding",
                                object_id=w.id) for w in made])
    return made


def share_again(session: Session, *, member: Principal, object_type: str, object_id: str
                ) -> None:
    """The youth shows an item they kept private to their parents again."""
    for withholding in session.scalars(select(Withholding).where(
            Withholding.object_type == object_type, Withholding.object_id == object_id,
            Withholding.kind == WithholdingKind.YOUTH, Withholding.created_by == _who(member),
            Withholding.ended_at.is_(None)).with_for_update()):
        _end(session, member, withholding)
