"""Term-at-a-time BM25 ranking over plain posting lists (engine-neutral).

Glossary expansion makes queries wide ORs of terms that often occur in nearly every
article. A document-at-a-time matcher tree in pure Python (Whoosh's) pays several
method calls per document per tree level for that; here each term's postings are added
into one score table in a single tight loop, so a query costs roughly one dictionary
update per posting. The same table gives the exact number of matching documents.

Phrases are found by intersecting their words' postings and checking positions only in
the documents that hold every word.

Scores are BM25 as Whoosh's ``BM25F`` computes them (``whoosh.scoring.bm25``), so
ranking does not change with the method: ``idf * tf * (K1 + 1) / (tf + norm)`` with
``norm = K1 * (1 - B + B * length / average_length)`` precomputed per document.
"""

import heapq
from operator import itemgetter


def length_norms(lengths, average, b, k1):
    """The BM25 length normalisation of every document of one field."""
    average = average or 1.0
    base, slope = k1 * (1.0 - b), k1 * b / average
    return [base + slope * length for length in lengths]


class ScoreTable:
    """Scores of the documents matched so far (global document numbers)."""

    def __init__(self):
        self.scores = {}

    def add_term(self, ids, weights, norms, factor, offset=0, only=None):
        """Add one term's BM25 contribution: ``factor`` = idf * (K1 + 1) * query boost.

        ``ids`` are segment-local document numbers (``norms`` is indexed by them);
        ``offset`` turns them into global ones. With ``only`` (a set of local ids),
        other documents are skipped (a phrase's words count where the phrase occurs).
        """
        if only is not None:
            pairs = [(doc, tf) for doc, tf in zip(ids, weights) if doc in only]
        else:
            pairs = zip(ids, weights)
        scores = self.scores
        get = scores.get
        if offset:
            for doc, tf in pairs:
                key = doc + offset
                scores[key] = get(key, 0.0) + factor * tf / (tf + norms[doc])
        else:
            for doc, tf in pairs:
                scores[doc] = get(doc, 0.0) + factor * tf / (tf + norms[doc])

    def restrict(self, allowed=None, hidden=()):
        """Keep only documents in ``allowed`` (None: all) and not in ``hidden``."""
        scores = self.scores
        if allowed is not None:
            if len(allowed) < len(scores):
                self.scores = {doc: scores[doc] for doc in allowed if doc in scores}
            else:
                self.scores = {doc: s for doc, s in scores.items() if doc in allowed}
            scores = self.scores
        for doc in hidden:
            scores.pop(doc, None)

    def __len__(self):
        return len(self.scores)

    def docs(self):
        return self.scores.keys()

    def top(self, count):
        """The ``count`` best ``(docnum, score)``: highest score first, then lowest docnum."""
        best = heapq.nlargest(count, self.scores.items(), key=itemgetter(1))
        best.sort(key=lambda item: (-item[1], item[0]))
        return best


def phrase_docs(postings, positions):
    """Documents (local ids) where the words occur at consecutive positions.

    ``postings`` holds one ``(ids, weights, values)`` per word, in phrase order;
    ``positions(value)`` decodes a posting value. Only documents holding every word
    have their positions decoded.
    """
    maps = [dict(zip(ids, values)) for ids, _, values in postings]
    if not all(maps):
        return set()
    candidates = set(min(maps, key=len)).intersection(*maps)
    found = set()
    for doc in candidates:
        starts = set(positions(maps[0][doc]))
        for offset, values in enumerate(maps[1:], 1):
            starts.intersection_update([pos - offset for pos in positions(values[doc])])
            if not starts:
                break
        else:
            found.add(doc)
    return found
