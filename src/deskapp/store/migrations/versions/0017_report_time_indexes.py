"""report time indexes: every time the report counts a window by has an index

The report counts each section over the day (or days) by one time column at a time; with an
index each count reads only the window's rows. Measured on a 5-year store of 8 million rows
(scripts/bench.py): work orders counted by arrival, completion, signature and review each read all
75 000 orders (about 18 ms a count, 30 counts a report).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24
"""

from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

INDEXES = {
    'escalation': ['at'],
    'promise': ['created_at'],
    'work_order': ['arrived_at', 'done_at', 'signed_at', 'review_ended_at'],
    'feedback': ['answered_at', 'escalated_at', 'closed_at'],
    'release_request': ['voided_at', 'checked_at'],
    'found_item': ['registered_at'],
    'vacancy': ['applied_at', 'decided_at'],
    'renovation': ['opened_at', 'refunded_at'],
}


def upgrade() -> None:
    for table, columns in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def downgrade() -> None:
    for table, columns in reversed(INDEXES.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
