"""holders: mandates (legal grounds per child), requests for information, renewals of
restrictions on telling the family; meldcode steps for acute reports, a skipped talk and a
follow-up; overrides with reasons per subject and grounds per recipient; handbacks that name
from whom and to whom

A report to Veilig Thuis made before this revision gives Veilig Thuis a report mandate on
the child from the day of the report for 182 days (as one made now does), so that what
Veilig Thuis could read under its former unconditional legal duty it still reads for that
report (reports from before revision 0010 name no Veilig Thuis: the only one, if there is
exactly one); handbacks get their from (the Veilig Thuis reported to) and to (the reporter).
A reason not to tell the family was permanent; it becomes reviewed, the first time 90 days
after the upgrade (`not_informed_max_days`), so nothing hidden appears on a family page at
the upgrade without an aandachtsfunctionaris having looked at it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import broker.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT_MANDATE_DAYS = 182  # policies/parties.yaml, veilig_thuis.mandates.vt_report.days
NOT_INFORMED_REVIEW_DAYS = 90  # policies/meldcode.yaml, override.not_informed_max_days
LEGAL_ZONE = ZoneInfo("Europe/Amsterdam")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade() -> None:
    op.create_table(
        'mandates',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('reference', sa.LargeBinary(), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('case_id', sa.String(length=36), nullable=True),
        sa.Column('not_informed_reason', sa.LargeBinary(), nullable=True),
        sa.Column('not_informed_until', sa.Date(), nullable=True),
        sa.Column('registered_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        _fk('mandates', 'case_id', 'meldcode_cases'),
        _fk('mandates', 'household_id', 'households'),
        _fk('mandates', 'organisation_id', 'organisations'),
        _fk('mandates', 'subject_id', 'household_members'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates')))
    for column in ('household_id', 'organisation_id', 'subject_id'):
        op.create_index(op.f(f'ix_mandates_{column}'), 'mandates', [column])

    op.create_table(
        'information_requests',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=36), nullable=False),
        sa.Column('categories', sa.JSON(), nullable=False),
        sa.Column('purpose', sa.String(length=64), nullable=False),
        sa.Column('holder_organisation_id', sa.String(length=36), nullable=False),
        sa.Column('requester_organisation_id', sa.String(length=36), nullable=False),
        sa.Column('requested_by', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.LargeBinary(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('answer_reason', sa.LargeBinary(), nullable=True),
        sa.Column('override_id', sa.String(length=36), nullable=True),
        sa.Column('answered_by', sa.String(length=64), nullable=True),
        sa.Column('answered_at', broker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        _fk('information_requests', 'holder_organisation_id', 'organisations'),
        _fk('information_requests', 'household_id', 'households'),
        _fk('information_requests', 'override_id', 'overrides'),
        _fk('information_requests', 'requester_organisation_id', 'organisations'),
        _fk('information_requests', 'subject_id', 'household_members'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_information_requests')))
    for column in ('holder_organisation_id', 'household_id', 'requester_organisation_id',
                   'subject_id'):
        op.create_index(op.f(f'ix_information_requests_{column}'), 'information_requests',
                        [column])

    op.create_table(
        'notice_renewals',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('household_id', sa.String(length=36), nullable=False),
        sa.Column('override_id', sa.String(length=36), nullable=True),
        sa.Column('mandate_id', sa.String(length=36), nullable=True),
        sa.Column('reason', sa.LargeBinary(), nullable=False),
        sa.Column('review_on', sa.Date(), nullable=False),
        sa.Column('renewed_by', sa.String(length=64), nullable=False),
        sa.Column('renewed_at', broker.db.UTCDateTime(timezone=True), nullable=False),
        _fk('notice_renewals', 'household_id', 'households'),
        _fk('notice_renewals', 'mandate_id', 'mandates'),
        _fk('notice_renewals', 'override_id', 'overrides'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_renewals')))
    for column in ('household_id', 'mandate_id', 'override_id'):
        op.create_index(op.f(f'ix_notice_renewals_{column}'), 'notice_renewals', [column])

    with op.batch_alter_table('meldcode_handbacks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_organisation_id', sa.String(length=36),
                                      nullable=True))
        batch_op.add_column(sa.Column('to_organisation_id', sa.String(length=36),
                                      nullable=True))
        batch_op.alter_column('case_id', existing_type=sa.VARCHAR(length=36), nullable=True)
        for column in ('from_organisation_id', 'to_organisation_id'):
            batch_op.create_foreign_key(
                batch_op.f(f'fk_meldcode_handbacks_{column}_organisations'),
                'organisations', [column], ['id'])
    with op.batch_alter_table('meldcode_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acuut', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('skip_reason', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_on', sa.Date(), nullable=True))
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_informed_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('subject_reasons', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('recipient_grounds', sa.JSON(), nullable=True))
    _reports_become_mandates()
    _restrictions_are_reviewed()


def _restrictions_are_reviewed() -> None:
    overrides = sa.table('overrides', sa.column('not_informed_reason', sa.LargeBinary()),
                         sa.column('not_informed_until', sa.Date()))
    review = datetime.now(LEGAL_ZONE).date() + timedelta(days=NOT_INFORMED_REVIEW_DAYS)
    op.get_bind().execute(overrides.update().where(
        overrides.c.not_informed_reason.is_not(None),
        overrides.c.not_informed_until.is_(None)).values(not_informed_until=review))


def _reports_become_mandates() -> None:
    connection = op.get_bind()
    steps = sa.table('meldcode_steps', sa.column('case_id'), sa.column('reported_to'),
                     sa.column('decision'), sa.column('recorded_at', broker.db.UTCDateTime()),
                     sa.column('recorded_by'))
    organisations = sa.table('organisations', sa.column('id'), sa.column('party'))
    veilig_thuis = connection.execute(sa.select(organisations.c.id).where(
        organisations.c.party == 'veilig_thuis').limit(2)).scalars().all()
    only = veilig_thuis[0] if len(veilig_thuis) == 1 else None
    cases = sa.table('meldcode_cases', sa.column('id'), sa.column('household_id'),
                     sa.column('child_id'), sa.column('organisation_id'))
    mandates = sa.table('mandates', *(sa.column(c) for c in (
        'id', 'household_id', 'subject_id', 'kind', 'organisation_id', 'case_id',
        'registered_by')), sa.column('valid_from', sa.Date()),
        sa.column('valid_until', sa.Date()),
        sa.column('created_at', broker.db.UTCDateTime()))
    handbacks = sa.table('meldcode_handbacks', sa.column('case_id'),
                         sa.column('from_organisation_id'), sa.column('to_organisation_id'))
    reports = connection.execute(
        sa.select(cases.c.id, cases.c.household_id, cases.c.child_id, cases.c.organisation_id,
                  steps.c.reported_to, steps.c.recorded_at, steps.c.recorded_by)
        .join(steps, steps.c.case_id == cases.c.id)
        .where(steps.c.decision.in_(['melden', 'melden_en_hulp']))).all()
    for report in reports:
        reported_to = report.reported_to or only
        if reported_to is None:
            continue  # no Veilig Thuis to name: it registers its mandate itself
        day = report.recorded_at.astimezone(LEGAL_ZONE).date()
        connection.execute(mandates.insert().values(
            id=str(uuid.uuid4()), household_id=report.household_id,
            subject_id=report.child_id, kind='vt_report', organisation_id=reported_to,
            valid_from=day, valid_until=day + timedelta(days=REPORT_MANDATE_DAYS),
            case_id=report.id, registered_by=report.recorded_by,
            created_at=datetime.now(UTC)))
        connection.execute(handbacks.update().where(handbacks.c.case_id == report.id).values(
            from_organisation_id=reported_to, to_organisation_id=report.organisation_id))


def downgrade() -> None:
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.drop_column('recipient_grounds')
        batch_op.drop_column('subject_reasons')
        batch_op.drop_column('not_informed_until')
    with op.batch_alter_table('meldcode_steps', schema=None) as batch_op:
        batch_op.drop_column('follow_up_on')
        batch_op.drop_column('skip_reason')
        batch_op.drop_column('acuut')
    op.execute("DELETE FROM meldcode_handbacks WHERE case_id IS NULL")
    with op.batch_alter_table('meldcode_handbacks', schema=None) as batch_op:
        for column in ('from_organisation_id', 'to_organisation_id'):
            batch_op.drop_constraint(
                batch_op.f(f'fk_meldcode_handbacks_{column}_organisations'),
                type_='foreignkey')
        batch_op.alter_column('case_id', existing_type=sa.VARCHAR(length=36), nullable=False)
        batch_op.drop_column('to_organisation_id')
        batch_op.drop_column('from_organisation_id')
    op.drop_table('notice_renewals')
    op.drop_table('information_requests')
    op.drop_table('mandates')
