"""Markdown to HTML for articles: highlighted code, tables, heading anchors, excerpts."""

import re
from dataclasses import dataclass

import markdown
from markdown.extensions.toc import slugify_unicode
from pygments.formatters.html import HtmlFormatter

from .sanitize import clean_html

# WordPress' excerpt marker; authors type it with stray spaces or capitals too.
MORE_MARKER = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.IGNORECASE | re.MULTILINE)
_FIRST_PARAGRAPH = re.compile(r"<p>.*?</p>", re.DOTALL)



class _LabelledHtmlFormatter(HtmlFormatter):
    """Pygments' HTML with the block's language on ``<code class="language-X">``, so the
    article page can label it (``reader``); blocks without a language get ``language-text``."""

    def __init__(self, lang_str="", **options):
        super().__init__(**options)
        self.lang_str = lang_str

    def wrap(self, source):
        return self._wrap_pre(self._wrap_lang_code(source))

    def _wrap_lang_code(self, inner):
        yield 0, f'<code class="{self.lang_str}">'
        yield from inner
        yield 0, "</code>"


_EXTENSIONS = ["fenced_code", "codehilite", "tables", "toc", "sane_lists"]
_EXTENSION_CONFIG = {
    "codehilite": {"css_class": "highlight", "guess_lang": False, "pygments_formatter": _LabelledHtmlFormatter},
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
