"""Snippets with ``<mark>``: the best window of stored text around the matched terms.

Works on plain stored text with one compiled regular expression per query, so it is
engine-independent and costs microseconds per hit. Output is HTML-escaped. Text in
Traditional Chinese is matched by looking for each Chinese character of the (Simplified)
terms in either script, so the marks fall on the text as written at no cost per hit.
"""

import re
import unicodedata
from functools import lru_cache
from html import escape

from .analysis import has_cjk
from .chinese_script import spellings

SNIPPET_CHARS = 160
# Matches further into a very long article are not looked for: the cost of a snippet
# stays bounded, and the start of an article is as good a place as any to show.
SCAN_CHARS = 20000
_SENTENCE_START = re.compile(r"[。！？.!?；;\n]\s*")
# Full-width ASCII and the ideographic space: what NFKC changes in Chinese text.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(match):
    char = match.group()
    return " " if char == "\u3000" else chr(ord(char) - 0xFEE0)


def _fold(text):
    """``analysis.fold`` (NFKC, lowercase) without a full NFKC pass in the usual case.

    Chinese prose differs from its NFKC form only by full-width punctuation; mapping
    those directly and checking the result is several times faster than normalising.
    """
    quick = _FULL_WIDTH.sub(_half_width, text)
    if not unicodedata.is_normalized("NFKC", quick):
        quick = unicodedata.normalize("NFKC", text)
    return quick.lower()


def _either_script(token):
    """``token`` as a pattern that also matches its Chinese in Traditional characters."""
    if not has_cjk(token):
        return re.escape(token)
    return "".join(f"[{forms}]" if len(forms := spellings(char)) > 1 else re.escape(char)
                   for char in token)


def _term_regex(tokens):
    """A term (one token) or phrase (several) as it may appear in running text."""
    body = r"[\s\-_./]*".join(_either_script(token) for token in tokens)
    if has_cjk(body) and not any(t.isascii() for t in tokens):
        return body
    # English words whole, plural allowed ("taint" marks "taints", not "maintain"). The
    # first character comes before the look-behind so that the compiled pattern starts
    # with a literal: ``re`` then skips ahead to candidate characters (about 10x faster).
    first = _either_script(tokens[0][0])  # what ``body`` starts with
    rest = body[len(first):]
    return rf"{first}(?<![0-9a-z]{first}){rest}(?:e?s)?(?![0-9a-z])"


@lru_cache(maxsize=256)
def _pattern(phrases):
    wanted = [p for p in phrases if len(p) > 1 or len(p[0]) > 1 or has_cjk(p[0])]
    wanted.sort(key=lambda p: len("".join(p)), reverse=True)
    return re.compile("|".join(_term_regex(p) for p in wanted)) if wanted else None


def _best_window(spans, text_length, size):
    """Start of the ``size``-char window holding the most distinct matched words.

    A sliding window over the spans (in text order) with a count per word.
    """
    best_start, best_score = 0, -1
    counts, end = {}, 0
    for i, (start, _, word) in enumerate(spans):
        # Grow the window to every span ending within ``size`` of this one's start.
        while end < len(spans) and spans[end][1] <= start + size:
            counts[spans[end][2]] = counts.get(spans[end][2], 0) + 1
            end += 1
        if len(counts) > best_score:
            best_start, best_score = start, len(counts)
        if i < end:  # this span leaves the window before the next start
            counts[word] -= 1
            if not counts[word]:
                del counts[word]
    return max(0, min(best_start, text_length - size))


def snippet(text, phrases, size=SNIPPET_CHARS):
    """HTML snippet of ``text`` of about ``size`` characters with ``phrases`` marked.

    ``phrases`` holds token tuples: a one-token tuple is a term, longer ones phrases
    whose words are only marked together.
    """
    text = " ".join((text or "").split())
    if not text:
        return ""
    folded = _fold(text)
    if len(folded) != len(text):  # NFKC changed lengths: positions would not line up
        folded = text.lower()
    pattern = _pattern(frozenset(phrases))
    spans = ([(m.start(), m.end(), m.group()) for m in pattern.finditer(folded, 0, SCAN_CHARS)]
             if pattern else [])
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
