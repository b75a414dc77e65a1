"""a household's revision: a row per change to any table the door's facts are loaded from,
written by triggers in the changing transaction (so no code path can change a household
without it)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each table `load_household` reads: the column naming its household (directly, or through a
# parent row), and the columns whose change matters (None: any).
DIRECT = {
    "household_members": None, "custody": None, "incapacities": None,
    "representations": None, "regisseur_assignments": None, "consents": None,
    "overrides": None, "mandates": None, "meldcode_cases": None,
    "meetings": ("household_id", "status"),
}
THROUGH = {  # table: (key column, parent table, columns that matter)
    "consent_grantors": ("consent_id", "consents", None),
    "consent_guardians": ("consent_id", "consents", None),
    "consent_withdrawals": ("consent_id", "consents", None),
    "override_events": ("override_id", "overrides", None),
    "meeting_invitees": ("meeting_id", "meetings",
                         ("meeting_id", "professional_id", "organisation_id")),
}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")

PG_FUNCTION = """
CREATE FUNCTION household_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text[];
BEGIN
    -- The household of the row as it was and as it is (the same, unless a row moved).
    IF TG_OP <> 'INSERT' THEN keys := keys || (to_jsonb(OLD) ->> TG_ARGV[0]); END IF;
    IF TG_OP <> 'DELETE' THEN keys := keys || (to_jsonb(NEW) ->> TG_ARGV[0]); END IF;
    IF TG_NARGS = 1 THEN
        INSERT INTO household_changes (household_id)
        SELECT DISTINCT key FROM unnest(keys) AS key WHERE key IS NOT NULL;
    ELSE
        EXECUTE format('INSERT INTO household_changes (household_id) SELECT DISTINCT '
                       'household_id FROM %I WHERE id = ANY($1)', TG_ARGV[1]) USING keys;
    END IF;
    RETURN NULL;
END $$
"""
# A professional's organisation is read for the meetings they are invited to: a move (which
# no code makes) changes every household with such a meeting.
PROFESSIONAL_MOVED = (
    "INSERT INTO household_changes (household_id) SELECT DISTINCT meetings.household_id "
    "FROM meeting_invitees JOIN meetings ON meetings.id = meeting_invitees.meeting_id "
    "WHERE meeting_invitees.professional_id = NEW.id")
PG_PROFESSIONAL_FUNCTION = f"""
CREATE FUNCTION household_professional_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {PROFESSIONAL_MOVED};
    RETURN NULL;
END $$
"""


def _tables() -> list[tuple[str, str, str | None, tuple[str, ...] | None]]:
    return [(table, "household_id", None, columns) for table, columns in DIRECT.items()] + [
        (table, key, parent, columns) for table, (key, parent, columns) in THROUGH.items()]


def upgrade() -> None:
    op.create_table('household_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_changes'))
    )
    op.create_index('ix_household_changes_household_id_id', 'household_changes',
                    ['household_id', 'id'], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(PG_FUNCTION)
        op.execute(PG_PROFESSIONAL_FUNCTION)
    for table, key, parent, columns in _tables():
        for operation in OPERATIONS:
            event = operation if operation != "UPDATE" or not columns \
                else f"UPDATE OF {', '.join(columns)}"
            name = f"household_changed_{table}_{operation.lower()}"
            if postgres:
                arguments = f"'{key}'" + (f", '{parent}'" if parent else "")
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                           f"EXECUTE FUNCTION household_changed({arguments})")
                continue
            # The household of the row as it is, and as it was if the row moved.
            rows = {"INSERT": [("NEW", "")], "DELETE": [("OLD", "")],
                    "UPDATE": [("NEW", ""), ("OLD", f" AND OLD.{key} IS NOT NEW.{key}")]}
            body = " ".join(
                "INSERT INTO household_changes (household_id) " + (
                    f"SELECT {row}.household_id WHERE 1{only}" if parent is None else
                    f"SELECT household_id FROM {parent} WHERE id = {row}.{key}{only}") + ";"
                for row, only in rows[operation])
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                       f"BEGIN {body} END")
    moved = "AFTER UPDATE OF organisation_id ON professionals FOR EACH ROW"
    if postgres:
        op.execute(f"CREATE TRIGGER household_changed_professionals_update {moved} "
                   "EXECUTE FUNCTION household_professional_moved()")
    else:
        op.execute(f"CREATE TRIGGER household_changed_professionals_update {moved} "
                   f"BEGIN {PROFESSIONAL_MOVED}; END")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER household_changed_professionals_update"
               + (" ON professionals" if postgres else ""))
    for table, _, _, _ in _tables():
        for operation in OPERATIONS:
            name = f"household_changed_{table}_{operation.lower()}"
            op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
    if postgres:
        op.execute("DROP FUNCTION household_changed()")
        op.execute("DROP FUNCTION household_professional_moved()")
    op.drop_index('ix_household_changes_household_id_id', table_name='household_changes')
    op.drop_table('household_changes')
