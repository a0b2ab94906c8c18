"""Where comments are sanitized: Markdown -> HTML -> bleach allowlist, links made safe.

Whatever a commenter sends, the HTML that is stored and shown holds only the tags,
attributes and URL schemes below: no script, event handler, ``javascript:``/``data:``
URL, style, iframe, form, svg or math. Bare URLs become links; every link gets
``rel="nofollow ugc noopener"``.
"""

from functools import partial

import markdown
from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner

TAGS = frozenset({"p", "br", "em", "strong", "b", "i", "del", "a", "code", "pre",
                  "blockquote", "ul", "ol", "li", "hr"})
ATTRIBUTES = {"a": ["href", "title", "rel"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
MAX_BODY_CHARS = 10_000


def _safe_link(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    protocols=PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_safe_link], skip_tags={"pre", "code"})],
)


def render_comment(text):
    """Comment Markdown to safe HTML."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "sane_lists", "nl2br"])
    return _cleaner.clean(html)


def safe_url(url):
    """An http(s) homepage URL, or '' for anything else (javascript:, data:, junk)."""
    url = (url or "").strip()
    lowered = url.lower()
    if not lowered.startswith(("http://", "https://")) or any(c in url for c in '<>"\' \t\n'):
        return ""
    return url
