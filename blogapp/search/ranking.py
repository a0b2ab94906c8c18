"""Term-at-a-time BM25 ranking over plain posting lists (engine-neutral).

Glossary expansion makes queries wide ORs of terms that often occur in nearly every
article. A document-at-a-time matcher tree in pure Python (Whoosh's) pays several
method calls per document per tree level for that; here each term's postings are added
into one score list in a single tight loop, so a query costs roughly one list update per
posting. The union of the postings gives the exact number of matching documents.

Coordination: each of the reader's words (a *unit*: all spellings of one word or term)
also adds a constant bonus to every post matching it, its idf times ``(K1 + 1)`` times
``COORDINATION``; so a post holding ``etcd`` and ``备份`` outranks one that only says
``etcd`` a lot. A unit enters the scoring as one more term whose postings are the union
of its spellings' and whose contribution is that constant: the pruning below works on
it unchanged.

At 100k posts the wide ORs touch up to ~350k postings, mostly of a few very common words
(``集群``, ``不``) whose BM25 bound is small. :func:`score_terms` (MaxScore, term at a
time) adds the terms with the highest bounds first; once the page is out of reach for
anything the remaining terms alone could lift, their postings are only unioned into the
matched set (C speed) and scored for the few remaining candidates.

Scores are BM25 as Whoosh's ``BM25F`` computes them (``whoosh.scoring.bm25``), so
ranking does not change with the method: ``idf * tf * (K1 + 1) / (tf + norm)`` with
``norm = K1 * (1 - B + B * length / average_length)`` precomputed per document.

Phrases are where most of the remaining work was: checking positions means decoding
them. A phrase can only add to a document's score, so the engine first scores the
single terms (a lower bound of every score) and bounds each phrase by the sum of its
words' scores (an upper bound). Only documents whose upper bound reaches the k-th best
lower bound can be among the first k, and only documents that no other term matched
change the total: positions are checked for those alone. The candidates are then scored
exactly in decreasing bound order until the k-th best exact score exceeds the next
bound, adding every contribution in the same order as a full scoring would, so the
scores are the same floats whatever order the pruning passes added them in
(``engine/scoring.py``: ``exact_score``).
"""

import heapq
import math
from bisect import bisect_left, bisect_right
from itertools import chain, compress

# Bounds are sums in another order than the exact scores: allow for rounding.
SLACK = 1e-9


def length_norms(lengths, average, b, k1):
    """The BM25 length normalisation of every document of one field."""
    average = average or 1.0
    base, slope = k1 * (1.0 - b), k1 * b / average
    return [base + slope * length for length in lengths]


class ScoreTable:
    """Scores (global document numbers index a list) and the matched documents.

    Documents that may not be returned (``excluded``, or not ``allowed`` when that is
    given) score ``-inf`` from the start and so stay below any threshold: the threshold
    and the candidates need no filtered copy of the matched set.

    The matched documents are kept per segment (``offsets``: where each segment's
    numbers start) in segment-local numbers, as the posting lists give them: a set
    update from a list runs at C speed, shifting every number first cost three times as
    much, and common terms have tens of thousands of postings per segment.
    """

    def __init__(self, size, excluded=(), allowed=None, offsets=(0,)):
        if allowed is None:
            self.scores = [0.0] * size
        else:
            self.scores = [-math.inf] * size
            for doc in allowed:
                self.scores[doc] = 0.0
        for doc in excluded:
            self.scores[doc] = -math.inf
        self.offsets = sorted(offsets)
        self.matched_in = {offset: set() for offset in self.offsets}  # local numbers

    def add_term(self, ids, weights, norms, factor, offset=0):
        """Add one term's BM25 contribution: ``factor`` = idf * (K1 + 1) * query boost.

        ``ids`` are segment-local document numbers (``norms`` is indexed by them);
        ``offset`` turns them into global ones.
        """
        scores = self.scores
        if weights is None:  # a coordination unit: the same ``factor`` for every document
            for doc in ids:
                scores[doc + offset] += factor
        elif offset:
            for doc, tf in zip(ids, weights):
                scores[doc + offset] += factor * tf / (tf + norms[doc])
        else:
            for doc, tf in zip(ids, weights):
                scores[doc] += factor * tf / (tf + norms[doc])
        self.matched_in[offset].update(ids)

    def union(self, ids, offset=0):
        """Count ``ids`` as matched without scoring them (see :func:`score_terms`)."""
        self.matched_in[offset].update(ids)

    def matched_count(self):
        return sum(map(len, self.matched_in.values()))

    def matched(self):
        """The matched documents' global numbers (an iterator)."""
        return chain.from_iterable(map(offset.__add__, docs) if offset else docs
                                   for offset, docs in self.matched_in.items())

    def is_matched(self, doc):
        offset = self.offsets[bisect_right(self.offsets, doc) - 1]
        return doc - offset in self.matched_in[offset]

    def threshold(self, docs, count):
        """The ``count``-th best score of ``docs`` (0.0 when there are not that many)."""
        found = heapq.nlargest(count, map(self.scores.__getitem__, docs))
        return max(0.0, found[-1]) if len(found) == count else 0.0

    def add_some(self, postings, factor, docs):
        """Count a term's ``postings`` as matched (see :meth:`add_term`), but add its score
        only to ``docs`` (sorted global docnums), looking each up in the posting lists."""
        scores = self.scores
        for ids, weights, norms, offset in postings:
            self.union(ids, offset)
            end = len(ids)
            first, last = bisect_left(docs, offset), bisect_left(docs, offset + len(norms))
            i = 0
            for doc in docs[first:last]:
                local = doc - offset
                i = bisect_left(ids, local, i)
                if i == end:
                    break
                if ids[i] == local:
                    if weights is None:  # a coordination unit
                        scores[doc] += factor
                        continue
                    tf = weights[i]
                    scores[doc] += factor * tf / (tf + norms[local])

    def reaching(self, docs, threshold, more=0.0, bounds=None, bounded=()):
        """Those of ``docs`` whose score plus ``more`` may reach ``threshold`` (allowing
        for rounding: sums in other orders), and those of ``bounded`` whose score plus
        ``more`` plus ``bounds[doc]`` (what phrases may add) may."""
        floor = threshold / (1.0 + SLACK) ** 2 - more
        scores = self.scores
        docs = list(docs)
        found = set(compress(docs, map(floor.__le__, map(scores.__getitem__, docs))))
        found.update(doc for doc in bounded if scores[doc] + bounds[doc] >= floor)
        return found


