"""Snippets with ``<mark>``: the best window of stored text around the matched terms.

Works on plain stored text with one compiled regular expression per query, so it is
engine-independent and costs microseconds per hit. Output is HTML-escaped.
"""

import re
from functools import lru_cache
from html import escape

from .analysis import fold, has_cjk

SNIPPET_CHARS = 160
_SENTENCE_START = re.compile(r"[。！？.!?；;\n]\s*")


def _term_regex(tokens):
    """A term (one token) or phrase (several) as it may appear in running text."""
    body = r"[\s\-_./]*".join(re.escape(token) for token in tokens)
    if has_cjk(body) and not any(t.isascii() for t in tokens):
        return body
    # English words whole, plural allowed ("taint" marks "taints", not "maintain").
    return rf"(?<![0-9a-z]){body}(?:e?s)?(?![0-9a-z])"


@lru_cache(maxsize=256)
def _pattern(phrases):
    wanted = [p for p in phrases if len(p) > 1 or len(p[0]) > 1 or has_cjk(p[0])]
    wanted.sort(key=lambda p: len("".join(p)), reverse=True)
    return re.compile("|".join(_term_regex(p) for p in wanted)) if wanted else None


def _best_window(spans, text_length, size):
    """Start of the ``size``-char window holding the most distinct matched words."""
    best_start, best_score = 0, -1
    for i, (start, _, _) in enumerate(spans):
        words = {word for s, e, word in spans[i:] if e <= start + size}
        if len(words) > best_score:
            best_start, best_score = start, len(words)
    return max(0, min(best_start, text_length - size))


def snippet(text, phrases, size=SNIPPET_CHARS):
    """HTML snippet of ``text`` of about ``size`` characters with ``phrases`` marked.

    ``phrases`` holds token tuples: a one-token tuple is a term, longer ones phrases
    whose words are only marked together.
    """
    text = " ".join((text or "").split())
    if not text:
        return ""
    folded = fold(text)
    if len(folded) != len(text):  # NFKC changed lengths: positions would not line up
        folded = text.lower()
    pattern = _pattern(frozenset(phrases))
    spans = [(m.start(), m.end(), m.group()) for m in pattern.finditer(folded)] if pattern else []
    if spans:
        start = _best_window(spans, len(text), size)
        # Begin at a sentence start shortly before the first match, if there is one.
        lead = text[max(0, start - 30):start]
        cut = list(_SENTENCE_START.finditer(lead))
        start = start - len(lead) + cut[-1].end() if cut else max(0, start - 10)
    else:
        start = 0
    end = min(len(text), start + size)
    pieces, cursor = [], start
    for s, e, _ in spans:
        if s < cursor or e > end:
            continue
        pieces.append(escape(text[cursor:s]))
        pieces.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    pieces.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(pieces) + suffix
