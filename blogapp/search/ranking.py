"""Term-at-a-time BM25 ranking over plain posting lists (engine-neutral).

Glossary expansion makes queries wide ORs of terms that often occur in nearly every
article. A document-at-a-time matcher tree in pure Python (Whoosh's) pays several
method calls per document per tree level for that; here each term's postings are added
into one score list in a single tight loop, so a query costs roughly one list update per
posting. The union of the postings gives the exact number of matching documents.

Scores are BM25 as Whoosh's ``BM25F`` computes them (``whoosh.scoring.bm25``), so
ranking does not change with the method: ``idf * tf * (K1 + 1) / (tf + norm)`` with
``norm = K1 * (1 - B + B * length / average_length)`` precomputed per document.

Phrases are where most of the remaining work was: checking positions means decoding
them. A phrase can only add to a document's score, so the engine first scores the
single terms (a lower bound of every score) and bounds each phrase by the sum of its
words' scores (an upper bound). Only documents whose upper bound reaches the k-th best
lower bound can be among the first k, and only documents that no other term matched
change the total: positions are checked for those alone. The first k are then scored
exactly, adding every contribution in the same order as a full scoring would, so the
scores are the same floats (:func:`exact_score`).
"""

import heapq
from itertools import compress

# Bounds are sums in another order than the exact scores: allow for rounding.
SLACK = 1e-9


def length_norms(lengths, average, b, k1):
    """The BM25 length normalisation of every document of one field."""
    average = average or 1.0
    base, slope = k1 * (1.0 - b), k1 * b / average
    return [base + slope * length for length in lengths]


class ScoreTable:
    """Scores (global document numbers index a list) and the set of matched documents."""

    def __init__(self, size):
        self.scores = [0.0] * size
        self.matched = set()

    def add_term(self, ids, weights, norms, factor, offset=0):
        """Add one term's BM25 contribution: ``factor`` = idf * (K1 + 1) * query boost.

        ``ids`` are segment-local document numbers (``norms`` is indexed by them);
        ``offset`` turns them into global ones.
        """
        scores = self.scores
        if offset:
            for doc, tf in zip(ids, weights):
                scores[doc + offset] += factor * tf / (tf + norms[doc])
            self.matched.update(map(offset.__add__, ids))
        else:
            for doc, tf in zip(ids, weights):
                scores[doc] += factor * tf / (tf + norms[doc])
            self.matched.update(ids)

    def threshold(self, docs, count):
        """The ``count``-th best score of ``docs`` (0.0 when there are not that many)."""
        if len(docs) <= count:
            return 0.0
        return heapq.nlargest(count, map(self.scores.__getitem__, docs))[-1]

    def reaching(self, docs, threshold):
        """Those of ``docs`` whose score may reach ``threshold`` (allowing for rounding)."""
        floor = threshold / (1.0 + SLACK)
        docs = list(docs)
        return set(compress(docs, map(floor.__le__, map(self.scores.__getitem__, docs))))


def add_bounds(bounds, ids, weights, norms, factor, only, offset=0):
    """Add to ``bounds`` (global docnum -> float) one term's contribution in the documents
    ``only`` (local docnums), as :meth:`ScoreTable.add_term` would add it: a phrase's
    words' scores bound the phrase's before its positions are checked."""
    get = bounds.get
    for doc, tf in [(doc, tf) for doc, tf in zip(ids, weights) if doc in only]:
        key = doc + offset
        bounds[key] = get(key, 0.0) + factor * tf / (tf + norms[doc])


def bm25(factor, tf, norm):
    """One posting's contribution, computed exactly as :meth:`ScoreTable.add_term` does."""
    return factor * tf / (tf + norm)


def best(scored, count):
    """The ``count`` best ``(docnum, score)``: highest score first, then lowest docnum."""
    return sorted(scored, key=lambda item: (-item[1], item[0]))[:count]


def phrase_docs(candidates, words):
    """Those of ``candidates`` where the words occur at consecutive positions.

    ``words`` holds, in phrase order, one function per word giving its positions in a
    document (every candidate holds every word).
    """
    first, rest = words[0], list(enumerate(words[1:], 1))
    found = set()
    for doc in candidates:
        starts = set(first(doc))
        for offset, positions in rest:
            starts.intersection_update([pos - offset for pos in positions(doc)])
            if not starts:
                break
        else:
            found.add(doc)
    return found
