"""The hooks the comments plugin calls, for other plugins (antispam, notify) to implement.

Declared with ``pm.add_hookspecs`` only while this plugin is loaded (its
``plugin_hookspecs`` hook): with comments blocked nobody calls them, and plugins that
implement them load and do nothing. Each hook also gets ``blog`` (the plugin API) and
``comments_api`` (:class:`plugins.comments.api.CommentsAPI`: verdicts, duplicate lookups,
moderation actions), so an implementation never touches the comment tables itself.
``docs/plugins.md`` documents each hook; a test fails when one is missing there.
"""

from dataclasses import dataclass

from blogapp.plugin_api import hookspec

# The slot the comment form renders inside itself; context: ``post``.
SLOTS = ("comment_form_fields",)


@dataclass(frozen=True)
class Verdict:
    """What a ``comment_before_save`` hook decides about a comment.

    ``action`` is ``reject`` (not saved; answered with ``status``), ``spam`` or ``hold``
    (saved for moderation). The strongest verdict of all plugins wins.
    """

    action: str
    reason: str
    status: int = 400  # for reject: the HTTP status to answer with
    retry_after: int | None = None  # for reject with 429: seconds
    # For spam and hold: the values ``reason`` (a message id) names, so the stored reason
    # is shown translated to each moderator (``reasons.py``).
    params: dict | None = None

    STRENGTH = {"hold": 1, "spam": 2, "reject": 3}

    def __post_init__(self):
        if self.action not in self.STRENGTH:
            raise ValueError(f"unknown verdict action {self.action!r}")


def strongest(verdicts):
    """The verdict that wins (reject > spam > hold), or None when nobody objected."""
    verdicts = [v for v in verdicts if v is not None]
    return max(verdicts, key=lambda v: Verdict.STRENGTH[v.action], default=None)


class CommentHooks:
    """Namespace of the comment hookspecs (a class, so this module's helpers stay out)."""

    @hookspec
    def comment_before_save(self, comment, request_info, comments_api, blog):
        """Return a Verdict to reject, hold or mark ``comment`` as spam before it is saved."""

    @hookspec
    def comment_after_save(self, comment, comments_api, blog):
        """Called after a new ``comment`` has been committed (with its final status)."""

    @hookspec
    def comment_status_changed(self, comment, old_status, new_status, comments_api, blog):
        """Called after a moderator or command changed ``comment``'s status and committed."""
