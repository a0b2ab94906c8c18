"""What readers see of translations (#16): an article's links to its other language
versions and the ``hreflang`` alternates, listings with one entry per translation group
(the version in the interface language) and a marker that another language exists.

An article's translations and a listing page's markers are looked up once per page-cache
generation (``caching.fragments``): any save, of either post of a pair, replaces it, so
a partner's page never shows a stale link.
"""

from typing import NamedTuple

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ..caching.fragments import memoized
from ..content.languages import LANGUAGES, hreflang
from ..extensions import db
from ..i18n import current_language
from ..models import Post
from ..models.types import utcnow

# Each link is written in the language it leads to, whatever the interface language.
READ_IN = {"en": "Read in English", "zh": "阅读中文版"}
ALSO_IN = {"en": "English version", "zh": "中文版"}


class Translation(NamedTuple):
    language: str
    slug: str
    title: str

    @property
    def hreflang(self):
        return hreflang(self.language)

    @property
    def read_in(self):
        return READ_IN.get(self.language, self.language)

    @property
    def also_in(self):
        return ALSO_IN.get(self.language, self.language)


def _visible_partners(post):
    if not post.translation_group:
        return ()
    rows = db.session.execute(
        db.select(Post.language, Post.slug, Post.title)
        .where(Post.translation_group == post.translation_group, Post.id != post.id, Post.visible())
        .order_by(Post.language)).all()
    return tuple(Translation(*row) for row in rows)


def translations(post):
    """The visible other-language versions of ``post`` (``Translation`` tuples)."""
    if not post.translation_group or post.id is None:
        return ()
    return memoized(f"translations:{post.id}", lambda: _visible_partners(post))


def alternates(post):
    """``[(hreflang, absolute URL)]`` for the article's ``<link rel="alternate">``: every
    version, itself included, and ``x-default`` (the version in the site's default
    language, else this one); the same list on each page of a group (reciprocal)."""
    others = translations(post)
    if not others:
        return []
    versions = {post.language: post.slug, **{t.language: t.slug for t in others}}
    links = [(hreflang(language), url_for("blog.post", slug=slug, _external=True))
             for language, slug in sorted(versions.items())]
    default = current_app.config["BABEL_DEFAULT_LOCALE"].split("_")[0]
    x_default = versions.get(default, post.slug)
    return links + [("x-default", url_for("blog.post", slug=x_default, _external=True))]


def sitemap_alternates(posts):
    """``{post id: [(hreflang, absolute URL)]}`` for the sitemap's ``xhtml:link``s: for
    each listed post with a listed translation, every version and ``x-default``."""
    groups = {}
    for post in posts:
        if post.translation_group:
            groups.setdefault(post.translation_group, []).append(post)
    default = current_app.config["BABEL_DEFAULT_LOCALE"].split("_")[0]
    result = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        urls = {post.language: url_for("blog.post", slug=post.slug, _external=True)
                for post in group}
        links = [(hreflang(language), url) for language, url in sorted(urls.items())]
        links.append(("x-default", urls.get(default, links[0][1])))
        for post in group:
            result[post.id] = links
    return result


def one_per_translation(select, language):
    """``select`` (of posts) without the posts whose group has a visible version in
    ``language`` when they are not that version: one entry per translated article."""
    other = aliased(Post)
    preferred = (db.select(other.id)
                 .where(other.translation_group == Post.translation_group,
                        other.language == language, other.id != Post.id,
                        other.status.in_(("published", "scheduled")),
                        other.published_at.is_not(None), other.published_at <= utcnow())
                 .exists())
    return select.where(~(Post.translation_group.is_not(None) & (Post.language != language)
                          & preferred))


def listing_markers(posts):
    """``{post id: (Translation, ...)}`` for listed posts that have other versions."""
    grouped = [post for post in posts if post.translation_group]
    if not grouped:
        return {}
    key = "markers:" + ",".join(str(post.id) for post in grouped)

    def compute():
        groups = {post.translation_group: post for post in grouped}
        rows = db.session.execute(
            db.select(Post.translation_group, Post.id, Post.language, Post.slug, Post.title)
            .where(Post.translation_group.in_(list(groups)), Post.visible())
            .order_by(Post.language)).all()
        markers = {}
        for group, post_id, language, slug, title in rows:
            listed = groups[group]
            if post_id != listed.id:
                markers.setdefault(listed.id, []).append(Translation(language, slug, title))
        return {post_id: tuple(found) for post_id, found in markers.items()}

    return memoized(key, compute)


def requested_language(required=False):
    """The ``language`` query parameter (``zh``/``en``), None when absent; anything else
    is a 400 saying which values there are."""
    value = request.args.get("language")
    if value is None or value == "":
        return None
    if value not in LANGUAGES:
        abort(400, description=_("language 只能是 zh 或 en。"))
    return value


def init_app(app):
    app.jinja_env.globals.update(translations=translations, hreflang_alternates=alternates,
                                 listing_markers=listing_markers, hreflang=hreflang,
                                 interface_language=current_language)
