"""What an article page shows around its stored HTML: the body as readers get it (code
blocks in a labelled, keyboard-scrollable box, long YAML folded, wide tables in their own
scrolling box, headings below the page's one h1), its table of contents, reading time
and language.

All of it is derived from ``Post.body_html`` (rendered and sanitized when the post is
saved), so it costs one pass of a few regular expressions per article and release, and
is kept per process keyed by the post's id and ``updated_at`` (any save changes it) and
the interface language (the labels are translated): an uncached article view does no
more work than before. Posts saved before this module existed get the same treatment.
"""

import html
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask_babel import ngettext
from markupsafe import Markup, escape

# A table of contents from this many headings up.
TOC_MIN_HEADINGS = 3
# Fenced YAML longer than this is shown folded (<details>: works without JavaScript).
FOLD_YAML_LINES = 30
# Reading speed: Chinese characters and other (Latin) words per minute.
CJK_PER_MINUTE = 400
WORDS_PER_MINUTE = 220
MEMO_SIZE = 512

_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
_TOC_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
_CODE_BLOCK = re.compile(
    r'<div class="highlight"><pre>(?:<span></span>)?<code(?: class="language-([\w+#.-]+)")?>'
    r"(.*?)</code></pre></div>", re.DOTALL)
_TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[A-Za-z0-9][\w'.-]*")
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)

# Names shown on the code label (the rest: the lexer name in capitals).
_LANGUAGE_NAMES = {
    "yaml": "YAML", "yml": "YAML", "bash": "Bash", "sh": "Shell", "shell": "Shell",
    "console": "Console", "json": "JSON", "python": "Python", "py": "Python", "go": "Go",
    "toml": "TOML", "ini": "INI", "dockerfile": "Dockerfile",
    "nginx": "nginx", "sql": "SQL", "javascript": "JavaScript", "js": "JavaScript",
}


@dataclass(frozen=True)
class ReaderView:
    html: Markup
    toc: tuple  # ((level, id, text), ...), empty below TOC_MIN_HEADINGS
    minutes: int
    lang: str  # "zh-CN" or "en"


def _shift_headings(body):
    """The page's title is its only h1: when the body has h1s, every heading goes one
    level down (h6 stays h6) so the outline keeps its shape."""
    if not re.search(r"<h1\b", body, re.IGNORECASE):
        return body
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", body)


def _code_block(match):
    language, code = match.group(1), match.group(2)
    language = (language or "").lower()
    label = "" if language == "text" else _LANGUAGE_NAMES.get(language, language.upper())
    lines = code.count("\n") or 1
    pre = f'<div class="highlight"><pre tabindex="0"><code>{code}</code></pre></div>'
    head = ""
    if label:
        head = f'<div class="code-head"><span class="code-lang">{escape(label)}</span></div>'
    if label == "YAML" and lines > FOLD_YAML_LINES:
        summary = escape(ngettext("展开 %(num)d 行 YAML", "展开 %(num)d 行 YAML", lines))
        pre = f'<details class="code-fold"><summary>{summary}</summary>{pre}</details>'
    data_lang = f' data-lang="{escape(label)}"' if label else ""
    return f'<div class="code-block"{data_lang}>{head}{pre}</div>'


def _text_of(body):
    return html.unescape(_TAGS.sub(" ", body))


def text_language(html_text):
    """zh-CN when the text of ``html_text`` is mostly Chinese (its CJK characters outnumber
    its other words), else en. Cheap enough for an excerpt per listed post."""
    prose = _text_of(_PRE.sub(" ", html_text or ""))
    return "zh-CN" if len(_CJK.findall(prose)) >= len(_WORD.findall(_CJK.sub(" ", prose))) else "en"


def build(body_html):
    """The ``ReaderView`` of stored article HTML (see the module docstring)."""
    body = _shift_headings(body_html or "")
    toc = tuple((int(level), anchor, html.unescape(_TAGS.sub("", text)).strip())
                for level, anchor, text in _TOC_HEADING.findall(body))
    prose = _text_of(_PRE.sub(" ", body))
    cjk = len(_CJK.findall(prose))
    words = len(_WORD.findall(_CJK.sub(" ", prose)))
    # Code is read more slowly than prose but skimmed: count its words at prose speed.
    code_words = len(_WORD.findall(_text_of("".join(_PRE.findall(body)))))
    minutes = max(1, round(cjk / CJK_PER_MINUTE + (words + code_words) / WORDS_PER_MINUTE))
    body = _CODE_BLOCK.sub(_code_block, body)
    body = _TABLE.sub(lambda m: f'<div class="table-scroll" tabindex="0">{m.group(0)}</div>', body)
    return ReaderView(html=Markup(body), toc=toc if len(toc) >= TOC_MIN_HEADINGS else (),
                      minutes=minutes, lang="zh-CN" if cjk >= words else "en")


_memo = OrderedDict()
_lock = threading.Lock()


def reader_view(post, locale):
    """``build(post.body_html)``, kept per (post, its last save, interface language)."""
    key = (post.id, post.updated_at, locale)
    with _lock:
        view = _memo.get(key)
        if view is not None:
            _memo.move_to_end(key)
            return view
    view = build(post.body_html)
    with _lock:
        _memo[key] = view
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return view


def reading_time_label(minutes):
    return ngettext("约 %(num)d 分钟读完", "约 %(num)d 分钟读完", minutes)

