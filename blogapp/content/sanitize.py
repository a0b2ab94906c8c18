"""The one sanitizing policy: bleach allowlists of tags, attributes and URL schemes.

Everything that reaches a page from user-written text passes through :func:`clean_html`
with one of two policies: ``ARTICLE`` (staff-written articles) and ``COMMENT`` (what
visitors write: no images, headings or tables; bare web URLs become links and every link
gets ``rel="nofollow ugc noopener"``). Plugins reach it through
``blogapp.plugin_api.Blog.render_markdown(text, policy)``, so there is one place to audit.
"""

import html
import re
import threading
from dataclasses import dataclass, field
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter, build_url_re
from bleach.sanitizer import Cleaner

SAFE_PROTOCOLS = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class Policy:
    """What a piece of HTML may contain."""

    tags: frozenset
    attributes: dict = field(default_factory=dict)
    protocols: frozenset = SAFE_PROTOCOLS
    link_rel: str | None = None  # set on every link, and bare web URLs become links


_BLOCK = {"p", "br", "hr", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "div"}
_INLINE = {"a", "abbr", "b", "code", "del", "em", "i", "kbd", "s", "span", "strong", "sub", "sup"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TABLES = {"table", "thead", "tbody", "tr", "th", "td"}

# Articles are written by trusted staff but still sanitized: an author account must not
# be able to run script in an editor's browser.
ARTICLE = Policy(
    tags=frozenset(_BLOCK | _INLINE | _HEADINGS | _TABLES | {"img"}),
    attributes={
        "a": ["href", "title", "class"],
        "img": ["src", "alt", "title", "width", "height"],
        "abbr": ["title"],
        "th": ["align"],
        "td": ["align"],
        # Pygments highlighting and heading anchors need classes and ids.
        "code": ["class"],
        "pre": ["class"],
        "span": ["class"],
        "div": ["class"],
        **{h: ["id"] for h in _HEADINGS},
    },
)

# Comments come from anyone: no script, event handler, javascript:/data: URL, style,
# iframe, form, svg, math, image or class; links are marked as user-generated.
COMMENT = Policy(
    tags=frozenset({"p", "br", "em", "strong", "b", "i", "del", "a", "code", "pre",
                    "blockquote", "ul", "ol", "li", "hr"}),
    attributes={"a": ["href", "title", "rel"]},
    link_rel="nofollow ugc noopener",
)

POLICIES = {"article": ARTICLE, "comment": COMMENT}


def clean_html(html_text, policy=ARTICLE):
    """Return ``html_text`` with everything outside ``policy`` removed (text kept, escaped)."""
    if policy.link_rel is not None:
        return _linking_cleaner(policy).clean(html_text)
    return bleach.clean(
        html_text,
        tags=policy.tags,
        attributes=policy.attributes,
        protocols=policy.protocols,
        strip=True,
        strip_comments=True,
    )


# Comment Markdown: no code highlighting, and a newline is a line break (people's habit).
_COMMENT_EXTENSIONS = ["fenced_code", "sane_lists", "nl2br"]


def render_markdown(text, policy="article"):
    """Markdown to safe HTML under the named policy (``article`` or ``comment``)."""
    if policy == "article":
        from .rendering import markdown_to_html

        return markdown_to_html(text or "")
    return clean_html(markdown.markdown(text or "", extensions=_COMMENT_EXTENSIONS),
                      POLICIES[policy])


# -- links in visitors' text --------------------------------------------------------------
# Only http(s) text becomes a link (bleach's default also links data:, ftp:, xmpp: ...).
_WEB_URL = build_url_re(protocols=["http", "https"])
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def allowed_href(href, protocols=SAFE_PROTOCOLS):
    """No scheme (a relative link) or an allowed one, however the scheme is disguised."""
    decoded = _IGNORED_IN_URL.sub("", html.unescape(href)).lower()
    scheme = _SCHEME.match(decoded)
    return scheme is None or scheme.group(1) in protocols


def _safe_link(policy, attrs, new=False):
    href = attrs.get((None, "href"))
    if href is not None and not allowed_href(href, policy.protocols):
        del attrs[(None, "href")]
    attrs[(None, "rel")] = policy.link_rel
    return attrs


_local = threading.local()


def _linking_cleaner(policy):
    """This thread's cleaner for ``policy``: a bleach Cleaner keeps parser state and is not
    thread-safe, and building one per call would cost more than the cleaning."""
    cleaners = _local.__dict__.setdefault("cleaners", {})
    cleaner = cleaners.get(id(policy))  # policies are module constants
    if cleaner is None:
        cleaner = cleaners[id(policy)] = Cleaner(
            tags=policy.tags,
            attributes=policy.attributes,
            protocols=policy.protocols,
            strip=True,
            strip_comments=True,
            filters=[partial(LinkifyFilter, callbacks=[partial(_safe_link, policy)],
                             skip_tags={"pre", "code"}, url_re=_WEB_URL)],
        )
    return cleaner
