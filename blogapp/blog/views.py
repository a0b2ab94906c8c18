"""Reader views: front page, article, author/category/tag/month archives."""

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..i18n import month_name
from ..models import Category, Post, Tag, User
from .legacy import redirect_for_query
from .related import related_posts
from .queries import (ARTICLE_DEFERS, ARTICLE_LOADS, listed_posts, month_range, paginate,
                      term_or_404)

bp = Blueprint("blog", __name__)


@bp.route("/")
def index():
    if "p" in request.args:  # an old WordPress link, /?p=<id>
        moved = redirect_for_query()
        if moved is not None:
            return moved
    return render_template("blog/index.html", pagination=paginate(listed_posts()))


@bp.route("/posts/<slug>")
def post(slug):
    post = db.session.scalar(db.select(Post).filter_by(slug=slug).options(*ARTICLE_LOADS, *ARTICLE_DEFERS))
    # Authors may look at their own unpublished work; readers get a plain 404.
    if post is None or not (
        post.is_visible or (current_user.is_authenticated and current_user.may_edit(post))
    ):
        abort(404, description=_("找不到这篇文章。"))
    # The template asks for its table of contents, reading time and neighbours itself
    # (``article_view``, ``adjacent_posts``): plugins render it too (a comment form with
    # errors), and all three are kept per post until it or the site changes.
    return render_template("blog/post.html", post=post)


def _archive(kind, title, select, feed_url=None, **extra):
    return render_template(
        "blog/archive.html", kind=kind, title=title, pagination=paginate(select),
        feed_url=feed_url, **extra
    )


@bp.route("/author/<username>")
def author(username):
    user = User.by_username(username)
    if user is None:
        abort(404, description=_("没有这位作者。"))
    return _archive(
        "author", user.name, listed_posts().where(Post.author_id == user.id),
        feed_url=url_for("feeds.author_feed", username=user.username), author=user,
    )


@bp.route("/category/<slug>")
def category(slug):
    category = term_or_404(Category, slug, _("没有这个分类。"))
    return _archive("category", category.name, listed_posts().where(Post.category_id == category.id),
                    feed_url=url_for("feeds.category_feed", slug=category.slug))


@bp.route("/tag/<slug>")
def tag(slug):
    tag = term_or_404(Tag, slug, _("没有这个标签。"))
    return _archive("tag", tag.name, listed_posts().where(Post.tags.contains(tag)),
                    feed_url=url_for("feeds.tag_feed", slug=tag.slug))


@bp.route("/archive/<int:year>/<int:month>")
def month(year, month):
    start, end = month_range(year, month)
    select = listed_posts().where(Post.published_at >= start, Post.published_at < end)
    return _archive("month", month_name(year, month), select)


@bp.route("/api/posts/<slug>/related")
def related_api(slug):
    """Up to five related posts (``related.related_posts``) as JSON; 404 for a draft."""
    post = db.session.scalar(db.select(Post).filter_by(slug=slug).options(*ARTICLE_LOADS))
    if post is None or not post.is_visible:
        abort(404, description=_("找不到这篇文章。"))
    return jsonify({"post": post.slug, "related": [
        {**item, "url": url_for("blog.post", slug=item["slug"])} for item in related_posts(post)]})
