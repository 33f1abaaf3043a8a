"""phone indexes: the screen pop finds a caller's promises, work orders and complaints by number

When a call is answered (F3), the console shows what is open for the caller: the promises, work
orders and complaints under their phone number or their unit. Without an index on the number each
of the three read its whole table: 27-100 ms per answered call on a 5-year store of 8 million rows
(scripts/bench.py), 4-9 ms with them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-25
"""

from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('promise', 'work_order', 'feedback')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_phone'), ['phone'], unique=False)


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_phone'))
