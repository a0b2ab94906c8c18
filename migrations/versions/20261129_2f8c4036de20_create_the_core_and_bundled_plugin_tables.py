"""Create the core tables (the first revision of the ``core`` branch).

Until the plugin boundary (#19) this revision also created the comments plugin's tables;
they now come from the comments plugin's own branch (``plugins/comments/migrations``),
whose first revision adopts them where this one made them before, rows included.

Also adopts a database made by ``flask init-db`` before migrations existed (``create_all``,
no ``alembic_version``): tables that are there already are kept as they are, with their
rows, and only the missing ones are created; Alembic then records this revision, so the
database continues from here like any other. Only table names are checked: such a
database was made from these very models.

Types are spelled out (``sa.DateTime`` for the models' ``UTCDateTime``, which stores naive
UTC) so that this file never depends on application code that may change later.

Revision ID: 2f8c4036de20
Revises:
Create Date: 2026-11-29 22:21:33.709834
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "2f8c4036de20"
down_revision = None
branch_labels = ("core",)
depends_on = None

# In dependency order (a table after those its foreign keys point at).
TABLES = ["users", "categories", "tags", "posts", "post_tags", "legacy_post_ids"]


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


# Core (blogapp/models) --------------------------------------------------------------------

def create_users():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("password_hash", sa.String(length=256), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_index("ix_users_username", "users", ["username"], unique=True)


def create_categories():
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_categories_slug", "categories", ["slug"], unique=True)


def create_tags():
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tags_slug", "tags", ["slug"], unique=True)


def create_posts():
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("excerpt_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_posts_author_id", "posts", ["author_id"])
    op.create_index("ix_posts_category_id", "posts", ["category_id"])
    op.create_index("ix_posts_published_at", "posts", ["published_at"])
    op.create_index("ix_posts_slug", "posts", ["slug"], unique=True)
    op.create_index("ix_posts_status", "posts", ["status"])


def create_post_tags():
    op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "tag_id"),
    )


def create_legacy_post_ids():
    op.create_table(
        "legacy_post_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("legacy_id", sa.Integer(), nullable=False),
        sa.Column("legacy_slug", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "legacy_id"),
    )
    op.create_index("ix_legacy_post_ids_legacy_id", "legacy_post_ids", ["legacy_id"])
    op.create_index("ix_legacy_post_ids_legacy_slug", "legacy_post_ids", ["legacy_slug"])
    op.create_index("ix_legacy_post_ids_post_id", "legacy_post_ids", ["post_id"])


CREATE = {name: globals()["create_" + name] for name in TABLES}
