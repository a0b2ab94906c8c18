"""Why a comment waits or was set aside, stored so every reader sees it in their language.

A reason is stored as its message id (the Chinese source text of the catalogue) with the
values it names, as JSON (``{"m": "...", "p": {...}}``) when there are values, and is
translated when shown: a moderator browsing in English reads English, whatever the
language of whoever (or whichever plugin) held the comment. Older rows hold free text:
they are shown as they are, through the catalogue in case they match a message id.
Also the words for the four statuses, which the queue shows on its tabs.
"""

import json

from blogapp.plugin_api import N_, gettext, lazy_gettext

# The comments plugin's own reasons (message ids; the catalogue has them).
FIRST_COMMENT = N_("来自这个邮箱的第一条评论")
ALL_HELD = N_("所有评论都需审核")
IMPORTED = N_("从 WordPress 导入")
EDITED = N_("批准后又被修改")

# English text of reasons stored before reasons were message ids.
_LEGACY = {
    "first comment from this address": FIRST_COMMENT,
    "all comments are held": ALL_HELD,
    "imported from WordPress": IMPORTED,
}

STATUS_LABELS = {
    "pending": lazy_gettext("待审核"),
    "approved": lazy_gettext("已批准"),
    "spam": lazy_gettext("垃圾评论"),
    "trash": lazy_gettext("回收站"),
}
MAX_STORED = 300  # the column's size


def encode(message, **values):
    """What is stored for ``message`` (a message id) with its ``values``."""
    stored = json.dumps({"m": str(message), "p": values}, ensure_ascii=False) if values else str(message)
    return stored[:MAX_STORED]


def text(stored):
    """The stored reason in the reader's language ("" for none)."""
    if not stored:
        return ""
    message, values = stored, {}
    if stored.startswith("{"):
        try:
            data = json.loads(stored)
            message, values = str(data["m"]), dict(data.get("p") or {})
        except (ValueError, KeyError, TypeError):
            return stored  # cut at MAX_STORED, or not ours: show it as it is
    message = _LEGACY.get(message, message)
    try:
        return gettext(message, **values)
    except (KeyError, ValueError, TypeError):  # a translation naming other values
        return message


def status_label(status):
    return str(STATUS_LABELS.get(status, status))
