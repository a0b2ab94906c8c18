"""Fast posting reads for term-at-a-time scoring (see ``ranking.py``).

Whoosh-Reloaded is pinned (setup.cfg): the block-level reads below use its W3 codec's
private attributes, and fall back to the public per-posting API if they are missing.
Per-searcher statistics (length norms, document frequencies) are kept with the searcher.
"""

from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from ..ranking import length_norms
from .blocks import term_postings
from .schema import BM25, TEXT_FIELDS


def _leaves(reads, clause):
    """``(field, alternative, boost)`` for every alternative in every text field.

    Leaves that cannot match (a token absent from that field) are left out: glossary
    expansion adds many spellings a given blog never uses.
    """
    return [
        # A phrase scores the sum of its words; divided by their number it weighs like
        # one term, so "Horizontal Pod Autoscaler" does not outrank "HPA" for being three.
        (field, alt, alt.weight / len(alt.tokens))
        for alt in clause.alternatives
        for field in TEXT_FIELDS
        if all(reads.doc_frequency(field, token) for token in alt.tokens)
    ]


_LENGTH_OF_BYTE = [1] + [byte_to_length(code) for code in range(1, 256)]


class _ListValues:
    """Values read through the public API, with the interface of ``blocks.LazyValues``."""

    def __init__(self, values):
        self._values = values

    def at(self, index):
        return self._values[index]


def _read_postings(reader, field, token, values=False):
    """``(ids, weights, values)`` of ``token`` in one segment (deleted documents included).

    ``values`` (the encoded positions, for phrases; ``values.at(i)`` for the i-th
    posting) is None unless asked for: decoding them all was most of a query's time.
    """
    try:
        matcher = reader.postings(field, token)
    except TermNotFound:
        return [], [], (_ListValues([]) if values else None)
    if isinstance(matcher, FilterMatcher):  # deletions: the caller drops them once
        matcher = matcher.child
    found = term_postings(matcher, values)
    if found is not None:
        return found
    ids, weights, found = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            found.append(matcher.value())
        matcher.next()
    return ids, weights, (_ListValues(found) if values else None)


def _field_lengths(reader, field):
    """Every document's length of ``field`` in one segment (1 when unknown, as Whoosh)."""
    count = reader.doc_count_all()
    try:
        column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
        raw = column._dbfile.get(column._basepos, column._count) if column else b""
    except AttributeError:
        return [reader.doc_field_length(doc, field, 1) for doc in range(count)]
    lengths = [_LENGTH_OF_BYTE[code] for code in raw]
    return lengths + [1] * (count - len(lengths))


class _SearcherStats:
    """What stays true for one searcher: length norms and document frequencies."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.segments = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.deleted_set = {offset + doc for reader, offset in self.segments
                            if reader.has_deletions() for doc in reader.deleted_docs_set}
        self._norms = {}
        self._frequencies = {}

    def norms(self, reader, field):
        key = (id(reader), field)
        norms = self._norms.get(key)
        if norms is None:
            average = self.searcher.avg_field_length(field)
            norms = self._norms[key] = length_norms(
                _field_lengths(reader, field), average, BM25.B, BM25.K1)
        return norms

    def doc_frequency(self, field, token):
        key = (field, token)
        frequency = self._frequencies.get(key)
        if frequency is None:
            frequency = self._frequencies[key] = self.searcher.doc_frequency(field, token)
        return frequency


def _stats(searcher):
    stats = getattr(searcher, "_blogapp_stats", None)
    if stats is None:
        stats = searcher._blogapp_stats = _SearcherStats(searcher)
    return stats


class _Reads:
    """One search's posting reads, each (segment, field, token) decoded once."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.stats = _stats(searcher)
        self.segments = self.stats.segments
        self.doc_frequency = self.stats.doc_frequency
        self._postings = {}
        self._decode = {}

    def postings(self, reader, field, token, values=False):
        """``(ids, weights, values)``; ``values`` is None unless asked for."""
        key = (id(reader), field, token)
        found = self._postings.get(key)
        if found is None or values and found[2] is None:
            found = self._postings[key] = _read_postings(reader, field, token, values)
        return found

    def decoder(self, field):
        """Positions of an encoded posting value of ``field``."""
        if field not in self._decode:
            self._decode[field] = self.searcher.schema[field].format.decode_positions
        return self._decode[field]
