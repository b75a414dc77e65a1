"""Issue 11 item 3: the demo municipality holds every state a newcomer should see, made
through the services (so the audit log verifies), and refuses a database with data."""

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker import demo
from broker.audit.context import INFO_KEY, audit_context
from broker.audit.sequencer import sequence_pending
from broker.audit.verify import verify_log
from broker.clock import now
from broker.consent.models import Consent, ConsentWithdrawal
from broker.consent.service import status_of
from broker.identity.models import Organisation, Professional
from broker.information_requests.models import InformationRequest
from broker.mail import service as outbox
from broker.mandates.models import Mandate
from broker.meetings.models import Meeting
from broker.meldcode.models import Handback, OverrideEvent
from broker.observations.models import Observation
from broker.plans.models import Plan
from broker.policy import Policy
from broker.quality.service import summary


def in_test_transaction(session: Session) -> Callable[[], AbstractContextManager[Session]]:
    @contextmanager
    def begin() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    return begin


@pytest.fixture
def filled(session: Session, policy: Policy, tmp_path: Path) -> demo.Cast:
    context = session.info[INFO_KEY]  # the invitations go to files
    session.info[INFO_KEY] = dataclasses.replace(context, settings=context.settings.model_copy(
        update={"mail_dir": tmp_path / "mail"}))
    return demo.fill(in_test_transaction(session), policy, households_count=20)


def test_every_party_type_and_every_role_has_a_demo_account(
        session: Session, policy: Policy, filled: demo.Cast) -> None:
    parties = set(session.scalars(select(Organisation.party)))
    assert parties == set(policy.parties)
    roles = {r for roles in session.scalars(select(Professional.roles)) for r in roles}
    assert roles == {"regisseur", "partner", "aandachtsfunctionaris", "privacy_officer",
                     "teamleider", "admin"}


def test_consents_meetings_and_meldcode_in_every_state(session: Session,
                                                       filled: demo.Cast) -> None:
    withdrawn = dict(session.execute(select(ConsentWithdrawal.consent_id,
                                            ConsentWithdrawal.withdrawn_at)).all())
    states = Counter(status_of(c, withdrawn.get(c.id), now()).value
                     for c in session.scalars(select(Consent)))
    assert set(states) == {"active", "withdrawn", "expired", "pending"}
    meetings = Counter(session.scalars(select(Meeting.status)))
    assert set(meetings) == {"polling", "scheduled", "held", "cancelled"}
    assert session.scalar(select(func.count(Plan.id))) == meetings["held"]
    assert "approve" in set(session.scalars(select(OverrideEvent.kind)))
    assert session.scalar(select(func.count(Handback.id))) == 1
    kinds = set(session.scalars(select(Mandate.kind)))
    assert kinds == {"vt_report", "ots"}  # reports to Veilig Thuis and a GI's supervision
    assert session.scalar(select(func.count(InformationRequest.id))) == 1
    concerns = set(session.scalars(select(Observation.concern)))
    assert {"medium", "high"} <= concerns


def test_the_team_lead_sees_households_at_risk(session: Session, filled: demo.Cast) -> None:
    result = summary(session, actor=filled.act("teamleider"))
    assert result.households == 20
    flags = {f for r in result.at_risk for f in r.flags}
    assert "deescalated_without_assessment" in flags
    assert len(result.at_risk) < result.households  # most families are well documented


def test_the_demo_history_verifies_and_its_invitations_were_sent(
        session: Session, filled: demo.Cast, tmp_path: Path) -> None:
    assert sequence_pending(session) > 300  # 20 families, months of history
    result = verify_log(session.connection(),
                        verifier_key=audit_context(session).signer.verifier_key, deep=True)
    assert result.ok, result.problems
    sent = outbox.deliver(in_test_transaction(session), audit_context(session).settings,
                          limit=1000)  # as `serve` does with what the demo queued
    assert sent > 10 and len(list((tmp_path / "mail").glob("*.eml"))) == sent


def test_the_demo_refuses_a_database_with_data(session: Session, policy: Policy,
                                               filled: demo.Cast) -> None:
    with pytest.raises(demo.NotEmpty):
        demo.fill(in_test_transaction(session), policy, households_count=1)


def test_a_parent_of_the_demo_opens_the_family_page_and_the_fg_has_a_request(
        client: Any, session: Session, filled: demo.Cast) -> None:
    from broker.family.models import DestructionRequest
    from tests.identity.flows import csrf_of

    assert filled.family_link is not None
    token = filled.family_link.rsplit("/", 1)[1]
    page = client.get(f"/mijn/link/{token}")
    opened = client.post(f"/mijn/link/{token}", data={"csrf_token": csrf_of(page.text)})
    assert opened.status_code == 200 and "Wat is er gedeeld?" in opened.text
    assert session.scalar(select(func.count(DestructionRequest.id))) == 1


def test_a_court_changed_custody_in_one_family(session: Session, filled: demo.Cast) -> None:
    """A newcomer sees custody as history and the consents to ask again."""
    from broker.consent.service import reconsent_due
    from broker.households.models import Custody

    ended = session.scalars(select(Custody).where(Custody.ended_on.is_not(None))).all()
    assert ended and all(c.ended_by_decision_id for c in ended)
    assert reconsent_due(session, ended[0].household_id)


def test_issue_19_acceptance_6_retention_20_years_on_purges_each_record_type(
        session: Session, policy: Policy, filled: demo.Cast) -> None:
    """Jeugdwet 7.3.8: with the clock 20 years past the last change to every file, each
    kind of record goes and each purge is recorded; before that, nothing goes; a dry run
    lists what would go and changes nothing."""
    import json
    from datetime import timedelta

    from broker.audit.models import AuditEvent, AuditPending
    from broker.clock import frozen_at
    from broker.households.models import Member
    from broker.retention import run_retention

    kinds = {"observations", "plans", "meetings", "meldcode", "consents", "households"}
    tables = (Observation, Plan, Meeting, Consent, Mandate, InformationRequest)
    before = {t: session.scalar(select(func.count()).select_from(t)) for t in tables}
    assert all(before.values()), before
    with frozen_at(now() + timedelta(days=365 * 19)):
        early = {line.kind: line for line in run_retention(session, policy=policy)}
    assert all(early[k].removed == 0 for k in kinds)
    with frozen_at(now() + timedelta(days=365 * 21)):
        dry = {line.kind: line for line in run_retention(session, policy=policy,
                                                         dry_run=True)}
        assert all(dry[k].removed > 0 for k in kinds), dry
        assert {t: session.scalar(select(func.count()).select_from(t))
                for t in tables} == before
        lines = {line.kind: line for line in run_retention(session, policy=policy)}
    assert {k: lines[k].removed for k in kinds} == {k: dry[k].removed for k in kinds}
    assert all(session.scalar(select(func.count()).select_from(t)) == 0 for t in tables)
    assert set(session.scalars(select(Member.given_name))) == {"—"}
    purged = [json.loads(p) for p in session.scalars(select(AuditPending.payload).where(
        AuditPending.action == "retention.purge"))]
    assert {p["object_type"] for p in purged} == kinds
    assert sequence_pending(session) > 0
    result = verify_log(session.connection(),
                        verifier_key=audit_context(session).signer.verifier_key, deep=True)
    assert result.ok, result.problems
    assert session.scalar(select(func.count()).select_from(AuditEvent)) > len(purged)
