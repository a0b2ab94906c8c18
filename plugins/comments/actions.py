"""Status changes shared by the moderation pages, the command line and other plugins."""

from blogapp.plugin_api import db

from . import reasons
from .models import Comment
from .sanitize import render_comment

ACTIONS = {"approve": "approved", "spam": "spam", "trash": "trash", "pending": "pending"}


def edit_body(comment, text):
    """Replace a comment's text (re-sanitized) and commit."""
    comment.body_raw = text
    comment.body_html = render_comment(text)
    db.session.commit()


def change_status(ids, action, reason="", **params):
    """Apply ``action`` (approve/spam/trash/pending/delete) to the comments with ``ids``,
    recording ``reason`` (a message id naming ``params``, see ``reasons``) as their
    status reason.

    Returns the number of comments changed. Hooks hear of each change after the commit.
    """
    from .api import comments_api

    comments = db.session.scalars(db.select(Comment).filter(Comment.id.in_(list(ids)))).all()
    if action == "delete":
        for comment in comments:
            db.session.delete(comment)
        db.session.commit()
        return len(comments)
    new_status = ACTIONS[action]
    stored_reason = reasons.encode(reason, **params) if reason else ""
    changed = [(c, c.status) for c in comments if c.status != new_status]
    for comment, _ in changed:
        comment.status = new_status
        comment.status_reason = stored_reason
    db.session.commit()
    api = comments_api()
    for comment, old_status in changed:
        api.notify("comment_status_changed", comment=comment, old_status=old_status,
                   new_status=new_status)
    return len(changed)
