"""identity: teams within an organisation; a household belongs to its regisseur's team

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import broker.db

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'teams',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_teams_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')))
    op.create_index(op.f('ix_teams_organisation_id'), 'teams', ['organisation_id'])
    op.create_table(
        'team_members',
        sa.Column('team_id', sa.String(length=36), nullable=False),
        sa.Column('professional_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'],
                                name=op.f('fk_team_members_team_id_teams')),
        sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'],
                                name=op.f('fk_team_members_professional_id_professionals')),
        sa.PrimaryKeyConstraint('team_id', 'professional_id', name=op.f('pk_team_members')))
    op.create_index(op.f('ix_team_members_professional_id'), 'team_members',
                    ['professional_id'])
    with op.batch_alter_table('regisseur_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_regisseur_assignments_team_id_teams'),
                                    'teams', ['team_id'], ['id'])
    _one_team_per_directing_organisation()


def _one_team_per_directing_organisation() -> None:
    """Households existed before teams: each organisation that directs one gets one team
    holding all its professionals, and its households belong to it, so that nobody loses
    what they saw before the upgrade. An administrator then splits teams as they are."""
    connection = op.get_bind()
    organisations = sa.table('organisations', sa.column('id'), sa.column('name'))
    professionals = sa.table('professionals', sa.column('id'), sa.column('organisation_id'))
    assignments = sa.table('regisseur_assignments', sa.column('organisation_id'),
                           sa.column('team_id'))
    teams = sa.table('teams', sa.column('id'), sa.column('organisation_id'),
                     sa.column('name'), sa.column('created_at', broker.db.UTCDateTime()))
    members = sa.table('team_members', sa.column('team_id'), sa.column('professional_id'))
    directing = connection.execute(
        sa.select(organisations.c.id, organisations.c.name).where(organisations.c.id.in_(
            sa.select(assignments.c.organisation_id).distinct()))).all()
    for organisation_id, name in directing:
        team_id = str(uuid.uuid4())
        connection.execute(teams.insert().values(
            id=team_id, organisation_id=organisation_id, name=f"Team {name}"[:200],
            created_at=datetime.now(UTC)))
        people = connection.execute(sa.select(professionals.c.id).where(
            professionals.c.organisation_id == organisation_id)).scalars().all()
        if people:
            connection.execute(members.insert(), [
                {"team_id": team_id, "professional_id": person} for person in people])
        connection.execute(assignments.update().where(
            assignments.c.organisation_id == organisation_id).values(team_id=team_id))


def downgrade() -> None:
    with op.batch_alter_table('regisseur_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_regisseur_assignments_team_id_teams'),
                                 type_='foreignkey')
        batch_op.drop_column('team_id')
    op.drop_index(op.f('ix_team_members_professional_id'), table_name='team_members')
    op.drop_table('team_members')
    op.drop_index(op.f('ix_teams_organisation_id'), table_name='teams')
    op.drop_table('teams')
