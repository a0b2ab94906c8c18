"""WordPress post HTML to a body this blog renders faithfully.

Classic-editor posts rely on WordPress' ``wpautop`` (blank lines make paragraphs, single
newlines ``<br>``), so they are turned into explicit HTML here; block-editor posts are
HTML already. Each part around ``<!--more-->`` is wrapped in one ``<div>`` so that the
Markdown renderer passes it through untouched (nothing in it is read as Markdown) and
the article allowlist then sanitizes it.
"""

import html
import re

# Block-level tags as wpautop knows them.
_BLOCKS = ("(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|"
           "pre|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|"
           "article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)")
_MORE = re.compile(r"<!--\s*more\b.*?-->", re.IGNORECASE | re.DOTALL)
_NEXTPAGE = re.compile(r"<!--\s*nextpage\s*-->", re.IGNORECASE)
_PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
_IN_TAG = re.compile(r"<[^<>]*>")
_CAPTION = re.compile(r"\[(?:caption|wp_caption)\b[^\]]*\](.*?)\[/(?:caption|wp_caption)\]",
                      re.IGNORECASE | re.DOTALL)
_NEWLINE_MARK = "\x00wpnl\x00"
WRAPPER = '<div class="wp-import">\n{}\n</div>'


def wpautop(text):
    """Port of WordPress' ``wpautop``: paragraphs and line breaks as HTML."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    pres = {}

    def keep_pre(match):
        key = f"<pre wp-pre-tag-{len(pres)}></pre>"
        pres[key] = match.group(0)
        return key

    text = _PRE.sub(keep_pre, text)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(rf"(<{_BLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{_BLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = _IN_TAG.sub(lambda m: m.group(0).replace("\n", _NEWLINE_MARK), text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)", r"\1", text)
    text = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<br\s*/?>", "<br />", text)
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, value in pres.items():
        text = text.replace(key, value)
    return text.replace(_NEWLINE_MARK, "\n")


def is_block_editor(text):
    """Block-editor (Gutenberg) content carries ``<!-- wp:... -->`` comments."""
    return "<!-- wp:" in text


def _html_part(text, autop):
    text = _CAPTION.sub(r"\1", text)
    text = wpautop(text) if autop else text.strip()
    return WRAPPER.format(text.strip()) if text.strip() else ""


def post_body(content):
    """The ``Post.body`` for WordPress ``content``: explicit HTML, ``<!--more-->`` kept."""
    content = _NEXTPAGE.sub("\n\n", content or "")
    autop = not is_block_editor(content)
    parts = [_html_part(part, autop) for part in _MORE.split(content, maxsplit=1)]
    if len(parts) == 2 and parts[0]:
        parts.insert(1, "<!--more-->")
    return "\n\n".join(part for part in parts if part) + "\n"


def plain_title(title):
    """Text without markup or entities: ``Title <em>With</em> Markup`` -> ``Title With Markup``."""
    return " ".join(html.unescape(_IN_TAG.sub("", title or "")).split())
