"""Comments: Markdown comments sanitized by bleach, threaded replies, moderation.

Hooks it declares and calls for other plugins (``hookspecs.py``): comment_before_save,
comment_after_save, comment_status_changed; its service ``blog.service("comments")``
(``api.CommentsAPI``) lets them moderate without touching its tables. Blocking this plugin
removes every comment route, form and hook.
"""

from flask import render_template, request
from markupsafe import Markup

from blogapp.plugin_api import db, hookimpl

from . import hookspecs, tokens
from .api import CommentsAPI
from .forms import CommentForm
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
    from .moderation import bp as moderation_bp
    from .views import bp

    return [bp, moderation_bp]


@hookimpl
def register_commands():
    from .cli import comments_group

    return comments_group


def _own_comment_ids():
    """Ids of comments this browser may still edit (it holds their signed cookie)."""
    owned = {(parse_id(name[8:]), value) for name, value in request.cookies.items()
             if name.startswith("comment_")}
    return {(comment_id, token) for comment_id, token in owned if comment_id is not None}


def _section(post, blog, form=None, error=None):
    """The comment section; ``form`` and ``error`` come back through the slot context when
    a submitted comment is shown again with what was wrong."""
    if form is None:
        form = CommentForm()
        user = blog.current_user()
        if user is not None:
            form.author_name.data = user.name
            form.author_email.data = user.email or ""
    editable, waiting = set(), []
    for comment_id, token in _own_comment_ids():
        comment = db.session.get(Comment, comment_id)
        if comment is not None and comment.post_id == post.id and tokens.token_allows(token, comment):
            editable.add(comment.id)
            if comment.status == "pending":
                waiting.append(comment)
    comments = approved_comments(post.id)
    return Markup(render_template(
        "comments/section.html", post=post, form=form, tree=build_tree(comments),
        count=len(comments), closed=comments_closed(post.id), editable=editable,
        waiting=waiting, error=error, max_depth=MAX_DEPTH,
    ))


@hookimpl
def render_slot(name, context, blog):
    if name == "post_footer" and "post" in context:
        return _section(context["post"], blog, context.get("comment_form"),
                        context.get("comment_error"))
    if name == "entry_meta" and "post" in context:
        count = approved_count(context["post"].id, context.get("listing") or ())
        return Markup(render_template("comments/count.html", post=context["post"], count=count))
    return None
