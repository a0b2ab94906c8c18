"""Comments: Markdown comments sanitized by bleach, threaded replies, moderation.

Hooks it declares and calls for other plugins (``hookspecs.py``): comment_before_save,
comment_after_save, comment_status_changed; its service ``blog.service("comments")``
(``api.CommentsAPI``) lets them moderate without touching its tables. Blocking this plugin
removes every comment route, form and hook.
"""

from flask import render_template, request, url_for
from markupsafe import Markup

from blogapp.plugin_api import db, hookimpl

from . import hookspecs, tokens
from .api import CommentsAPI
from .importing import import_comments  # noqa: F401  (hook implementation)
from .models import MAX_DEPTH, Comment, comments_closed, parse_id
from .threads import approved_comments, approved_count, build_tree

__version__ = "1.0.0"


@hookimpl
def plugin_config_defaults():
    return {
        "COMMENT_MODERATION": "hold_first",  # hold_all | hold_first | hold_none
        "COMMENT_EDIT_WINDOW": 15 * 60,  # seconds a commenter may edit or delete
    }


@hookimpl
def plugin_hookspecs():
    return hookspecs.CommentHooks


@hookimpl
def init_app(blog):
    blog.provide("comments", CommentsAPI(blog))


@hookimpl
def register_blueprints(app):
    from .feeds import bp as feeds_bp
    from .moderation import bp as moderation_bp
    from .views import bp

    return [bp, moderation_bp, feeds_bp]


@hookimpl
def register_commands():
    from .cli import comments_group

    return comments_group


def _own_comment_ids():
    """Ids of comments this browser may still edit (it holds their signed cookie)."""
    owned = {(parse_id(name[8:]), value) for name, value in request.cookies.items()
             if name.startswith("comment_")}
    return {(comment_id, token) for comment_id, token in owned if comment_id is not None}


def _thread(post, blog, editable):
    """``(thread HTML, approved count, closed)``. As every visitor without comments of
    their own sees it, the thread is kept until the next change (``blog.memoized``): an
    article page is read far more often than its comments change."""

    def render():
        comments = approved_comments(post.id)
        closed = comments_closed(post.id)
        html = Markup(render_template(
            "comments/thread.html", post=post, tree=build_tree(comments),
            editable=editable, closed=closed, max_depth=MAX_DEPTH))
        return html, len(comments), closed

    return render() if editable else blog.memoized(f"comments:thread:{post.id}", render)


def _replying_to(post, values):
    """``(id, name)`` of the approved comment of ``post`` being answered, or None."""
    raw = request.args.get("reply_to", "") or values.get("parent_id") or ""
    comment_id = parse_id(str(raw))
    comment = db.session.get(Comment, comment_id) if comment_id is not None else None
    if comment is None or comment.post_id != post.id or comment.status != "approved":
        return None
    return comment.id, comment.author_name


def _section(post, blog, form=None, error=None, preview=None):
    """The comment section; ``form``, ``error`` and ``preview`` come back through the slot
    context when a submitted comment is shown again (what was wrong, or its preview)."""
    user = blog.current_user()
    values = form.data if form is not None else {}  # no WTForms object for a fresh form
    editable, waiting = set(), []
    for comment_id, token in _own_comment_ids():
        comment = db.session.get(Comment, comment_id)
        if comment is not None and comment.post_id == post.id and tokens.token_allows(token, comment):
            editable.add(comment.id)
            if comment.status == "pending":
                waiting.append(comment)
    thread_html, count, closed = _thread(post, blog, editable)
    return Markup(render_template(
        "comments/section.html", post=post, values=values, thread=thread_html, count=count,
        closed=closed, waiting=waiting, error=error, preview=preview, user=user,
        replying_to=None if closed else _replying_to(post, values),
    ))


def _pending_count():
    return db.session.scalar(
        db.select(db.func.count(Comment.id)).where(Comment.status == "pending"))


@hookimpl
def login_destination(user, blog):
    """A moderator who logs in from no particular page goes to the queue when comments wait."""
    if blog.can_moderate(user) and _pending_count():
        return url_for("moderation.queue")
    return None


@hookimpl
def render_slot(name, context, blog):
    if name == "head":
        return Markup(render_template("comments/head.html"))
    if name == "site_nav":
        user = blog.current_user()
        if not blog.can_moderate(user):
            return None
        return Markup(render_template("comments/nav_link.html", pending=_pending_count()))
    if name == "post_footer" and "post" in context:
        return _section(context["post"], blog, context.get("comment_form"),
                        context.get("comment_error"), context.get("comment_preview"))
    if name == "entry_meta" and "post" in context:
        post, listing = context["post"], context.get("listing")
        # An article's own count is the one its (kept) thread gives: no query of its own.
        count = (approved_count(post.id, listing) if listing
                 else _thread(post, blog, set())[1])
        return Markup(render_template("comments/count.html", post=context["post"], count=count))
    return None
