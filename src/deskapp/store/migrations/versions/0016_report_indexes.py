"""report indexes: the times the daily report counts by, and one action over a day

Measured on a 5-year store of 8 million rows (scripts/bench.py): the daily report spent 350 ms
counting one action's audit events over a day (SQLite chose the entity index), and tens of ms
each scanning promises, visits, calls and work orders by a time with no index.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24
"""

from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_action_at', ['action', 'at'], unique=False)
    with op.batch_alter_table('promise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promise_closed_at'), ['closed_at'], unique=False)
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_service_started_at'), ['service_started_at'], unique=False)
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_answered_at'), ['answered_at'], unique=False)
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_closed_at'), ['closed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_closed_at'))
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_answered_at'))
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_service_started_at'))
    with op.batch_alter_table('promise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promise_closed_at'))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_action_at')
