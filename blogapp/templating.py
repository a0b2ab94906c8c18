"""Jinja filters and globals shared by all templates."""

from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from .blog.related import related_posts
from .caching.fragments import memoized
from .content.reader import reader_view, reading_time_label, text_language
from .extensions import db
from .i18n import current_language, month_name


def local_time(value, fmt="%Y-%m-%d"):
    """Format an aware datetime in the site's timezone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def sidebar_statement():
    """Categories with their number of visible posts, most used first."""
    from .models import Category, Post

    count = db.func.count(Post.id)
    return (
        db.select(Category, count)
        .join(Post, Post.category_id == Category.id)
        .where(Post.visible())
        .group_by(Category.id)
        .order_by(count.desc(), Category.name)
    )


class SidebarCategory(NamedTuple):
    name: str
    slug: str


def _count_categories():
    return [(SidebarCategory(category.name, category.slug), count)
            for category, count in db.session.execute(sidebar_statement())]


def _sidebar_categories():
    """``[(category, count)]`` for the sidebar: counting every visible post per category
    grows with the site, so the result is kept until the next change (``fragments``)."""
    return memoized("sidebar_categories", _count_categories)


class SidebarMonth(NamedTuple):
    year: int
    month: int
    count: int


def _count_months():
    """``[(year, month, count)]`` newest first, months cut in ``TIMEZONE``: the dates of
    the visible posts are read (one indexed column) and grouped here, the same on every
    database."""
    from .models import Post

    zone = ZoneInfo(current_app.config["TIMEZONE"])
    counts = {}
    for published_at in db.session.scalars(db.select(Post.published_at).where(Post.visible())):
        local = published_at.astimezone(zone)
        counts[(local.year, local.month)] = counts.get((local.year, local.month), 0) + 1
    return [SidebarMonth(year, month, count)
            for (year, month), count in sorted(counts.items(), reverse=True)]


def _sidebar_months():
    """The month archive list (with counts) of the sidebar, kept like the categories."""
    return memoized("sidebar_months", _count_months)


# The sidebar lists this many tags, the most used first.
SIDEBAR_TAGS = 30


def _count_tags():
    from .models import Post, Tag
    from .models.taxonomy import post_tags

    count = db.func.count(post_tags.c.post_id)
    statement = (
        db.select(Tag.name, Tag.slug, count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(Post.visible())
        .group_by(Tag.id, Tag.name, Tag.slug)
        .order_by(count.desc(), Tag.name)
        .limit(SIDEBAR_TAGS)
    )
    return [(SidebarCategory(name, slug), n) for name, slug, n in db.session.execute(statement)]


def _sidebar_tags():
    """``[(tag, count)]``: the most used tags, kept like the categories."""
    return memoized("sidebar_tags", _count_tags)


class Neighbour(NamedTuple):
    slug: str
    title: str


def _neighbours(post_id, published_at):
    from .models import Post

    def one(older):
        if older:
            condition = (Post.published_at < published_at) | (
                (Post.published_at == published_at) & (Post.id < post_id))
            order = (Post.published_at.desc(), Post.id.desc())
        else:
            condition = (Post.published_at > published_at) | (
                (Post.published_at == published_at) & (Post.id > post_id))
            order = (Post.published_at.asc(), Post.id.asc())
        row = db.session.execute(db.select(Post.slug, Post.title).where(Post.visible(), condition)
                                 .order_by(*order).limit(1)).first()
        return Neighbour(*row) if row else None

    return one(older=True), one(older=False)


def adjacent_posts(post):
    """``(older, newer)`` visible posts around ``post`` (each a ``Neighbour`` or None), in
    the order of the listings; kept per post until the next change (``fragments``), so a
    publication, deletion or retitling anywhere shows on the neighbours at once."""
    if not post.is_visible:
        return None, None
    return memoized(f"adjacent:{post.id}", lambda: _neighbours(post.id, post.published_at))


def sidebar_lists():
    """The sidebar's categories, months and tags as HTML, rendered once per interface
    language and kept like the lists themselves (``fragments``): some fifty links whose
    ``url_for`` and template calls were a good part of an uncached page's time."""
    language = current_language()
    return memoized(f"sidebar_html:{language}:{request.script_root}",
                    lambda: Markup(render_template("_sidebar.html")))


# url_for builds a URL in some 40 Python calls; an article or listing page builds dozens
# of the same few (author, category, tag, article links). Reader links are the same for
# every request of an app mounted at the same root, so they are kept per process.
_LINKS_MAX = 20000


def link(endpoint, **values):
    """``url_for(endpoint, **values)`` for reader pages (path only), kept per process."""
    links = current_app.extensions.setdefault("reader_links", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = links.get(key)
    if url is None:
        if len(links) >= _LINKS_MAX:
            links.clear()
        url = links[key] = url_for(endpoint, **values)
    return url


def article_view(post):
    """The article's body as readers get it, its table of contents, reading time and
    language (``content.reader``), kept per post, save and interface language."""
    return reader_view(post, current_language())


def post_language(post):
    """The language of a listed post's excerpt (its ``lang`` attribute)."""
    return text_language(post.excerpt_html)


def init_app(app):
    app.add_template_filter(local_time)
    app.jinja_env.globals["sidebar_categories"] = _sidebar_categories
    app.jinja_env.globals["sidebar_months"] = _sidebar_months
    app.jinja_env.globals["sidebar_tags"] = _sidebar_tags
    app.jinja_env.globals["month_label"] = month_name
    app.jinja_env.globals["reading_time_label"] = reading_time_label
    app.jinja_env.globals["article_view"] = article_view
    app.jinja_env.globals["adjacent_posts"] = adjacent_posts
    app.jinja_env.globals["related_posts"] = related_posts
    app.jinja_env.globals["post_language"] = post_language
    app.jinja_env.globals["sidebar_lists"] = sidebar_lists
    app.jinja_env.globals["link"] = link

    @app.context_processor
    def site():
        # The default name and description are in the catalogue; a site's own pass unchanged.
        return {"site_name": gettext(app.config["SITE_NAME"]),
                "site_description": gettext(app.config["SITE_DESCRIPTION"])}
