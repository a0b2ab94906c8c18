"""Facet counts: how many of a search's matches carry each category, tag, author, year
and language (``schema.FACET_FIELDS``).

Counts are *disjunctive*, as in Algolia or a shop's sidebar: a value's count is the
number of results the search would have with that value chosen in its facet instead of
the current choice. So a facet is counted over the matches of the query and of every
other facet's filter, leaving its own out; choosing a second value of one facet widens
the results (values of one facet are OR-ed, facets AND-ed: ``QueryPlan.filters``).

Translated articles count once (``collapse.py``) where both versions carry the value: a
version in the reader's language hides the other only if both pass the filter. A search
filtered by language shows every version in it, so language values never collapse.

A value is counted by intersecting its posting list with the matches, per segment at C
speed: a blog has a few hundred tags, not millions.
"""

from collections import Counter

from .collapse import other_versions
from .schema import FACET_FIELDS, FACET_FILTERS


def facet_counts(searcher, reads, matched, filtered, prefer, limit):
    """``{facet: [(value, count), ...]}``, the ``limit`` largest counts of each facet.

    ``matched``: the documents matching the query's text, required phrases and
    exclusions that are due and not deleted; ``filtered``: each filter's documents
    (``{filter name: set}``); ``prefer``: the language versions collapse into, or None.
    """
    facets = {}
    for facet, field in FACET_FIELDS.items():
        own = FACET_FILTERS[facet]
        docs = set(matched)
        for name, allowed in filtered.items():
            if name != own:
                docs &= allowed
        pairs = _collapsing_pairs(searcher, docs, prefer) if prefer and facet != "language" else []
        counts, values_of = _value_counts(reads, field, docs, {d for pair in pairs for d in pair})
        for kept, hidden in pairs:
            # Chosen alone, a value both versions carry shows the article once.
            for value in values_of.get(kept, set()) & values_of.get(hidden, set()):
                counts[value] -= 1
        facets[facet] = sorted(((v, n) for v, n in counts.items() if n > 0),
                               key=lambda item: (-item[1], item[0]))[:limit]
    return facets


def _collapsing_pairs(searcher, docs, prefer):
    """``[(kept, hidden)]``: versions of one article among ``docs``, the first in
    ``prefer`` (``collapse.other_versions``, without the clauses: ``docs`` all match)."""
    by_group = other_versions(searcher, None, (), docs, set(), prefer)
    return [(kept, hidden) for kept, others in by_group.items() for hidden in others]


def _value_counts(reads, field, docs, tracked=()):
    """``(Counter of the values of field over docs, {tracked doc: its values})``."""
    counts, values_of = Counter(), {}
    segments = reads.segments
    for reader, offset in segments:
        if len(segments) == 1:
            local = docs
        else:
            end = offset + reader.doc_count_all()
            local = {doc - offset for doc in docs if offset <= doc < end}
        if not local:
            continue
        mine = {doc - offset for doc in tracked}
        for value in reader.field_terms(field):
            if not value:
                continue
            ids = reads.postings(reader, field, value)[0]
            found = len(local.intersection(ids))
            if found:
                counts[value] += found
                for doc in mine.intersection(ids):
                    values_of.setdefault(doc + offset, set()).add(value)
    return counts, values_of
