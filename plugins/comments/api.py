"""What the comments plugin offers other plugins (``blog.service("comments")``, and the
``comments_api`` argument of the comment hooks): verdicts, lookups and moderation actions.

Other plugins use this instead of the comment tables, so the tables, columns and the way a
status change is committed and announced stay this plugin's business.
"""

from blogapp.plugin_api import db

from . import reasons
from .hookspecs import Verdict, strongest
from .models import STATUSES, Comment


class CommentsAPI:
    """A stable facade over the comments plugin (one per app)."""

    Verdict = Verdict
    STATUSES = STATUSES

    def __init__(self, blog):
        self.blog = blog

    @staticmethod
    def verdict(action, reason, status=400, retry_after=None, **params):
        """A verdict for ``comment_before_save``: ``reject`` / ``spam`` / ``hold``. For
        spam and hold, ``reason`` is a message id (untranslated, e.g. from ``N_``) and
        ``params`` the values it names: moderators read it in their own language."""
        return Verdict(action, reason, status=status, retry_after=retry_after,
                       params=params or None)

    @staticmethod
    def reason_text(comment):
        """Why ``comment`` waits or was set aside, in the current language."""
        return reasons.text(comment.status_reason)

    strongest = staticmethod(strongest)

    def get(self, comment_id):
        """The comment with ``comment_id``, or None."""
        return db.session.get(Comment, comment_id)

    def is_duplicate(self, comment):
        """Whether the same text from the same address is already on the same post
        (trashed comments aside)."""
        return db.session.scalar(
            db.select(Comment.id).where(
                Comment.post_id == comment.post_id,
                db.func.lower(Comment.author_email) == (comment.author_email or "").lower(),
                Comment.body_raw == comment.body_raw,
                Comment.status != "trash",
            ).limit(1)
        ) is not None

    def change_status(self, ids, action, reason="", **params):
        """Approve, spam, trash, re-queue (``pending``) or ``delete`` comments, commit, and
        announce each change (``comment_status_changed``). Returns how many changed.
        ``reason``: a message id naming ``params`` (shown translated, see ``verdict``)."""
        from .actions import change_status

        return change_status(ids, action, reason=reason, **params)

    def set_reply_mail(self, comment_id, wanted):
        """Turn reply mails for ``comment_id`` on or off and commit. Returns the comment
        (None if it is gone) and whether anything changed."""
        comment = db.session.get(Comment, comment_id)
        if comment is None or comment.notify_replies == wanted:
            return comment, False
        comment.notify_replies = wanted
        db.session.commit()
        return comment, True

    def notify(self, hook_name, **kwargs):
        """Call a comment "after" hook with this API (failures are logged)."""
        self.blog.notify(hook_name, comments_api=self, **kwargs)


def comments_api():
    """This app's CommentsAPI."""
    from blogapp.plugin_api import current_blog

    return current_blog().service("comments")
