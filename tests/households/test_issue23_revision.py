"""Issue 23: a process keeps the facts it loaded about a household under the household's
revision (the number of its change rows, written by database triggers in the changing
transaction), and loads them anew after any change, a rolled-back one never counting.
These tests commit for real (a database of their own): what is kept depends on commits.
Across two processes: `tests/system/test_issue23_scale_out.py`."""

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table, delete, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

from broker.audit.context import INFO_KEY
from broker.clock import frozen_at, now
from broker.db import Database
from broker.disclosure.facts import _BY_HOUSEHOLD, HouseholdFacts, load_household
from broker.households.models import Custody
from broker.identity import service as identity
from broker.identity.models import Professional
from broker.meetings.schemas import MeetingCreate
from broker.meetings.service import create_meeting
from tests.databases import fresh_database
from tests.system.world import World, build_world, grant, open_database

# A professional's organisation is read for the meetings they are invited to: only a move counts.
ONLY_UPDATES = {"professionals"}


@pytest.fixture
def committed(tmp_path: Path) -> Iterator[tuple[Database, World]]:
    database = open_database(fresh_database(tmp_path, "revision"), tmp_path / "keys")
    yield database, build_world(database)
    database.engine.dispose()


def _load(database: Database, household: str) -> HouseholdFacts:
    """The household's facts as a committing request sees them."""
    with database.sessionmaker.begin() as session:
        facts = load_household(session, household_id=household)
    assert facts is not None
    return facts


def test_every_table_the_facts_are_loaded_from_has_triggers_that_count_its_changes(
        session: Session) -> None:
    read = {node.name for statement in _BY_HOUSEHOLD
            for node in visitors.iterate(statement) if isinstance(node, Table)}
    assert {"consents", "custody", "meeting_invitees", "professionals"} <= read  # found them
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
    for table in sorted(read):
        assert triggers[table] == ({"UPDATE"} if table in ONLY_UPDATES
                                   else {"INSERT", "UPDATE", "DELETE"}), table


def test_facts_are_kept_until_the_household_changes_in_any_way(
        committed: tuple[Database, World]) -> None:
    database, world = committed
    first = _load(database, world.household_id)
    assert _load(database, world.household_id) is first  # kept
    with database.sessionmaker.begin() as session:
        consent = grant(session, world.regisseur, subject=world.child_id,
                        grantor=world.mother_id, school=world.school)
    after = _load(database, world.household_id)
    assert after is not first and consent in {
        c.id for c in after.subjects[world.child_id].consents}
    assert _load(database, world.household_id) is after
    # A change through no service at all (custody ended by hand) counts as well.
    with database.sessionmaker.begin() as session:
        session.execute(update(Custody).where(Custody.child_id == world.child_id)
                        .values(ended_on=now().date() - timedelta(days=1)))
    ended = _load(database, world.household_id)
    assert ended is not after and not ended.subjects[world.child_id].person.custodians


@pytest.mark.parametrize("savepoint", [False, True])
def test_what_a_rolled_back_transaction_saw_is_never_kept(
        committed: tuple[Database, World], savepoint: bool) -> None:
    """Not even when a savepoint was released in it first (SQLAlchemy reports that as a
    commit; a data key's first use makes one)."""
    database, world = committed
    before = _load(database, world.household_id)
    with database.sessionmaker() as session:
        session.execute(delete(Custody).where(Custody.child_id == world.child_id))
        seen = load_household(session, household_id=world.household_id)
        assert seen is not None and not seen.subjects[world.child_id].person.custodians
        if savepoint:
            with session.begin_nested():
                pass
        session.rollback()
    assert _load(database, world.household_id) is before
    # A change of as many rows brings the count to what the rolled-back one saw.
    with database.sessionmaker.begin() as session:
        session.execute(update(Custody).where(Custody.child_id == world.child_id)
                        .values(started_on=None))
    again = _load(database, world.household_id)
    assert again is not before and again.subjects[world.child_id].person.custodians == {
        world.mother_id}


def test_facts_kept_yesterday_are_loaded_anew_today(committed: tuple[Database, World]) -> None:
    """Custody, incapacity and representation are loaded as they stand on the day."""
    database, world = committed
    today = _load(database, world.household_id)
    assert _load(database, world.household_id) is today
    with frozen_at(now() + timedelta(days=1)):
        assert _load(database, world.household_id) is not today


def test_a_professional_moving_organisation_changes_the_households_inviting_them(
        committed: tuple[Database, World]) -> None:
    """No code moves a professional, but the facts read their organisation (for the meetings
    they are invited to), so a move by hand counts too."""
    database, world = committed
    regisseur = world.regisseur.professional_id
    with database.sessionmaker.begin() as session:
        create_meeting(session, actor=world.regisseur, body=MeetingCreate.model_validate({
            "household_id": world.household_id, "title": "Netwerkbijeenkomst",
            "duration_minutes": 60, "location": "Wijkcentrum",
            "slots": [{"start": (now() + timedelta(days=14)).isoformat()}],
            "invitees": [{"professional_id": regisseur, "required": True}]}))
        elsewhere = identity.create_organisation(
            session, name="Elders", party="wijkteam",
            policy=session.info[INFO_KEY].policy).id
    assert world.regisseur.organisation_id in _load(database, world.household_id).invitees
    with database.sessionmaker.begin() as session:
        session.execute(update(Professional).where(Professional.id == regisseur)
                        .values(organisation_id=elsewhere))
    assert elsewhere in _load(database, world.household_id).invitees
