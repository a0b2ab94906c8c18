"""Content rules: too many links, disallowed and moderation words, duplicates."""

import re

from flask_babel import gettext
from sqlalchemy import func

from blogapp.extensions import db
from blogapp.plugins import Verdict

_ANCHOR = re.compile(r"<a\s", re.IGNORECASE)
_URL = re.compile(r"https?://", re.IGNORECASE)


def is_trusted(user):
    """Logged-in moderators skip the rate limit and the hold-only rules."""
    return bool(user is not None and getattr(user, "can_moderate", False))


def word_list(setting):
    """A list setting, or a string of comma- or newline-separated words, lowercased."""
    if isinstance(setting, str):
        setting = re.split(r"[,\n]", setting)
    return [word.strip().lower() for word in setting or () if word and word.strip()]


def link_count(comment):
    anchors = len(_ANCHOR.findall(comment.body_html or ""))
    return max(anchors, len(_URL.findall(comment.body_raw or "")))


def too_many_links(comment, max_links):
    count = link_count(comment)
    if count > int(max_links):
        return Verdict("hold", f"{count} 个链接，超过 {int(max_links)} 个")
    return None


def _found_word(comment, words):
    text = "\n".join((comment.body_raw or "", comment.author_name or "",
                      comment.author_email or "", comment.author_url or "")).lower()
    return next((word for word in word_list(words) if word in text), None)


def disallowed_words(comment, words):
    word = _found_word(comment, words)
    return Verdict("spam", f"包含禁用词：{word}") if word else None


def moderation_words(comment, words):
    word = _found_word(comment, words)
    return Verdict("hold", f"包含需审核的词：{word}") if word else None


def duplicate(comment):
    """The same text from the same address on the same post (not trashed) is refused."""
    Comment = type(comment)
    found = db.session.scalar(
        db.select(Comment.id).where(
            Comment.post_id == comment.post_id,
            func.lower(Comment.author_email) == (comment.author_email or "").lower(),
            Comment.body_raw == comment.body_raw,
            Comment.status != "trash",
        ).limit(1)
    )
    return Verdict("reject", gettext("重复的评论：你已经发表过同样的内容。"), status=400) if found else None
