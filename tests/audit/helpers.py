"""Arranging audit events in tests."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from broker.audit.recording import Action, Record, record
from broker.identity.principal import Principal, PrincipalKind
from broker.policy import Policy
from tests.factories import BearerHeaders, make_org, make_professional, make_secret_client


def actor(org_id: str = "org-school", party: str = "school") -> Principal:
    return Principal(kind=PrincipalKind.CLIENT, organisation_id=org_id, party=party,
                     roles=frozenset({"partner"}), client_id="cl_test")


def disclose(session: Session, *, subject_id: str, to: Principal,
             categories: tuple[str, ...] = ("onderwijs",), basis: str = "consent") -> None:
    record(session, Record(Action.DISCLOSURE, to, role="partner", subject_id=subject_id,
                           categories=categories, purpose="hulpverlening", effect="permit",
                           basis=basis, consent_ids=["c-1"],
                           recipient_organisation_id=to.organisation_id,
                           object_type="observation", object_id="o-1"))


def bearer(client: TestClient, session: Session, policy: Policy, *, roles: list[str]
           ) -> BearerHeaders:
    org = make_org(session, policy, party="gemeente")
    person = make_professional(session, org, roles=roles)
    return BearerHeaders(client, make_secret_client(session, org, person))


@contextmanager
def triggers_off(session: Session) -> Iterator[None]:
    """What a tamperer with database access would do first."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        for table in ("audit_events", "audit_nodes"):
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield
        for table in ("audit_events", "audit_nodes"):
            session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    else:
        for table in ("audit_events", "audit_nodes"):
            for verb in ("update", "delete"):
                session.execute(text(f"DROP TRIGGER {table}_no_{verb}"))
        yield
