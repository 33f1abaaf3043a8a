"""version on the records two clerks can change (optimistic locking: no lost update)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLES = (
    'call', 'feedback', 'found_item', 'handover', 'handover_item', 'key_loan', 'key_tag', 'promise',
    'release_request', 'renovation', 'vacancy', 'visit', 'work_order',
)


def upgrade() -> None:
    # Every row there is counts as version 1: the first change after the upgrade makes it 2.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
