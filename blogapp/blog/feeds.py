"""Atom feeds (site, author, category, tag), sitemap.xml and robots.txt."""

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from feedgen.feed import FeedGenerator

from ..extensions import db
from ..models import Category, Post, Tag, User
from ..content.languages import hreflang
from ..i18n import current_language
from .queries import term_or_404, visible_posts
from .translation_links import one_per_translation, requested_language, sitemap_alternates

bp = Blueprint("feeds", __name__)
FEED_SIZE = 20
ATOM = "application/atom+xml; charset=utf-8"


def _feed(title, page_url, feed_url, select):
    # ?language=zh|en: that language's posts only; else one entry per translated article,
    # the version in the interface language (#16).
    language = requested_language()
    if language:
        select = select.where(Post.language == language)
    else:
        select = one_per_translation(select, current_language())
    posts = db.session.scalars(select.limit(FEED_SIZE)).unique().all()
    full = current_app.config["FEED_FULL_CONTENT"]
    fg = FeedGenerator()
    fg.id(page_url)
    fg.title(title)
    fg.subtitle(current_app.config["SITE_DESCRIPTION"])
    fg.link(href=page_url, rel="alternate")
    fg.link(href=feed_url, rel="self")
    fg.language(hreflang(language or current_language()))
    fg.updated(max((p.updated_at for p in posts), default=None) or _epoch())
    for post in posts:  # feedgen prepends, so the newest ends up first
        url = url_for("blog.post", slug=post.slug, _external=True)
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.title(post.title)
        entry.link(href=url, rel="alternate")
        entry.published(post.published_at)
        entry.updated(post.updated_at)
        entry.author(name=post.author.name)
        if post.category:
            entry.category(term=post.category.slug, label=post.category.name)
        entry.summary(post.excerpt_html, type="html")
        if full:
            entry.content(post.body_html, type="html")
    return Response(fg.atom_str(pretty=True), mimetype=ATOM)


def _epoch():
    from datetime import datetime, timezone

    return datetime(1970, 1, 1, tzinfo=timezone.utc)


def _site_title(part=None):
    name = current_app.config["SITE_NAME"]
    return f"{part} - {name}" if part else name


@bp.route("/feed.atom")
def site_feed():
    return _feed(_site_title(), url_for("blog.index", _external=True), request.url, visible_posts())


@bp.route("/author/<username>/feed.atom")
def author_feed(username):
    user = User.by_username(username) or abort(404, description=_("没有这位作者。"))
    return _feed(_site_title(user.name), url_for("blog.author", username=user.username, _external=True),
                 request.url, visible_posts().where(Post.author_id == user.id))


@bp.route("/category/<slug>/feed.atom")
def category_feed(slug):
    category = term_or_404(Category, slug, _("没有这个分类。"))
    return _feed(_site_title(category.name), url_for("blog.category", slug=category.slug, _external=True),
                 request.url, visible_posts().where(Post.category_id == category.id))


@bp.route("/tag/<slug>/feed.atom")
def tag_feed(slug):
    tag = term_or_404(Tag, slug, _("没有这个标签。"))
    return _feed(_site_title(tag.name), url_for("blog.tag", slug=tag.slug, _external=True),
                 request.url, visible_posts().where(Post.tags.contains(tag)))


@bp.route("/sitemap.xml")
def sitemap():
    posts = db.session.scalars(visible_posts()).unique().all()
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    archives = {}

    def note(url, when):
        archives[url] = max(archives.get(url, when), when)

    for post in posts:
        when = post.updated_at
        note(url_for("blog.author", username=post.author.username, _external=True), when)
        if post.category:
            note(url_for("blog.category", slug=post.category.slug, _external=True), when)
        for tag in post.tags:
            note(url_for("blog.tag", slug=tag.slug, _external=True), when)
        local = post.published_at.astimezone(tz)
        note(url_for("blog.month", year=local.year, month=local.month, _external=True), when)
    xml = render_template("feeds/sitemap.xml", posts=posts, alternates=sitemap_alternates(posts), archives=sorted(archives.items()),
                          home=url_for("blog.index", _external=True),
                          newest=max((p.updated_at for p in posts), default=None))
    return Response(xml, mimetype="application/xml")


@bp.route("/robots.txt")
def robots():
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /moderation/", "Disallow: /login",
             "Disallow: /search", "Disallow: /api/", f"Sitemap: {url_for('feeds.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.route("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for /favicon.ico whatever the page links to."""
    response = current_app.send_static_file("favicon.ico")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
