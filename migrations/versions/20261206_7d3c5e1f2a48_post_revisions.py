"""Post revisions: the title and Markdown each save left, who saved it and when.

Every existing post gets one revision holding its current text (by its author, at its
last update), so its history starts from what is there now and the revision page can
compare and restore from the first edit on.

Like the earlier revisions, this adopts a database that ``create_all`` already shaped: an
existing ``post_revisions`` table is left as it is.

Revision ID: 7d3c5e1f2a48
Revises: 4b1e7d2a9c30
Create Date: 2026-12-06 09:00:00
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "7d3c5e1f2a48"
down_revision = "4b1e7d2a9c30"
branch_labels = None
depends_on = None


def upgrade():
    offline = op.get_context().as_sql
    if not offline and "post_revisions" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_revisions_post_id"), ["post_id"], unique=False)
    op.execute(sa.text(
        "INSERT INTO post_revisions (post_id, author_id, created_at, title, body) "
        "SELECT id, author_id, updated_at, title, COALESCE(body, '') FROM posts ORDER BY id"))


def downgrade():
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_revisions_post_id"))
    op.drop_table("post_revisions")
