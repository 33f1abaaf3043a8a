"""visit moves in flow_move

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

One table holds the flow moves of every kind of record: the moves of visits, kept until now in
visit_step, are copied into flow_move (record_kind 'visit') and visit_step is dropped.
"""

from alembic import op
import sqlalchemy as sa
import deskapp.store.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO flow_move (record_kind, record_id, seq, at, scenario, step, via, actor_id) "
        "SELECT 'visit', visit_id, seq, at, scenario, step, via, actor_id FROM visit_step ORDER BY visit_id, seq"
    )
    with op.batch_alter_table('visit_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_step_visit_id'))
    op.drop_table('visit_step')


def downgrade() -> None:
    op.create_table('visit_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', deskapp.store.types.UTCDateTime(), nullable=False),
    sa.Column('scenario', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('via', sa.String(length=64), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_step_visit_id'), ['visit_id'], unique=False)
    op.execute(
        "INSERT INTO visit_step (visit_id, seq, at, scenario, step, via, actor_id) "
        "SELECT record_id, seq, at, scenario, step, via, actor_id FROM flow_move WHERE record_kind = 'visit'"
    )
    op.execute("DELETE FROM flow_move WHERE record_kind = 'visit'")
