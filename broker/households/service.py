"""Households: creation with members and custody, who is involved, the regisseur."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import escape
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record, record_all
from broker.clock import local_day, now
from broker.disclosure.capacity import age_on
from broker.disclosure.engine import BASIC_DATA
from broker.disclosure.facts import (
    HouseholdFacts,
    MemberFacts,
    load_household,
    load_households,
)
from broker.errors import Forbidden, Invalid, NotFound
from broker.households.models import Custody, Household, Member, RegisseurAssignment
from broker.households.schemas import HouseholdCreate
from broker.identity.models import Professional, Role, Team
from broker.identity.principal import Principal
from broker.identity.service import teams_of
from broker.web.i18n import gettext_

MAX_CUSTODIANS = 2  # BW 1:251: custody is held by at most two persons


def valid_bsn(bsn: str) -> bool:
    """The elfproef: 9 digits, weights 9..2 and -1, sum divisible by 11 (and not all zero)."""
    if len(bsn) == 8:
        bsn = "0" + bsn
    if len(bsn) != 9 or not bsn.isdigit() or int(bsn) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(bsn, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0


@dataclass(frozen=True)
class MemberProblem:
    """What is wrong with one member of a new household: its ref, the field, a code."""

    ref: str
    field: str
    code: str
    detail: str  # in English, for the API's problem


def member_problems(body: HouseholdCreate, today: date, adult_from: int
                    ) -> list[MemberProblem]:
    """Every broken rule of the members and custody of a new household, in member order."""
    refs = [m.ref for m in body.members]
    if len(set(refs)) != len(refs):
        return [MemberProblem("", "ref", "duplicate_ref", "Every member needs its own ref.")]
    problems = []
    for m in body.members:
        if m.birth_date > today:
            problems.append(MemberProblem(m.ref, "birth_date", "birth_date_in_future",
                                          f"Member {m.ref}: the birth date is in the future."))
        if m.bsn is not None and not valid_bsn(m.bsn):
            problems.append(MemberProblem(m.ref, "bsn", "invalid_bsn",
                                          f"Member {m.ref}: the BSN fails the elfproef."))
    return problems + _custody_problems(body, today, adult_from)


def _custody_problems(body: HouseholdCreate, today: date, adult_from: int
                      ) -> list[MemberProblem]:
    by_ref = {m.ref: m for m in body.members}
    per_child: dict[str, int] = {}
    problems = []
    for link in body.custody:
        custodian, child = by_ref.get(link.custodian), by_ref.get(link.child)
        if custodian is None or child is None:
            problems.append(MemberProblem(link.child, "custody", "unknown_ref",
                                          "Custody names a ref that is not a member."))
        elif custodian.ref == child.ref or age_on(custodian.birth_date, today) < adult_from:
            problems.append(MemberProblem(child.ref, "custody", "custodian_too_young",
                                          f"{custodian.ref} cannot hold custody of "
                                          f"{child.ref}."))
        elif age_on(child.birth_date, today) >= adult_from:
            problems.append(MemberProblem(child.ref, "custody", "adult_child",
                                          f"{child.ref} is an adult; custody ends at "
                                          f"{adult_from}."))
        else:
            per_child[child.ref] = per_child.get(child.ref, 0) + 1
            if per_child[child.ref] == MAX_CUSTODIANS + 1:
                problems.append(MemberProblem(child.ref, "custody", "too_many_custodians",
                                              f"{child.ref} has more than two custodians."))
    if len({(c.custodian, c.child) for c in body.custody}) != len(body.custody):
        problems.append(MemberProblem("", "custody", "custody_twice",
                                      "A custody link is given twice."))
    return problems


def _check_members(body: HouseholdCreate, today: date, adult_from: int) -> None:
    """422 with the code of the first problem (custody: `invalid_custody`); `problems` lists
    them all, each with its member's ref, the field and a code."""
    problems = member_problems(body, today, adult_from)
    if problems:
        first = problems[0]
        code = "invalid_custody" if first.field == "custody" and first.code != "unknown_ref" \
            else first.code
        raise Invalid(first.detail, code=code, problems=[
            {"ref": p.ref, "field": p.field, "code": p.code} for p in problems])


