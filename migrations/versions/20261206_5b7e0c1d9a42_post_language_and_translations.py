"""Post language and translation groups (#16): ``posts.language`` ('zh' or 'en') and
``posts.translation_group`` (a key shared by the translations of one article, at most one
post per language: ``uq_posts_translation_language``).

Existing posts get the language their rendered text is mostly written in (the rule of
``blogapp.content.reader.text_language``, copied here so this file never depends on code
that may change later) and no group. Like the earlier revisions, a database whose
``create_all`` already made the columns is adopted as it is.

Revision ID: 5b7e0c1d9a42
Revises: 9a2f6b3d8e15
Create Date: 2026-12-06 08:40:00
"""
import html
import re

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "5b7e0c1d9a42"
down_revision = "9a2f6b3d8e15"
branch_labels = None
depends_on = None

_TAGS = re.compile(r"<[^>]+>")
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[A-Za-z0-9][\w'.-]*")


def _language(body_html):
    """'zh' when Chinese characters outnumber the other words outside code, else 'en'."""
    prose = html.unescape(_TAGS.sub(" ", _PRE.sub(" ", body_html or "")))
    return "zh" if len(_CJK.findall(prose)) >= len(_WORD.findall(_CJK.sub(" ", prose))) else "en"


def _columns():
    if op.get_context().as_sql:  # offline SQL script: assume the previous revision's shape
        return set()
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns("posts")}


def upgrade():
    if "language" in _columns():
        return
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), server_default="zh",
                                      nullable=False))
        batch_op.add_column(sa.Column("translation_group", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_posts_translation_group", ["translation_group"], unique=False)
        batch_op.create_unique_constraint("uq_posts_translation_language",
                                          ["translation_group", "language"])
    if op.get_context().as_sql:
        return
    # Detected per post in batches, English ones updated (the column starts as 'zh').
    bind = op.get_bind()
    posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("body_html", sa.Text),
                     sa.column("language", sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(posts.c.id, posts.c.body_html).where(posts.c.id > last)
                            .order_by(posts.c.id).limit(500)).all()
        if not rows:
            break
        english = [row.id for row in rows if _language(row.body_html) == "en"]
        if english:
            bind.execute(posts.update().where(posts.c.id.in_(english)).values(language="en"))
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_posts_translation_language", type_="unique")
        batch_op.drop_index("ix_posts_translation_group")
        batch_op.drop_column("translation_group")
        batch_op.drop_column("language")
