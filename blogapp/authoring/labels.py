"""Status words as the interface says them: posts store ``published``, a Chinese page
says 已发布 (issue #17: no raw status word in the interface)."""

from flask_babel import lazy_gettext as _

STATUS_LABELS = {
    "draft": _("草稿"),
    "published": _("已发布"),
    "scheduled": _("定时发布"),
    "trashed": _("回收站"),
}


def status_label(status):
    """``{{ post.display_status | status_label }}``; an unknown word is shown as stored."""
    return str(STATUS_LABELS.get(status, status))