def check_creator(actor: Principal) -> None:
    """Only a regisseur (a person, not a system) creates a household."""
    if actor.professional_id is None or not actor.has_role(Role.REGISSEUR):
        raise Forbidden("Only a regisseur (a person, not a system) creates a household.",
                        code="wrong_role")


def create_household(session: Session, *, actor: Principal, body: HouseholdCreate
                     ) -> Household:
    """The caller, a regisseur, creates the household and becomes its regisseur."""
    check_creator(actor)
    policy = audit_context(session).policy
    _check_members(body, local_day(now()), policy.consent.capacity.adult_from)
    household = Household(label=body.label, created_by_organisation_id=actor.organisation_id)
    session.add(household)
    session.flush()
    ids = {}
    for m in body.members:
        member = Member(household_id=household.id, ref=m.ref, given_name=m.given_name,
                        family_name=m.family_name, birth_date=m.birth_date, role=m.role,
                        bsn=m.bsn, email=m.email)
        session.add(member)
        session.flush()
        ids[m.ref] = member.id
    session.add_all(Custody(household_id=household.id, custodian_id=ids[c.custodian],
                            child_id=ids[c.child]) for c in body.custody)
    session.add(RegisseurAssignment(household_id=household.id,
                                    professional_id=actor.professional_id,
                                    organisation_id=actor.organisation_id,
                                    team_id=household_team(actor.team_ids, body.team_id),
                                    assigned_by=actor.actor_id))
    session.flush()
    record_all(session, [  # one per person: each may ask what was recorded about them
        Record(Action.HOUSEHOLD_CREATE, actor, role=Role.REGISSEUR, subject_id=member_id,
               object_type="household", object_id=household.id,
               categories=["basisgegevens"], purpose="hulpverlening")
        for member_id in sorted(ids.values())])
    return household


def household_team(teams: frozenset[str], requested: str | None) -> str | None:
    """The team a household belongs to under a regisseur: the one asked for (one of the
    regisseur's teams), else the regisseur's only team; None for a regisseur in no team, who
    then directs it alone."""
    if requested is not None:
        if requested not in teams:
            raise Invalid("The regisseur is not a member of that team.", code="not_in_team")
        return requested
    if len(teams) > 1:
        raise Invalid("The regisseur is in several teams: name the household's team "
                      "(team_id).", code="team_required")
    return next(iter(teams), None)


def current_regisseur(session: Session, household_id: str) -> RegisseurAssignment:
    assignment = session.scalar(select(RegisseurAssignment)
                                .where(RegisseurAssignment.household_id == household_id)
                                .order_by(RegisseurAssignment.assigned_at.desc()).limit(1))
    assert assignment is not None, "every household has a regisseur from its creation"
    return assignment


def members_of(session: Session, household_id: str) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.household_id == household_id)
                                .order_by(Member.birth_date)))


def custody_of(session: Session, household_id: str) -> list[Custody]:
    """The household's custody as it stands today."""
    today = local_day(now())
    return [c for c in session.scalars(select(Custody).where(Custody.household_id == household_id))
            if c.in_force(today)]


def visible_facts(session: Session, principal: Principal, *, household_id: str | None = None,
                  member_id: str | None = None) -> HouseholdFacts:
    """The household's facts (by its id or a member's), loaded once; 404 for households the
    caller is not involved with, as for households that do not exist (a 403 would reveal a
    file exists)."""
    facts = load_household(session, household_id=household_id, member_id=member_id)
    if facts is None or (member_id is not None and member_id not in facts.members) \
            or not facts.involves(principal, now()):
        raise NotFound("No such person." if member_id else "No such household.")
    return facts


def team_facts(session: Session, actor: Principal, household_id: str) -> HouseholdFacts:
    """The household's facts for its team (the regisseur, colleagues in the household's
    team): what the family tells its regisseur (a court's decision, a reason to keep something
    from a parent) is recorded there. Another involved organisation: 403; anyone else: 404."""
    facts = visible_facts(session, actor, household_id=household_id)
    if not facts.in_team(actor):
        raise Forbidden("Only the household's team records this.", code="not_the_team")
    return facts


def directed_facts(session: Session, actor: Principal, household_id: str) -> HouseholdFacts:
    """The household's facts, for its current regisseur only; 404 for anyone else."""
    facts = load_household(session, household_id=household_id)
    if facts is None or actor.professional_id is None \
            or facts.regisseur_professional_id != actor.professional_id:
        raise NotFound("No such household.")
    return facts


