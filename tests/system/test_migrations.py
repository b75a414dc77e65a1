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


def test_reports_from_before_mandates_keep_veilig_thuis_reading(tmp_path: Path) -> None:
    """Migration 0013: each report made before it (also one from before 0010, which named
    no Veilig Thuis) gives Veilig Thuis a report mandate from its day, and a handback names
    from and to; a permanent reason not to tell the family gets a review day ahead, so
    nothing appears on a family page at the upgrade."""
    url = fresh_database(tmp_path, "mandates", revision="0012")
    engine = create_engine(url)
    at = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)  # 2 November in Amsterdam
    rows = [
        "INSERT INTO organisations (id, name, party, created_at) VALUES "
        "('w', 'Wijkteam', 'wijkteam', :at), ('s', 'School', 'school', :at), "
        "('v', 'Veilig Thuis', 'veilig_thuis', :at)",
        "INSERT INTO households (id, label, created_by_organisation_id, created_at) "
        "VALUES ('h', 'Gezin', 'w', :at)",
        "INSERT INTO household_members (id, household_id, ref, given_name, family_name, "
        "birth_date, role) VALUES ('c', 'h', 'c', 'N', 'J', '2015-01-01', 'child')",
        "INSERT INTO meldcode_cases (id, household_id, child_id, organisation_id, opened_by, "
        "created_at) VALUES ('old', 'h', 'c', 's', 'p', :at), ('new', 'h', 'c', 's', 'p', :at)",
        "INSERT INTO meldcode_steps (id, case_id, step, content, decision, reported_to, "
        "recorded_by, recorded_at) VALUES ('s1', 'old', 5, :blob, 'melden', NULL, 'p', :at), "
        "('s2', 'new', 5, :blob, 'melden_en_hulp', 'v', 'p', :at)",
        "INSERT INTO meldcode_handbacks (id, case_id, household_id, handed_back_on, "
        "recorded_by, recorded_at) VALUES ('b', 'old', 'h', '2026-11-10', 'p', :at)",
        "INSERT INTO overrides (id, case_id, household_id, subject_ids, categories, "
        "recipient_ids, justification, requested_by, organisation_id, urgent, valid_until, "
        "not_informed_reason, created_at) VALUES ('o', 'new', 'h', '[\"c\"]', "
        "'[\"gezondheid\"]', '[\"v\"]', :blob, 'p', 's', false, :at, :blob, :at)"]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row), {"at": at, "blob": b"sealed"})
    migrate.upgrade(url)
    with engine.connect() as connection:
        mandates = connection.execute(text(
            "SELECT case_id, kind, organisation_id, valid_from, valid_until FROM mandates "
            "ORDER BY case_id")).all()
        handback = connection.execute(text(
            "SELECT from_organisation_id, to_organisation_id FROM meldcode_handbacks")).one()
        review = connection.execute(text("SELECT not_informed_until FROM overrides")).scalar()
    engine.dispose()
    assert [(m[0], m[1], m[2], str(m[3]), str(m[4])) for m in mandates] == [
        ("new", "vt_report", "v", "2026-11-02", "2027-05-03"),
        ("old", "vt_report", "v", "2026-11-02", "2027-05-03")]
    assert tuple(handback) == ("v", "s")
    assert review is not None


def test_0014_is_not_downgraded_over_data_0013_cannot_hold(tmp_path: Path) -> None:
    """Issue 19: a downgrade that would lose custody history (or texts under a person's key,
    a GI's consents, a request for a child's file) refuses, naming what it would lose."""
    import pytest
    from alembic import command

    url = fresh_database(tmp_path, "per_person")
    engine = create_engine(url)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO organisations (id, name, party, created_at) "
                                "VALUES ('w', 'Wijkteam', 'wijkteam', :at)"), {"at": at})
        connection.execute(text(
            "INSERT INTO households (id, label, created_by_organisation_id, created_at) "
            "VALUES ('h', 'Gezin', 'w', :at)"), {"at": at})
        connection.execute(text(
            "INSERT INTO court_decisions (id, household_id, reference, decided_on, "
            "recorded_by, recorded_at) VALUES ('d', 'h', :ref, '2026-10-01', 'r', :at)"),
            {"ref": b"sealed", "at": at})
    engine.dispose()
    with pytest.raises(RuntimeError, match="custody history"):
        command.downgrade(migrate.alembic_config(url), "0013")
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM court_decisions")).scalar() == 1
    engine.dispose()
