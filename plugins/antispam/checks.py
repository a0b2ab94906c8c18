"""Content rules: too many links, disallowed and moderation words, duplicates.

Each rule reads the comment the hook was given and answers with a verdict made by the
comments plugin's ``comments_api``; none of them queries the comment tables.
"""

import re

from blogapp.plugin_api import N_, gettext

_ANCHOR = re.compile(r"<a\s", re.IGNORECASE)
_URL = re.compile(r"https?://", re.IGNORECASE)


def word_list(setting):
    """A list setting, or a string of comma- or newline-separated words, lowercased."""
    if isinstance(setting, str):
        setting = re.split(r"[,\n]", setting)
    return [word.strip().lower() for word in setting or () if word and word.strip()]


def link_count(comment):
    anchors = len(_ANCHOR.findall(comment.body_html or ""))
    return max(anchors, len(_URL.findall(comment.body_raw or "")))


def too_many_links(comment, max_links, comments_api):
    count = link_count(comment)
    if count > int(max_links):
        return comments_api.verdict("hold", N_("%(count)d 个链接，超过 %(max)d 个"),
                                    count=count, max=int(max_links))
    return None


def _found_word(comment, words):
    text = "\n".join((comment.body_raw or "", comment.author_name or "",
                      comment.author_email or "", comment.author_url or "")).lower()
    return next((word for word in word_list(words) if word in text), None)


def disallowed_words(comment, words, comments_api):
    word = _found_word(comment, words)
    return comments_api.verdict("spam", N_("包含禁用词：%(word)s"), word=word) if word else None


def moderation_words(comment, words, comments_api):
    word = _found_word(comment, words)
    return comments_api.verdict("hold", N_("包含需审核的词：%(word)s"), word=word) if word else None


def duplicate(comment, comments_api):
    """The same text from the same address on the same post (not trashed) is refused."""
    if not comments_api.is_duplicate(comment):
        return None
    return comments_api.verdict("reject", gettext("重复的评论：你已经发表过同样的内容。"),
                                status=400)