# Adding one posting to the score list costs roughly a quarter of looking one document
# up in a posting list (a bisect, from Python).
LOOKUP_COST = 4


def score_terms(table, terms, count, bounds):
    """Score single terms, pruning documents that cannot reach the first ``count``.

    ``terms`` are ``(factor, postings)``, ``postings`` being ``(ids, weights, norms,
    offset)`` per segment: a term adds ``factor * tf / (tf + norm)`` to a document, less
    than ``factor``. ``bounds`` (docnum -> float) bounds what phrases may add.

    Returns ``(candidates, threshold)``. ``candidates`` is None when every term was added
    to every document. Otherwise every term has been added to the candidates' scores,
    and a document outside them cannot be among the first ``count``; its
    score may lack terms (they were only counted as matched). ``threshold`` is a lower
    bound of the ``count``-th best final score (0.0 if none was computed).

    The method is MaxScore, term at a time. Glossary expansion makes queries wide ORs
    whose last terms are very common words with small bounds. Terms are added in
    decreasing bound order (the page's scores are recomputed in the query's order
    afterwards, so this order is free). Once the ``count``-th best score so far (a lower
    bound of the final one; excluded documents score ``-inf``) exceeds the sum of the remaining
    terms' bounds, documents no term has matched yet cannot reach the page; those
    already matched remain candidates while their score, the remaining bounds and their
    phrase bound reach the threshold. From then on a term's postings are counted as
    matched with a C-level set update, and its score is added only to the candidates,
    each looked up in the posting list, unless adding all of it costs less.
    """
    terms = sorted(terms, key=lambda term: -term[0])
    rests, rest = [0.0], 0.0  # rests[i]: the bounds of terms[i:] (in reverse first)
    sizes, size = [0], 0
    for factor, postings in reversed(terms):
        rest += factor
        size += sum(len(ids) for ids, _, _, _ in postings)
        rests.append(rest)
        sizes.append(size)
    rests.reverse()
    sizes.reverse()
    threshold, candidates, checked = 0.0, None, 0
    for i, (factor, postings) in enumerate(terms):
        # Finding the threshold costs about a pass over the matched documents: worth it
        # only when the remaining postings are at least as many, and when it may exceed
        # the remaining bounds: since the last one, it grew by at most the terms added.
        ceiling = threshold + rests[checked] - rests[i]
        if (candidates is None and i and sizes[i] >= table.matched_count()
                and ceiling > rests[i] * (1.0 + SLACK) ** 2):
            threshold, checked = table.threshold(table.matched(), count), i
            if threshold > rests[i] * (1.0 + SLACK) ** 2:
                candidates = table.reaching(table.matched(), threshold, rests[i],
                                            bounds, bounds.keys())
        if candidates is not None and len(candidates) * LOOKUP_COST < sizes[i] - sizes[i + 1]:
            table.add_some(postings, factor, sorted(candidates))
        else:
            for ids, weights, norms, offset in postings:
                table.add_term(ids, weights, norms, factor, offset)
        if candidates is not None:
            threshold = max(threshold, table.threshold(candidates, count))
            candidates = table.reaching(candidates, threshold, rests[i + 1], bounds,
                                        candidates & bounds.keys())
    return candidates, threshold


def add_bounds(bounds, ids, weights, norms, factor, only, offset=0):
    """Add to ``bounds`` (global docnum -> float) one term's contribution in the documents
    ``only`` (local docnums), as :meth:`ScoreTable.add_term` would add it: a phrase's
    words' scores bound the phrase's before its positions are checked. The documents are
    looked up in the posting list when they are much fewer than its postings."""
    get = bounds.get
    if len(only) * LOOKUP_COST < len(ids):
        docs, tfs, i = [], [], 0
        for doc in sorted(only):
            i = bisect_left(ids, doc, i)
            if i < len(ids) and ids[i] == doc:
                docs.append(doc)
                tfs.append(weights[i])
    else:
        keep = list(map(only.__contains__, ids))
        docs, tfs = compress(ids, keep), compress(weights, keep)
    for doc, tf in zip(docs, tfs):
        key = doc + offset
        bounds[key] = get(key, 0.0) + factor * tf / (tf + norms[doc])


def bm25(factor, tf, norm):
    """One posting's contribution, computed exactly as :meth:`ScoreTable.add_term` does."""
    return factor * tf / (tf + norm)


# What matching one of the reader's words is worth on top of BM25, relative to the
# word's own BM25 bound ``idf * (K1 + 1)``: a post holding more of the words ranks higher
# unless another holds fewer far more strongly (say, in its title).
COORDINATION = 1.5


def coordination_factor(matching, documents, k1):
    """The bonus of one coordination unit matched by ``matching`` of ``documents``
    (BM25's idf of the unit as if it were one term, times ``(K1 + 1)``)."""
    return COORDINATION * (math.log(documents / (matching + 1)) + 1) * (k1 + 1)


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
