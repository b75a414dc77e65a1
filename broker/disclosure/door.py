"""The one door: every disclosure of personal data is a decision plus its audit record, in
the caller's transaction."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Outcome, Record, record, record_all
from broker.clock import local_day, now
from broker.disclosure.engine import (
    BASIC_DATA,
    Basis,
    Decision,
    DecisionRequest,
    Effect,
    SubjectFacts,
    decide,
)
from broker.disclosure.facts import HouseholdFacts
from broker.identity.principal import Principal
from broker.vault.opening import open_or_none
from broker.vault.sealing import DataKey


def disclose(session: Session, *, actor: Principal, facts: SubjectFacts, category: str,
             purpose: str, recipient: tuple[str | None, str] | None = None,
             submitted_by_organisation_id: str | None = None, object_type: str | None = None,
             object_id: str | None = None, names: "Names | None" = None,
             dry_run: bool = False) -> Decision:
    """Decide whether the recipient (organisation id or None, party type) may see this, by
    default the caller's own organisation, and record the disclosure, refusal or (dry run)
    the decision."""
    decision, event = _decide(session, actor, Item(facts, category, submitted_by_organisation_id,
                                                   object_type, object_id),
                              purpose, recipient, names, dry_run)
    record(session, event)
    return decision


@dataclass(frozen=True)
class Item:
    """One thing a list shows, for `disclose_each`."""

    facts: SubjectFacts
    category: str
    submitted_by_organisation_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None


def disclose_each(session: Session, *, actor: Principal, items: Sequence[Item], purpose: str,
                  names: "Names | None" = None,
                  recipient: tuple[str | None, str] | None = None) -> list[Decision]:
    """`disclose` for every item of a list (by default to the caller's organisation), the
    audit records written in one statement."""
    decided = [_decide(session, actor, item, purpose, recipient, names, False)
               for item in items]
    record_all(session, [event for _, event in decided])
    return [decision for decision, _ in decided]


def _decide(session: Session, actor: Principal, item: Item, purpose: str,
            recipient: tuple[str | None, str] | None, names: "Names | None",
            dry_run: bool) -> tuple[Decision, Record]:
    at = now()
    organisation_id, party = recipient or (actor.organisation_id, actor.party)
    facts = item.facts
    request = DecisionRequest(
        subject_id=facts.person.id, category=item.category,
        recipient_organisation_id=organisation_id or "", recipient_party=party,
        purpose=purpose, at=at, day=local_day(at),
        submitted_by_organisation_id=item.submitted_by_organisation_id)
    policy = audit_context(session).policy
    decision = decide(request, facts, policy)
    if decision.missing and names is not None and names.get():
        decision = decide(request, facts, policy, names=names.get())
    action = Action.DECISION if dry_run else (
        Action.DISCLOSURE if decision.permitted else Action.REFUSAL)
    return decision, Record(
        action, actor, subject_id=facts.person.id, categories=[item.category],
        purpose=purpose, effect=decision.effect.value,
        basis=decision.basis.value if decision.basis else None,
        consent_ids=decision.consent_ids, override_ids=decision.override_ids,
        mandate_ids=decision.mandate_ids, recipient_organisation_id=organisation_id,
        object_type=item.object_type, object_id=item.object_id,
        outcome=Outcome.SUCCESS if decision.permitted else Outcome.DENIED)


class NotDisclosed(Exception):
    """Sealed text was asked for without a decision that permits it: a bug, never an answer."""


def unseal(decision: Decision, key: DataKey | None, context: str, sealed: bytes | None
           ) -> str | None:
    """Sealed text, opened only under a decision that permits it (made and recorded by the
    door): the one way services read a body, a step text, a plan, a meeting title. None when
    the household's key was destroyed."""
    if not decision.permitted:
        raise NotDisclosed(context.partition(":")[0])
    return open_or_none(key, context, sealed)


def for_family(household: HouseholdFacts, member: Principal) -> Decision:
    """A member of the household reads what the broker holds about their family (AVG art. 15,
    the family page); it records each view itself. Anyone else: deny."""
    if member.member_id is None or member.member_id not in household.members:
        return Decision(Effect.DENY, None, "")
    return Decision(Effect.PERMIT, Basis.DATA_SUBJECT, "")


class Names:
    """The names ('S. Jansen') that reasons may use: those of the members whose basic data
    (`basisgegevens`) the caller may see, decided and recorded as any disclosure is, and only
    when a refusal's reason needs them. Nobody's for a caller not involved with the
    household: reasons then name roles only."""

    def __init__(self, session: Session, *, actor: Principal, household: HouseholdFacts,
                 purpose: str) -> None:
        self._session, self._actor, self._household, self._purpose = \
            session, actor, household, purpose
        self._known: Mapping[str, str] | None = None

    def get(self) -> Mapping[str, str]:
        if self._known is None:
            self._known = self._look_up()
        return self._known

    def _look_up(self) -> Mapping[str, str]:
        household = self._household
        if not household.involves(self._actor, now()):
            return {}
        members = list(household.members.values())
        decisions = disclose_each(self._session, actor=self._actor, purpose=self._purpose,
                                  items=[Item(household.subjects[m.id], BASIC_DATA,
                                              object_type="household",
                                              object_id=household.household_id)
                                         for m in members])
        short = household.short_names()
        return {m.id: short[m.id] for m, decision in zip(members, decisions, strict=True)
                if decision.permitted}
