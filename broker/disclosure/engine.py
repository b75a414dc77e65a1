"""`decide()`: may this recipient see this category of this person's data for this purpose?

Pure and fast: it works on facts loaded beforehand (`facts.py`) and touches no database.
Bases in order: own submission, consent, override, family present, legal duty (a mandate
in force for this child). Anything else is denied, with the reasons and who still has to
consent.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from broker.disclosure.capacity import (
    GrantorRole,
    Person,
    Required,
    missing_grantors,
    required_grantors,
    why_others_decide,
)
from broker.policy import Policy


class Effect(StrEnum):
    PERMIT = "permit"
    DENY = "deny"


class Basis(StrEnum):
    OWN_SUBMISSION = "own_submission"
    CONSENT = "consent"
    OVERRIDE = "override"
    FAMILY_PRESENT = "family_present"
    LEGAL_DUTY = "legal_duty"
    DATA_SUBJECT = "data_subject"  # the family reads its own file (AVG art. 15)


@dataclass(frozen=True)
class ConsentFact:
    id: str
    categories: frozenset[str]
    organisations: frozenset[str]
    parties: frozenset[str]
    purposes: frozenset[str]
    grantors: frozenset[str]
    valid_from: datetime
    valid_until: datetime
    withdrawn_at: datetime | None = None

    def covers(self, request: "DecisionRequest") -> bool:
        return (request.category in self.categories and request.purpose in self.purposes
                and (request.recipient_organisation_id in self.organisations
                     or request.recipient_party in self.parties))

    def in_force(self, at: datetime) -> bool:
        return self.valid_from <= at < self.valid_until and (
            self.withdrawn_at is None or at < self.withdrawn_at)


@dataclass(frozen=True)
class OverrideFact:
    """An override of professional secrecy (meldcode) as it applies to one subject: it
    permits these categories of what the holder organisation (the requester's) holds to these
    organisations from `valid_from` until `valid_until`. Nobody breaks another's secrecy."""

    id: str
    categories: frozenset[str]
    organisations: frozenset[str]
    valid_from: datetime
    valid_until: datetime
    holder_organisation_id: str = ""


@dataclass(frozen=True)
class MandateFact:
    """A legal ground of one organisation on one child (a report to Veilig Thuis, an OTS or
    voogdij for a GI, an investigation of the Raad): in force from `valid_from` up to, not
    including, the day it ends."""

    id: str
    kind: str
    organisation_id: str
    valid_from: date
    valid_until: date | None
    ended_on: date | None = None
    # A report made through the broker: the organisation that reported (its meldrecht).
    reporter_organisation_id: str | None = None

    def in_force(self, day: date) -> bool:
        ends = min((d for d in (self.valid_until, self.ended_on) if d is not None),
                   default=None)
        return self.valid_from <= day and (ends is None or day < ends)


@dataclass(frozen=True)
class SubjectFacts:
    person: Person
    household_id: str
    owner_organisation_id: str | None  # the regisseur's organisation keeps the household record
    consents: tuple[ConsentFact, ...] = ()
    overrides: tuple[OverrideFact, ...] = ()
    present_member_ids: frozenset[str] = frozenset()  # seam: family present in a meeting
    mandates: tuple[MandateFact, ...] = ()


@dataclass(frozen=True)
class DecisionRequest:
    subject_id: str
    category: str
    recipient_organisation_id: str
    recipient_party: str
    purpose: str
    at: datetime
    day: date  # the local calendar day of `at`, for ages
    # The holder: the organisation that holds the item (its submitter or author). Basic data
    # is held by the household's regisseur organisation; None: no single organisation holds
    # it, and then only consent (or a legal duty, or the family present) releases it.
    submitted_by_organisation_id: str | None = None


@dataclass(frozen=True)
class Decision:
    effect: Effect
    basis: Basis | None
    policy_version: str
    consent_ids: tuple[str, ...] = ()
    override_ids: tuple[str, ...] = ()
    mandate_ids: tuple[str, ...] = ()
    missing: tuple[Required, ...] = ()
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def permitted(self) -> bool:
        return self.effect is Effect.PERMIT

    def neutral(self) -> "Decision":
        """What a caller not involved with the household may learn: the effect alone, never
        the consents, overrides, who still has to consent (ids, ages, custody) or why."""
        return Decision(self.effect, None, self.policy_version)


BASIC_DATA = "basisgegevens"  # names and birth dates: the household record itself
ROLE_WORDS = {GrantorRole.SUBJECT: "de persoon zelf", GrantorRole.CUSTODIAN:
              "gezaghebbende ouder", GrantorRole.GUARDIAN: "voogd (gecertificeerde instelling)",
              GrantorRole.REPRESENTATIVE: "vertegenwoordiger (curator of mentor)"}


def describe_missing(missing: tuple[Required, ...], names: Mapping[str, str] | None) -> str:
    """'toestemming ontbreekt van: gezaghebbende ouder S. Jansen, de persoon zelf'; names only
    when the caller is involved with the household (`names` given)."""
    parts = []
    for required in missing:
        word = ROLE_WORDS[required.role]
        if required.member_id is None:
            parts.append(f"{word} (niet vastgelegd)")
        elif names and required.member_id in names:
            parts.append(f"{word} {names[required.member_id]}")
        else:
            parts.append(word)
    return "toestemming ontbreekt van: " + ", ".join(parts)


def decide(request: DecisionRequest, facts: SubjectFacts, policy: Policy, *,
           names: Mapping[str, str] | None = None) -> Decision:
    version = policy.version
    if request.category not in policy.categories or request.purpose not in policy.purposes:
        return Decision(Effect.DENY, None, version,
                        reasons=("onbekende categorie of onbekend doel",))
    recipient = request.recipient_organisation_id
    holder = request.submitted_by_organisation_id or (
        facts.owner_organisation_id if request.category == BASIC_DATA else None)
    if recipient and recipient == holder:
        return Decision(Effect.PERMIT, Basis.OWN_SUBMISSION, version,
                        reasons=("eigen gegevens van de ontvangende organisatie",))
    capacity = policy.consent.capacity
    required = required_grantors(facts.person, request.day, capacity, request.category)
    covering = [c for c in facts.consents if c.covers(request) and c.in_force(request.at)]
    valid = [c for c in covering if not missing_grantors(required, c.grantors)]
    if valid:
        others = why_others_decide(facts.person, request.day, capacity, request.category)
        return Decision(Effect.PERMIT, Basis.CONSENT, version,
                        consent_ids=tuple(sorted(c.id for c in valid)),
                        reasons=(f"toestemming voor {policy.categories[request.category].label}"
                                 " aan deze ontvanger", *([others] if others else [])))
    overrides = [o for o in facts.overrides if request.category in o.categories
                 and recipient in o.organisations and holder == o.holder_organisation_id
                 and o.valid_from <= request.at < o.valid_until]
    if overrides:
        return Decision(Effect.PERMIT, Basis.OVERRIDE, version,
                        override_ids=tuple(sorted(o.id for o in overrides)),
                        reasons=("doorbreking van het beroepsgeheim volgens de meldcode",))
    if facts.present_member_ids and request.category in policy.consent.family_present.categories \
            and not missing_grantors(required, facts.present_member_ids):
        return Decision(Effect.PERMIT, Basis.FAMILY_PRESENT, version,
                        reasons=("het gezin is aanwezig en stemt in",))
    # A ground to receive, not to take: the child's basic data and the reporter's own
    # report go; the regisseur organisation's own information (and the household record)
    # only where the law obliges it to give (`from_regisseur`); what any other holder keeps
    # under its own secrecy leaves by that holder's weighing (its override, its answer).
    grounds = []
    for m in facts.mandates:
        rule = policy.mandates[m.kind][1] if m.kind in policy.mandates else None
        if rule is None or m.organisation_id != recipient or not m.in_force(request.day) \
                or request.category not in rule.categories \
                or request.purpose not in rule.purposes:
            continue
        reported = m.reporter_organisation_id is not None \
            and holder == m.reporter_organisation_id
        if request.category == BASIC_DATA or reported or (
                rule.from_regisseur and holder in (None, facts.owner_organisation_id)):
            grounds.append((m, rule))
    if grounds:
        return Decision(Effect.PERMIT, Basis.LEGAL_DUTY, version,
                        mandate_ids=tuple(sorted(m.id for m, _ in grounds)),
                        reasons=tuple(sorted({f"wettelijke grondslag: {rule.source}"
                                              for _, rule in grounds})))
    missing = min((missing_grantors(required, c.grantors) for c in covering), key=len,
                  default=required)
    reasons = [describe_missing(missing, names)]
    if covering and not valid:
        reasons.append("de gegeven toestemming is niet (meer) door de juiste personen gegeven")
    return Decision(Effect.DENY, None, version, missing=missing, reasons=tuple(reasons))
