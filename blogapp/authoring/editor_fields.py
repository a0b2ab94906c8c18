"""What the editor page adds to ``PostForm``'s fields when it renders them: suggestions for
the category and tag fields (``<datalist>`` options: the existing names, most used first,
so an author picks ``运维`` rather than creating ``Ops`` beside it; typing a new name
still creates it) and hints tied to their fields (``aria-describedby``).

Set on the bound fields at render time rather than in the form class, so the form keeps
describing only what is submitted.
"""

from flask import current_app
from flask_babel import lazy_gettext as _

from ..extensions import db
from ..models import Category, Post, Tag
from ..models.taxonomy import post_tags

# A datalist longer than this is scrolled past, not read; the rarest tags are left out.
MAX_TAGS = 300


def category_names():
    uses = db.func.count(Post.id)
    rows = db.session.execute(
        db.select(Category.name).outerjoin(Post, Post.category_id == Category.id)
        .group_by(Category.id, Category.name).order_by(uses.desc(), Category.name))
    return [name for (name,) in rows]


def tag_names():
    uses = db.func.count(post_tags.c.post_id)
    rows = db.session.execute(
        db.select(Tag.name).outerjoin(post_tags, post_tags.c.tag_id == Tag.id)
        .group_by(Tag.id, Tag.name).order_by(uses.desc(), Tag.name).limit(MAX_TAGS))
    return [name for (name,) in rows]


def _describe(field, hint, **attributes):
    field.description = hint
    field.render_kw = {**(field.render_kw or {}), **attributes,
                       "aria-describedby": f"{field.id}-hint"}


def prepare(form):
    """Attach suggestions and hints to ``form``; returns the suggestion lists by field."""
    _describe(form.category, _("选一个已有的分类，或输入新的分类名。"),
              list="category-options", autocomplete="off")
    # editor.js offers the names after the last comma; without it the list suits the first.
    _describe(form.tags, _("用逗号分隔；输入时会提示已有的标签。"),
              list="tag-options", autocomplete="off")
    _describe(form.published_at, _(
        "%(zone)s 时间。填写将来的时间再点“发布”，文章会在那时自动发布（定时发布）。",
        zone=current_app.config["TIMEZONE"]))
    return {"category-options": category_names(), "tag-options": tag_names()}