def require_visible_household(session: Session, principal: Principal, household_id: str
                              ) -> Household:
    visible_facts(session, principal, household_id=household_id)
    household = session.get(Household, household_id)
    assert household is not None, "facts exist only for an existing household"
    return household


def hand_over(session: Session, *, actor: Principal, household_id: str,
              professional_id: str, team_id: str | None = None) -> RegisseurAssignment:
    """The current regisseur (or an administrator) hands direction to another regisseur."""
    household = session.get(Household, household_id) if actor.has_role(Role.ADMIN) \
        else require_visible_household(session, actor, household_id)
    if household is None:
        raise NotFound("No such household.")
    current = current_regisseur(session, household.id)
    if actor.professional_id != current.professional_id and not actor.has_role(Role.ADMIN):
        raise Forbidden("Only the current regisseur or an administrator hands over.",
                        code="wrong_role")
    target = session.get(Professional, professional_id)
    if target is None or not target.active or Role.REGISSEUR not in target.roles:
        raise Invalid("Hand over to an active professional with the role regisseur.",
                      code="not_a_regisseur")
    assignment = RegisseurAssignment(
        household_id=household.id, professional_id=target.id,
        organisation_id=target.organisation_id,
        team_id=household_team(teams_of(session, target.id), team_id),
        assigned_by=actor.actor_id)
    session.add(assignment)
    session.flush()
    record(session, Record(Action.REGISSEUR_CHANGE, actor, object_type="household",
                           object_id=household.id,
                           recipient_organisation_id=target.organisation_id))
    return assignment


@dataclass(frozen=True)
class MemberView:
    member: MemberFacts
    shown: bool
    reason: str | None


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    members: list[MemberView]
    custody: list[Custody]
    regisseur: RegisseurAssignment

    @property
    def label(self) -> str:
        """The household's label ('Gezin J.') names the family: shown only to a reader who
        sees some member's basic data."""
        return self.household.label if any(v.shown for v in self.members) else "Huishouden"

    @property
    def family_names(self) -> tuple[str, ...]:
        """The adults' family names this reader may see ('Jansen', 'De Vries'), each once."""
        return family_names([v.member for v in self.members if v.shown])

    def names(self) -> dict[str, str]:
        """How pages name members: full name where the door allowed it, else a neutral
        label by role and birth order ('Kind 1'), never the household's internal ref."""
        counted: dict[str, int] = {}
        names: dict[str, str] = {}
        for v in self.members:
            counted[v.member.role] = counted.get(v.member.role, 0) + 1
            names[v.member.id] = f"{v.member.given_name} {v.member.family_name}" if v.shown \
                else NeutralName(v.member.role, counted[v.member.role])
        return names


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


NEUTRAL_NAMES = {"parent": N_("Ouder %(number)s"), "child": N_("Kind %(number)s"),
                 "other": N_("Gezinslid %(number)s")}


class NeutralName(str):
    """A member whose name this reader may not see: 'Kind 1' by role and birth order (the
    Dutch text as a string; pages show it in the reader's language)."""

    def __new__(cls, role: str, number: int) -> "NeutralName":
        template = NEUTRAL_NAMES.get(role, NEUTRAL_NAMES["other"])
        name = super().__new__(cls, template % {"number": number})
        name.template, name.number = template, number
        return name

    template: str
    number: int

    def __html__(self) -> str:
        return escape(gettext_(self.template) % {"number": self.number})


def view_household(session: Session, *, actor: Principal, household_id: str,
                   purpose: str = "hulpverlening") -> HouseholdView:
    """The household as this caller may see it: each member's name and birth date passes the
    door (category basisgegevens) and is recorded; what may not be shown is withheld."""
    from broker.disclosure.door import Item, disclose_each

    facts = visible_facts(session, actor, household_id=household_id)
    household = session.get(Household, household_id)
    assert household is not None, "facts exist only for an existing household"
    members = sorted(facts.members.values(), key=lambda m: m.birth_date)
    # The reasons for a withheld name name roles, not the people whose names are withheld.
    decisions = disclose_each(session, actor=actor, purpose=purpose,
                              items=[Item(facts.subjects[m.id], "basisgegevens",
                                          object_type="household", object_id=household_id)
                                     for m in members])
    views = [MemberView(member, decision.permitted,
                        None if decision.permitted else "; ".join(decision.reasons))
             for member, decision in zip(members, decisions, strict=True)]
    # Custody links tie people together: shown only between members whose data is shown.
    shown = {v.member.id for v in views if v.shown}
    custody = [c for c in custody_of(session, household_id)
               if {c.custodian_id or c.child_id, c.child_id} <= shown]
    return HouseholdView(household, views, custody, current_regisseur(session, household_id))


