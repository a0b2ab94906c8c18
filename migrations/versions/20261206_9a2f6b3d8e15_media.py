"""Media: one row per uploaded image (its content-hashed file lives in the media store).

Like the earlier revisions, this adopts a database that ``create_all`` already shaped: an
existing ``media`` table is left as it is.

Revision ID: 9a2f6b3d8e15
Revises: 7d3c5e1f2a48
Create Date: 2026-12-06 09:20:00
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "9a2f6b3d8e15"
down_revision = "7d3c5e1f2a48"
branch_labels = None
depends_on = None


def upgrade():
    offline = op.get_context().as_sql
    if not offline and "media" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_uploaded_by"), ["uploaded_by"], unique=False)


def downgrade():
    # The files stay in the media store; only the list of them goes.
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_uploaded_by"))
        batch_op.drop_index(batch_op.f("ix_media_created_at"))
    op.drop_table("media")
