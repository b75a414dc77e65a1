"""The migrations build exactly the tables the models describe, on either database."""

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text

from broker import migrate
from broker.all_models import Base
from tests.databases import fresh_database


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_households_from_before_teams_keep_their_readers(tmp_path: Path) -> None:
    """Migration 0011: an organisation that directs households gets one team of all its
    professionals, and its households belong to it (nobody loses what they saw)."""
    url = fresh_database(tmp_path, "teams", revision="0010")
    engine = create_engine(url)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for org in ("w", "s"):
            connection.execute(text(
                "INSERT INTO organisations (id, name, party, created_at) "
                "VALUES (:id, :name, 'wijkteam', :at)"), {"id": org, "name": f"Org {org}",
                                                          "at": at})
        for person, org in (("r1", "w"), ("r2", "w"), ("x", "s")):
            connection.execute(text(
                "INSERT INTO professionals (id, organisation_id, email, name, roles, active, "
                "failed_logins, created_at) VALUES (:id, :org, :email, :id, '[\"regisseur\"]', "
                "true, 0, :at)"), {"id": person, "org": org, "email": f"{person}@x.nl",
                                   "at": at})
        connection.execute(text(
            "INSERT INTO households (id, label, created_by_organisation_id, created_at) "
            "VALUES ('h', 'Gezin', 'w', :at)"), {"at": at})
        connection.execute(text(
            "INSERT INTO regisseur_assignments (id, household_id, professional_id, "
            "organisation_id, assigned_at, assigned_by) VALUES ('a', 'h', 'r1', 'w', :at, "
            "'r1')"), {"at": at})
    migrate.upgrade(url)
    with engine.connect() as connection:
        [(team, name)] = connection.execute(text("SELECT id, name FROM teams")).all()
        members = set(connection.execute(text(
            "SELECT professional_id FROM team_members")).scalars())
        assigned = connection.execute(text(
            "SELECT team_id FROM regisseur_assignments")).scalar_one()
    engine.dispose()
    assert name == "Team Org w" and members == {"r1", "r2"} and assigned == team
