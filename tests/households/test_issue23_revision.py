"""Issue 23: a process keeps the facts it loaded about a household under the household's
revision (the number of its change rows, written by database triggers in the changing
transaction), and loads them anew after any change, a rolled-back one never counting.
Across two processes: `tests/system/test_issue23_scale_out.py`."""

from collections import defaultdict
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

from broker.clock import frozen_at, now
from broker.disclosure.facts import _BY_HOUSEHOLD, HouseholdFacts, load_household
from broker.households.models import Custody, HouseholdChange
from broker.policy import Policy
from tests.consent.helpers import caller, consent_body, jansen

# Read by the facts, never changed by the broker: a professional stays in their organisation.
UNCHANGING = {"professionals"}


def _load(session: Session, household: str) -> HouseholdFacts:
    facts = load_household(session, household_id=household)
    session.commit()
    assert facts is not None
    return facts


def test_every_table_the_facts_are_loaded_from_has_triggers_that_count_its_changes(
        session: Session) -> None:
    read = {node.name for statement in _BY_HOUSEHOLD
            for node in visitors.iterate(statement) if isinstance(node, Table)}
    assert {"consents", "custody", "meeting_invitees"} <= read  # the walk found them
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text(
            "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
            "WHERE trigger_schema = current_schema() AND trigger_name LIKE 'household_changed%'"))
    else:
        rows = session.execute(text(
            "SELECT tbl_name, upper(substr(name, length(rtrim(name, 'abcdefghijklmnopqrstuvwxyz'"
            ")) + 1)) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'household_changed%'"))
    triggers: dict[str, set[str]] = defaultdict(set)
    for table, operation in rows:
        triggers[table].add(operation)
    for table in sorted(read - UNCHANGING):
        assert triggers[table] == {"INSERT", "UPDATE", "DELETE"}, table


def test_facts_are_kept_until_the_household_changes_in_any_way(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school")
    family = jansen(client, regisseur)
    household = family["household"]
    first = _load(session, household)
    assert _load(session, household) is first  # kept
    granted = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
        family["c2"], [family["m"], family["p"]],
        recipients=[{"organisation_id": school.org.id}]))
    assert granted.status_code == 201, granted.text
    after = _load(session, household)
    assert after is not first and [c.id for c in after.subjects[family["c2"]].consents] == [
        granted.json()["id"]]
    assert _load(session, household) is after
    # A change through no service at all (a custody row ended by hand) counts as well.
    session.execute(Custody.__table__.update().where(Custody.child_id == family["c2"],
                                                     Custody.custodian_id == family["p"])
                    .values(ended_on=now().date() - timedelta(days=1)))
    ended = _load(session, household)
    assert ended is not after and ended.subjects[family["c2"]].person.custodians == {
        family["m"]}


def test_what_a_rolled_back_transaction_saw_is_never_kept(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    family = jansen(client, regisseur)
    household = family["household"]
    before = _load(session, household)
    changes = select(HouseholdChange.id).where(HouseholdChange.household_id == household)
    counted = len(session.scalars(changes).all())
    session.execute(Custody.__table__.delete().where(Custody.child_id == family["c1"]))
    seen = load_household(session, household_id=household)
    assert seen is not None and not seen.subjects[family["c1"]].person.custodians
    session.rollback()
    assert len(session.scalars(changes).all()) == counted
    assert _load(session, household) is before
    # Another change brings the count to what the rolled-back one saw: still loaded anew.
    session.execute(Custody.__table__.update().where(Custody.child_id == family["c1"])
                    .values(started_on=None))
    again = _load(session, household)
    assert again is not before and again.subjects[family["c1"]].person.custodians == {
        family["m"], family["p"]}


def test_facts_kept_yesterday_are_loaded_anew_today(
        client: TestClient, session: Session, policy: Policy) -> None:
    """Custody, incapacity and representation are loaded as they stand on the day."""
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    household = jansen(client, regisseur)["household"]
    today = _load(session, household)
    with frozen_at(now() + timedelta(days=1)):
        assert _load(session, household) is not today
