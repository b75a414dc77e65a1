"""per person: plan goals and actions name whom they are about; items kept from one member
of the family (WGBO 7:457, or a youth's own wish)

Plans and actions from before this revision name nobody: they stay about the household's
children, as the door decided on them before (now on each child, not the eldest alone).

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
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal_subjects', sa.JSON(), nullable=True))
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


def downgrade() -> None:
    op.drop_table('withholdings')
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_column('subject_ids')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('goal_subjects')
