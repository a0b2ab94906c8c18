"""HTML sanitizing with bleach: allowlists of tags, attributes and URL schemes.

Everything that reaches a page from user-written text passes through :func:`clean_html`
with one of the policies here (plugins may define stricter ones).
"""

from dataclasses import dataclass, field

import bleach

SAFE_PROTOCOLS = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class Policy:
    """What a piece of HTML may contain."""

    tags: frozenset
    attributes: dict = field(default_factory=dict)
    protocols: frozenset = SAFE_PROTOCOLS


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


def clean_html(html, policy=ARTICLE):
    """Return ``html`` with everything outside ``policy`` removed (text is kept, escaped)."""
    return bleach.clean(
        html,
        tags=policy.tags,
        attributes=policy.attributes,
        protocols=policy.protocols,
        strip=True,
        strip_comments=True,
    )
