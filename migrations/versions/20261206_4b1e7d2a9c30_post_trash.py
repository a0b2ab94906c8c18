"""Post trash: when a post was trashed, and the status and slug restoring puts back.

A trashed post keeps its row (and so its comments) with status ``trashed``; the columns
are empty for every other post, so existing rows need no data change.

Like the earlier revisions, this adopts a database that ``create_all`` already shaped: a
``posts`` table that has the columns already is left as it is.

Revision ID: 4b1e7d2a9c30
Revises: f2d649dd4662
Create Date: 2026-12-06 08:50:00
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "4b1e7d2a9c30"
down_revision = "f2d649dd4662"
branch_labels = None
depends_on = None


def _has_trash_columns():
    if op.get_context().as_sql:  # offline SQL script: assume the previous revision's shape
        return False
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("posts")}
    return "trashed_at" in columns


def upgrade():
    if _has_trash_columns():
        return
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trashed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("trashed_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("trashed_slug", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_posts_trashed_at"), ["trashed_at"], unique=False)


def downgrade():
    # Trashed posts would otherwise come back under their placeholder slugs as "trashed",
    # a status the older code does not know: put them back as drafts first.
    op.execute(sa.text(
        "UPDATE posts SET status = 'draft', slug = trashed_slug "
        "WHERE status = 'trashed' AND trashed_slug IS NOT NULL "
        "AND trashed_slug NOT IN (SELECT slug FROM posts)"))
    op.execute(sa.text("UPDATE posts SET status = 'draft' WHERE status = 'trashed'"))
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_trashed_at"))
        batch_op.drop_column("trashed_slug")
        batch_op.drop_column("trashed_status")
        batch_op.drop_column("trashed_at")
