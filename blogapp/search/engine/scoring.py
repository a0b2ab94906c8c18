"""Scoring a query's clauses over Whoosh's segments (the method: ``ranking.py``).

Single terms are added to a score list term by term, highest bound first, the common
ones at the end only for the candidates once the page is decided (``score_terms``). A
phrase's words are only intersected at first: their positions are decoded for the
documents that decide the total (matched by nothing else) or that could reach the
requested page (an upper bound, the single terms' score plus the phrase words' scores,
reaches the k-th best). Those that can reach it are scored exactly, in the order of the
leaves, as a full scoring adds, best bound first until the page is settled.
"""

import heapq
from bisect import bisect_left, bisect_right

from ..ranking import (SLACK, ScoreTable, add_bounds, best, bm25, coordination_factor,
                       phrase_docs, score_terms)
from .postings import _leaves
from .schema import BM25


def _contains(ids, doc):
    """Whether a sorted posting list holds ``doc``."""
    i = bisect_left(ids, doc)
    return i < len(ids) and ids[i] == doc


def _tf(ids, weights, doc):
    """The weight of ``doc`` in a sorted posting list, or None."""
    i = bisect_left(ids, doc)
    return weights[i] if i < len(ids) and ids[i] == doc else None


class Phrase:
    """One phrase in one segment: its words' postings and the documents checked so far."""

    def __init__(self, reads, reader, offset, field, tokens):
        self.offset = offset
        self.words = [reads.postings(reader, field, token, values=True) for token in tokens]
        id_lists = [ids for ids, _, _ in self.words]
        self.candidates = set(min(id_lists, key=len)).intersection(*id_lists)
        self.decode = reads.decoder(field)
        self.found, self.checked = set(), set()
        self.bounds = {}  # global docnum -> the sum of the words' scores (if not by date)
        self._positions_of = None

    def _positions(self, ids, values):
        decode = self.decode
        return lambda doc: decode(values.at(bisect_left(ids, doc)))

    def _word_positions(self):
        if self._positions_of is None:
            self._positions_of = [self._positions(ids, values) for ids, _, values in self.words]
        return self._positions_of

    def check(self, docs):
        """Check positions in ``docs`` (local numbers); returns the phrase's documents so far."""
        todo = (docs & self.candidates) - self.checked
        if todo:
            self.found |= phrase_docs(todo, self._word_positions())
            self.checked |= todo
        return self.found

    def occurs(self, doc):
        """Whether the phrase occurs in ``doc`` (a local number among the candidates)."""
        if doc not in self.checked:
            self.checked.add(doc)
            self.found |= phrase_docs((doc,), self._word_positions())
        return doc in self.found

    def miss_rate(self):
        """The share of checked documents without the phrase (a prior of 1/2 at first)."""
        return (len(self.checked) - len(self.found) + 1) / (len(self.checked) + 2)

    def check_global(self, docs):
        offset = self.offset
        self.check({doc - offset for doc in docs})


def _restrict(docs, deleted, allowed, hidden):
    docs = docs - deleted
    if allowed is not None:
        docs &= allowed
    return docs - hidden


