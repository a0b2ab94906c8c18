"""Comment text: the core's ``comment`` sanitizing policy, plus names and homepage URLs.

The allowlist itself lives in the core's one sanitizing policy (``Blog.render_markdown``
with ``policy="comment"``); the names here are kept for readers of this plugin's tests.
Names are plain text without control characters.
"""

import unicodedata

from blogapp.plugin_api import render_markdown, sanitize_policy

_POLICY = sanitize_policy("comment")
TAGS, ATTRIBUTES, LINK_REL = _POLICY.tags, _POLICY.attributes, _POLICY.link_rel
MAX_BODY_CHARS = 10_000


def render_comment(text):
    """Comment Markdown to safe HTML (the core's ``comment`` policy)."""
    return render_markdown(text, policy="comment")


def clean_name(name):
    """A commenter's name as stored: no control or invisible formatting characters (such as
    right-to-left overrides), whitespace runs made one space. Templates escape it."""
    kept = "".join(c for c in name or ""
                   if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(kept.split())


def safe_url(url):
    """An http(s) homepage URL, or '' for anything else (javascript:, data:, junk)."""
    url = (url or "").strip()
    lowered = url.lower()
    if not lowered.startswith(("http://", "https://")) or any(c in url for c in '<>"\' \t\n'):
        return ""
    return url
