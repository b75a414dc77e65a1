"""Test databases: SQLite files by default, PostgreSQL schemas with BROKER_TEST_DATABASE_URL."""

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from broker import migrate

PG_URL = os.environ.get("BROKER_TEST_DATABASE_URL")


def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


def fresh_database(tmp_dir: Path, name: str, revision: str = "head") -> str:
    """A new, migrated (to `revision`), empty database (PostgreSQL: a schema of its own) and
    its URL."""
    if PG_URL:
        schema = f"t_{name}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
    else:
        rendered = f"sqlite:///{tmp_dir / f'{name}.db'}"
    migrate.upgrade(rendered, revision)
    return rendered


def drop_test_schemas() -> None:
    """Remove schemas left by earlier runs (PostgreSQL only)."""
    if not PG_URL:
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        schemas = connection.execute(text(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")).scalars().all()
        for schema in schemas:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
