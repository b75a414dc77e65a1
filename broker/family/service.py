"""The family page: a parent or youth (12+) opens it with a personal link from their
regisseur, and sees what was shared about them and the children in their custody under 16 —
never about the other parent — with whom, when and why; their consents, which they may
withdraw; their plan. Every view is recorded. Items may be kept from one member
(`withholdings`); a member may ask for a person's file to be destroyed (`destruction`)."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.queries import ReportLine, disclosure_lines, organisation_names
from broker.audit.recording import Action, Record, record, record_all
from broker.clock import local_day, now
from broker.consent import service as consents
from broker.consent.models import Consent
from broker.disclosure.capacity import age_on
from broker.disclosure.door import for_family, unseal
from broker.disclosure.engine import Decision
from broker.disclosure.facts import HouseholdFacts, load_household
from broker.errors import Invalid, NotFound, Unauthorized
from broker.family import withholdings
from broker.family.activity import Activity, group
from broker.family.models import (
    DestructionRequest,
    FamilyLink,
    FamilySession,
    Withholding,
    WithholdingKind,
)
from broker.family.schemas import PrivateCreate
from broker.households import service as households
from broker.households.models import Member
from broker.identity.models import Organisation, Team
from broker.identity.principal import Principal, PrincipalKind
from broker.identity.service import sha256_hex
from broker.mail import service as mail
from broker.mail.transport import plain_message
from broker.meldcode import service as meldcode
from broker.plans import service as plans
from broker.vault.service import (
    DataKey,
    existing_data_key,
)

LINK_DAYS = 14
SESSION_HOURS = 2
ROLE = "household_member"


class TooYoung(Invalid):
    code, title = "too_young", "Children under 12 get no page of their own"


def member_principal(member_id: str) -> Principal:
    return Principal(kind=PrincipalKind.MEMBER, organisation_id="", party="",
                     roles=frozenset({ROLE}), member_id=member_id)


# --- Links and sessions ---------------------------------------------------------------------

@dataclass(frozen=True)
class NewLink:
    link: FamilyLink
    url: str
    sent_to: str | None


def create_link(session: Session, *, actor: Principal, household_id: str, member_id: str,
                send: bool = True) -> NewLink:
    """The household's regisseur makes a personal link for a parent or a youth (12+) and
    e-mails it when the member has an address. The link is shown once and used once."""
    facts = households.directed_facts(session, actor, household_id)
    member = facts.members.get(member_id)
    if member is None:
        raise NotFound("No such person.")
    own_page_from = audit_context(session).policy.consent.family_page.own_page_from
    if member.role == "child" and age_on(member.birth_date, local_day(now())) < own_page_from:
        raise TooYoung(f"A child under {own_page_from} has no page of their own; their "
                       "parents see theirs.")
    token = secrets.token_urlsafe(32)
    link = FamilyLink(member_id=member_id, token_hash=sha256_hex(token),
                      created_by=actor.actor_id,
                      expires_at=now() + timedelta(days=LINK_DAYS))
    session.add(link)
    session.flush()
    settings = audit_context(session).settings
    url = f"{settings.base_url}/mijn/link/{token}"
    address = session.scalar(select(Member.email).where(Member.id == member_id))
    if send and address:
        _mail(session, address, url)
    record(session, Record(Action.FAMILY_LINK, actor, subject_id=member_id,
                           object_type="family_link", object_id=link.id))
    return NewLink(link, url, address if send else None)


def _mail(session: Session, address: str, url: str) -> None:
    """Plain Dutch, and no name: the page itself says who it is about, after the link."""
    settings = audit_context(session).settings
    message = plain_message(
        settings, address, "Uw persoonlijke link: wat er over u gedeeld is",
        "Goedendag,\n\nMet deze link ziet u welke informatie hulpverleners over u (en uw "
        "kinderen) hebben gedeeld, met wie en waarom. U kunt er ook uw toestemming "
        f"intrekken.\n\n{url}\n\nDe link werkt één keer en is {LINK_DAYS} dagen geldig. "
        "Vraag uw regisseur om een nieuwe als hij verlopen is.\n")
    mail.enqueue(session, [message], kind="family_link")


class LinkUnusable(NotFound):
    """A personal link that does not open the page: `reason` is unknown, used or expired;
    for a link that existed, `team` and `organisation` name whom to ask for a new one (the
    team of the household's regisseur: who sent it, nothing about the family)."""

    code, title = "link_invalid", "This link does not work (any more)"

    def __init__(self, reason: str, team: str | None = None,
                 organisation: str | None = None) -> None:
        super().__init__("This link does not work (any more); ask your regisseur for a new "
                         "one.", reason=reason)
        self.reason, self.team, self.organisation = reason, team, organisation


def _usable(session: Session, token: str, *, lock: bool = False) -> FamilyLink:
    query = select(FamilyLink).where(FamilyLink.token_hash == sha256_hex(token))
    link = session.scalar(query.with_for_update() if lock else query)
    if link is None:
        raise LinkUnusable("unknown")
    if link.used_at is not None or now() >= link.expires_at:
        team, organisation = _sender(session, link.member_id)
        raise LinkUnusable("used" if link.used_at is not None else "expired", team,
                           organisation)
    return link


def _sender(session: Session, member_id: str) -> tuple[str | None, str | None]:
    """The team and organisation of the household's regisseur, to ask for a new link."""
    household_id = session.scalar(select(Member.household_id).where(Member.id == member_id))
    facts = load_household(session, household_id=household_id) if household_id else None
    if facts is None:
        return None, None
    team = session.get(Team, facts.team_id) if facts.team_id else None
    organisation = session.get(Organisation, facts.regisseur_organisation_id) \
        if facts.regisseur_organisation_id else None
    return team.name if team else None, organisation.name if organisation else None


def check_link(session: Session, *, token: str) -> None:
    """Whether a link still opens the page (GET: changes nothing); raises LinkUnusable."""
    _usable(session, token)


def open_link(session: Session, *, token: str) -> str:
    """Use a link: it opens a session of SESSION_HOURS; returns the session's secret."""
    link = _usable(session, token, lock=True)
    link.used_at = now()
    raw = secrets.token_urlsafe(32)
    session.add(FamilySession(id_hash=sha256_hex(raw), member_id=link.member_id,
                              expires_at=now() + timedelta(hours=SESSION_HOURS)))
    session.flush()
    return raw


def session_member(session: Session, raw: str | None) -> Principal:
    """The member behind a family session cookie; 401 without a live one."""
    found = session.get(FamilySession, sha256_hex(raw)) if raw else None
    if found is None or now() >= found.expires_at:
        raise Unauthorized("Open de pagina met uw persoonlijke link.", code="no_family_session")
    return member_principal(found.member_id)


def end_session(session: Session, raw: str | None) -> None:
    found = session.get(FamilySession, sha256_hex(raw)) if raw else None
    if found is not None:
        session.delete(found)


# --- What the member sees -------------------------------------------------------------------

def scope(facts: HouseholdFacts, member_id: str, today: date, until: int) -> list[str]:
    """The member and the children in their custody under `until` (16): whose data they may
    see."""
    children = [m for m in facts.members.values() if m.role == "child"
                and member_id in facts.subjects[m.id].person.custodians
                and age_on(m.birth_date, today) < until]
    return [member_id, *(c.id for c in sorted(children, key=lambda c: c.birth_date))]


def shows(member_id: str, people: list[str], adults: set[str], subjects: list[str]) -> bool:
    """Does a member see an item about these subjects? When it is only about them and the
    children whose file they see, or about them together with other adults (a goal of both
    parents): never an item only about another adult, nor one about a child whose file is
    not theirs to see (another's child, a youth of 16 or older)."""
    return set(subjects) <= set(people) | (adults if member_id in subjects else set())


@dataclass(frozen=True)
class ConsentLine:
    view: consents.ConsentView
    may_withdraw: bool


@dataclass(frozen=True)
class Overview:
    member_id: str
    facts: HouseholdFacts
    people: list[str]  # the member first, then the children whose data they see
    disclosures: list[ReportLine]
    consents: list[ConsentLine]
    organisations: dict[str, str]
    plan: dict[str, Any] | None  # perspective, goals and actions; None without a plan
    activity: Activity  # the disclosures per organisation and month, routine views folded
    requests: list[tuple[DestructionRequest, str | None]]  # with the reason of a refusal
    # A youth of 12 to 15: their own items they may keep from their parents, with whether
    # they do ((type, id) -> kept private); empty for anyone else.
    private: dict[tuple[str, str], bool]


def _household(session: Session, member: Principal) -> tuple[HouseholdFacts, list[str]]:
    assert member.member_id is not None
    household_id = session.scalar(select(Member.household_id)
                                  .where(Member.id == member.member_id))
    facts = load_household(session, household_id=household_id) if household_id else None
    if facts is None:
        raise NotFound("No such person.")
    until = audit_context(session).policy.consent.family_page.custodians_see_until
    return facts, scope(facts, member.member_id, local_day(now()), until)


def disclosures(session: Session, *, member: Principal) -> tuple[list[str], list[ReportLine]]:
    """What was shared about the member and the children they see (GET /me/disclosures)."""
    _, people = _household(session, member)
    lines = _visible(session, disclosure_lines(session, people), member)
    _record_view(session, member, people, "disclosures")
    return people, lines


def overview(session: Session, *, member: Principal) -> Overview:
    """The whole family page; one view recorded per person shown."""
    facts, people = _household(session, member)
    lines = _visible(session, disclosure_lines(session, people), member)
    views = sorted(consents.consent_views_of(session, people),  # per person, oldest first
                   key=lambda v: people.index(v.consent.subject_id))
    entitled = {v.consent.id: member.member_id in consents.entitled_to_withdraw(
        session, facts.subjects[v.consent.subject_id], v.consent.id) for v in views}
    grant = for_family(facts, member)
    key = existing_data_key(session, facts.household_id)
    requests = [(r, unseal(grant, key, f"destruction:{r.id}", r.reason))
                for r in session.scalars(select(DestructionRequest).where(or_(
                    DestructionRequest.member_id == member.member_id,
                    DestructionRequest.subject_id.in_(people)))
                    .order_by(DestructionRequest.requested_at))]
    _record_view(session, member, people, "overview")
    hidden = withholdings.withheld_from(session, member.member_id or "")
    plan = _plan(session, facts, member.member_id or "", people, grant, key, hidden)
    organisations = organisation_names(session, {
        *(r.get("organisation_id") for v in views for r in v.consent.recipients),
        *(a.owner_organisation_id for a, _ in (plan or {}).get("actions", []))})
    return Overview(member.member_id or "", facts, people, lines,
                    [ConsentLine(v, entitled[v.consent.id] and v.status.value in
                                 ("active", "pending")) for v in views],
                    organisations, plan,
                    group(lines, people=people, regisseur_id=facts.regisseur_professional_id,
                          regisseur_organisation_id=facts.regisseur_organisation_id),
                    requests, _private(session, facts, member, plan, lines))


def given_names(session: Session, people: list[str]) -> dict[str, str]:
    """How the page addresses the member and names their children: given names only."""
    return {member_id: name for member_id, name in session.execute(
        select(Member.id, Member.given_name).where(Member.id.in_(people)))}


def _visible(session: Session, lines: list[ReportLine], member: Principal) -> list[ReportLine]:
    """Disclosures under an override are shown once the date to inform the parents has
    passed; those the family is not to be told of (an override's or a report's sealed
    reason) once the restriction's review day has passed without a renewal. Lines about an
    item kept from this member are not shown to them."""
    kept = withholdings.withheld_from(session, member.member_id or "")
    lines = [line for line in lines if (line.object_type, line.object_id) not in kept]
    overrides = {o for line in lines for o in line.override_ids}
    reports = {m for line in lines for m in _about_mandates(line)}
    if not overrides and not reports:
        return lines
    hidden = meldcode.untold(session, override_ids=overrides, mandate_ids=reports)
    return [line for line in lines
            if not hidden & (set(line.override_ids) | _about_mandates(line))]


def _about_mandates(line: ReportLine) -> set[str]:
    """The mandates a line rests on, or is a read of (its organisation looking at it)."""
    return set(line.mandate_ids) | (
        {line.object_id} if line.object_type == "mandate" and line.object_id else set())


def _record_view(session: Session, member: Principal, people: list[str], what: str) -> None:
    record_all(session, [Record(Action.FAMILY_VIEW, member, role=ROLE, subject_id=person,
                                object_type=what) for person in people])


def _plan(session: Session, facts: HouseholdFacts, member_id: str, people: list[str],
          grant: Decision, key: DataKey | None, hidden: set[tuple[str, str]]
          ) -> dict[str, Any] | None:
    """The plan as this member sees it: the goals and actions about them, or only about the
    children whose file they see, less what is kept from them; the perspective, which
    speaks of the whole plan, only when they see every goal."""
    plan = plans.latest_plan(session, facts.household_id)
    if plan is None:
        return None
    content = plans.opened(grant, key, plan) or {}
    adult_from = audit_context(session).policy.consent.capacity.adult_from
    today = local_day(now())
    adults = {m.id for m in facts.members.values()
              if age_on(m.birth_date, today) >= adult_from}
    goals = [g | {"subject_ids": subjects, "item": f"{plan.id}:{g['priority']}"}
             for g, (_, subjects) in zip(content.get("goals", []),
                                         plans.plan_goal_groups(plan, facts, content),
                                         strict=True)]
    shown = [g | {"description": plans.goal_text(session, grant, plan, g)} for g in goals
             if shows(member_id, people, adults, g["subject_ids"])
             and ("plan_goal", g["item"]) not in hidden]
    by_priority = {g["priority"]: g for g in shown}
    return {"version": plan.version,
            "perspective": content.get("perspective") if len(shown) == len(goals) else None,
            "goals": shown,
            "actions": [(a, plans.action_text(session, grant, plan, a))
                        for a in plans.plan_actions(session, plan) if a.goal in by_priority
                        and shows(member_id, people, adults,
                                  plans.action_subjects(a, by_priority))
                        and ("plan_action", a.id) not in hidden],
            "next_evaluation": plan.next_evaluation}


def _private(session: Session, facts: HouseholdFacts, member: Principal,
             plan: dict[str, Any] | None, lines: list[ReportLine]
             ) -> dict[tuple[str, str], bool]:
    """A youth whose parents see their file: the items about them alone (their goals and
    actions, the observations shared about them) and whether they keep each private."""
    mine = _about_me_alone(session, facts, member, plan, lines)
    if not mine:
        return {}
    kept = {(w.object_type, w.object_id) for w in session.scalars(select(Withholding).where(
        Withholding.kind == WithholdingKind.YOUTH, Withholding.household_id == facts.household_id,
        Withholding.ended_at.is_(None)))}
    return {item: item in kept for item in mine}


def _about_me_alone(session: Session, facts: HouseholdFacts, member: Principal,
                    plan: dict[str, Any] | None, lines: list[ReportLine]
                    ) -> list[tuple[str, str]]:
    """The items a youth may keep private: about them alone, while their parents see
    their file (from `keep_private_from` until `custodians_see_until`)."""
    rules = audit_context(session).policy.consent.family_page
    keep_private_from, custodians_see_until = rules.keep_private_from, rules.custodians_see_until
    me = member.member_id or ""
    person = facts.subjects[me].person
    if not person.custodians or not keep_private_from <= age_on(
            person.birth_date, local_day(now())) < custodians_see_until:
        return []
    alone = [me]
    goals = [("plan_goal", g["item"]) for g in (plan or {}).get("goals", [])
             if g["subject_ids"] == alone]
    by_priority = {g["priority"]: g for g in (plan or {}).get("goals", [])}
    actions = [("plan_action", a.id) for a, _ in (plan or {}).get("actions", [])
               if plans.action_subjects(a, by_priority) == alone]
    observations = [("observation", line.object_id) for line in lines
                    if line.subject_id == me and line.object_type == "observation"
                    and line.object_id]
    return list(dict.fromkeys([*goals, *actions, *observations]))


def keep_private(session: Session, *, member: Principal, body: PrivateCreate
                 ) -> list[Withholding]:
    """A youth keeps one of their own items from their parents (POST /me/private)."""
    facts, people = _household(session, member)
    lines = _visible(session, disclosure_lines(session, people), member)
    plan = _plan(session, facts, member.member_id or "", people, for_family(facts, member),
                 existing_data_key(session, facts.household_id), set())
    return withholdings.keep_private(
        session, member=member, facts=facts, body=body,
        about_me=set(_about_me_alone(session, facts, member, plan, lines)))


def withdraw(session: Session, *, member: Principal, consent_id: str) -> None:
    _, people = _household(session, member)
    consent = session.get(Consent, consent_id)
    if consent is None or consent.subject_id not in people:
        raise NotFound("No such consent.")
    consents.withdraw_own_consent(session, member=member, consent_id=consent_id)
