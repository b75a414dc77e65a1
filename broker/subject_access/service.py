"""The privacy officer's person search and access report (AVG art. 15).

A citizen asks what was done with their data; the officer finds them by name and/or birth
date, for a reason the log records, and opens a report that names them and every staff
member who saw, received or passed on their data."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.labels import SEARCH_REASONS
from broker.audit.queries import ROLE, ReportLine, actor_names, organisation_names, subject_report
from broker.audit.recording import Action, Record, record_all
from broker.errors import Invalid, NotFound
from broker.households.models import Household, Member
from broker.identity.principal import Principal

ERASED = "—"  # what destroying a person's file leaves of their name (family.destruction)
MAX_MATCHES = 25
# A case number ("AVG-2026-014", "zaak 2026/31" without the space): the log is append-only
# and hashed, so what goes in must never be a name; a digit and no spaces keep it a number.
REFERENCE = re.compile(r"(?=.*\d)[A-Za-z0-9][A-Za-z0-9./_-]{0,39}")


@dataclass(frozen=True)
class PersonMatch:
    member_id: str
    given_name: str
    family_name: str
    birth_date: date
    role: str
    household_label: str


def name_words(name: str) -> list[str]:
    """A name as words to compare, without accents, case or punctuation:
    'Özlem Jansen-de Vries' -> ['ozlem', 'jansen', 'de', 'vries']."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name)
                    if not unicodedata.combining(c))
    return re.findall(r"\w+", plain.casefold())


def _matches(wanted: list[str], member: Member) -> bool:
    """Every word searched for is a whole word of the member's name, in any order (a
    partial word finds too many people to show)."""
    words = set(name_words(f"{member.given_name} {member.family_name}"))
    return all(word in words for word in wanted)


def check_search(*, name: str, birth_date: date | None, reason: str, reference: str) -> None:
    """422 `search_needs_name_or_birth_date`, `search_reason_missing` or
    `search_reference_invalid`."""
    if not name_words(name) and birth_date is None:
        raise Invalid("Give a name, a birth date or both.",
                      code="search_needs_name_or_birth_date")
    if reason not in SEARCH_REASONS:
        raise Invalid("Say why you search (one of the listed reasons).",
                      code="search_reason_missing")
    if not REFERENCE.fullmatch(reference):
        raise Invalid("The reference is a case number: letters, digits, . / _ or -, with at "
                      "least one digit, no spaces, at most 40.", code="search_reference_invalid")


def find_persons(session: Session, *, actor: Principal, name: str, birth_date: date | None,
                 reason: str, reference: str) -> list[PersonMatch]:
    """The household members with this name and/or birth date, at most MAX_MATCHES, each
    recorded as read by the officer with the reason and case number (the name searched for
    is not recorded: the matches' pseudonyms are). A destroyed person has no name to find.

    Names are plain columns of `household_members` (not sealed in the vault: the label and
    the names are the file's index), but compared here, in Python, word for word without
    accents or case, which SQL cannot do portably. What that costs: given a birth date, only
    the members born that day are read; without one, every member of every household is
    read and compared once (some 200 rows in the demo; a large municipality would want a
    normalised, indexed name column)."""
    check_search(name=name, birth_date=birth_date, reason=reason, reference=reference)
    wanted = name_words(name)
    query = (select(Member, Household.label).join(Household, Household.id == Member.household_id)
             .where(Member.given_name != ERASED)
             .order_by(Member.family_name, Member.given_name, Member.birth_date))
    if birth_date is not None:
        query = query.where(Member.birth_date == birth_date)
    found = [PersonMatch(m.id, m.given_name, m.family_name, m.birth_date, m.role, label)
             for m, label in session.execute(query) if _matches(wanted, m)][:MAX_MATCHES]
    record_all(session, [
        Record(Action.PERSON_SEARCH, actor, role=ROLE, object_type="person_search",
               reason=reason, reference=reference),
        *[Record(Action.READ, actor, role=ROLE, subject_id=p.member_id,
                 categories=["basisgegevens"], object_type="person_search",
                 reason=reason, reference=reference) for p in found]])
    return found


def matches_by_id(session: Session, member_ids: list[str]) -> list[PersonMatch]:
    """The persons a search found, shown again (the search recorded their reading)."""
    rows = session.execute(
        select(Member, Household.label).join(Household, Household.id == Member.household_id)
        .where(Member.id.in_(member_ids), Member.given_name != ERASED)
        .order_by(Member.family_name, Member.given_name, Member.birth_date))
    return [PersonMatch(m.id, m.given_name, m.family_name, m.birth_date, m.role, label)
            for m, label in rows]


@dataclass(frozen=True)
class Person:
    member_id: str
    given_name: str
    family_name: str
    birth_date: date
    household_label: str

    @property
    def erased(self) -> bool:
        return self.given_name == ERASED


@dataclass(frozen=True)
class StaffMember:
    """Who acted: a professional's or system's name and organisation; `kind` as logged."""

    kind: str
    name: str | None
    organisation: str | None
    first: str  # recorded_at of their first and last line
    last: str
    count: int


@dataclass(frozen=True)
class AccessReport:
    person: Person
    lines: list[ReportLine]
    actors: dict[str, str]  # actor id -> name
    organisations: dict[str, str]
    staff: list[StaffMember]


def require_person(session: Session, member_id: str) -> Person:
    """404 `unknown_person` for an id that names no household member."""
    row = session.execute(select(Member, Household.label)
                          .join(Household, Household.id == Member.household_id)
                          .where(Member.id == member_id)).first()
    if row is None:
        raise NotFound("No person with this id.", code="unknown_person")
    member, label = row
    return Person(member.id, member.given_name, member.family_name, member.birth_date, label)


def access_report(session: Session, *, actor: Principal, member_id: str) -> AccessReport:
    """The art. 15 report of one person: every disclosure and consultation of their data
    (recorded as read by the officer), with the staff member who acted and their
    organisation; the staff summed up, most recent first."""
    person = require_person(session, member_id)
    lines = sorted(subject_report(session, actor=actor, subject_id=member_id),
                   key=lambda line: line.recorded_at)  # in time, as a reader expects
    actors = actor_names(session, {line.actor_id for line in lines
                                   if line.actor_kind in ("professional", "client")})
    organisations = organisation_names(session, {line.actor_organisation_id for line in lines}
                                       | {line.organisation_id for line in lines})
    staff: dict[tuple[str, str | None, str | None], list[ReportLine]] = {}
    for line in lines:
        key = (line.actor_kind or "system", line.actor_id, line.actor_organisation_id)
        staff.setdefault(key, []).append(line)
    summary = [StaffMember(kind, actors.get(actor_id or ""),
                           organisations.get(org or ""), group[0].recorded_at,
                           group[-1].recorded_at, len(group))
               for (kind, actor_id, org), group in staff.items()]
    summary.sort(key=lambda s: s.last, reverse=True)
    return AccessReport(person, lines, actors, organisations, summary)
