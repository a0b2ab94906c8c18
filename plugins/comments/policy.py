"""Which status a new comment gets: moderation setting, trusted commenters, plugin verdicts."""

from flask import current_app

from blogapp.plugin_api import current_blog, db

from . import reasons
from .api import comments_api
from .hookspecs import strongest
from .models import Comment

MODERATION_MODES = ("hold_all", "hold_first", "hold_none")


def has_approved_comment(email):
    return db.session.scalar(
        db.select(Comment.id).filter(
            db.func.lower(Comment.author_email) == email.lower(), Comment.status == "approved"
        ).limit(1)
    ) is not None


def judge(comment, request_info, user):
    """Ask plugins, then apply the moderation setting. Returns the winning reject
    :class:`~plugins.comments.hookspecs.Verdict`, or None after setting ``comment.status``."""
    blog = current_blog()
    verdicts = blog.hook.comment_before_save(
        comment=comment, request_info=request_info, comments_api=comments_api(), blog=blog
    )
    verdict = strongest(verdicts)
    if verdict is not None and verdict.action == "reject":
        return verdict
    staff = user is not None and user.is_authenticated and user.can_moderate
    if verdict is not None and verdict.action == "hold" and staff:
        verdict = None  # a moderator's own comment needs no moderator
    if verdict is not None:
        comment.status = "spam" if verdict.action == "spam" else "pending"
        comment.status_reason = reasons.encode(verdict.reason, **(verdict.params or {}))
        return None
    mode = current_app.config["COMMENT_MODERATION"]
    if staff:
        comment.status = "approved"
    elif mode == "hold_none" or (mode == "hold_first" and has_approved_comment(comment.author_email)):
        comment.status = "approved"
    else:
        comment.status = "pending"
        comment.status_reason = (reasons.FIRST_COMMENT if mode == "hold_first"
                                 else reasons.ALL_HELD)
    return None
