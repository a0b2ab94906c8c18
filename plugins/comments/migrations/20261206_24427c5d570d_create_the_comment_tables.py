"""Create the comments plugin's tables (the first revision of the ``comments`` branch).

The comments plugin's tables live in its own migration branch, read only while the plugin
is loaded (``blogapp/plugin_migrations.py``): a site that blocks it never gets them.

Adopts what is there already, rows included: before the plugin boundary (#19) the core's
first revision created these tables, and a database made by ``create_all`` before
migrations has them too; a table that exists is kept as it is, only missing ones are
created. Only table names are checked: those tables were made from these very models.

Revision ID: 24427c5d570d
Revises:
Depends on: 2f8c4036de20 (the core tables its foreign keys point at)
Create Date: 2026-12-06 03:30:00
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "24427c5d570d"
down_revision = None
branch_labels = ("comments",)
depends_on = "2f8c4036de20"

# In dependency order (a table after those its foreign keys point at).
TABLES = ["comments", "comment_threads", "comment_imports"]


def upgrade():
    # ``--sql`` (offline) has no database to look at: it writes the whole schema.
    offline = op.get_context().as_sql
    existing = set() if offline else set(sa.inspect(op.get_bind()).get_table_names())
    for name in TABLES:
        if name not in existing:
            CREATE[name]()


def downgrade():
    for name in reversed(TABLES):
        op.drop_table(name)


def create_comments():
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("author_url", sa.String(length=500), nullable=False),
        sa.Column("body_raw", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.String(length=300), nullable=False),
        sa.Column("notify_replies", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["comments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comments_author_email", "comments", ["author_email"])
    op.create_index("ix_comments_created_at", "comments", ["created_at"])
    op.create_index("ix_comments_parent_id", "comments", ["parent_id"])
    op.create_index("ix_comments_post_id", "comments", ["post_id"])
    op.create_index("ix_comments_status", "comments", ["status"])


def create_comment_threads():
    op.create_table(
        "comment_threads",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id"),
    )


def create_comment_imports():
    op.create_table(
        "comment_imports",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("wp_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("comment_id"),
        sa.UniqueConstraint("post_id", "wp_id"),
    )
    op.create_index("ix_comment_imports_post_id", "comment_imports", ["post_id"])


CREATE = {name: globals()["create_" + name] for name in TABLES}
