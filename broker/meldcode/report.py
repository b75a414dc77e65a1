"""The report to Veilig Thuis after a step 5 decision to report (meldrecht, Wmo 2015 art.
5.2.6): only the reporting organisation's own information, each piece through the door."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.disclosure.door import Item, disclose_each
from broker.disclosure.engine import BASIC_DATA, Decision
from broker.errors import Conflict
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.meldcode import service
from broker.meldcode.models import MeldcodeCase, MeldcodeStep
from broker.observations import service as observations
from broker.observations.models import Observation


@dataclass(frozen=True)
class Report:
    """What goes to Veilig Thuis, addressed to the organisation named at step 5: the child,
    the signals the reporting organisation holds itself, the steps it took, who to contact —
    each piece through the door for the author and for Veilig Thuis (the meldrecht covers the
    reporter's own information only); of others' signals at most that they are known
    elsewhere, and not even that for special categories (AVG art. 9/10)."""

    case: MeldcodeCase
    addressed_to: Organisation
    child: tuple[str, str, str] | None  # given name, family name, birth date
    signals: list[tuple[Observation, str | None]]
    withheld_signals: int
    also_known: list[tuple[str, str]]  # (category, party) of others' signals
    steps: list[tuple[MeldcodeStep, str | None]]
    decision: str
    contact: Organisation


def report_to_veilig_thuis(session: Session, *, actor: Principal, case_id: str) -> Report:
    view = service.case_view(session, actor=actor, case_id=case_id)
    case = view.case
    step5 = next((s for s, _ in view.steps if s.step == 5), None)
    if step5 is None or step5.decision not in service.REPORTING:
        raise Conflict("A report to Veilig Thuis follows a step 5 decision to report.",
                       code="no_report")
    vt = session.get(Organisation, step5.reported_to or service.veilig_thuis(session, None))
    facts = view.facts
    assert vt is not None
    child = facts.subjects[case.child_id]
    linked = list(session.scalars(select(Observation).where(
        Observation.id.in_(view.steps[0][0].observation_ids or []))
        .order_by(Observation.observed_on)))
    own = [o for o in linked if o.submitted_by_organisation_id == case.organisation_id]
    items = [Item(child, BASIC_DATA, object_type="meldcode_case", object_id=case.id),
             Item(child, "veiligheid", case.organisation_id, "meldcode_case", case.id),
             *(Item(facts.subjects[o.subject_id], o.category, o.submitted_by_organisation_id,
                    "observation", o.id) for o in own)]
    # What the author may see (as any read), and of that what Veilig Thuis may receive.
    seen = disclose_each(session, actor=actor, purpose=service.SEEING, items=items)
    passed = [n for n, decision in enumerate(seen) if decision.permitted]
    sent = disclose_each(session, actor=actor, purpose="meldcode", recipient=(vt.id, vt.party),
                         items=[items[n] for n in passed])
    shared: list[Decision | None] = [None] * len(items)
    for n, decision in zip(passed, sent, strict=True):
        shared[n] = decision if decision.permitted else None
    member = facts.members[case.child_id]
    signals = [(o, observations.body_of(session, decision, o))
               for o, decision in zip(own, shared[2:], strict=True) if decision]
    policy = audit_context(session).policy
    also_known = sorted({(o.category, o.submitted_by_party) for o in linked
                         if o.submitted_by_organisation_id != case.organisation_id
                         and policy.categories[o.category].special is None})
    contact = session.get(Organisation, case.organisation_id)
    assert contact is not None and step5.decision is not None
    return Report(case, vt, (member.given_name, member.family_name,
                             member.birth_date.isoformat()) if shared[0] else None,
                  signals, len(own) - len(signals), also_known,
                  view.steps if shared[1] else [], step5.decision, contact)
