"""Translation groups: the posts that are one article in different languages.

A group is a random key shared by its posts (``Post.translation_group``), at most one post
per language (a unique constraint). Linking two posts puts them in one group; unlinking
takes a post out (a group of one is dissolved, so no post points at a group of itself).
"""

import uuid

from ..extensions import db
from ..models import Post


class TranslationConflict(ValueError):
    """The link would put two posts of one language in a group; the message says which."""


def partners(post, visible_only=True):
    """The other posts of ``post``'s group (newest first), visible ones unless told otherwise."""
    if not post.translation_group or post.id is None:
        return []
    select = db.select(Post).where(Post.translation_group == post.translation_group,
                                   Post.id != post.id)
    if visible_only:
        select = select.where(Post.visible())
    return list(db.session.scalars(select.order_by(Post.language)))


def link(post, other):
    """Put ``post`` and ``other`` in one group (``other``'s, if it has one); raises
    :class:`TranslationConflict` when the group already has a post in ``post``'s language."""
    if other is post or (other.id is not None and other.id == post.id):
        raise TranslationConflict("a post cannot be its own translation")
    if other.language == post.language:
        raise TranslationConflict(f"both posts are in {post.language!r}")
    group = other.translation_group or post.translation_group or uuid.uuid4().hex
    clash = db.session.scalar(db.select(Post).where(
        Post.translation_group == group, Post.language == post.language,
        Post.id != post.id) if post.id is not None else db.select(Post).where(
        Post.translation_group == group, Post.language == post.language))
    if clash is not None and clash is not post:
        raise TranslationConflict(f"{clash.slug!r} is already the {post.language!r} translation")
    if post.translation_group and post.translation_group != group:
        unlink(post)
    post.translation_group = group
    other.translation_group = group


def unlink(post):
    """Take ``post`` out of its group; a partner left alone leaves the group too."""
    group, post.translation_group = post.translation_group, None
    if not group:
        return
    rest = db.session.scalars(db.select(Post).where(Post.translation_group == group,
                                                    Post.id != post.id)).all()
    if len(rest) == 1:
        rest[0].translation_group = None
