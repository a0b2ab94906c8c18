"""What the index holds for a post: analysed fields, stored text, filter keys."""

import html
import re
from datetime import timezone

from ..models import Post
from ..models.types import utcnow

_TAG = re.compile(r"<[^>]+>")
INDEXED_STATUSES = ("published", "scheduled")


def plain_text(html_text):
    """Text of sanitized HTML (tags dropped, entities decoded, whitespace collapsed)."""
    return " ".join(html.unescape(_TAG.sub(" ", html_text or "")).split())


def is_indexable(post):
    """Published or scheduled posts are indexed; the query hides those not yet due."""
    return post.status in INDEXED_STATUSES and post.published_at is not None


def post_document(post, analyzer, now=None, analyse=True):
    """The document for ``post``: token lists per text field plus stored values.

    With ``analyse=False`` the tokens are None: a parallel rebuild's writer processes
    analyse the text themselves.
    """
    tags = list(post.tags)
    author = post.author
    # Tags and the category are one field: both are short labels chosen by the author.
    labels = [tag.name for tag in tags] + ([post.category.name] if post.category else [])
    text = {
        "title": post.title,
        "tags": " ".join(labels),
        "body": plain_text(post.body_html),
    }
    tokens = {name: analyzer.index_tokens(value) for name, value in text.items()} if analyse else None
    lowered = lambda *values: sorted({v.lower() for v in values if v})  # noqa: E731
    return {
        "id": post.id,
        "slug": post.slug,
        "published_at": post.published_at,
        "scheduled": post.published_at > (now or utcnow()),
        "author_keys": lowered(author.username, author.display_name) if author else [],
        "author_name": author.name if author else "",
        "tag_keys": lowered(*(k for tag in tags for k in (tag.slug, tag.name))),
        "category_keys": lowered(post.category.slug, post.category.name) if post.category else [],
        "lang": post.language,
        "group": post.translation_group,
        # One value per facet (``engine/facets.py``), the form filters and links use.
        "facets": {
            "tag": sorted({tag.slug for tag in tags if "," not in tag.slug}),
            "category": post.category.slug if post.category else "",
            "author": author.username if author else "",
            "year": str(post.published_at.astimezone(timezone.utc).year),
        },
        "text": text,
        "tokens": tokens,
    }


def indexable_posts(session, ids=None, batch=200, release=False):
    """Yield indexable posts (all, or those with ``ids``), loading them in batches.

    With ``release`` each batch is dropped from the session once consumed, so a full
    rebuild of a large blog runs in constant memory.
    """
    from sqlalchemy.orm import joinedload, selectinload

    select = (
        session.query(Post)
        .options(joinedload(Post.author), joinedload(Post.category), selectinload(Post.tags))
        .filter(Post.status.in_(INDEXED_STATUSES), Post.published_at.is_not(None))
        .order_by(Post.id)
    )
    if ids is not None:
        select = select.filter(Post.id.in_(list(ids)))
    last_id = 0
    while True:
        chunk = select.filter(Post.id > last_id).limit(batch).all()
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id
        if release:
            session.expunge_all()
