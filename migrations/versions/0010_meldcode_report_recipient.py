"""meldcode: the Veilig Thuis organisation a case is reported to

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meldcode_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_to', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meldcode_steps_reported_to_organisations'),
                                    'organisations', ['reported_to'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('meldcode_steps', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meldcode_steps_reported_to_organisations'),
                                 type_='foreignkey')
        batch_op.drop_column('reported_to')
