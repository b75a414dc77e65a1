"""The path of a household's help as its team reads it: the plain facts, and each sealed text
opened through the door on the terms of whom it is about (a child's own words, an assessment
of a child, on that child's)."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.care.models import (
    ChildContact,
    Closure,
    Escalation,
    Evaluation,
    FamilyGroupPlanEvent,
    HelpRequest,
    OtherPlan,
    SafetyAssessment,
    SignalFeedback,
)
from broker.care.service import help_started, is_closed
from broker.clock import local_day
from broker.disclosure.door import Item, Names, disclose_each, unseal
from broker.households import service as households
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.observations.models import AmendmentKind, Concern, Observation, ObservationAmendment
from broker.vault.service import existing_data_key

SAFETY, CARE = "veiligheid", "opvoeding"  # the categories its texts are shared under
PURPOSE = "hulpverlening"
PERSONAL = ("view", "rationale")  # sealed under the person's own key when about one person


@dataclass(frozen=True)
class Entry:
    """A row and its texts as this reader may see them (None: withheld or destroyed)."""

    row: Any
    texts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Signal:
    """A partner's signal and the feedback it is owed."""

    observation_id: str
    organisation: str
    observed_on: date
    concern: str
    due: date
    feedback: SignalFeedback | None


@dataclass(frozen=True)
class CarePath:
    household_id: str
    started: date | None
    closed: bool
    names: Mapping[str, str]  # 'S. Jansen' of the members the reader may name
    children: list[tuple[str, date | None]]  # each child and when it was last spoken
    help_requests: list[Entry]
    assessments: list[Entry]
    child_contacts: list[Entry]
    family_group_plan: list[Entry]
    evaluations: list[Entry]
    escalations: list[Entry]
    closures: list[Entry]
    other_plans: list[Entry]
    signals: list[Signal]
    organisations: Mapping[str, str]


def _rows(session: Session, model: Any, household_id: str, order: Any) -> list[Any]:
    return list(session.scalars(select(model).where(model.household_id == household_id)
                                .order_by(order, model.created_at)))


def care_path(session: Session, *, actor: Principal, household_id: str) -> CarePath:
    """For the household's team (404 for the uninvolved, 403 `not_the_team` for partners)."""
    facts = households.team_facts(session, actor, household_id)
    opener = _Opener(session, actor, facts, household_id)
    names = Names(session, actor=actor, household=facts, purpose=PURPOSE).get()
    contacts = _rows(session, ChildContact, household_id, ChildContact.contact_on)
    spoken = {c.child_id: c.contact_on for c in contacts if c.seen and c.spoken}
    children = [m for m in facts.children() if facts.members[m].role == "child"]
    result = CarePath(
        household_id=household_id, started=help_started(session, household_id),
        closed=is_closed(session, household_id), names=names,
        children=[(c, spoken.get(c)) for c in children],
        help_requests=[opener.text(r, "question", f"help-request:{r.id}", CARE)
                       for r in _rows(session, HelpRequest, household_id,
                                      HelpRequest.started_on)],
        assessments=[opener.text(a, "rationale", f"safety-assessment:{a.id}", SAFETY,
                                 a.subject_ids)
                     for a in _rows(session, SafetyAssessment, household_id,
                                    SafetyAssessment.assessed_on)],
        child_contacts=[opener.text(c, "view", f"child-contact:{c.id}", SAFETY, [c.child_id],
                                    as_json=True) for c in contacts],
        family_group_plan=[opener.text(e, "note", f"family-group-plan:{e.id}", CARE,
                                       as_json=True)
                           for e in _rows(session, FamilyGroupPlanEvent, household_id,
                                          FamilyGroupPlanEvent.decided_on)],
        evaluations=[Entry(e) for e in _rows(session, Evaluation, household_id,
                                             Evaluation.held_on)],
        escalations=[_escalation(opener, e) for e in _rows(
            session, Escalation, household_id, Escalation.escalated_on)],
        closures=[opener.text(c, "note", f"closure:{c.id}", CARE) for c in _rows(
            session, Closure, household_id, Closure.closed_on)],
        other_plans=[opener.text(o, "details", f"other-plan:{o.id}", CARE, as_json=True,
                                 holder=facts.regisseur_organisation_id)
                     for o in _rows(session, OtherPlan, household_id, OtherPlan.since)],
        signals=signals(session, household_id, facts.regisseur_organisation_id),
        organisations=dict(session.execute(select(Organisation.id, Organisation.name)).all()))
    opener.decide()
    return result


