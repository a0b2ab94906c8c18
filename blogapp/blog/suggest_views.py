"""``/api/suggest``: search-as-you-type for the header's search box (``static/suggest.js``).

The suggester (``blogapp.search.suggest``) is built from the glossary, the tags in use and
the visible posts' titles. It is kept per process and rebuilt when the site changes (the
page-cache generation): the first build answers the request that needed it; later ones
run in a thread while requests keep getting the previous suggester (stale for about a
second, never a request waiting ~0.5 s per 2k posts). The glossary's part (pinyin is most
of the work) is built once per glossary.
"""

import threading
import time

from flask import Blueprint, current_app, jsonify, request

from ..caching.pages import current_generation, next_publication
from ..extensions import db
from ..models import Post, Tag
from ..search import search_service
from ..search.suggest import Suggester, TermKeys
from ..templating import link
from .queries import visible_posts

bp = Blueprint("suggest", __name__)


class _Kept:
    """One app's suggester, its generation, and the rebuild in flight (if any)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.generation = self.suggester = self.rebuilding = None
        self.expires = 0.0  # when the next scheduled post becomes due
        self.terms = None  # (glossary, TermKeys)


def _kept(app):
    return app.extensions.setdefault("suggest", _Kept())


def _term_keys(kept):
    glossary = search_service(current_app).glossary
    if kept.terms is None or kept.terms[0] is not glossary:
        kept.terms = (glossary, TermKeys(glossary.concepts(),
                                         lambda term: link("search.search_page", q=term)))
    return kept.terms[1]


def _build(kept):
    tags = db.session.execute(
        db.select(Tag.name, Tag.slug).where(Tag.posts.any(Post.visible()))).all()
    posts = db.session.execute(
        visible_posts().with_only_columns(Post.title, Post.slug, Post.published_at)).all()
    return Suggester(
        _term_keys(kept),
        [(name, link("blog.tag", slug=slug)) for name, slug in tags],
        [(title, link("blog.post", slug=slug), published.timestamp())
         for title, slug, published in posts],
    )


def _rebuild_in_background(app, kept, generation, script_root):
    def work():
        try:
            with app.test_request_context(base_url=f"http://localhost{script_root}"):
                expires = next_publication(time.time())
                suggester = _build(kept)
            with kept.lock:
                kept.suggester, kept.generation, kept.expires = suggester, generation, expires
        except Exception:  # noqa: BLE001 - keep serving the previous one; retry next time
            app.logger.exception("suggest: rebuilding the suggester failed")
        finally:  # the request context's teardown has returned the session already
            kept.rebuilding = None

    kept.rebuilding = threading.Thread(target=work, name="suggest-rebuild", daemon=True)
    kept.rebuilding.start()


def suggester_for_request():
    app = current_app._get_current_object()
    kept = _kept(app)
    try:
        generation = current_generation(app)
    except Exception:  # noqa: BLE001 - the shared store is down: keep what we have
        app.logger.exception("suggest: cannot read the generation")
        generation = kept.generation
    with kept.lock:
        fresh = kept.generation == generation and time.time() < kept.expires
        if kept.suggester is not None and fresh:
            return kept.suggester
        stale = kept.suggester
        if stale is not None:
            if kept.rebuilding is None:
                _rebuild_in_background(app, kept, generation, request.script_root)
            return stale
    expires = next_publication(time.time())
    suggester = _build(kept)  # the first one: nothing to answer with meanwhile
    with kept.lock:
        kept.suggester, kept.generation, kept.expires = suggester, generation, expires
    return suggester


@bp.route("/api/suggest")
def suggest_api():
    """``?q=PREFIX`` -> up to 8 ``{"text", "kind", "url", "label"}``; ``[]`` for an empty,
    overlong or unusable prefix (never an error: the box asks on every keystroke)."""
    suggestions = suggester_for_request().suggest(request.args.get("q", ""))
    response = jsonify([s.as_dict() for s in suggestions])
    response.cache_control.max_age = 60  # the same prefix is typed by many readers
    response.cache_control.public = True
    return response
