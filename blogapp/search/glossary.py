"""The zh<->en Kubernetes glossary: groups of equivalent terms, found inside query text.

The hand-made ``data/glossary.tsv`` comes first; ``data/k8s_glossary.tsv`` (generated from
the official Kubernetes glossary by ``scripts/build_k8s_glossary.py``, CC BY 4.0 The
Kubernetes Authors) adds to it without ever joining two hand-made concepts. Both can be
extended by configuration (``SEARCH_SYNONYMS``: a list of term lists) and by plugins (the
search-synonyms hook).

Matching ignores case, width, spaces, hyphens, dots and underscores, so ``kube proxy``,
``kube-proxy`` and ``KubeProxy`` are one term; an English term never matches inside a
longer word (``kube`` does not match in ``kubectl``).
"""

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .analysis import fold

DATA_FILE = Path(__file__).parent / "data" / "glossary.tsv"
GENERATED_FILE = Path(__file__).parent / "data" / "k8s_glossary.tsv"
_SEPARATORS = re.compile(r"[\s\-_./]+")
_ALNUM = re.compile(r"[0-9a-z]")

log = logging.getLogger(__name__)


def compact(term):
    """The matching key of a term: folded, separators removed."""
    return _SEPARATORS.sub("", fold(term))


@dataclass(frozen=True)
class Concept:
    terms: tuple  # as written in the glossary; the first is the canonical name


@dataclass(frozen=True)
class Match:
    concept: Concept
    start: int  # character span in the folded query text
    end: int
    typed: str  # the query text that matched


def read_tsv(path):
    """Parse the glossary file format into lists of terms."""
    groups = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 2:
            raise ValueError(f"{path}:{number}: expected 'group<TAB>term|term'")
        terms = [term.strip() for term in columns[1].split("|") if term.strip()]
        if len(terms) >= 2:
            groups.append(terms)
    return groups


class Glossary:
    def __init__(self, groups):
        self._by_key = {}
        self._max_len = 0
        # Generated terms left out because they would have joined two known concepts.
        self.kept_apart = []
        for terms in groups:
            self.add(terms)

    @classmethod
    def load(cls, extra_groups=(), generated=GENERATED_FILE):
        glossary = cls(read_tsv(DATA_FILE))
        if generated and Path(generated).exists():
            for terms in read_tsv(generated):
                glossary.add_apart(terms)
        for terms in extra_groups:
            glossary.add(terms)
        return glossary

    def add_apart(self, terms):
        """Add a group that may join one known concept, never chain two together.

        Terms of a second known concept are left out (and remembered in ``kept_apart``):
        a broad generated term must not make two hand-made concepts one.
        """
        joined, kept = None, []
        for term in terms:
            concept = self.lookup(term)
            if concept is not None and joined is not None and concept is not joined:
                self.kept_apart.append((term, joined.terms[0], concept.terms[0]))
                log.warning("glossary: %r left out, it would join %r and %r",
                            term, joined.terms[0], concept.terms[0])
                continue
            joined = joined or concept
            kept.append(term)
        if len(kept) >= 2:
            self.add(kept)

    def add(self, terms):
        """Add a group; a term already known joins the new group's terms into its concept."""
        keys = {compact(term) for term in terms} - {""}
        existing = [self._by_key[key] for key in keys if key in self._by_key]
        merged = list(dict.fromkeys([*(t for c in existing for t in c.terms), *terms]))
        concept = Concept(tuple(merged))
        for term in merged:
            self._by_key[compact(term)] = concept
        self._max_len = max(self._max_len, *(len(key) for key in keys), 0)

    def __len__(self):
        return len({id(concept) for concept in self._by_key.values()})

    def lookup(self, term):
        return self._by_key.get(compact(term))

    def concepts(self):
        """Every concept once (search-as-you-type lists their terms)."""
        return list({id(concept): concept for concept in self._by_key.values()}.values())

    def terms(self):
        """Every term as written (spelling help takes its English words)."""
        return [term for concept in set(self._by_key.values()) for term in concept.terms]

    def cjk_words(self):
        """Chinese runs of all terms, for the segmenter's user dictionary."""
        from .analysis import CJK_CHAR

        words = set()
        for key in self._by_key:
            for run in re.findall(r"[\u3400-\u9fff]+", key):
                if len(run) >= 2 and CJK_CHAR.match(run):
                    words.add(run)
        return sorted(words)

    def multiword_terms(self, analyzer):
        """Terms that read as several words (``horizontal pod autoscaler``), as word tuples."""
        found = set()
        for concept in set(self._by_key.values()):
            for term in concept.terms:
                words = tuple(analyzer.words(term, "query"))
                if len(words) > 1 and all(not t.parts for t in analyzer.tokens(term, "query")):
                    found.add(words)
        return found

    def fingerprint(self):
        """Changes whenever the terms change (the index stores joined multiword terms)."""
        import hashlib

        digest = hashlib.sha1()
        for key in sorted(self._by_key):
            digest.update(key.encode() + b"\0")
        return digest.hexdigest()[:12]

    def find(self, text):
        """Longest-first, left-to-right matches of glossary terms in ``text``."""
        folded = fold(text)
        # Map the compacted string back to positions in ``folded``.
        chars, origin = [], []
        for index, char in enumerate(folded):
            if not _SEPARATORS.fullmatch(char):
                chars.append(char)
                origin.append(index)
        key_text = "".join(chars)
        matches, i = [], 0
        while i < len(key_text):
            for length in range(min(self._max_len, len(key_text) - i), 0, -1):
                concept = self._by_key.get(key_text[i : i + length])
                if concept and self._on_boundaries(folded, origin, i, i + length):
                    start, end = origin[i], origin[i + length - 1] + 1
                    matches.append(Match(concept, start, end, folded[start:end]))
                    i += length
                    break
            else:
                i += 1
        return matches

    def find_inner(self, match):
        """Glossary terms inside each word of a multi-word match (never the match itself)."""
        inner = []
        for word in re.split(r"\s+", match.typed):
            for found in self.find(word) if word else ():
                if found.concept is not match.concept:
                    inner.append(found)
            if len(match.typed.split()) == 1:
                # A single CJK run such as 集群升级: try its halves at word boundaries.
                inner += self._cjk_parts(match)
        return inner

    def _cjk_parts(self, match):
        text, parts = match.typed, []
        for cut in range(2, len(text) - 1):
            left, right = self.lookup(text[:cut]), self.lookup(text[cut:])
            if left and right and left is not match.concept and right is not match.concept:
                parts.append(Match(left, match.start, match.start + cut, text[:cut]))
                parts.append(Match(right, match.start + cut, match.end, text[cut:]))
                break
        return parts

    @staticmethod
    def _on_boundaries(folded, origin, i, j):
        # An ASCII letter or digit may not continue the match on either side.
        start, end = origin[i], origin[j - 1] + 1
        before = folded[start - 1] if start > 0 else " "
        after = folded[end] if end < len(folded) else " "
        first, last = folded[start], folded[end - 1]
        return not (_ALNUM.match(before) and _ALNUM.match(first)) and not (
            _ALNUM.match(after) and _ALNUM.match(last)
        )
