"""Markdown to HTML for articles: highlighted code, tables, heading anchors, excerpts."""

import re
from dataclasses import dataclass

import markdown
from markdown.extensions.toc import slugify_unicode

from .sanitize import clean_html

# WordPress' excerpt marker; authors type it with stray spaces or capitals too.
MORE_MARKER = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.IGNORECASE | re.MULTILINE)
_FIRST_PARAGRAPH = re.compile(r"<p>.*?</p>", re.DOTALL)

_EXTENSIONS = ["fenced_code", "codehilite", "tables", "toc", "sane_lists"]
_EXTENSION_CONFIG = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "tables": {"use_align_attribute": True},
    # Unicode slugs so Chinese headings get usable anchors instead of empty ids.
    "toc": {"slugify": slugify_unicode, "permalink": False},
}


@dataclass(frozen=True)
class Rendered:
    html: str
    excerpt_html: str


def markdown_to_html(text):
    """Render Markdown to sanitized HTML (a fresh converter per call: they are not thread-safe)."""
    md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIG)
    return clean_html(md.convert(text))


def split_excerpt(text):
    """Return the Markdown before ``<!--more-->`` or None when there is no marker."""
    match = MORE_MARKER.search(text)
    return text[: match.start()].rstrip() if match else None


def render_article(text):
    """Render an article and its excerpt: the part before ``<!--more-->``, else its first paragraph."""
    html = markdown_to_html(text)
    before_more = split_excerpt(text)
    if before_more is not None:
        excerpt = markdown_to_html(before_more)
    else:
        first = _FIRST_PARAGRAPH.search(html)
        excerpt = first.group(0) if first else ""
    return Rendered(html=html, excerpt_html=excerpt)
