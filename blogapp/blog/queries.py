"""Queries for published posts, shared by the reader views and feeds."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy.orm import defer, joinedload, selectinload

from ..extensions import db
from ..i18n import current_language
from ..models import Post

# Beyond this, OFFSET arithmetic overflows SQLite; no blog has that many pages.
MAX_PAGE = 100_000


# What an article's byline shows, loaded with the post (two queries instead of four).
ARTICLE_LOADS = (joinedload(Post.author), joinedload(Post.category), selectinload(Post.tags))


# Columns a page never shows, left out of its query: the Markdown source anywhere, the
# rendered body on listings (they show the excerpt). Both are the widest of the row.
ARTICLE_DEFERS = (defer(Post.body),)
LISTING_DEFERS = (defer(Post.body), defer(Post.body_html))


def listed_posts():
    """``visible_posts()`` for listing pages: without the bodies they do not show, and one
    entry per translated article (the version in the interface language)."""
    from .translation_links import one_per_translation

    return one_per_translation(visible_posts().options(*LISTING_DEFERS), current_language())


def visible_posts():
    """Select published, due posts, newest first, with what listings display preloaded."""
    return (
        db.select(Post)
        .where(Post.visible())
        .options(*ARTICLE_LOADS)
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def term_or_404(model, slug, message):
    """The Category or Tag whose slug is ``slug`` (any case), or a 404 saying ``message``."""
    term = db.session.scalar(db.select(model).filter_by(slug=slug.lower()))
    if term is None:
        abort(404, description=message)
    return term


def requested_page():
    """The ``page`` query parameter: non-numbers mean page 1, impossible numbers 404."""
    page = request.args.get("page", 1, type=int)
    if page < 1 or page > MAX_PAGE:
        abort(404, description=_("没有这一页。"))
    return page


def paginate(select):
    """Paginate ``select`` for the current request (404 past the last non-empty page)."""
    return db.paginate(
        select,
        page=requested_page(),
        per_page=current_app.config["POSTS_PER_PAGE"],
        error_out=True,
        count=True,
    )


def month_range(year, month):
    """UTC bounds of a calendar month in the site's timezone; 404 for impossible months."""
    if not (1 <= month <= 12 and 1970 <= year <= 9998):
        abort(404, description=_("没有这个月份。"))
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end
