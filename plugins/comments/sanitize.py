"""Where comments are sanitized: Markdown -> HTML -> bleach allowlist, links made safe.

Whatever a commenter sends, the HTML that is stored and shown holds only the tags,
attributes and URL schemes below: no script, event handler, ``javascript:``/``data:``
URL, style, iframe, form, svg or math. Bare web URLs become links; every link gets
``rel="nofollow ugc noopener"``. Names are plain text without control characters.
"""

import html
import re
import threading
import unicodedata
from functools import partial

import markdown
from bleach.linkifier import LinkifyFilter, build_url_re
from bleach.sanitizer import Cleaner

TAGS = frozenset({"p", "br", "em", "strong", "b", "i", "del", "a", "code", "pre",
                  "blockquote", "ul", "ol", "li", "hr"})
ATTRIBUTES = {"a": ["href", "title", "rel"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
MAX_BODY_CHARS = 10_000

# Only http(s) text becomes a link (bleach's default also links data:, ftp:, xmpp: ...).
_WEB_URL = build_url_re(protocols=["http", "https"])
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def _allowed_href(href):
    """No scheme (a relative link) or an allowed one, however the scheme is disguised."""
    decoded = _IGNORED_IN_URL.sub("", html.unescape(href)).lower()
    scheme = _SCHEME.match(decoded)
    return scheme is None or scheme.group(1) in PROTOCOLS


def _safe_link(attrs, new=False):
    href = attrs.get((None, "href"))
    if href is not None and not _allowed_href(href):
        del attrs[(None, "href")]
    attrs[(None, "rel")] = LINK_REL
    return attrs


_local = threading.local()


def _cleaner():
    """This thread's cleaner: a bleach Cleaner keeps parser state and is not thread-safe."""
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = Cleaner(
            tags=TAGS,
            attributes=ATTRIBUTES,
            protocols=PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[partial(LinkifyFilter, callbacks=[_safe_link], skip_tags={"pre", "code"},
                             url_re=_WEB_URL)],
        )
    return cleaner


def render_comment(text):
    """Comment Markdown to safe HTML."""
    html_text = markdown.markdown(text or "", extensions=["fenced_code", "sane_lists", "nl2br"])
    return _cleaner().clean(html_text)


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
