"""Search-as-you-type: suggestions for what a reader has typed so far.

Three kinds, best first: glossary **terms** (each shown with its other-language
equivalent, "HPA · 水平扩缩容"), **tags**, and **posts** (by the start of any word of
their title). A prefix matches whatever its case, width, spaces, hyphens or dots
(``kube-p``, ``KubeP`` and ``kube p`` all find ``kube-proxy``, the glossary's
``compact`` key), in Traditional script too, and Chinese glossary terms are also found by
their pinyin, in full or by initials (``shuiping``, ``spksr`` -> 水平扩缩容; pypinyin).

:class:`Suggester` is built once from plain lists (the caller reads them from the
database and keeps the suggester until the site changes) into sorted key arrays: a lookup
is a few binary searches and a short scan, well under a millisecond at 10k posts. It
knows nothing of Flask: URLs come from the caller's ``url_for``-like functions.
"""

import bisect
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .chinese_script import to_simplified
from .glossary import compact

PINYIN_FILE = Path(__file__).parent / "data" / "glossary_pinyin.tsv"
LIMIT = 8
# Longer prefixes cannot be the start of any term or title word worth suggesting.
MAX_PREFIX = 64
# Posts are looked at in key order up to this many per lookup before ranking.
SCAN = 64
KIND_ORDER = {"term": 0, "tag": 1, "post": 2}
# Characters nobody means to type or search for (the search log drops them too).
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD_START = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]|[\u3400-\u9fff]")


@dataclass(frozen=True)
class Suggestion:
    text: str  # what a click searches for or opens
    kind: str  # term | tag | post
    url: str
    label: str  # as shown: "HPA · 水平扩缩容"

    def as_dict(self):
        return {"text": self.text, "kind": self.kind, "url": self.url, "label": self.label}


def normalized(prefix):
    """The matching key of what was typed ("" when there is nothing to look up)."""
    prefix = CONTROL_CHARS.sub("", prefix or "").strip()
    if not prefix or len(prefix) > MAX_PREFIX:
        return ""
    return compact(to_simplified(prefix))


def compute_pinyin_keys(term, phrases=True):
    """Full pinyin and initials of a term's Chinese (``水平扩缩容`` -> ``shuipingkuosuorong``,
    ``spksr``) with pypinyin; nothing for a term without Chinese. ``phrases=False`` leaves
    out pypinyin's phrase dictionary (55 MiB; it reads polyphones in context); once
    pypinyin is imported in a process, the first choice holds for it."""
    if not _HAN.search(term):
        return ()
    if not phrases:
        os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    from pypinyin import Style, lazy_pinyin

    full = compact("".join(lazy_pinyin(term)))
    initials = compact("".join(lazy_pinyin(term, style=Style.FIRST_LETTER)))
    return tuple(key for key in (full, initials) if key)


@lru_cache(maxsize=1)
def _built_in_pinyin():
    """The keys ``scripts/build_glossary_pinyin.py`` computed for the built-in glossary."""
    table = {}
    if PINYIN_FILE.exists():
        for line in PINYIN_FILE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                term, *keys = line.split("\t")
                table[term] = tuple(keys)
    return table


def equivalent(concept, term):
    """The concept's first term in the other language than ``term`` (Chinese vs not), or
    None: what a suggestion or a "did you mean" shows beside a term."""
    chinese = bool(_HAN.search(term))
    return next((t for t in concept.terms if bool(_HAN.search(t)) != chinese), None)


def pinyin_keys(term):
    """A term's pinyin keys: from the generated file for built-in terms (no pypinyin in
    the web process), else computed without the phrase dictionary (terms added at run
    time: configuration, plugins, the database)."""
    if not _HAN.search(term):
        return ()
    keys = _built_in_pinyin().get(term)
    return keys if keys is not None else compute_pinyin_keys(term, phrases=False)


class _Keys:
    """Sorted ``(key, rank, id)`` rows: every key starting with a prefix, in key order."""

    def __init__(self, rows):
        self.rows = sorted(rows)
        self.keys = [row[0] for row in self.rows]

    def starting_with(self, prefix, limit):
        found = []
        for i in range(bisect.bisect_left(self.keys, prefix), len(self.rows)):
            key, rank, item = self.rows[i]
            if not key.startswith(prefix) or len(found) >= limit:
                break
            found.append((key, rank, item))
        return found


class TermKeys:
    """The glossary's part, built once per glossary (pinyin is most of the building
    time): each term with its label and keys."""

    def __init__(self, concepts, search_url):
        self.suggestions, self.rows = [], []
        for concept in concepts:
            for position, term in enumerate(concept.terms):
                other = equivalent(concept, term)
                label = f"{term} · {other}" if other else term
                item = len(self.suggestions)
                self.suggestions.append(Suggestion(term, "term", search_url(term), label))
                # Rank: what was typed spelled the term (not its pinyin), shorter terms,
                # then the glossary's own order (its first spelling is the usual one).
                key = compact(term)
                self.rows.append((key, (0, len(key), position), item))
                self.rows += [(pinyin, (1, len(key), position), item)
                              for pinyin in pinyin_keys(term)]


class Suggester:
    """Suggestions from glossary terms (:class:`TermKeys`), tags ``(name, url)`` and
    posts ``(title, url, published timestamp)``."""

    def __init__(self, terms, tags, posts):
        self.items = list(terms.suggestions)
        term_rows, tag_rows, post_rows = terms.rows, [], []
        for name, url in tags:
            item = self._add(Suggestion(name, "tag", url, name))
            tag_rows.append((compact(name), (0, len(name), 0), item))
        for title, url, published in posts:
            item = self._add(Suggestion(title, "post", url, title))
            # Every word of the title may begin what is typed; newer posts first.
            for match in _WORD_START.finditer(title):
                key = compact(title[match.start():])[:MAX_PREFIX]
                if key:
                    post_rows.append((key, (0, -published, 0), item))
        self._terms, self._tags, self._posts = _Keys(term_rows), _Keys(tag_rows), _Keys(post_rows)

    def _add(self, suggestion):
        self.items.append(suggestion)
        return len(self.items) - 1

    def suggest(self, prefix, limit=LIMIT):
        """Up to ``limit`` suggestions for ``prefix``: exact matches first, then terms,
        tags and posts, shorter (terms, tags) or newer (posts) first; each item once."""
        key = normalized(prefix)
        if not key:
            return []
        candidates = []
        for kind, keys in (("term", self._terms), ("tag", self._tags), ("post", self._posts)):
            scan = SCAN if kind == "post" else 4 * SCAN
            for found, rank, item in keys.starting_with(key, scan):
                candidates.append((found != key, KIND_ORDER[kind], rank, item))
        chosen, seen_items, seen_texts = [], set(), set()
        for *_, item in sorted(candidates):
            suggestion = self.items[item]
            text_key = (suggestion.kind, compact(suggestion.text))
            if item in seen_items or text_key in seen_texts:
                continue  # one term reached by its pinyin and its characters, say
            seen_items.add(item)
            seen_texts.add(text_key)
            chosen.append(suggestion)
            if len(chosen) == limit:
                break
        return chosen
