"""Spelling help: the word a reader most likely meant, from the blog's own vocabulary.

Candidates are the indexed terms close to the typed word (the engine's edit-distance
lookup) and the glossary's English words. Each is measured with the Damerau-Levenshtein
distance (rapidfuzz: a swap of two neighbours is one edit, so ``kubelte`` is one edit
from ``kubelet`` and two from ``kubectl``) and scored by

    log(1 + document frequency) + TECH_BONUS if technical - EDIT_COST * distance

where *technical* means a glossary word or a word of some post's title or tags: the
blog's own vocabulary wins over an ordinary English word that happens to be frequent.

A word the index has never seen is corrected to the best candidate. A word it has seen
in a post or two (a typo that made it into an article) is corrected only when the
candidate is one edit away, much better supported (``RATIO`` times the documents) and
the typed word is not itself part of the blog's vocabulary.
"""

import math
import re

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

TECH_BONUS = 2.0   # about 7 times the documents
EDIT_COST = 3.0    # about 20 times the documents per edit
RATIO = 10         # how much better a known word's correction must be supported
RARE = 2           # known words in at most this many posts may be typos
MIN_LENGTH = 4     # shorter words have too many neighbours to guess from
_WORD = re.compile(r"^[a-z]+$")


def max_distance(word):
    return 1 if len(word) <= 5 else 2


class SpellingCorrector:
    """Corrects the ASCII words of a query; built once per glossary."""

    def __init__(self, glossary):
        words = set()
        for term in glossary.terms():
            folded = term.lower()
            words.update(w for w in re.split(r"[\s\-_./]+", folded) if _WORD.match(w))
            joined = re.sub(r"[\s\-_./]+", "", folded)
            if _WORD.match(joined):
                words.add(joined)
        self.vocabulary = frozenset(w for w in words if len(w) >= MIN_LENGTH - 1)
        self._choices = sorted(self.vocabulary)

    def is_technical(self, index, word):
        return word in self.vocabulary or index.doc_frequency(word, ("title", "tags")) > 0

    def candidates(self, index, word):
        """``{term: distance}`` within the word's edit budget, from the index and glossary."""
        limit = max_distance(word)
        # The engine's lookup counts a swap as two edits: ask one more, measure again.
        found = set(index.close_terms(word, min(limit + 1, 2)))
        found.update(match for match, _, _ in process.extract(
            word, self._choices, scorer=DamerauLevenshtein.distance,
            score_cutoff=limit, limit=None))
        found.discard(word)
        distances = {term: DamerauLevenshtein.distance(word, term) for term in found}
        return {term: d for term, d in distances.items() if d <= limit}

    def score(self, index, term, distance):
        frequency = index.doc_frequency(term)
        if not frequency:
            return None  # nothing to find with it on this blog
        tech = TECH_BONUS if self.is_technical(index, term) else 0.0
        return math.log1p(frequency) + tech - EDIT_COST * distance

    def worth_looking(self, index, clause):
        """Whether ``clause``'s word may be a typo (cheap: document counts only)."""
        word = clause.label
        if not clause.correctable or len(word) < MIN_LENGTH or not _WORD.match(word):
            return False
        typed = index.doc_frequency(word)
        return typed <= RARE and not (typed and self.is_technical(index, word))

    def best(self, index, clause):
        """The best supported correction of a word :meth:`worth_looking` at, or None."""
        word = clause.label
        typed = index.doc_frequency(word)
        scored = []
        for term, distance in self.candidates(index, word).items():
            if typed and distance > 1:
                continue
            score = self.score(index, term, distance)
            if score is not None:
                scored.append((score, -distance, term))
        if not scored:
            return None
        _, _, best = max(scored)
        if typed and index.doc_frequency(best) < RATIO * typed:
            return None
        return best
