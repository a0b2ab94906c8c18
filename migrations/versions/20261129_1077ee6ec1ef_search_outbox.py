"""Search outbox: index changes every web node applies to its own index (docs/scaling.md).

Like the baseline, this adopts a database whose ``flask init-db`` (``create_all``) already
made the table before it was ever migrated: an existing ``search_outbox`` is left alone.

Types are spelled out (``sa.DateTime`` for the model's ``UTCDateTime``) so this file never
depends on application code that may change later. ``sqlite_autoincrement``: ids must never
be reused after pruning, or a node would take a new row for one it already applied.

Revision ID: 1077ee6ec1ef
Revises: 2f8c4036de20
Create Date: 2026-11-29 22:22:49.953275
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "1077ee6ec1ef"
down_revision = "2f8c4036de20"
branch_labels = None
depends_on = None


def upgrade():
    offline = op.get_context().as_sql
    if not offline and "search_outbox" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_outbox_created_at"), ["created_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_outbox_created_at"))
    op.drop_table("search_outbox")