def rank(reads, clauses, allowed, hidden, count, by_date=False):
    """``(total, hits)``: the number of matching documents and, unless ``by_date`` (then
    ``hits`` is the set of them), the ``count`` best ``(docnum, score)``."""
    searcher, stats = reads.searcher, reads.stats
    deleted = stats.deleted_set
    table = ScoreTable(searcher.doc_count_all(), deleted | hidden, allowed,
                       [offset for _, offset in reads.segments])
    # entries: per segment offset, in scoring order; terms: (factor, postings) per leaf
    entries, phrases, bounds, terms = {}, [], {}, []
    # (unit, segment offset) -> posting id lists of the unit's single-term spellings
    coordinated = {} if not by_date and len({u for c in clauses for u in c.units}) > 1 else None
    for clause in clauses:
        for field, alt, boost in _leaves(reads, clause):
            boost *= clause.weight
            factors = [searcher.idf(field, token) * (BM25.K1 + 1) * boost for token in alt.tokens]
            postings = []
            for reader, offset in reads.segments:
                norms = stats.norms(reader, field)
                if len(alt.tokens) == 1:
                    ids, weights, _ = reads.postings(reader, field, alt.tokens[0])
                    postings.append((ids, weights, norms, offset))
                    entries.setdefault(offset, []).append((norms, [(ids, weights, factors[0])], None))
                    if coordinated is not None:
                        for unit in clause.units:
                            coordinated.setdefault((unit, offset), []).append(ids)
                    continue
                phrase = Phrase(reads, reader, offset, field, alt.tokens)
                if phrase.candidates:
                    phrases.append(phrase)
                    words = [(ids, weights, f) for (ids, weights, _), f in zip(phrase.words, factors)]
                    entries.setdefault(offset, []).append((norms, words, phrase))
                    if not by_date:
                        for ids, weights, factor in words:
                            add_bounds(phrase.bounds, ids, weights, norms, factor,
                                       phrase.candidates, offset)
                        for doc, more in phrase.bounds.items():
                            bounds[doc] = bounds.get(doc, 0.0) + more
            if postings:
                terms.append((factors[0], postings))
    if coordinated:
        sizes = {offset: reader.doc_count_all() for reader, offset in reads.segments}
        _add_units(coordinated, sizes, deleted, terms, entries)

    def eligible(docs):
        return _restrict(docs, deleted, allowed, hidden)

    if by_date:
        for _, postings in terms:
            for ids, _, _, offset in postings:
                table.union(ids, offset)
    else:
        candidates, threshold = score_terms(table, terms, count, bounds)
    extra = set()  # matched by a phrase alone
    for phrase in phrases:
        mine = phrase.candidates - table.matched_in[phrase.offset]
        # Matched by nothing else (so far): only the positions tell whether they count.
        phrase.check_global(eligible({doc + phrase.offset for doc in mine}) - extra)
        extra |= {doc + phrase.offset for doc in phrase.found}
    if by_date:
        matched = eligible(set(table.matched())) | extra
        return len(matched), matched
    if allowed is None:
        excluded = sum(map(table.is_matched, deleted | hidden))
        total = table.matched_count() - excluded + len(extra)
    else:
        total = len(eligible(set(table.matched()))) + len(extra)
    if candidates is None:  # every term was added to every document
        threshold = table.threshold(table.matched(), count)
        reach = table.reaching(table.matched(), threshold, 0.0, bounds, bounds.keys())
    else:
        reach = table.reaching(candidates, threshold, 0.0, bounds, candidates & bounds.keys())
    # A phrase adds at most its words' scores (``bounds``), exactly that if it occurs; the
    # documents only bounded so far are among the results if a phrase occurs in them.
    reach = {doc for doc in reach if table.is_matched(doc) or doc in extra}
    return total, _exact_best(reads, entries, phrases, reach, table.scores, bounds, count)


def _add_units(coordinated, sizes, deleted, terms, entries):
    """Coordination units as terms of constant contribution (``ranking`` docstring):
    their postings are the union of their spellings' (phrases are left out: a unit
    matched only through a phrase earns no bonus). ``sizes``: documents per segment
    offset (a unit has no length norms; ``range`` stands in for their length);
    ``deleted``: global docnums, not counted in a unit's document frequency."""
    documents = sum(sizes.values())
    by_unit = {}
    for (unit, offset), id_lists in coordinated.items():
        ids = id_lists[0] if len(id_lists) == 1 else sorted(set().union(*id_lists))
        by_unit.setdefault(unit, []).append((ids, offset))
    for unit, segments in sorted(by_unit.items()):
        matching = sum(len(ids) for ids, _ in segments)
        if deleted:
            matching -= sum(1 for doc in deleted for ids, offset in segments
                            if 0 <= doc - offset < sizes[offset] and _contains(ids, doc - offset))
        factor = coordination_factor(matching, documents, BM25.K1)
        terms.append((factor, [(ids, None, range(sizes[offset]), offset)
                               for ids, offset in segments]))
        for ids, offset in segments:
            entries.setdefault(offset, []).append((None, [(ids, None, factor)], None))


