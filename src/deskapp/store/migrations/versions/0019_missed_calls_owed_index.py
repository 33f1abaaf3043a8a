"""missed calls owed: an index on (state, returned_by_call_id)

The phone screen (F3) lists the missed calls not yet called back with every reload, which follows
each answer, hold, resume and hang-up. By state alone the index found every missed call of the
store's years and read each to test returned_by_call_id: 10-12 ms on a 5-year store (8 600 missed
calls, 2 owed; scripts/bench.py), under 1 ms with both columns in the index.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-25
"""

from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_owed', ['state', 'returned_by_call_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_owed')
