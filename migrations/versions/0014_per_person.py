"""per person: plan goals and actions name whom they are about; items kept from one member
of the family (WGBO 7:457, or a youth's own wish); custody as history, by court decision, held
by a member or a GI; a youth judged unable to weigh their interests; an adult's curator or
mentor; a GI's consent and withdrawal as guardian

Plans and actions from before this revision name nobody: they stay about the household's
children, as the door decided on them before (now on each child, not the eldest alone).
Custody recorded before it holds since the household was recorded (started_on NULL).
Data keys per person: observations sealed before stay under their household's key
(person_key false) until `broker keys rotate` (or their subject's destruction) moves them to
their subject's key. A request for destruction from before is about its asker's own file.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import broker.db

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade() -> None:
    op.create_table(
        'court_decisions',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('reference', sa.LargeBinary(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        _fk('court_decisions', 'household_id', 'households'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_court_decisions')))
    op.create_index(op.f('ix_court_decisions_household_id'), 'court_decisions',
                    ['household_id'])
    with op.batch_alter_table('custody', schema=None) as batch_op:
        batch_op.drop_constraint('uq_custody_custodian_id', type_='unique')
        batch_op.alter_column('custodian_id', existing_type=sa.String(length=36),
                              nullable=True)
        batch_op.add_column(sa.Column('custodian_organisation_id', sa.String(length=36),
                                      nullable=True))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('ended_by_decision_id', sa.String(length=36),
                                      nullable=True))
        batch_op.create_foreign_key(op.f('fk_custody_custodian_organisation_id_organisations'),
                                    'organisations', ['custodian_organisation_id'], ['id'])
        batch_op.create_foreign_key(op.f('fk_custody_decision_id_court_decisions'),
                                    'court_decisions', ['decision_id'], ['id'])
        batch_op.create_foreign_key(op.f('fk_custody_ended_by_decision_id_court_decisions'),
                                    'court_decisions', ['ended_by_decision_id'], ['id'])
    op.create_table(
        'incapacities',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=36), nullable=False),
        sa.Column('assessed_by', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('reason', sa.LargeBinary(), nullable=False),
        sa.Column('categories', sa.JSON(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        _fk('incapacities', 'household_id', 'households'),
        _fk('incapacities', 'subject_id', 'household_members'),
        _fk('incapacities', 'assessed_by', 'professionals'),
        _fk('incapacities', 'organisation_id', 'organisations'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incapacities')))
    op.create_table(
        'representations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=36), nullable=False),
        sa.Column('representative_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('decision_id', sa.String(length=36), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        _fk('representations', 'household_id', 'households'),
        _fk('representations', 'subject_id', 'household_members'),
        _fk('representations', 'representative_id', 'household_members'),
        _fk('representations', 'decision_id', 'court_decisions'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_representations')))
    for table in ('incapacities', 'representations'):
        for column in ('household_id', 'subject_id'):
            op.create_index(op.f(f'ix_{table}_{column}'), table, [column])
    op.create_table(
        'consent_guardians',
        sa.Column('consent_id', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('professional_id', sa.String(length=36), nullable=False),
        _fk('consent_guardians', 'consent_id', 'consents'),
        _fk('consent_guardians', 'organisation_id', 'organisations'),
        _fk('consent_guardians', 'professional_id', 'professionals'),
        sa.PrimaryKeyConstraint('consent_id', 'organisation_id',
                                name=op.f('pk_consent_guardians')))
    with op.batch_alter_table('consent_withdrawals', schema=None) as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column('organisation_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_consent_withdrawals_organisation_id_organisations'), 'organisations',
            ['organisation_id'], ['id'])
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal_subjects', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('member_zrm', sa.JSON(), nullable=True))
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_ids', sa.JSON(), nullable=True))
    op.create_table(
        'withholdings',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('member_id', sa.String(length=36), nullable=False),
        sa.Column('object_type', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.LargeBinary(), nullable=True),
        sa.Column('review_on', sa.Date(), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_by', sa.String(length=64), nullable=True),
        sa.Column('ended_at', broker.db.UTCDateTime(timezone=True), nullable=True),
        _fk('withholdings', 'household_id', 'households'),
        _fk('withholdings', 'member_id', 'household_members'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_withholdings')))
    for column in ('household_id', 'member_id'):
        op.create_index(op.f(f'ix_withholdings_{column}'), 'withholdings', [column])


    op.create_table(
        'member_keys',
        sa.Column('member_id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('kek_id', sa.String(length=40), nullable=True),
        sa.Column('wrapped', sa.LargeBinary(length=64), nullable=True),
        sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('rotated_at', broker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('destroyed_at', broker.db.UTCDateTime(timezone=True), nullable=True),
        _fk('member_keys', 'member_id', 'household_members'),
        _fk('member_keys', 'household_id', 'households'),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_keys')))
    op.create_index(op.f('ix_member_keys_household_id'), 'member_keys', ['household_id'])
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_key', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('destruction_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('ground', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_destruction_requests_subject_id_household_members'),
            'household_members', ['subject_id'], ['id'])


# What revision 0013 cannot hold: downgrading over it would lose it (texts sealed under a
# person's key, custody history, a GI's consents) or change its meaning (a request for a
# child's file would become one for the asker's own).
KEPT_ONLY_HERE = {
    "member_keys": "texts sealed under a person's own key",
    "court_decisions": "custody history and curators or mentors",
    "consent_guardians": "consents granted by a GI",
    "incapacities": "judgements of incapacity",
    "withholdings": "items kept from a family member",
}


def downgrade() -> None:
    bind = op.get_bind()
    held = [what for table, what in KEPT_ONLY_HERE.items()
            if bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first()]
    if bind.execute(sa.text("SELECT 1 FROM destruction_requests WHERE subject_id IS NOT NULL "
                            "AND subject_id <> member_id LIMIT 1")).first():
        held.append("requests for destruction of a child's file")
    if held:
        raise RuntimeError("Revision 0014 holds data revision 0013 cannot ("
                           + "; ".join(held) + "): restore the backup made before the "
                           "upgrade instead of downgrading.")
    with op.batch_alter_table('destruction_requests', schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f('fk_destruction_requests_subject_id_household_members'), type_='foreignkey')
        batch_op.drop_column('ground')
        batch_op.drop_column('subject_id')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_column('person_key')
    op.drop_table('member_keys')
    with op.batch_alter_table('consent_withdrawals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_consent_withdrawals_organisation_id_organisations'),
                                 type_='foreignkey')
        batch_op.drop_column('organisation_id')
        batch_op.alter_column('member_id', existing_type=sa.String(length=36), nullable=False)
    op.drop_table('consent_guardians')
    op.drop_table('representations')
    op.drop_table('incapacities')
    with op.batch_alter_table('custody', schema=None) as batch_op:
        for name in ('fk_custody_ended_by_decision_id_court_decisions',
                     'fk_custody_decision_id_court_decisions',
                     'fk_custody_custodian_organisation_id_organisations'):
            batch_op.drop_constraint(op.f(name), type_='foreignkey')
        for column in ('ended_by_decision_id', 'decision_id', 'ended_on', 'started_on',
                       'custodian_organisation_id'):
            batch_op.drop_column(column)
        batch_op.alter_column('custodian_id', existing_type=sa.String(length=36),
                              nullable=False)
        batch_op.create_unique_constraint('uq_custody_custodian_id', ['custodian_id', 'child_id'])
    op.drop_table('court_decisions')
    op.drop_table('withholdings')
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_column('subject_ids')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('member_zrm')
        batch_op.drop_column('goal_subjects')
