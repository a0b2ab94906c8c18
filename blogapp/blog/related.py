"""Related articles: up to five visible posts that share an article's Kubernetes concepts,
tags or category, in either language.

Found with the site's own search: the article's title, tags and category become one
query whose words are alternatives (a post matching more of them ranks higher), and the
glossary expands each concept to its other-language terms, so an English post about HPA
relates to a Chinese one about 水平扩缩容. Never the article itself, never a draft (search
only holds published posts). Kept per post until the site changes (the fragment memo),
like the page's other navigation.
"""

from flask import current_app

from ..caching.fragments import memoized
from ..search import search_service

LIMIT = 5


def _query_text(post):
    parts = [post.title, *(tag.name for tag in post.tags)]
    if post.category is not None:
        parts.append(post.category.name)
    return " ".join(parts)


def _related(post_id, slug, text, language=None):
    # prefer=the article's language: its own translation collapses into it (and goes with
    # it), other translated articles show once, in the article's language (#16).
    results = search_service(current_app).search(text, per_page=LIMIT + 1, correct=False,
                                                 record=False, prefer=language)
    return tuple({"slug": hit["slug"], "title": hit["title"]}
                 for hit in results.hits if hit["slug"] != slug)[:LIMIT]


def related_posts(post):
    """``({"slug", "title"}, ...)``: up to five posts related to ``post``, best first."""
    if not post.is_visible:
        return ()
    text = _query_text(post)
    return memoized(f"related:{post.id}",
                    lambda: _related(post.id, post.slug, text, post.language))
