"""Atom feeds of approved comments: one per article (``/posts/<slug>/comments.atom``)
and one for the whole site (``/comments.atom``), newest first.

Only approved comments on posts readers can see; the commenter's e-mail address never
appears (feed readers show ``<author><name>`` only).
"""

from datetime import datetime, timezone

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, current_app, request, url_for

from blogapp.plugin_api import db, gettext

from .models import Comment
from .views import visible_post

bp = Blueprint("comment_feeds", __name__)
FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"
# The site feed looks at this many of the newest approved comments to find FEED_SIZE on
# visible posts (comments on drafts and trashed posts are left out).
LOOK_AT = 4 * FEED_SIZE


def _feed(title, page_url, comments):
    fg = FeedGenerator()
    fg.id(request.url)
    fg.title(title)
    fg.link(href=page_url, rel="alternate")
    fg.link(href=request.url, rel="self")
    newest = max((c.created_at for c in comments), default=None)
    fg.updated(newest or datetime(1970, 1, 1, tzinfo=timezone.utc))
    for comment in comments:  # newest first
        url = url_for("blog.post", slug=comment.post.slug, _anchor=f"comment-{comment.id}",
                      _external=True)
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.title(gettext("%(name)s 评论《%(title)s》", name=comment.author_name,
                            title=comment.post.title))
        entry.link(href=url, rel="alternate")
        entry.author(name=comment.author_name)
        entry.published(comment.created_at)
        entry.updated(comment.updated_at or comment.created_at)
        entry.content(comment.body_html, type="html")
    return Response(fg.atom_str(pretty=True), mimetype=ATOM)


def _newest_approved():
    return (db.select(Comment).filter_by(status="approved")
            .order_by(Comment.created_at.desc(), Comment.id.desc()))


@bp.route("/posts/<slug>/comments.atom")
def post_comments_feed(slug):
    post = visible_post(slug)  # 404 for drafts and unknown slugs
    comments = db.session.scalars(_newest_approved().where(Comment.post_id == post.id)
                                  .limit(FEED_SIZE)).all()
    return _feed(gettext("《%(title)s》的评论", title=post.title),
                 url_for("blog.post", slug=post.slug, _anchor="comments", _external=True), comments)


@bp.route("/comments.atom")
def site_comments_feed():
    recent = db.session.scalars(_newest_approved().limit(LOOK_AT)).all()
    comments = [c for c in recent if c.post is not None and c.post.is_visible][:FEED_SIZE]
    site = gettext(current_app.config["SITE_NAME"])
    return _feed(gettext("%(site)s 的最新评论", site=site), url_for("blog.index", _external=True),
                 comments)