def directed_by(*, professional_id: str | None = None,
                team_ids: frozenset[str] | None = None) -> Select[Any]:
    """The ids of the households a professional directs now (or that belong to these teams)."""
    mine, later = aliased(RegisseurAssignment), aliased(RegisseurAssignment)
    superseded = select(later.id).where(later.household_id == mine.household_id,
                                        later.assigned_at > mine.assigned_at).exists()
    who = mine.professional_id == professional_id if professional_id is not None \
        else mine.team_id.in_(team_ids or ())
    return select(mine.household_id).where(who, ~superseded)


def family_names(members: list[MemberFacts]) -> tuple[str, ...]:
    """The adults' family names (every member's where there is no adult), each once, as
    written at the start of a line ('de Vries' -> 'De Vries'), in order of birth."""
    adults = [m for m in members if m.role != "child"] or members
    found = (m.family_name.strip() for m in sorted(adults, key=lambda m: m.birth_date))
    return tuple(dict.fromkeys(name[:1].upper() + name[1:] for name in found if name))


def sort_key(name: str) -> str:
    """Dutch order: 'van der Berg' and "'t Hart" under B and H (the tussenvoegsel skipped)."""
    words = name.split()
    while len(words) > 1 and (words[0][:1].islower() or words[0][:1] in "'’"
                              or words[0].lower() in TUSSENVOEGSELS):
        words = words[1:]
    return " ".join(words).casefold()


TUSSENVOEGSELS = frozenset({"van", "de", "der", "den", "het", "'t", "te", "ter", "ten", "in",
                            "op", "la", "le", "du", "da", "di", "el", "von", "zu", "vd"})


@dataclass(frozen=True)
class HouseholdSummary:
    """A line of the regisseur's list: the family names the caller may see, how many."""

    id: str
    family_names: tuple[str, ...]
    members: int
    children: int
    created_at: datetime


def household_summaries(session: Session, *, actor: Principal) -> list[HouseholdSummary]:
    """The households the caller directs, by the adults' family names (A-Z, the
    tussenvoegsel skipped): each name passes the door (basisgegevens) and is recorded."""
    from broker.disclosure.door import Item, disclose_each

    if actor.professional_id is None:
        return []
    households = list(session.scalars(select(Household).where(
        Household.id.in_(directed_by(professional_id=actor.professional_id)))))
    facts = load_households(session, [h.id for h in households])
    asked = [(h.id, facts[h.id].members[m]) for h in households if h.id in facts
             for m in facts[h.id].adults()]
    decisions = disclose_each(session, actor=actor, purpose="hulpverlening", items=[
        Item(facts[h].subjects[m.id], BASIC_DATA, object_type="household", object_id=h)
        for h, m in asked])
    shown: dict[str, list[MemberFacts]] = {}
    for (h, member), decision in zip(asked, decisions, strict=True):
        if decision.permitted:
            shown.setdefault(h, []).append(member)
    summaries = [HouseholdSummary(
        h.id, family_names(shown.get(h.id, [])), len(facts[h.id].members),
        sum(m.role == "child" for m in facts[h.id].members.values()), h.created_at)
        for h in households if h.id in facts]
    return sorted(summaries, key=lambda s: (not s.family_names,
                                            [sort_key(n) for n in s.family_names],
                                            -s.created_at.timestamp()))


def creation_teams(session: Session, *, actor: Principal) -> list[Team]:
    """The teams a new household may belong to, when the regisseur must choose (several)."""
    if len(actor.team_ids) < 2:
        return []
    return list(session.scalars(select(Team).where(Team.id.in_(actor.team_ids))
                                .order_by(Team.name)))


def households_of_regisseur(session: Session, professional_id: str) -> list[Household]:
    """The households this professional currently directs."""
    return list(session.scalars(select(Household).where(
        Household.id.in_(directed_by(professional_id=professional_id)))
        .order_by(Household.created_at.desc())))
