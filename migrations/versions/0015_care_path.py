"""the path of a household's help from intake to closure (inspection framework): help
requests with the uniform safety questions, safety assessments at any time, each child seen
and spoken, the family group plan, evaluations against the start, escalations, closures,
other organisations' plans and coordinators, feedback to a signal's partner; a plan names the
family group plan it is based on

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:16:56.713549
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import broker.db

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('closures',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('aftercare_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['aftercare_organisation_id'], ['organisations.id'], name=op.f('fk_closures_aftercare_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_closures_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_closures_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closures_household_id'), ['household_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('to', sa.String(length=30), nullable=False),
    sa.Column('why', sa.String(length=20), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=False),
    sa.Column('outcome', sa.LargeBinary(), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_escalations_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_escalations_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_household_id'), ['household_id'], unique=False)

    op.create_table('family_group_plan_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.JSON(), nullable=False),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_family_group_plan_events_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_family_group_plan_events_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_group_plan_events'))
    )
    with op.batch_alter_table('family_group_plan_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_group_plan_events_household_id'), ['household_id'], unique=False)

    op.create_table('help_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('question', sa.LargeBinary(), nullable=False),
    sa.Column('formulated_with', sa.JSON(), nullable=False),
    sa.Column('life_domains', sa.JSON(), nullable=False),
    sa.Column('safety_answers', sa.JSON(), nullable=False),
    sa.Column('full_assessment', sa.Boolean(), nullable=False),
    sa.Column('member_zrm', sa.JSON(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_help_requests_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_help_requests_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_requests_household_id'), ['household_id'], unique=False)

    op.create_table('other_plans',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('details', sa.LargeBinary(), nullable=False),
    sa.Column('linked', sa.Boolean(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_other_plans_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_other_plans_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_other_plans'))
    )
    with op.batch_alter_table('other_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_other_plans_household_id'), ['household_id'], unique=False)

    op.create_table('safety_assessments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('subject_ids', sa.JSON(), nullable=False),
    sa.Column('instrument', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('scale', sa.Integer(), nullable=True),
    sa.Column('rationale', sa.LargeBinary(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_safety_assessments_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_safety_assessments_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_assessments'))
    )
    with op.batch_alter_table('safety_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_assessments_household_id'), ['household_id'], unique=False)

    op.create_table('child_contacts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('child_id', sa.String(length=36), nullable=False),
    sa.Column('contact_on', sa.Date(), nullable=False),
    sa.Column('seen', sa.Boolean(), nullable=False),
    sa.Column('spoken', sa.Boolean(), nullable=False),
    sa.Column('place', sa.String(length=20), nullable=False),
    sa.Column('by_professional_id', sa.String(length=36), nullable=False),
    sa.Column('view', sa.LargeBinary(), nullable=True),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_professional_id'], ['professionals.id'], name=op.f('fk_child_contacts_by_professional_id_professionals')),
    sa.ForeignKeyConstraint(['child_id'], ['household_members.id'], name=op.f('fk_child_contacts_child_id_household_members')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_child_contacts_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_child_contacts_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_contacts'))
    )
    with op.batch_alter_table('child_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_contacts_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_contacts_household_id'), ['household_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('goals', sa.JSON(), nullable=False),
    sa.Column('start_scale', sa.Integer(), nullable=True),
    sa.Column('start_outcome', sa.String(length=40), nullable=True),
    sa.Column('safety_scale', sa.Integer(), nullable=False),
    sa.Column('safety_outcome', sa.String(length=40), nullable=False),
    sa.Column('needs_changed', sa.Boolean(), nullable=False),
    sa.Column('next_evaluation', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_evaluations_household_id_households')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_evaluations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_evaluations_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_household_id'), ['household_id'], unique=False)

    op.create_table('signal_feedback',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('observation_id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_signal_feedback_household_id_households')),
    sa.ForeignKeyConstraint(['observation_id'], ['observations.id'], name=op.f('fk_signal_feedback_observation_id_observations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_feedback')),
    sa.UniqueConstraint('observation_id', name=op.f('uq_signal_feedback_observation_id'))
    )
    with op.batch_alter_table('signal_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signal_feedback_household_id'), ['household_id'], unique=False)

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_group_plan_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_plans_family_group_plan_id_family_group_plan_events'), 'family_group_plan_events', ['family_group_plan_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plans_family_group_plan_id_family_group_plan_events'), type_='foreignkey')
        batch_op.drop_column('family_group_plan_id')

    with op.batch_alter_table('signal_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signal_feedback_household_id'))

    op.drop_table('signal_feedback')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_household_id'))

    op.drop_table('evaluations')
    with op.batch_alter_table('child_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_contacts_household_id'))
        batch_op.drop_index(batch_op.f('ix_child_contacts_child_id'))

    op.drop_table('child_contacts')
    with op.batch_alter_table('safety_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_assessments_household_id'))

    op.drop_table('safety_assessments')
    with op.batch_alter_table('other_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_other_plans_household_id'))

    op.drop_table('other_plans')
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_requests_household_id'))

    op.drop_table('help_requests')
    with op.batch_alter_table('family_group_plan_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_group_plan_events_household_id'))

    op.drop_table('family_group_plan_events')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_household_id'))

    op.drop_table('escalations')
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closures_household_id'))

    op.drop_table('closures')
