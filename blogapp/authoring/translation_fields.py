"""The editor's language and translation fields (#16): which language a post is in, and
which post (by URL slug) is the same article in the other language.

Linking changes the other post too, so an author may only link posts they may edit.
"""

from flask_babel import gettext as _
from flask_login import current_user

from ..content.languages import detect_language
from ..content.translations import TranslationConflict, link, partners, unlink
from ..extensions import db
from ..models import Post


def fill_translation_fields(form, post):
    """Show the stored language and the current translation in the form."""
    form.language.data = post.language or ""
    others = partners(post, visible_only=False)
    form.translation_of.data = others[0].slug if others else ""


def apply_translation_fields(form, post):
    """Copy language and translation into ``post``; an error message when impossible."""
    # The post may be new and is half-filled: nothing is flushed before the commit.
    with db.session.no_autoflush:
        return _apply(form, post)


def _apply(form, post):
    post.language = form.language.data or detect_language(post.body_html)
    wanted = (form.translation_of.data or "").strip().strip("/").rsplit("/", 1)[-1]
    current = partners(post, visible_only=False)
    if not wanted:
        if post.translation_group:
            unlink(post)
        return None
    if current and current[0].slug == wanted and current[0].language != post.language:
        return None  # unchanged
    other = db.session.scalar(db.select(Post).filter_by(slug=wanted))
    if other is None:
        return _("没有 URL 别名为“%(slug)s”的文章。", slug=wanted)
    if not current_user.may_edit(other):
        return _("你只能关联自己能编辑的文章。")
    try:
        if post.translation_group and post.translation_group != other.translation_group:
            unlink(post)
        link(post, other)
    except TranslationConflict:
        return _("“%(slug)s”不能作为这篇文章的另一种语言版本：两篇文章语言相同，"
                 "或它已有这种语言的版本。", slug=wanted)
    return None