def _exact_best(reads, entries, phrases, reach, scores, bounds, count):
    """The ``count`` best of ``reach`` (their ``scores`` include every single term; a
    phrase adds at most its ``bounds``), scored exactly (:func:`exact_score`).

    Documents are taken in decreasing order of that upper bound, and once the
    ``count``-th best exact score exceeds the next bound, the others cannot reach the
    page. In a document, phrases are checked and no further once the bound without those
    that do not occur falls below the page: a phrase's words often occur apart
    (``blue-green`` ... ``deployment``), bounding many documents far above their score.
    Phrases that would lower the bound most are checked first: largest bound times the
    share of documents checked so far where the phrase did not occur.
    """
    get = bounds.get
    bound = {doc: scores[doc] + get(doc, 0.0) for doc in reach}
    offsets = [offset for _, offset in reads.segments]
    by_segment = {}
    for phrase in phrases:
        by_segment.setdefault(phrase.offset, []).append(phrase)
    scored, kept, floor = [], [], None  # kept: a heap of the ``count`` best exact scores
    for doc in sorted(reach, key=bound.__getitem__, reverse=True):
        if floor is not None and bound[doc] < floor:
            break
        offset = offsets[bisect_right(offsets, doc) - 1]
        mine = sorted(((phrase.bounds[doc] * phrase.miss_rate(), i, phrase) for i, phrase in
                       enumerate(by_segment.get(offset, ())) if doc in phrase.bounds), reverse=True)
        possible = [phrase.bounds[doc] for _, _, phrase in mine]
        for _, _, phrase in mine:
            if floor is not None and scores[doc] + sum(possible) < floor:
                break
            if not phrase.occurs(doc - offset):
                possible.remove(phrase.bounds[doc])
        else:
            if floor is None or scores[doc] + sum(possible) >= floor:
                score = exact_score(entries[offset], doc - offset)
                scored.append((doc, score))
                (heapq.heappush if len(kept) < count else heapq.heappushpop)(kept, score)
                if len(kept) == count:
                    floor = kept[0] / (1.0 + SLACK) ** 2
    return best(scored, count)


def exact_score(entries, doc):
    """The score of ``doc`` (local) from its segment's ``entries``, every contribution
    added in the order a full scoring adds it (so it is the same float)."""
    score = 0.0
    for norms, words, phrase in entries:
        if phrase is not None and doc not in phrase.found:
            continue
        for ids, weights, factor in words:
            if weights is None:  # a coordination unit
                if _contains(ids, doc):
                    score += factor
                continue
            tf = _tf(ids, weights, doc)
            if tf is not None:
                score += bm25(factor, tf, norms[doc])
    return score


def clause_docs(reads, clause, known=frozenset()):
    """Global docnums matching any alternative of ``clause`` (unscored, deleted ones
    included). A phrase's positions are not checked in the ``known`` documents, which
    the caller has matched already: those may be left out."""
    found = set()
    for field, alt, _ in _leaves(reads, clause):
        for reader, offset in reads.segments:
            if len(alt.tokens) == 1:
                docs = reads.postings(reader, field, alt.tokens[0])[0]
            else:
                phrase = Phrase(reads, reader, offset, field, alt.tokens)
                docs = phrase.check({doc for doc in phrase.candidates
                                     if doc + offset not in known})
            found.update(doc + offset for doc in docs)
    return found



def matched_docs(reads, clauses):
    """Global docnums matching any of ``clauses`` (deleted ones included)."""
    found = set()
    for clause in clauses:
        found |= clause_docs(reads, clause, known=found)
    return found
