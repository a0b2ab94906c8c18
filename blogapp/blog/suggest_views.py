"""``/api/suggest``: search-as-you-type for the header's search box (``static/suggest.js``).

The suggester (``blogapp.search.suggest``) is built from the glossary, the tags in use and
the visible posts' titles, and kept per process until the site changes (the fragment memo:
a post published, retitled or deleted shows in the next suggestion).
"""

from flask import Blueprint, current_app, jsonify, request

from ..caching.fragments import memoized
from ..extensions import db
from ..models import Post, Tag
from ..search import search_service
from ..search.suggest import Suggester
from ..templating import link
from .queries import visible_posts

bp = Blueprint("suggest", __name__)


def _build():
    tags = db.session.execute(
        db.select(Tag.name, Tag.slug).where(Tag.posts.any(Post.visible()))).all()
    posts = db.session.execute(
        visible_posts().with_only_columns(Post.title, Post.slug, Post.published_at)).all()
    return Suggester(
        search_service(current_app).glossary.concepts(),
        [(name, link("blog.tag", slug=slug)) for name, slug in tags],
        [(title, link("blog.post", slug=slug), published.timestamp())
         for title, slug, published in posts],
        lambda term: link("search.search_page", q=term),
    )


@bp.route("/api/suggest")
def suggest_api():
    """``?q=PREFIX`` -> up to 8 ``{"text", "kind", "url", "label"}``; ``[]`` for an empty,
    overlong or unusable prefix (never an error: the box asks on every keystroke)."""
    prefix = request.args.get("q", "")
    suggester = memoized(f"suggester:{request.script_root}", _build)
    response = jsonify([s.as_dict() for s in suggester.suggest(prefix)])
    response.cache_control.max_age = 60  # the same prefix is typed by many readers
    response.cache_control.public = True
    return response