def _escalation(opener: "_Opener", escalation: Escalation) -> Entry:
    entry = opener.text(escalation, "reason", f"escalation:{escalation.id}", SAFETY)
    opener.add(entry, "outcome", f"escalation-outcome:{escalation.id}", SAFETY)
    return entry


def signals(session: Session, household_id: str, regisseur_organisation_id: str | None
            ) -> list[Signal]:
    """Other organisations' signals about the household (an observation with a concern,
    not retracted), each with the day its feedback is due and the feedback given."""
    terms = audit_context(session).policy.safety.terms
    retracted = select(ObservationAmendment.observation_id).where(
        ObservationAmendment.kind == AmendmentKind.RETRACTION)
    given = {f.observation_id: f for f in session.scalars(
        select(SignalFeedback).where(SignalFeedback.household_id == household_id))}
    rows = session.execute(
        select(Observation.id, Observation.observed_on, Observation.concern,
               Observation.created_at, Organisation.name)
        .join(Organisation, Organisation.id == Observation.submitted_by_organisation_id)
        .where(Observation.household_id == household_id, Observation.concern != Concern.NONE,
               Observation.submitted_by_organisation_id != (regisseur_organisation_id or ""),
               Observation.id.not_in(retracted))
        .order_by(Observation.created_at))
    return [Signal(o_id, org, observed, concern,
                   local_day(created) + timedelta(days=terms.feedback_days), given.get(o_id))
            for o_id, observed, concern, created, org in rows]


class _Opener:
    """Collects the texts to open, decides on all of them in one pass through the door, and
    fills each entry with what the decisions permit."""

    def __init__(self, session: Session, actor: Principal, facts: Any, household_id: str
                 ) -> None:
        self.session, self.actor, self.facts, self.household_id = \
            session, actor, facts, household_id
        self.wanted: list[tuple[Entry, str, str, str, list[str], bool, str | None]] = []

    def text(self, row: Any, part: str, context: str, category: str,
             subjects: Sequence[str] | None = None, *, as_json: bool = False,
             holder: str | None = None) -> Entry:
        entry = Entry(row)
        self.add(entry, part, context, category, subjects, as_json=as_json, holder=holder)
        return entry

    def add(self, entry: Entry, part: str, context: str, category: str,
            subjects: Sequence[str] | None = None, *, as_json: bool = False,
            holder: str | None = None) -> None:
        if getattr(entry.row, part) is None:
            return
        about = list(subjects or [self.facts.about_the_children().person.id])
        self.wanted.append((entry, part, context, category, about, as_json,
                            holder or entry.row.organisation_id))

    def decide(self) -> None:
        items = [Item(self.facts.subjects[s], category, holder, "care", entry.row.id)
                 for entry, _, _, category, about, _, holder in self.wanted for s in about]
        decisions = iter(disclose_each(self.session, actor=self.actor, items=items,
                                       purpose=PURPOSE))
        for entry, part, context, _, about, as_json, _ in self.wanted:
            each = [next(decisions) for _ in about]
            if not all(d.permitted for d in each):
                entry.texts[part] = None
                continue
            own = about[0] if len(about) == 1 and part in PERSONAL else None
            key = existing_data_key(self.session, self.household_id, own)
            text = unseal(each[0], key, context, getattr(entry.row, part))
            entry.texts[part] = json.loads(text) if as_json and text else text
