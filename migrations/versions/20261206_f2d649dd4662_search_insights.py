"""Search insights: the search log (one row per day and normalised query; no IP, no
cookie) and the synonym groups editors keep in the database.

Like the earlier revisions, this adopts a database whose ``create_all`` already made the
tables: one that exists is left alone. Types are spelled out (``sa.DateTime`` for the
model's ``UTCDateTime``) so this file never depends on application code.

Revision ID: f2d649dd4662
Revises: 5b7c2d9e4a10
Create Date: 2026-12-06 09:15:50.613098
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "f2d649dd4662"
down_revision = "5b7c2d9e4a10"
branch_labels = None
depends_on = None


def _tables():
    if op.get_context().as_sql:
        return set()
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade():
    existing = _tables()
    if "search_log" not in existing:
        op.create_table(
            "search_log",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("query", sa.String(length=200), nullable=False),
            sa.Column("searches", sa.Integer(), nullable=False),
            sa.Column("results", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("search_log", schema=None) as batch_op:
            batch_op.create_index("ix_search_log_day_query", ["day", "query"], unique=True)
    if "synonym_groups" not in existing:
        op.create_table(
            "synonym_groups",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("terms_text", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )


def downgrade():
    op.drop_table("synonym_groups")
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.drop_index("ix_search_log_day_query")
    op.drop_table("search_log")
