"""Load what `decide()` needs about a household: members, custody, consents with grantors and
withdrawals, overrides, mandates, meetings and the regisseur. Kept per process under the
household's revision (the count of its `household_changes` rows, which database triggers
write with every change), so a decision usually costs two statements: the lock and the
revision."""

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import (
    JSON,
    CompoundSelect,
    Engine,
    Select,
    String,
    and_,
    bindparam,
    event,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from broker.clock import local_day, now
from broker.consent.models import Consent, ConsentGrantor, ConsentGuardian, ConsentWithdrawal
from broker.db import hold_lock
from broker.disclosure.capacity import Person
from broker.disclosure.engine import ConsentFact, MandateFact, OverrideFact, SubjectFacts
from broker.disclosure.overrides import OverrideTimes, in_force
from broker.households.models import (
    Custody,
    HouseholdChange,
    Incapacity,
    Member,
    RegisseurAssignment,
    Representation,
)
from broker.identity.models import Professional
from broker.identity.principal import Principal
from broker.mandates.models import Mandate
from broker.meetings.models import Invitee, Meeting, MeetingStatus
from broker.meldcode.models import MeldcodeCase, Override, OverrideEvent


def consent_fact(consent: Any, grantors: list[str], withdrawn_at: datetime | None
                 ) -> ConsentFact:
    return ConsentFact(
        id=consent.id, categories=frozenset(consent.categories),
        organisations=frozenset(r["organisation_id"] for r in consent.recipients
                                if r.get("organisation_id")),
        parties=frozenset(r["party"] for r in consent.recipients if r.get("party")),
        purposes=frozenset(consent.purposes), grantors=frozenset(grantors),
        valid_from=consent.valid_from, valid_until=consent.valid_until,
        withdrawn_at=withdrawn_at)


def consents_with_history(session: Session, *criteria: Any
                          ) -> list[tuple[Consent, list[str], datetime | None]]:
    """Consents matching `criteria`, each with its grantors and withdrawal time."""
    rows = session.execute(select(Consent, ConsentWithdrawal.withdrawn_at)
                           .outerjoin(ConsentWithdrawal,
                                      ConsentWithdrawal.consent_id == Consent.id)
                           .where(*criteria)).all()
    grantors: dict[str, list[str]] = defaultdict(list)
    if rows:
        ids = [c.id for c, _ in rows]
        for consent_id, grantor in session.execute(union(
                select(ConsentGrantor.consent_id, ConsentGrantor.member_id)
                .where(ConsentGrantor.consent_id.in_(ids)),
                select(ConsentGuardian.consent_id, ConsentGuardian.organisation_id)
                .where(ConsentGuardian.consent_id.in_(ids)))):
            grantors[consent_id].append(grantor)
    return [(c, grantors[c.id], withdrawn) for c, withdrawn in rows]


@dataclass(frozen=True)
class MemberFacts:
    id: str
    ref: str
    given_name: str
    family_name: str
    birth_date: date
    role: str


@dataclass(frozen=True)
class HouseholdFacts:
    household_id: str
    regisseur_professional_id: str | None
    regisseur_organisation_id: str | None
    members: dict[str, MemberFacts]
    subjects: dict[str, SubjectFacts]
    # organisations invited (or whose professional is) to a meeting still to be held
    invitees: frozenset[str] = frozenset()
    team_id: str | None = None  # the regisseur's team, to which the household belongs

    def involves(self, principal: Principal, at: datetime) -> bool:
        """Involvement is granted, never taken. In the regisseur's organisation it follows
        the person: the regisseur and the members of the household's team (colleagues
        standing in, the team's lead); other teams and the organisation's systems without a
        professional are not involved. Other organisations are involved while named in a
        consent or an override in force for a member, or invited to a meeting still to be
        held. Sharing an observation does not make an organisation involved: it sees its own
        submissions, not the household's file."""
        if principal.organisation_id == self.regisseur_organisation_id:
            return self.in_team(principal)
        return principal.organisation_id in self.partners(at)

    def in_team(self, principal: Principal) -> bool:
        """The regisseur, or a member of the household's team."""
        return bool(principal.professional_id) and (
            principal.professional_id == self.regisseur_professional_id
            or (self.team_id is not None and self.team_id in principal.team_ids))

    def reaches_own(self, principal: Principal) -> bool:
        """May the caller reach what its own organisation holds about the household (its
        submissions, its meldcode cases and overrides)? In the regisseur's organisation only
        the regisseur and the household's team do; elsewhere its organisation's professionals
        and systems."""
        return principal.organisation_id != self.regisseur_organisation_id \
            or self.in_team(principal)

    def partners(self, at: datetime) -> set[str]:
        """Organisations named in a consent or an override in force for a member, holding a
        mandate in force for a child or custody of one (a GI as guardian), or invited to a
        meeting still to be held. Being asked for information does not make an organisation
        involved: it sees the request."""
        return {org for member in self.subjects for org in self.around(member, at)} \
            | self.invitees

    def around(self, member_id: str, at: datetime) -> set[str]:
        """The organisations with a ground of their own about this member: named in a
        consent or an override in force for them, holding a mandate in force for them, or
        their guardian."""
        facts, day = self.subjects[member_id], local_day(at)
        return {org for c in facts.consents if c.in_force(at) for org in c.organisations} \
            | {org for o in facts.overrides if o.valid_from <= at < o.valid_until
               for org in o.organisations} \
            | {m.organisation_id for m in facts.mandates if m.in_force(day)} \
            | facts.person.guardians

    def about_the_children(self) -> SubjectFacts:
        """Whom a record about the whole family (a plan, a meeting) is decided on: the eldest
        child (the strictest capacity rules apply from 12), or the first member if there is
        no child."""
        children = sorted((m for m in self.members.values() if m.role == "child"),
                          key=lambda m: m.birth_date)
        member = children[0] if children else next(iter(self.members.values()))
        return self.subjects[member.id]

    def children(self) -> list[str]:
        """The children, eldest first: whom a record about the family's children (the
        safety picture, a plan goal that names nobody) is about; every member if none."""
        children = sorted((m for m in self.members.values() if m.role == "child"),
                          key=lambda m: m.birth_date)
        return [m.id for m in children] or list(self.members)

    def adults(self) -> list[str]:
        """The parents and other adults: whom the ZRM scores are about; the children if
        there are none."""
        return [m.id for m in self.members.values() if m.role != "child"] or self.children()

    def short_names(self) -> dict[str, str]:
        """'S. Jansen': how reasons name people, and only to those involved."""
        return {m.id: f"{m.given_name[:1]}. {m.family_name}" for m in self.members.values()}


HOUSEHOLD_LOCKS = 1  # the namespace of household locks (`hold_lock`)


def lock_household_for_change(session: Session, household_id: str) -> None:
    """Taken before a change that narrows what may be disclosed (a withdrawal, a revocation),
    and before anything else in that transaction loads the household: a read that loaded
    the household's facts before the change commits first, and one that loads them after
    sees the change. Without it a read could decide on facts loaded just before a withdrawal
    and commit just after it, disclosing what was withdrawn (issue 10, races)."""
    hold_lock(session, HOUSEHOLD_LOCKS, household_id, shared=False)


class Statements(NamedTuple):
    members: Select[Any]
    consents: Select[Any]
    invitees: CompoundSelect[Any]
    overrides: Select[Any]
    mandates: Select[Any]
    persons: CompoundSelect[Any]


def _statements() -> Statements:
    """The queries that load a household (`household_id`); custody, judgements of
    capacity and representatives as they stand on the day `today`."""
    today: Any = bindparam("today")
    household: Any = bindparam("household_id")
    regisseur = (select(RegisseurAssignment)
                 .where(RegisseurAssignment.household_id == household)
                 .order_by(RegisseurAssignment.assigned_at.desc()).limit(1).subquery())
    in_force = and_(Custody.child_id == Member.id,
                    or_(Custody.started_on.is_(None), Custody.started_on <= today),
                    or_(Custody.ended_on.is_(None), Custody.ended_on > today))
    members = (select(Member.household_id, Member.id, Member.ref, Member.given_name,
                      Member.family_name, Member.birth_date, Member.role,
                      Custody.custodian_id, Custody.custodian_organisation_id,
                      regisseur.c.professional_id, regisseur.c.organisation_id,
                      regisseur.c.team_id)
               .outerjoin(Custody, in_force)
               .outerjoin(regisseur, regisseur.c.household_id == Member.household_id)
               .where(Member.household_id == household))
    consents = (select(Consent.id, Consent.subject_id, Consent.categories, Consent.recipients,
                       Consent.purposes, Consent.valid_from, Consent.valid_until,
                       ConsentWithdrawal.withdrawn_at, ConsentGrantor.member_id,
                       ConsentGuardian.organisation_id.label("guardian"))
                .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
                .outerjoin(ConsentGrantor, ConsentGrantor.consent_id == Consent.id)
                .outerjoin(ConsentGuardian, ConsentGuardian.consent_id == Consent.id)
                .where(Consent.household_id == household))
    # Organisations around the family besides consents and overrides: those invited (or
    # whose professional is) to a meeting still to be held (polling or scheduled).
    live = (Meeting.household_id == household,
            Meeting.status.in_([MeetingStatus.POLLING, MeetingStatus.SCHEDULED]))
    invitees: CompoundSelect[Any] = union(
        select(Invitee.organisation_id).join(Meeting, Meeting.id == Invitee.meeting_id)
        .where(Invitee.organisation_id.is_not(None), *live),
        select(Professional.organisation_id)
        .join(Invitee, Invitee.professional_id == Professional.id)
        .join(Meeting, Meeting.id == Invitee.meeting_id).where(*live))
    columns: tuple[Any, ...] = (
        Override.id, Override.subject_ids, Override.categories, Override.recipient_ids,
        Override.organisation_id, Override.urgent, Override.created_at, Override.valid_until,
        Override.review_due, OverrideEvent.kind, OverrideEvent.at)
    overrides = (select(*columns)
                 .outerjoin(OverrideEvent, OverrideEvent.override_id == Override.id)
                 .where(Override.household_id == household))
    grounds: tuple[Any, ...] = (
        Mandate.id, Mandate.subject_id, Mandate.kind, Mandate.organisation_id,
        Mandate.valid_from, Mandate.valid_until, Mandate.ended_on,
        MeldcodeCase.organisation_id.label("reporter"))
    mandates = (select(*grounds)
                .outerjoin(MeldcodeCase, MeldcodeCase.id == Mandate.case_id)
                .where(Mandate.household_id == household))
    # Who decides for a person besides the custodians: a youth judged unable to weigh their
    # interests ('incapable'), an adult's curator or mentor (the kind, and who).
    persons: CompoundSelect[Any] = union_all(
        select(Incapacity.subject_id, literal("incapable").label("kind"),
               literal(None, String).label("representative_id"), Incapacity.categories)
        .where(Incapacity.household_id == household, Incapacity.valid_from <= today,
               Incapacity.valid_until > today,
               or_(Incapacity.ended_on.is_(None), Incapacity.ended_on > today)),
        select(Representation.subject_id, Representation.kind,
               Representation.representative_id, literal(None, JSON).label("categories"))
        .where(Representation.household_id == household, Representation.valid_from <= today,
               or_(Representation.ended_on.is_(None), Representation.ended_on > today)))
    return Statements(members, consents, invitees, overrides, mandates, persons)


# Built once: they run on every disclosure, and building a statement costs more than running it.
_BY_HOUSEHOLD = _statements()


def _override_facts(rows: Sequence[Any]) -> dict[str, tuple[OverrideFact, ...]]:
    """Each subject's overrides with the window in which they permit (none while pending)."""
    events: dict[str, dict[str, datetime]] = defaultdict(dict)
    found = {}
    for row in rows:
        found[row.id] = row
        if row.kind:
            events[row.id][row.kind] = row.at
    by_subject: dict[str, list[OverrideFact]] = defaultdict(list)
    for row in found.values():
        window = in_force(OverrideTimes(row.urgent, row.created_at, row.valid_until,
                                        row.review_due, events[row.id]))
        if window is None:
            continue
        fact = OverrideFact(row.id, frozenset(row.categories), frozenset(row.recipient_ids),
                            *window, holder_organisation_id=row.organisation_id)
        for subject_id in row.subject_ids:
            by_subject[subject_id].append(fact)
    return {subject: tuple(facts) for subject, facts in by_subject.items()}


def load_household(session: Session, *, household_id: str | None = None,
                   member_id: str | None = None) -> HouseholdFacts | None:
    """Everything the door needs about one household (by its id or a member's id). The
    household's revision is read under its lock: facts this process loaded at that revision
    today are used again, as are those loaded earlier in this transaction; otherwise they are
    loaded (`_load`) and kept once this transaction commits, under the revision it read."""
    if household_id is None:
        household_id = session.execute(_HOUSEHOLD_OF, {"member_id": member_id}).scalar()
        if household_id is None:
            return None
    # Shared: reads of one household run side by side, but never across a change to it.
    hold_lock(session, HOUSEHOLD_LOCKS, household_id, shared=True)
    postgres = session.get_bind().dialect.name == "postgresql"
    revision, unwritten = session.execute(
        _REVISION_PG if postgres else _REVISION, {"household_id": household_id}).one()
    today = local_day(now())
    seen: dict[str, Seen] = session.info.setdefault(_SEEN, {})
    earlier = seen.get(household_id)
    if earlier is not None and (earlier.revision, earlier.day) == (revision, today):
        return earlier.facts  # loaded earlier in this transaction
    cache = _cache(session)
    facts = cache.get(household_id, revision, today)
    if facts is None:
        facts = _load(session, household_id, today)
        if facts is not None:
            # To be kept at commit only if loaded before this transaction wrote anything: then
            # they are the facts of committed changes alone, whoever commits what next.
            # (SQLite runs one transaction at a time: nothing else commits in between.)
            seen[household_id] = Seen(revision, today, facts, cache if unwritten else None)
    return facts


class Seen(NamedTuple):
    revision: int
    day: date
    facts: HouseholdFacts
    keep_in: "FactsCache | None"  # None: not to be kept


_HOUSEHOLD_OF = select(Member.household_id).where(Member.id == bindparam("member_id"))
_REVISION = select(func.count(), literal(True)).select_from(HouseholdChange).where(
    HouseholdChange.household_id == bindparam("household_id"))
_REVISION_PG = select(func.count(), func.pg_current_xact_id_if_assigned().is_(None)) \
    .select_from(HouseholdChange).where(HouseholdChange.household_id == bindparam("household_id"))
_SEEN = "household_facts_seen"


class FactsCache:
    """A process's households' facts, each under its revision and the day it was loaded on
    (custody, incapacity and representation depend on it); one entry per household, the
    least recently used going first. Only facts a committed transaction read are kept:
    what a transaction that rolls back saw of its own changes never becomes anyone's."""

    SIZE = 4096

    def __init__(self) -> None:
        self._kept: OrderedDict[str, tuple[int, date, HouseholdFacts]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, household_id: str, revision: int, today: date) -> HouseholdFacts | None:
        with self._lock:
            found = self._kept.get(household_id)
            if found is None or found[:2] != (revision, today):
                return None
            self._kept.move_to_end(household_id)
            return found[2]

    def put(self, household_id: str, revision: int, today: date,
            facts: HouseholdFacts) -> None:
        with self._lock:
            self._kept[household_id] = (revision, today, facts)
            self._kept.move_to_end(household_id)
            while len(self._kept) > self.SIZE:
                self._kept.popitem(last=False)


_CACHES: WeakKeyDictionary[Engine, FactsCache] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache(session: Session) -> FactsCache:
    """The cache of the database this session uses (one per engine: a process may serve
    several databases, as the tests do)."""
    engine = session.connection().engine
    with _CACHES_LOCK:
        found = _CACHES.get(engine)
        if found is None:
            found = _CACHES[engine] = FactsCache()
        return found


@event.listens_for(Session, "after_commit")
def _keep(session: Session) -> None:
    """At the commit of the transaction itself; a savepoint's release is no commit (SQLAlchemy
    calls this for both)."""
    if session.in_nested_transaction():
        return
    for household_id, seen in session.info.pop(_SEEN, {}).items():
        if seen.keep_in is not None:
            seen.keep_in.put(household_id, seen.revision, seen.day, seen.facts)


@event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: Any) -> None:
    """The transaction ended without a commit (closed): nothing it saw is kept."""
    if transaction.parent is None:
        session.info.pop(_SEEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    """Any rollback, a savepoint's too: what was loaded may include changes now undone."""
    session.info.pop(_SEEN, None)


def _load(session: Session, household_id: str, today: date) -> HouseholdFacts | None:
    """A household's facts from the database, in six Core queries: members with today's
    custody and the regisseur, consents with grantors, overrides, mandates, who else decides
    for a person (incapacity, representatives), and the organisations invited to a
    meeting."""
    queries, key = _BY_HOUSEHOLD, {"today": today, "household_id": household_id}
    connection = session.connection()
    rows = connection.execute(queries.members, key).all()
    if not rows:
        return None
    members: dict[str, MemberFacts] = {}
    custodians: dict[str, set[str]] = defaultdict(set)
    guardians: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        members[row.id] = MemberFacts(row.id, row.ref, row.given_name, row.family_name,
                                      row.birth_date, row.role)
        if row.custodian_id:
            custodians[row.id].add(row.custodian_id)
        if row.custodian_organisation_id:
            guardians[row.id].add(row.custodian_organisation_id)
    consents: dict[str, Any] = {}
    grantors: dict[str, set[str]] = defaultdict(set)
    for row in connection.execute(queries.consents, key):
        consents[row.id] = row
        grantors[row.id] |= {g for g in (row.member_id, row.guardian) if g}
    by_subject: dict[str, list[ConsentFact]] = defaultdict(list)
    for consent in consents.values():
        by_subject[consent.subject_id].append(
            consent_fact(consent, sorted(grantors[consent.id]), consent.withdrawn_at))
    overrides = _override_facts(connection.execute(queries.overrides, key).all())
    mandates: dict[str, list[MandateFact]] = defaultdict(list)
    for row in connection.execute(queries.mandates, key):
        mandates[row.subject_id].append(MandateFact(
            row.id, row.kind, row.organisation_id, row.valid_from, row.valid_until,
            row.ended_on, row.reporter))
    incapable: dict[str, set[str]] = defaultdict(set)
    representatives = defaultdict(list)
    for row in connection.execute(queries.persons, key):
        if row.kind == "incapable":
            incapable[row.subject_id] |= set(row.categories)
        else:
            representatives[row.subject_id].append((row.representative_id, row.kind))
    first = rows[0]
    subjects = {m.id: SubjectFacts(Person(m.id, m.birth_date, frozenset(custodians[m.id]),
                                          frozenset(guardians[m.id]),
                                          frozenset(incapable[m.id]),
                                          tuple(sorted(representatives[m.id]))),
                                   first.household_id, first.organisation_id,
                                   tuple(by_subject[m.id]), overrides.get(m.id, ()),
                                   mandates=tuple(mandates[m.id]))
                for m in members.values()}
    invitees = frozenset(connection.execute(queries.invitees, key).scalars())
    return HouseholdFacts(first.household_id, first.professional_id, first.organisation_id,
                          members, subjects, invitees, first.team_id)


def load_households(session: Session, household_ids: Sequence[str]
                    ) -> dict[str, HouseholdFacts]:
    """`load_household` for each distinct id of a list (a list read spanning families)."""
    found = {h: load_household(session, household_id=h) for h in dict.fromkeys(household_ids)}
    return {h: facts for h, facts in found.items() if facts is not None}


def reaches_own(session: Session, principal: Principal, household_id: str) -> bool:
    """`HouseholdFacts.reaches_own` for a household by id (False for none)."""
    facts = load_household(session, household_id=household_id)
    return facts is not None and facts.reaches_own(principal)


def household_facts(session: Session, household_id: str) -> dict[str, SubjectFacts]:
    facts = load_household(session, household_id=household_id)
    return facts.subjects if facts else {}
